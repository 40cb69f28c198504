/* log.c - the sample trainer's output: archive rows through writer.h, an
 * optional echo to stdout, the checkpoint schedule and the modelled clock.
 * Layer: tools (sample trainer). License: MIT. */
#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

struct TrLog {
    TsWriter *w;
    const char *path;
    long echo_every;
    int n_layers;
    int n_ckpt;
};

static const char *const TRAIN_COLS[TR_TRAIN_COLS] = {"loss", "acc", "lr", "grad_norm",
                                                      "weight_norm"};
static const char *const EVAL_COLS[TR_EVAL_COLS] = {"loss", "acc"};

static _Noreturn void fail(const TrLog *log, const TsErr *err) {
    fprintf(stderr, "trainer: %s\n", err->msg[0] ? err->msg : log->path);
    exit(2);
}

typedef struct AttrCtx {
    TrLog *log;
    TsErr *err;
} AttrCtx;

static void attr_visit(void *ctx, const char *key, const char *text, const double *number,
                       bool is_int) {
    AttrCtx *a = ctx;
    bool ok;
    if (text)
        ok = ts_writer_set_config_text(a->log->w, key, text, a->err);
    else if (is_int)
        ok = ts_writer_set_config_int(a->log->w, key, (int64_t)*number, a->err);
    else
        ok = ts_writer_set_config_number(a->log->w, key, *number, a->err);
    if (!ok) fail(a->log, a->err);
}

TrLog *tr_log_open(const TrConfig *cfg, const char *path, const TrModel *mdl, long echo_every) {
    TrLog *log = ts_xcalloc(1, sizeof *log);
    log->path = path;
    log->echo_every = echo_every;
    log->n_layers = mdl->n_layers;
    if (!path) return log;

    TsErr err = {{0}};
    TsWriterOptions opts;
    ts_writer_options_default(&opts);
    opts.atomic = true;
    opts.overwrite = true;
    opts.deflate_level = 6;
    log->w = ts_writer_create(path, cfg->run_name, &opts, &err);
    if (!log->w) fail(log, &err);
    if (!ts_writer_set_created(log->w, cfg->created, &err)) fail(log, &err);
    AttrCtx ctx = {log, &err};
    tr_config_visit(cfg, attr_visit, &ctx);
    char *json = tr_config_json(cfg);
    if (!ts_writer_set_config_json(log->w, json, &err)) fail(log, &err);
    free(json);
    unsigned flags = TS_STREAM_WALL_TIME | TS_STREAM_FLOAT32;
    if (!ts_writer_add_stream(log->w, "train", TRAIN_COLS, TR_TRAIN_COLS, flags, &err) ||
        !ts_writer_add_stream(log->w, "eval", EVAL_COLS, TR_EVAL_COLS, flags, &err) ||
        !ts_writer_add_checkpoint_layout(log->w, mdl->layer, (size_t)mdl->n_layers,
                                         tr_stat_names, TR_N_STATS, &err))
        fail(log, &err);
    return log;
}

void tr_log_train(TrLog *log, long step, const double *vals, double wall) {
    TsErr err = {{0}};
    if (log->w && !ts_writer_append(log->w, "train", step, vals, wall, -1, &err)) fail(log, &err);
    if (log->echo_every > 0 && step % log->echo_every == 0)
        printf("train %6ld  loss %-10.5g acc %-7.4f lr %-9.3g |g| %-9.4g |w| %-9.4g\n", step,
               vals[0], vals[1], vals[2], vals[3], vals[4]);
}

void tr_log_eval(TrLog *log, long step, const double *vals, double wall) {
    TsErr err = {{0}};
    if (log->w && !ts_writer_append(log->w, "eval", step, vals, wall, -1, &err)) fail(log, &err);
    if (log->echo_every > 0 && step % log->echo_every == 0)
        printf("eval  %6ld  loss %-10.5g acc %-7.4f  t %.1f\n", step, vals[0], vals[1], wall);
}

void tr_log_checkpoint(TrLog *log, long step, const double *stats) {
    TsErr err = {{0}};
    if (log->w && !ts_writer_append_checkpoint(log->w, step, stats, &err)) fail(log, &err);
    log->n_ckpt++;
    if (log->echo_every > 0) {
        printf("ckpt  %6ld ", step);
        for (int s = 0; s < TR_N_STATS; s++) {
            printf(" %s", tr_stat_names[s]);
            for (int l = 0; l < log->n_layers; l++) printf(" %.4g", stats[s * log->n_layers + l]);
        }
        printf("\n");
    }
}

void tr_log_close(TrLog *log) {
    TsErr err = {{0}};
    if (log->w && !ts_writer_close(log->w, &err)) fail(log, &err);
    free(log);
}

void tr_schedule_init(TrSchedule *s, long steps, long n) {
    s->step = ts_xcalloc((size_t)(n > 1 ? n : 1) + 1, sizeof *s->step);
    s->n = 0;
    s->next = 0;
    if (steps < 1 || n < 1) return;
    double top = log((double)steps);
    for (long k = 0; k < n; k++) {
        long st = n == 1 ? steps : lround(exp(top * (double)k / (double)(n - 1)));
        if (st < 1) st = 1;
        if (st > steps) st = steps;
        if (s->n == 0 || st > s->step[s->n - 1]) s->step[s->n++] = st;
    }
}

bool tr_schedule_hit(TrSchedule *s, long step) {
    while (s->next < s->n && s->step[s->next] < step) s->next++;
    if (s->next < s->n && s->step[s->next] == step) {
        s->next++;
        return true;
    }
    return false;
}

void tr_schedule_free(TrSchedule *s) {
    free(s->step);
    memset(s, 0, sizeof *s);
}

void tr_clock_init(TrClock *c, const TrConfig *cfg) {
    c->t = tr_config_epoch(cfg);
}

void tr_clock_add_macs(TrClock *c, double macs) {
    c->t += macs / TR_CLOCK_MAC_RATE;
}

void tr_clock_add_seconds(TrClock *c, double s) {
    c->t += s;
}
