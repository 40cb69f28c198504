/* modadd.c - modular addition (a + b mod p) with an embedding MLP, trained
 * full-batch: the grokking runs and the too-high learning rate run.
 * Layer: tools (sample trainer). License: MIT.
 *
 * Model: e_a = E[a], e_b = E[b] (shared embedding, d wide);
 * h = act(W1 [e_a; e_b] + b1) (N wide); logits = W2 h + b2 (p classes).
 * The hidden pre-activation splits into U[a] + V[b] with U = E W1a^T and
 * V = E W1b^T, computed once per step for all p tokens, so a step costs
 * about 3 N p multiply-adds per example (the output layer). */
#include "trainer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

typedef struct ModAdd {
    const TrConfig *cfg;
    size_t p, P, d, D, N; /* P, D, N padded to TR_VEC */
    bool quadratic;
    bool mse;
    TrModel mdl;
    int tE, tW1, tB1, tW2, tB2;
    int *tr_a, *tr_b, *va_a, *va_b;
    size_t n_train, n_val;
    int *batch_a, *batch_b;
    size_t *order;
    size_t order_pos;
    TrRng data_rng;
    float *U, *V, *dU, *dV, *W2; /* p x N each */
    float *pre, *h, *dh, *logit, *gl;
} ModAdd;

static void setup(ModAdd *m, const TrConfig *cfg) {
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->p = (size_t)cfg->p;
    m->P = tr_pad(m->p);
    m->d = (size_t)cfg->embed_dim;
    m->D = tr_pad(m->d);
    m->N = tr_pad((size_t)cfg->hidden);
    m->quadratic = strcmp(cfg->activation, "quadratic") == 0;
    m->mse = strcmp(cfg->loss, "mse") == 0;

    TrModel *mdl = &m->mdl;
    int lE = tr_model_layer(mdl, "embed");
    int lH = tr_model_layer(mdl, "hidden");
    int lO = tr_model_layer(mdl, "output");
    m->tE = tr_model_tensor(mdl, "embed.weight", lE, m->p * m->D, true);
    m->tW1 = tr_model_tensor(mdl, "hidden.weight", lH, 2 * m->d * m->N, true);
    m->tB1 = tr_model_tensor(mdl, "hidden.bias", lH, m->N, true);
    m->tW2 = tr_model_tensor(mdl, "output.weight", lO, m->N * m->P, true);
    m->tB2 = tr_model_tensor(mdl, "output.bias", lO, m->P, true);
    tr_model_alloc(mdl);

    /* Separate streams for the split, the initialisation and batches, so
     * changing one does not reshuffle the others. */
    TrRng split_rng, init_rng;
    tr_rng_seed(&split_rng, (uint64_t)cfg->seed * 1000003u + 1);
    tr_rng_seed(&init_rng, (uint64_t)cfg->seed * 1000003u + 2);
    tr_rng_seed(&m->data_rng, (uint64_t)cfg->seed * 1000003u + 3);

    double s = cfg->init_scale;
    double hid_std = m->quadratic ? 1.0 / sqrt(2.0 * (double)m->d) : sqrt(2.0 / (2.0 * (double)m->d));
    tr_model_init_normal(mdl, m->tE, m->p, m->d, m->D, s * 1.0, &init_rng);
    tr_model_init_normal(mdl, m->tW1, 2 * m->d, (size_t)cfg->hidden, m->N, s * hid_std, &init_rng);
    tr_model_init_normal(mdl, m->tW2, (size_t)cfg->hidden, m->p, m->P,
                         s / sqrt((double)cfg->hidden), &init_rng);
    tr_model_mark_init(mdl);

    size_t total = m->p * m->p;
    size_t *perm = ts_xmalloc(total * sizeof *perm);
    for (size_t i = 0; i < total; i++) perm[i] = i;
    for (size_t i = total - 1; i > 0; i--) {
        size_t j = (size_t)tr_rng_below(&split_rng, i + 1);
        size_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    m->n_train = (size_t)llround(cfg->train_frac * (double)total);
    if (m->n_train < 1) m->n_train = 1;
    if (m->n_train >= total) m->n_train = total - 1;
    m->n_val = total - m->n_train;
    m->tr_a = ts_xmalloc(m->n_train * sizeof(int));
    m->tr_b = ts_xmalloc(m->n_train * sizeof(int));
    m->va_a = ts_xmalloc(m->n_val * sizeof(int));
    m->va_b = ts_xmalloc(m->n_val * sizeof(int));
    for (size_t i = 0; i < total; i++) {
        int a = (int)(perm[i] / m->p), b = (int)(perm[i] % m->p);
        if (i < m->n_train) {
            m->tr_a[i] = a;
            m->tr_b[i] = b;
        } else {
            m->va_a[i - m->n_train] = a;
            m->va_b[i - m->n_train] = b;
        }
    }
    free(perm);
    size_t bs = cfg->batch > 0 ? (size_t)cfg->batch : m->n_train;
    m->batch_a = ts_xmalloc(bs * sizeof(int));
    m->batch_b = ts_xmalloc(bs * sizeof(int));
    m->order = ts_xmalloc(m->n_train * sizeof *m->order);
    for (size_t i = 0; i < m->n_train; i++) m->order[i] = i;
    m->order_pos = m->n_train;

    size_t pn = m->p * m->N;
    m->U = ts_xcalloc(pn, sizeof(float));
    m->V = ts_xcalloc(pn, sizeof(float));
    m->dU = ts_xcalloc(pn, sizeof(float));
    m->dV = ts_xcalloc(pn, sizeof(float));
    m->W2 = ts_xcalloc(pn, sizeof(float));
    m->pre = ts_xcalloc(m->N, sizeof(float));
    m->h = ts_xcalloc(m->N, sizeof(float));
    m->dh = ts_xcalloc(m->N, sizeof(float));
    m->logit = ts_xcalloc(m->P, sizeof(float));
    m->gl = ts_xcalloc(m->P, sizeof(float));
}

static void teardown(ModAdd *m) {
    tr_model_free(&m->mdl);
    free(m->tr_a);
    free(m->tr_b);
    free(m->va_a);
    free(m->va_b);
    free(m->batch_a);
    free(m->batch_b);
    free(m->order);
    free(m->U);
    free(m->V);
    free(m->dU);
    free(m->dV);
    free(m->W2);
    free(m->pre);
    free(m->h);
    free(m->dh);
    free(m->logit);
    free(m->gl);
}

/* Fills batch_a/b with the next minibatch (epoch-wise reshuffled). */
static size_t next_batch(ModAdd *m) {
    size_t bs = (size_t)m->cfg->batch;
    for (size_t k = 0; k < bs; k++) {
        if (m->order_pos >= m->n_train) {
            for (size_t i = m->n_train - 1; i > 0; i--) {
                size_t j = (size_t)tr_rng_below(&m->data_rng, i + 1);
                size_t t = m->order[i];
                m->order[i] = m->order[j];
                m->order[j] = t;
            }
            m->order_pos = 0;
        }
        size_t idx = m->order[m->order_pos++];
        m->batch_a[k] = m->tr_a[idx];
        m->batch_b[k] = m->tr_b[idx];
    }
    return bs;
}

/* Mean loss and accuracy over the n examples; with grad, also the mean
 * gradient into mdl.g (which the caller zeroed). */
static void run_set(ModAdd *m, const int *as, const int *bs, size_t n, bool grad, double *loss_out,
                    double *acc_out) {
    const size_t p = m->p, P = m->P, d = m->d, D = m->D, N = m->N;
    float *E = tr_model_w(&m->mdl, m->tE), *W1 = tr_model_w(&m->mdl, m->tW1);
    float *b1 = tr_model_w(&m->mdl, m->tB1), *W2T = tr_model_w(&m->mdl, m->tW2);
    float *b2 = tr_model_w(&m->mdl, m->tB2);
    float *gE = tr_model_g(&m->mdl, m->tE), *gW1 = tr_model_g(&m->mdl, m->tW1);
    float *gb1 = tr_model_g(&m->mdl, m->tB1), *gW2T = tr_model_g(&m->mdl, m->tW2);
    float *gb2 = tr_model_g(&m->mdl, m->tB2);

    /* U[t] = sum_j E[t][j] W1[j], V[t] = sum_j E[t][j] W1[d + j] (W1 is 2d x N). */
    memset(m->U, 0, p * N * sizeof(float));
    memset(m->V, 0, p * N * sizeof(float));
    for (size_t t = 0; t < p; t++)
        for (size_t j = 0; j < d; j++) {
            tr_axpy(m->U + t * N, W1 + j * N, E[t * D + j], N);
            tr_axpy(m->V + t * N, W1 + (d + j) * N, E[t * D + j], N);
        }
    if (grad) {
        memset(m->dU, 0, p * N * sizeof(float));
        memset(m->dV, 0, p * N * sizeof(float));
        for (size_t c = 0; c < p; c++)
            for (size_t k = 0; k < N; k++) m->W2[c * N + k] = W2T[k * P + c];
    }
    const float inv_n = 1.0f / (float)n;
    double loss_sum = 0.0;
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t a = (size_t)as[i], b = (size_t)bs[i], y = (a + b) % p;
        const float *ua = m->U + a * N, *vb = m->V + b * N;
        for (size_t k = 0; k < N; k++) {
            float x = ua[k] + vb[k] + b1[k];
            m->pre[k] = x;
            m->h[k] = m->quadratic ? x * x : (x > 0.0f ? x : 0.0f);
        }
        memcpy(m->logit, b2, P * sizeof(float));
        for (size_t k = 0; k < N; k++)
            if (m->h[k] != 0.0f) tr_axpy(m->logit, W2T + k * P, m->h[k], P);
        float mx = m->logit[0];
        size_t arg = 0;
        for (size_t c = 1; c < p; c++)
            if (m->logit[c] > mx) {
                mx = m->logit[c];
                arg = c;
            }
        correct += arg == y;
        if (m->mse) {
            /* 0.5 * squared distance of the logits from the one-hot target */
            double se = 0.0;
            for (size_t c = 0; c < p; c++) {
                double r = (double)m->logit[c] - (c == y ? 1.0 : 0.0);
                se += r * r;
                m->gl[c] = (float)r * inv_n;
            }
            loss_sum += 0.5 * se;
        } else {
            double se = 0.0;
            for (size_t c = 0; c < p; c++) se += exp((double)(m->logit[c] - mx));
            double lse = (double)mx + log(se);
            loss_sum += lse - (double)m->logit[y];
            if (grad) {
                for (size_t c = 0; c < p; c++)
                    m->gl[c] = (float)exp((double)m->logit[c] - lse) * inv_n;
                m->gl[y] -= inv_n;
            }
        }
        if (!grad) continue;

        tr_add(gb2, m->gl, P);
        for (size_t k = 0; k < N; k++)
            if (m->h[k] != 0.0f) tr_axpy(gW2T + k * P, m->gl, m->h[k], P);
        memset(m->dh, 0, N * sizeof(float));
        for (size_t c = 0; c < p; c++) tr_axpy(m->dh, m->W2 + c * N, m->gl[c], N);
        for (size_t k = 0; k < N; k++)
            m->dh[k] *= m->quadratic ? 2.0f * m->pre[k] : (m->pre[k] > 0.0f ? 1.0f : 0.0f);
        tr_add(m->dU + a * N, m->dh, N);
        tr_add(m->dV + b * N, m->dh, N);
        tr_add(gb1, m->dh, N);
    }
    if (grad) {
        for (size_t t = 0; t < p; t++)
            for (size_t j = 0; j < d; j++) {
                float e = E[t * D + j];
                tr_axpy(gW1 + j * N, m->dU + t * N, e, N);
                tr_axpy(gW1 + (d + j) * N, m->dV + t * N, e, N);
                gE[t * D + j] += tr_dot(m->dU + t * N, W1 + j * N, N) +
                                 tr_dot(m->dV + t * N, W1 + (d + j) * N, N);
            }
    }
    *loss_out = loss_sum / (double)n;
    *acc_out = (double)correct / (double)n;
}

/* Multiply-adds of one example's forward (+ backward) pass, for the clock. */
static double example_macs(const ModAdd *m, bool grad) {
    double out = (double)m->cfg->hidden * (double)m->p;
    return grad ? 3.0 * out : out;
}

typedef struct Milestones {
    long train99, val50, val90, val99, first_inf, first_nan, eval_nan;
    long spike_step[16];
    double spike_peak[16], spike_lr[16];
    int n_spikes;
    bool in_spike;
    double spike_base;
    double window[64];
    long n_window;
} Milestones;

static void first_cross(long *slot, long step, double v, double thr) {
    if (*slot < 0 && v >= thr) *slot = step;
}

/* A spike starts when the (stored) train loss exceeds 1.25 times the
 * minimum of the previous 64 logged losses outside spikes (and by at least
 * 0.05) and ends when it falls back below 1.1 times that minimum. */
static void watch_spikes(Milestones *ms, long step, double loss, double lr) {
    if (isnan(loss)) return;
    if (ms->n_window >= 64) {
        double lo = INFINITY;
        for (int i = 0; i < 64; i++) lo = fmin(lo, ms->window[i]);
        if (!ms->in_spike && loss > 1.25 * lo && loss - lo > 0.05) {
            ms->in_spike = true;
            ms->spike_base = lo;
            if (ms->n_spikes < 16) {
                ms->spike_step[ms->n_spikes] = step;
                ms->spike_peak[ms->n_spikes] = loss;
                ms->spike_lr[ms->n_spikes] = lr;
                ms->n_spikes++;
            }
        } else if (ms->in_spike) {
            if (ms->n_spikes <= 16 && loss > ms->spike_peak[ms->n_spikes - 1])
                ms->spike_peak[ms->n_spikes - 1] = loss;
            if (loss < 1.1 * ms->spike_base) ms->in_spike = false;
        }
    }
    if (!ms->in_spike) ms->window[ms->n_window++ % 64] = loss;
}

int tr_run_modadd(const TrConfig *cfg, const char *path, long echo_every, FILE *out) {
    if (cfg->p < 2 || cfg->p > 1000 || cfg->embed_dim < 1 || cfg->hidden < 1 || cfg->steps < 1 ||
        cfg->train_frac <= 0.0 || cfg->train_frac >= 1.0) {
        fprintf(stderr, "trainer: bad modular addition configuration\n");
        return 1;
    }
    ModAdd m;
    setup(&m, cfg);
    TrLog *lg = tr_log_open(cfg, path, &m.mdl, echo_every);
    TrSchedule sched;
    tr_schedule_init(&sched, cfg->steps, cfg->checkpoints);
    TrClock clk;
    tr_clock_init(&clk, cfg);
    double *stats = ts_xcalloc((size_t)(TR_N_STATS * m.mdl.n_layers), sizeof(double));
    Milestones ms;
    memset(&ms, 0, sizeof ms);
    ms.train99 = ms.val50 = ms.val90 = ms.val99 = ms.first_inf = ms.first_nan = ms.eval_nan = -1;
    bool sgd = strcmp(cfg->optimizer, "sgd") == 0;
    long eval_every = cfg->eval_every > 0 ? cfg->eval_every : 10;
    long log_every = cfg->log_every > 0 ? cfg->log_every : 1;
    double ev[TR_EVAL_COLS], tv[TR_TRAIN_COLS] = {0};
    double val_macs = (double)m.n_val * example_macs(&m, false);

    run_set(&m, m.va_a, m.va_b, m.n_val, false, &ev[0], &ev[1]);
    tr_clock_add_macs(&clk, val_macs);
    tr_log_eval(lg, 0, ev, clk.t);
    long step = 0, last_logged = 0;
    for (step = 1; step <= cfg->steps; step++) {
        double lr = tr_config_lr(cfg, step);
        const int *ba = m.tr_a, *bb = m.tr_b;
        size_t n = m.n_train;
        if (cfg->batch > 0) {
            n = next_batch(&m);
            ba = m.batch_a;
            bb = m.batch_b;
        }
        tr_model_zero_grad(&m.mdl);
        run_set(&m, ba, bb, n, true, &tv[0], &tv[1]);
        tv[2] = lr;
        tv[3] = tr_grad_norm(&m.mdl);
        tv[4] = tr_weight_norm(&m.mdl);
        if (sgd)
            tr_sgd_step(&m.mdl, lr, cfg->momentum, cfg->weight_decay);
        else
            tr_adamw_step(&m.mdl, lr, cfg->beta1, cfg->beta2, cfg->eps, cfg->weight_decay);
        tr_clock_add_macs(&clk, (double)n * example_macs(&m, true));
        if (step % log_every == 0 || step == 1) {
            tr_log_train(lg, step, tv, clk.t);
            first_cross(&ms.train99, step, tr_f32(tv[1]), 0.99);
            watch_spikes(&ms, step, tr_f32(tv[0]), lr);
            if (ms.first_inf < 0 && isinf(tr_f32(tv[0]))) ms.first_inf = step;
            if (ms.first_nan < 0 && isnan(tv[0])) ms.first_nan = step;
            last_logged = step;
        }
        if (step % eval_every == 0 || step == cfg->steps) {
            run_set(&m, m.va_a, m.va_b, m.n_val, false, &ev[0], &ev[1]);
            tr_clock_add_macs(&clk, val_macs);
            tr_log_eval(lg, step, ev, clk.t);
            first_cross(&ms.val50, step, tr_f32(ev[1]), 0.5);
            first_cross(&ms.val90, step, tr_f32(ev[1]), 0.9);
            first_cross(&ms.val99, step, tr_f32(ev[1]), 0.99);
            if (ms.eval_nan < 0 && isnan(ev[0])) ms.eval_nan = step;
        }
        bool stop = cfg->nan_tail > 0 && ms.first_nan > 0 && step >= ms.first_nan + cfg->nan_tail;
        /* A run stopped early still saves a final checkpoint, as trainers do. */
        if (tr_schedule_hit(&sched, step) || stop) {
            tr_layer_stats(&m.mdl, stats);
            tr_clock_add_seconds(&clk, 0.05);
            tr_log_checkpoint(lg, step, stats);
        }
        if (stop) break;
    }
    if (step > cfg->steps) step = cfg->steps;
    tr_log_close(lg);

    fprintf(out, "%s: steps=%ld train_acc>=0.99@%ld val_acc>=0.5@%ld val_acc>=0.9@%ld "
                 "val_acc>=0.99@%ld final_train_loss=%.4g final_train_acc=%.4f "
                 "final_val_loss=%.4g final_val_acc=%.4f",
            cfg->run_name, last_logged, ms.train99, ms.val50, ms.val90, ms.val99, tv[0], tv[1],
            ev[0], ev[1]);
    if (ms.first_inf >= 0) fprintf(out, " first_inf@%ld", ms.first_inf);
    if (ms.first_nan >= 0) fprintf(out, " first_nan@%ld", ms.first_nan);
    if (ms.eval_nan >= 0) fprintf(out, " eval_first_nan@%ld", ms.eval_nan);
    for (int i = 0; i < ms.n_spikes; i++)
        fprintf(out, " spike@%ld(peak=%.3g,lr=%.3g)", ms.spike_step[i], ms.spike_peak[i],
                ms.spike_lr[i]);
    fprintf(out, "\n");
    free(stats);
    tr_schedule_free(&sched);
    teardown(&m);
    return 0;
}
