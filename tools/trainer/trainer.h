/* trainer.h - configuration, logging and tasks of the sample trainer that
 * makes the sample-runs/ archives (real training of small networks, fixed seeds).
 * Layer: tools (links libtrajscope.a, writes only through writer.h).
 * License: MIT. */
#ifndef TRAINER_TRAINER_H
#define TRAINER_TRAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nn.h"

/* ---- configuration ---- */

typedef struct TrConfig {
    char run_name[96];
    char created[32];       /* ISO 8601 UTC, fixed so regeneration is stable */
    char task[32];          /* modular_addition | sparse_parity */
    char model[16];         /* mlp */
    char activation[16];    /* relu | quadratic */
    char loss[24];          /* cross_entropy | mse (modular) | logistic (parity) */
    char optimizer[16];     /* adamw | sgd */
    char lr_schedule[16];   /* constant | exp_ramp */
    char relevant_bits[64]; /* sparse parity: derived from the seed */
    long p;
    double train_frac;
    long embed_dim;
    long hidden;
    long n_bits;
    long k_bits;
    long eval_size;
    double lr;
    double lr_end;
    long warmup_steps;
    double weight_decay;
    double beta1;
    double beta2;
    double eps;
    double momentum;
    double init_scale;
    long batch;             /* 0 = full batch */
    long seed;
    long steps;
    long log_every;
    long eval_every;
    long checkpoints;
    long nan_tail;          /* steps still trained and logged after the first NaN */
    long crash_step;        /* resumed run: the first process dies after this step */
    long resume_step;       /* ... and the second restarts from this checkpoint */
    double restart_delay;   /* seconds between the crash and the restart */
} TrConfig;

/* Fills cfg from a preset name ("grok", "parity", "lr-too-high", "resumed");
 * false when unknown. */
bool tr_config_preset(TrConfig *cfg, const char *preset);
/* Applies "key=value"; false with a message in msg on error. */
bool tr_config_set(TrConfig *cfg, const char *assignment, char *msg, size_t msg_cap);
/* The configuration as a JSON object (keys that apply to this run only);
 * caller frees. */
char *tr_config_json(const TrConfig *cfg);
/* Calls fn for every key that applies to this run (text or number). */
typedef void (*TrConfigVisit)(void *ctx, const char *key, const char *text, const double *number,
                              bool is_int);
void tr_config_visit(const TrConfig *cfg, TrConfigVisit fn, void *ctx);
/* Seconds since the Unix epoch of cfg->created. */
double tr_config_epoch(const TrConfig *cfg);
/* Learning rate at step (1-based) under the schedule. */
double tr_config_lr(const TrConfig *cfg, long step);

/* ---- logging (archive through writer.h, optional echo to stdout) ---- */

#define TR_TRAIN_COLS 5 /* loss, acc, lr, grad_norm, weight_norm */
#define TR_EVAL_COLS 2  /* loss, acc */

typedef struct TrLog TrLog;

/* Opens the archive at path (NULL: no archive) and declares its structure
 * for mdl's layers. echo_every > 0 prints every echo_every-th train row and
 * every eval row. Exits with a message on failure. */
TrLog *tr_log_open(const TrConfig *cfg, const char *path, const TrModel *mdl, long echo_every);
void tr_log_train(TrLog *log, long step, const double *vals, double wall);
void tr_log_eval(TrLog *log, long step, const double *vals, double wall);
void tr_log_checkpoint(TrLog *log, long step, const double *stats);
/* Closes the archive; exits with a message on failure. */
void tr_log_close(TrLog *log);

/* Log-spaced checkpoint steps in [1, steps]: about n distinct values. */
typedef struct TrSchedule {
    long *step;
    size_t n;
    size_t next;
} TrSchedule;
void tr_schedule_init(TrSchedule *s, long steps, long n);
/* True when step is the next scheduled checkpoint (advances). */
bool tr_schedule_hit(TrSchedule *s, long step);
void tr_schedule_free(TrSchedule *s);

/* Deterministic clock: wall_time is cfg->created plus modelled compute cost
 * (multiply-adds at a fixed rate), never the real elapsed time. */
typedef struct TrClock {
    double t;
} TrClock;
#define TR_CLOCK_MAC_RATE 2.0e9 /* modelled multiply-adds per second */
void tr_clock_init(TrClock *c, const TrConfig *cfg);
void tr_clock_add_macs(TrClock *c, double macs);
void tr_clock_add_seconds(TrClock *c, double s);

/* Values as the archive stores them (float32), for milestones measured
 * from the data written. */
static inline double tr_f32(double x) {
    return (double)(float)x;
}

/* ---- tasks ---- */

/* Trains, logs, prints a summary line to out. 0 ok, else exit status. */
int tr_run_modadd(const TrConfig *cfg, const char *path, long echo_every, FILE *out);
int tr_run_parity(const TrConfig *cfg, const char *path, long echo_every, FILE *out);
/* Sets cfg->relevant_bits from the seed; false when n_bits/k_bits are bad. */
bool tr_parity_derive(TrConfig *cfg);

#endif
