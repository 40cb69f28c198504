/* config.c - presets and key=value overrides of the sample trainer, and the
 * configuration as archive attributes and JSON.
 * Layer: tools (sample trainer). License: MIT. */
#include "trainer.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

enum { K_TEXT, K_INT, K_REAL };

enum {
    F_MOD = 1 << 0,    /* modular addition only */
    F_PAR = 1 << 1,    /* sparse parity only */
    F_ADAM = 1 << 2,   /* optimizer adamw */
    F_SGD = 1 << 3,    /* optimizer sgd */
    F_RAMP = 1 << 4,   /* lr_schedule exp_ramp */
    F_RESUME = 1 << 5, /* crash_step > 0 */
    F_NAN = 1 << 6,    /* nan_tail > 0 */
    F_WARM = 1 << 7,   /* warmup_steps > 0 */
    F_META = 1 << 8,   /* never part of the configuration */
};
#define F_TASKS (F_MOD | F_PAR)

typedef struct Field {
    const char *key;
    int kind;
    size_t off;
    size_t size; /* text capacity */
    unsigned flags;
} Field;

#define TXT(k, f) {#k, K_TEXT, offsetof(TrConfig, k), sizeof(((TrConfig *)0)->k), f}
#define INT(k, f) {#k, K_INT, offsetof(TrConfig, k), 0, f}
#define REAL(k, f) {#k, K_REAL, offsetof(TrConfig, k), 0, f}

static const Field FIELDS[] = {
    TXT(run_name, F_META),
    TXT(created, F_META),
    TXT(task, 0),
    TXT(model, 0),
    INT(p, F_MOD),
    REAL(train_frac, F_MOD),
    INT(n_bits, F_PAR),
    INT(k_bits, F_PAR),
    TXT(relevant_bits, F_PAR),
    INT(eval_size, F_PAR),
    INT(embed_dim, F_MOD),
    INT(hidden, 0),
    TXT(activation, 0),
    TXT(loss, 0),
    TXT(optimizer, 0),
    REAL(lr, 0),
    TXT(lr_schedule, 0),
    REAL(lr_end, F_RAMP),
    INT(warmup_steps, F_WARM),
    REAL(weight_decay, 0),
    REAL(beta1, F_ADAM),
    REAL(beta2, F_ADAM),
    REAL(eps, F_ADAM),
    REAL(momentum, F_SGD),
    REAL(init_scale, 0),
    INT(batch, 0),
    INT(seed, 0),
    INT(steps, 0),
    INT(log_every, 0),
    INT(eval_every, 0),
    INT(checkpoints, 0),
    INT(nan_tail, F_NAN),
    INT(crash_step, F_RESUME),
    INT(resume_step, F_RESUME),
    REAL(restart_delay, F_RESUME),
};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

static void set_text(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src);
}

static void defaults(TrConfig *c) {
    memset(c, 0, sizeof *c);
    set_text(c->created, sizeof c->created, "2024-05-01T12:00:00Z");
    set_text(c->model, sizeof c->model, "mlp");
    set_text(c->activation, sizeof c->activation, "relu");
    set_text(c->loss, sizeof c->loss, "cross_entropy");
    set_text(c->optimizer, sizeof c->optimizer, "adamw");
    set_text(c->lr_schedule, sizeof c->lr_schedule, "constant");
    c->beta1 = 0.9;
    c->beta2 = 0.98;
    c->eps = 1e-8;
    c->init_scale = 1.0;
    c->log_every = 1;
    c->eval_every = 10;
    c->checkpoints = 32;
}

bool tr_config_preset(TrConfig *c, const char *preset) {
    defaults(c);
    if (strcmp(preset, "grok") == 0) {
        set_text(c->run_name, sizeof c->run_name, "grok-seed0");
        set_text(c->task, sizeof c->task, "modular_addition");
        c->p = 59;
        c->train_frac = 0.4;
        c->embed_dim = 32;
        c->hidden = 128;
        c->lr = 3e-3;
        c->weight_decay = 1.0;
        c->steps = 6000;
        c->eval_every = 10;
        return true;
    }
    if (strcmp(preset, "lr-too-high") == 0) {
        set_text(c->run_name, sizeof c->run_name, "lr-too-high");
        set_text(c->task, sizeof c->task, "modular_addition");
        c->p = 59;
        c->train_frac = 0.4;
        c->embed_dim = 32;
        c->hidden = 128;
        set_text(c->optimizer, sizeof c->optimizer, "sgd");
        c->momentum = 0.9;
        set_text(c->loss, sizeof c->loss, "mse");
        set_text(c->lr_schedule, sizeof c->lr_schedule, "exp_ramp");
        c->lr = 0.01;
        c->lr_end = 10.0;
        c->weight_decay = 0.0;
        c->steps = 3000;
        c->nan_tail = 300;
        return true;
    }
    if (strcmp(preset, "parity") == 0 || strcmp(preset, "resumed") == 0) {
        bool resumed = preset[0] == 'r';
        set_text(c->run_name, sizeof c->run_name, resumed ? "resumed" : "parity");
        set_text(c->task, sizeof c->task, "sparse_parity");
        set_text(c->loss, sizeof c->loss, "logistic");
        c->n_bits = resumed ? 30 : 40;
        c->k_bits = 3;
        c->eval_size = 2048;
        c->hidden = 256;
        set_text(c->optimizer, sizeof c->optimizer, "sgd");
        c->momentum = 0.0;
        c->lr = 0.1;
        c->weight_decay = 0.0;
        c->batch = 64;
        c->steps = resumed ? 12000 : 16000;
        c->eval_every = 25;
        if (resumed) {
            c->crash_step = 6300;
            c->resume_step = 5000;
            c->restart_delay = 300.0;
        }
        return true;
    }
    return false;
}

static const Field *find_field(const char *key, size_t len) {
    for (size_t i = 0; i < N_FIELDS; i++)
        if (strlen(FIELDS[i].key) == len && strncmp(FIELDS[i].key, key, len) == 0) return &FIELDS[i];
    return NULL;
}

bool tr_config_set(TrConfig *c, const char *a, char *msg, size_t cap) {
    const char *eq = strchr(a, '=');
    if (!eq) {
        snprintf(msg, cap, "expected key=value, got '%s'", a);
        return false;
    }
    const Field *f = find_field(a, (size_t)(eq - a));
    if (!f) {
        snprintf(msg, cap, "unknown key '%.*s'", (int)(eq - a), a);
        return false;
    }
    const char *val = eq + 1;
    char *base = (char *)c + f->off;
    char *end = NULL;
    errno = 0;
    switch (f->kind) {
    case K_TEXT:
        if (strlen(val) >= f->size) {
            snprintf(msg, cap, "%s: value too long", f->key);
            return false;
        }
        set_text(base, f->size, val);
        return true;
    case K_INT: {
        long x = strtol(val, &end, 10);
        if (errno || end == val || *end) {
            snprintf(msg, cap, "%s: not an integer: '%s'", f->key, val);
            return false;
        }
        memcpy(base, &x, sizeof x);
        return true;
    }
    default: {
        double x = strtod(val, &end);
        if (errno || end == val || *end || !isfinite(x)) {
            snprintf(msg, cap, "%s: not a number: '%s'", f->key, val);
            return false;
        }
        memcpy(base, &x, sizeof x);
        return true;
    }
    }
}

static unsigned active_flags(const TrConfig *c) {
    unsigned a = 0;
    a |= strcmp(c->task, "sparse_parity") == 0 ? F_PAR : F_MOD;
    a |= strcmp(c->optimizer, "sgd") == 0 ? F_SGD : F_ADAM;
    if (strcmp(c->lr_schedule, "exp_ramp") == 0) a |= F_RAMP;
    if (c->crash_step > 0) a |= F_RESUME;
    if (c->nan_tail > 0) a |= F_NAN;
    if (c->warmup_steps > 0) a |= F_WARM;
    return a;
}

static bool applies(const Field *f, unsigned active) {
    if (f->flags & F_META) return false;
    if ((f->flags & F_TASKS) && !(f->flags & F_TASKS & active)) return false;
    unsigned conds = f->flags & ~(unsigned)F_TASKS;
    return (conds & ~active) == 0;
}

void tr_config_visit(const TrConfig *c, TrConfigVisit fn, void *ctx) {
    unsigned active = active_flags(c);
    for (size_t i = 0; i < N_FIELDS; i++) {
        const Field *f = &FIELDS[i];
        if (!applies(f, active)) continue;
        const char *base = (const char *)c + f->off;
        if (f->kind == K_TEXT) {
            fn(ctx, f->key, base, NULL, false);
        } else if (f->kind == K_INT) {
            long x;
            memcpy(&x, base, sizeof x);
            double d = (double)x;
            fn(ctx, f->key, NULL, &d, true);
        } else {
            double d;
            memcpy(&d, base, sizeof d);
            fn(ctx, f->key, NULL, &d, false);
        }
    }
}

static void json_visit(void *ctx, const char *key, const char *text, const double *number,
                       bool is_int) {
    json_t *obj = ctx;
    json_t *v;
    if (text)
        v = json_string(text);
    else if (is_int)
        v = json_integer((json_int_t)*number);
    else
        v = json_real(*number);
    if (!v || json_object_set_new(obj, key, v) != 0) ts_die("trainer: out of memory (json)");
}

char *tr_config_json(const TrConfig *c) {
    json_t *obj = json_object();
    if (!obj) ts_die("trainer: out of memory (json)");
    tr_config_visit(c, json_visit, obj);
    char *s = json_dumps(obj, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(12));
    json_decref(obj);
    if (!s) ts_die("trainer: out of memory (json)");
    char *out = ts_xstrdup(s);
    free(s);
    return out;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

double tr_config_epoch(const TrConfig *c) {
    int y, mo, d, h, mi, s;
    if (sscanf(c->created, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6) return 0.0;
    return (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + s;
}

double tr_config_lr(const TrConfig *c, long step) {
    double lr = c->lr;
    if (strcmp(c->lr_schedule, "exp_ramp") == 0 && c->steps > 1)
        lr = c->lr * pow(c->lr_end / c->lr, (double)(step - 1) / (double)(c->steps - 1));
    if (c->warmup_steps > 0 && step <= c->warmup_steps) lr *= (double)step / (double)c->warmup_steps;
    return lr;
}
