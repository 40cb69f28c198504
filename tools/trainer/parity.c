/* parity.c - sparse parity (label = product of k secret bits of n random
 * +-1 bits) with a one-hidden-layer ReLU MLP and online fresh batches: a
 * long loss plateau at ln 2, then a sudden drop. Also the resumed run: the
 * same training killed at crash_step and restarted from the state saved at
 * resume_step, so the logged steps go back.
 * Layer: tools (sample trainer). License: MIT. */
#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

typedef struct Parity {
    const TrConfig *cfg;
    size_t n, N;
    int rel[16];
    int k;
    TrModel mdl;
    int tW1, tB1, tW2, tB2;
    float *x;  /* batch x n */
    float *y;  /* batch */
    float *ex, *ey; /* eval set */
    float *pre, *h, *dh;
    TrRng data_rng;
} Parity;

static void draw(Parity *m, TrRng *rng, float *x, float *y, size_t count) {
    for (size_t i = 0; i < count; i++) {
        uint64_t bits = 0;
        for (size_t j = 0; j < m->n; j++) {
            if (j % 64 == 0) bits = tr_rng_next(rng);
            x[i * m->n + j] = (bits & 1) ? 1.0f : -1.0f;
            bits >>= 1;
        }
        float lab = 1.0f;
        for (int r = 0; r < m->k; r++) lab *= x[i * m->n + (size_t)m->rel[r]];
        y[i] = lab;
    }
}

static void choose_bits(const TrConfig *cfg, int *rel) {
    TrRng rng;
    tr_rng_seed(&rng, (uint64_t)cfg->seed * 1000003u + 7);
    int perm[256];
    for (int i = 0; i < cfg->n_bits; i++) perm[i] = i;
    for (int i = (int)cfg->n_bits - 1; i > 0; i--) {
        int j = (int)tr_rng_below(&rng, (uint64_t)i + 1);
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    for (int i = 0; i < cfg->k_bits; i++) rel[i] = perm[i];
    for (int i = 1; i < cfg->k_bits; i++)
        for (int j = i; j > 0 && rel[j - 1] > rel[j]; j--) {
            int t = rel[j];
            rel[j] = rel[j - 1];
            rel[j - 1] = t;
        }
}

bool tr_parity_derive(TrConfig *cfg) {
    if (cfg->n_bits < 2 || cfg->n_bits > 256 || cfg->k_bits < 1 || cfg->k_bits > 16 ||
        cfg->k_bits > cfg->n_bits)
        return false;
    int rel[16];
    choose_bits(cfg, rel);
    size_t len = 0;
    cfg->relevant_bits[0] = '\0';
    for (int i = 0; i < cfg->k_bits; i++)
        len += (size_t)snprintf(cfg->relevant_bits + len, sizeof cfg->relevant_bits - len, "%s%d",
                                i ? "," : "", rel[i]);
    return true;
}

static void setup(Parity *m, const TrConfig *cfg) {
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->n = (size_t)cfg->n_bits;
    m->N = tr_pad((size_t)cfg->hidden);
    m->k = (int)cfg->k_bits;
    choose_bits(cfg, m->rel);
    TrModel *mdl = &m->mdl;
    int lH = tr_model_layer(mdl, "hidden");
    int lO = tr_model_layer(mdl, "output");
    m->tW1 = tr_model_tensor(mdl, "hidden.weight", lH, m->n * m->N, true);
    m->tB1 = tr_model_tensor(mdl, "hidden.bias", lH, m->N, true);
    m->tW2 = tr_model_tensor(mdl, "output.weight", lO, m->N, true);
    m->tB2 = tr_model_tensor(mdl, "output.bias", lO, 1, true);
    tr_model_alloc(mdl);
    TrRng init_rng, eval_rng;
    tr_rng_seed(&init_rng, (uint64_t)cfg->seed * 1000003u + 2);
    tr_rng_seed(&eval_rng, (uint64_t)cfg->seed * 1000003u + 4);
    tr_rng_seed(&m->data_rng, (uint64_t)cfg->seed * 1000003u + 3);
    double s = cfg->init_scale;
    tr_model_init_normal(mdl, m->tW1, m->n, (size_t)cfg->hidden, m->N, s * sqrt(2.0 / (double)m->n),
                         &init_rng);
    tr_model_init_normal(mdl, m->tW2, 1, (size_t)cfg->hidden, m->N, s / sqrt((double)cfg->hidden),
                         &init_rng);
    tr_model_mark_init(mdl);
    size_t B = (size_t)cfg->batch, E = (size_t)cfg->eval_size;
    m->x = ts_xmalloc(B * m->n * sizeof(float));
    m->y = ts_xmalloc(B * sizeof(float));
    m->ex = ts_xmalloc(E * m->n * sizeof(float));
    m->ey = ts_xmalloc(E * sizeof(float));
    draw(m, &eval_rng, m->ex, m->ey, E);
    m->pre = ts_xcalloc(m->N, sizeof(float));
    m->h = ts_xcalloc(m->N, sizeof(float));
    m->dh = ts_xcalloc(m->N, sizeof(float));
}

static void teardown(Parity *m) {
    tr_model_free(&m->mdl);
    free(m->x);
    free(m->y);
    free(m->ex);
    free(m->ey);
    free(m->pre);
    free(m->h);
    free(m->dh);
}

/* Mean logistic loss and accuracy; with grad, mean gradient into mdl.g. */
static void run_set(Parity *m, const float *x, const float *y, size_t count, bool grad,
                    double *loss_out, double *acc_out) {
    const size_t n = m->n, N = m->N;
    float *W1 = tr_model_w(&m->mdl, m->tW1), *b1 = tr_model_w(&m->mdl, m->tB1);
    float *w2 = tr_model_w(&m->mdl, m->tW2), *b2 = tr_model_w(&m->mdl, m->tB2);
    float *gW1 = tr_model_g(&m->mdl, m->tW1), *gb1 = tr_model_g(&m->mdl, m->tB1);
    float *gw2 = tr_model_g(&m->mdl, m->tW2), *gb2 = tr_model_g(&m->mdl, m->tB2);
    double loss_sum = 0.0;
    size_t correct = 0;
    const double inv = 1.0 / (double)count;
    for (size_t i = 0; i < count; i++) {
        const float *xi = x + i * n;
        memcpy(m->pre, b1, N * sizeof(float));
        for (size_t j = 0; j < n; j++) tr_axpy(m->pre, W1 + j * N, xi[j], N);
        for (size_t k = 0; k < N; k++) m->h[k] = m->pre[k] > 0.0f ? m->pre[k] : 0.0f;
        double f = (double)tr_dot(w2, m->h, N) + (double)b2[0];
        double z = (double)y[i] * f;
        loss_sum += z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z));
        correct += z > 0;
        if (!grad) continue;
        /* d loss / d f = -y * sigmoid(-z) */
        double sig = z > 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
        float df = (float)(-(double)y[i] * sig * inv);
        tr_axpy(gw2, m->h, df, N);
        gb2[0] += df;
        for (size_t k = 0; k < N; k++) m->dh[k] = m->pre[k] > 0.0f ? df * w2[k] : 0.0f;
        for (size_t j = 0; j < n; j++) tr_axpy(gW1 + j * N, m->dh, xi[j], N);
        tr_add(gb1, m->dh, N);
    }
    *loss_out = loss_sum * inv;
    *acc_out = (double)correct * inv;
}

typedef struct Milestones {
    long plateau_end, drop, acc90, acc99;
} Milestones;

int tr_run_parity(const TrConfig *cfg, const char *path, long echo_every, FILE *out) {
    if (cfg->n_bits < 2 || cfg->n_bits > 256 || cfg->k_bits < 1 || cfg->k_bits > 16 ||
        cfg->k_bits > cfg->n_bits || cfg->hidden < 1 || cfg->batch < 1 || cfg->eval_size < 1 ||
        cfg->steps < 1 ||
        (cfg->crash_step > 0 && (cfg->resume_step < 1 || cfg->resume_step >= cfg->crash_step ||
                                 cfg->crash_step >= cfg->steps))) {
        fprintf(stderr, "trainer: bad sparse parity configuration\n");
        return 1;
    }
    Parity m;
    setup(&m, cfg);
    TrModel saved;
    memset(&saved, 0, sizeof saved);
    bool resumable = cfg->crash_step > 0;
    if (resumable) {
        saved = m.mdl;
        saved.w = saved.g = saved.m = saved.v = saved.w0 = saved.wprev = NULL;
        tr_model_alloc(&saved);
    }
    TrLog *lg = tr_log_open(cfg, path, &m.mdl, echo_every);
    TrSchedule sched;
    tr_schedule_init(&sched, cfg->steps, cfg->checkpoints);
    TrClock clk;
    tr_clock_init(&clk, cfg);
    double *stats = ts_xcalloc((size_t)(TR_N_STATS * m.mdl.n_layers), sizeof(double));
    Milestones ms = {-1, -1, -1, -1};
    bool sgd = strcmp(cfg->optimizer, "sgd") == 0;
    long eval_every = cfg->eval_every > 0 ? cfg->eval_every : 50;
    long log_every = cfg->log_every > 0 ? cfg->log_every : 1;
    const double ln2 = 0.69314718055994531;
    const size_t B = (size_t)cfg->batch, E = (size_t)cfg->eval_size;
    double step_macs = 2.0 * (double)B * (double)m.n * (double)cfg->hidden;
    double eval_macs = (double)E * (double)m.n * (double)cfg->hidden;
    double ev[TR_EVAL_COLS], tv[TR_TRAIN_COLS] = {0};

    run_set(&m, m.ex, m.ey, E, false, &ev[0], &ev[1]);
    tr_clock_add_macs(&clk, eval_macs);
    tr_log_eval(lg, 0, ev, clk.t);
    bool resumed = false;
    long last_plateau = 0;
    for (long step = 1; step <= cfg->steps; step++) {
        double lr = tr_config_lr(cfg, step);
        draw(&m, &m.data_rng, m.x, m.y, B);
        tr_model_zero_grad(&m.mdl);
        run_set(&m, m.x, m.y, B, true, &tv[0], &tv[1]);
        tv[2] = lr;
        tv[3] = tr_grad_norm(&m.mdl);
        tv[4] = tr_weight_norm(&m.mdl);
        if (sgd)
            tr_sgd_step(&m.mdl, lr, cfg->momentum, cfg->weight_decay);
        else
            tr_adamw_step(&m.mdl, lr, cfg->beta1, cfg->beta2, cfg->eps, cfg->weight_decay);
        tr_clock_add_macs(&clk, step_macs);
        if (step % log_every == 0 || step == 1) tr_log_train(lg, step, tv, clk.t);
        if (step % eval_every == 0 || step == cfg->steps) {
            run_set(&m, m.ex, m.ey, E, false, &ev[0], &ev[1]);
            tr_clock_add_macs(&clk, eval_macs);
            tr_log_eval(lg, step, ev, clk.t);
            double l = tr_f32(ev[0]), a = tr_f32(ev[1]);
            if (ms.drop < 0) {
                if (l >= 0.9 * ln2) last_plateau = step;
                if (l < 0.5 * ln2) {
                    ms.drop = step;
                    ms.plateau_end = last_plateau;
                }
            }
            if (ms.acc90 < 0 && a >= 0.9) ms.acc90 = step;
            if (ms.acc99 < 0 && a >= 0.99) ms.acc99 = step;
        }
        if (tr_schedule_hit(&sched, step)) {
            tr_layer_stats(&m.mdl, stats);
            tr_clock_add_seconds(&clk, 0.05);
            tr_log_checkpoint(lg, step, stats);
        }
        if (resumable && !resumed && step == cfg->resume_step) tr_model_copy_state(&saved, &m.mdl);
        if (resumable && !resumed && step == cfg->crash_step) {
            /* The process dies; a new one restores the saved state. Its data
             * loader is seeded afresh, as most training scripts do. */
            resumed = true;
            tr_model_copy_state(&m.mdl, &saved);
            tr_rng_seed(&m.data_rng, (uint64_t)cfg->seed * 1000003u + 5);
            tr_clock_add_seconds(&clk, cfg->restart_delay);
            sched.next = 0;
            step = cfg->resume_step;
        }
    }
    tr_log_close(lg);

    fprintf(out, "%s: steps=%ld relevant_bits=", cfg->run_name, cfg->steps);
    for (int r = 0; r < m.k; r++) fprintf(out, "%s%d", r ? "," : "", m.rel[r]);
    fprintf(out, " plateau_end@%ld eval_loss<0.5ln2@%ld eval_acc>=0.9@%ld eval_acc>=0.99@%ld "
                 "final_eval_loss=%.4g final_eval_acc=%.4f",
            ms.plateau_end, ms.drop, ms.acc90, ms.acc99, ev[0], ev[1]);
    if (resumable)
        fprintf(out, " crash_after=%ld resumed_from=%ld", cfg->crash_step, cfg->resume_step);
    fprintf(out, "\n");
    free(stats);
    tr_schedule_free(&sched);
    if (resumable) tr_model_free(&saved);
    teardown(&m);
    return 0;
}
