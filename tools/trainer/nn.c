/* nn.c - parameter store, optimizers and per-layer statistics for the
 * sample trainer.
 * Layer: tools (sample trainer, not part of the library). License: MIT. */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/xalloc.h"

const char *const tr_stat_names[TR_N_STATS] = {"weight_norm", "dist_from_init", "update_norm"};

int tr_model_layer(TrModel *mdl, const char *name) {
    if (mdl->n_layers >= TR_MAX_LAYERS) ts_die("trainer: too many layers");
    mdl->layer[mdl->n_layers] = name;
    return mdl->n_layers++;
}

int tr_model_tensor(TrModel *mdl, const char *name, int layer, size_t n, bool decay) {
    if (mdl->n_tensors >= TR_MAX_TENSORS) ts_die("trainer: too many tensors");
    TrTensor *t = &mdl->tensor[mdl->n_tensors];
    t->name = name;
    t->layer = layer;
    t->off = mdl->n_total;
    t->n = tr_pad(n);
    t->decay = decay;
    mdl->n_total += t->n;
    return mdl->n_tensors++;
}

void tr_model_alloc(TrModel *mdl) {
    size_t n = mdl->n_total;
    mdl->w = ts_xcalloc(n, sizeof(float));
    mdl->g = ts_xcalloc(n, sizeof(float));
    mdl->m = ts_xcalloc(n, sizeof(float));
    mdl->v = ts_xcalloc(n, sizeof(float));
    mdl->w0 = ts_xcalloc(n, sizeof(float));
    mdl->wprev = ts_xcalloc(n, sizeof(float));
    mdl->t = 0;
}

void tr_model_free(TrModel *mdl) {
    free(mdl->w);
    free(mdl->g);
    free(mdl->m);
    free(mdl->v);
    free(mdl->w0);
    free(mdl->wprev);
    memset(mdl, 0, sizeof *mdl);
}

float *tr_model_w(TrModel *mdl, int i) {
    return mdl->w + mdl->tensor[i].off;
}

float *tr_model_g(TrModel *mdl, int i) {
    return mdl->g + mdl->tensor[i].off;
}

void tr_model_init_normal(TrModel *mdl, int i, size_t rows, size_t cols, size_t row_stride,
                          double std, TrRng *rng) {
    float *w = tr_model_w(mdl, i);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            w[r * row_stride + c] = (float)(std * tr_rng_normal(rng));
}

void tr_model_mark_init(TrModel *mdl) {
    memcpy(mdl->w0, mdl->w, mdl->n_total * sizeof(float));
    memcpy(mdl->wprev, mdl->w, mdl->n_total * sizeof(float));
}

void tr_model_zero_grad(TrModel *mdl) {
    memset(mdl->g, 0, mdl->n_total * sizeof(float));
}

void tr_adamw_step(TrModel *mdl, double lr, double beta1, double beta2, double eps, double wd) {
    mdl->t++;
    float b1 = (float)beta1, b2 = (float)beta2;
    float c1 = (float)(1.0 / (1.0 - pow(beta1, (double)mdl->t)));
    float c2 = (float)(1.0 / (1.0 - pow(beta2, (double)mdl->t)));
    float flr = (float)lr, feps = (float)eps;
    for (int ti = 0; ti < mdl->n_tensors; ti++) {
        const TrTensor *t = &mdl->tensor[ti];
        float shrink = t->decay ? (float)(1.0 - lr * wd) : 1.0f;
        float *w = mdl->w + t->off, *g = mdl->g + t->off;
        float *m = mdl->m + t->off, *v = mdl->v + t->off;
        for (size_t i = 0; i < t->n; i++) {
            m[i] = b1 * m[i] + (1.0f - b1) * g[i];
            v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
            float mh = m[i] * c1, vh = v[i] * c2;
            w[i] = w[i] * shrink - flr * mh / (sqrtf(vh) + feps);
        }
    }
}

void tr_sgd_step(TrModel *mdl, double lr, double momentum, double wd) {
    mdl->t++;
    float mu = (float)momentum, flr = (float)lr;
    for (int ti = 0; ti < mdl->n_tensors; ti++) {
        const TrTensor *t = &mdl->tensor[ti];
        float fwd = t->decay ? (float)wd : 0.0f;
        float *w = mdl->w + t->off, *g = mdl->g + t->off, *m = mdl->m + t->off;
        for (size_t i = 0; i < t->n; i++) {
            float d = g[i] + fwd * w[i];
            m[i] = mu * m[i] + d;
            w[i] -= flr * m[i];
        }
    }
}

static double sumsq(const float *x, size_t n) {
    double s = 0.0;
    for (size_t i = 0; i < n; i++) s += (double)x[i] * (double)x[i];
    return s;
}

double tr_grad_norm(const TrModel *mdl) {
    return sqrt(sumsq(mdl->g, mdl->n_total));
}

double tr_weight_norm(const TrModel *mdl) {
    return sqrt(sumsq(mdl->w, mdl->n_total));
}

void tr_layer_stats(TrModel *mdl, double *out) {
    int nl = mdl->n_layers;
    for (int k = 0; k < TR_N_STATS * nl; k++) out[k] = 0.0;
    for (int ti = 0; ti < mdl->n_tensors; ti++) {
        const TrTensor *t = &mdl->tensor[ti];
        const float *w = mdl->w + t->off, *w0 = mdl->w0 + t->off, *wp = mdl->wprev + t->off;
        double wn = 0.0, d0 = 0.0, dp = 0.0;
        for (size_t i = 0; i < t->n; i++) {
            double x = w[i];
            wn += x * x;
            d0 += (x - w0[i]) * (x - w0[i]);
            dp += (x - wp[i]) * (x - wp[i]);
        }
        out[0 * nl + t->layer] += wn;
        out[1 * nl + t->layer] += d0;
        out[2 * nl + t->layer] += dp;
    }
    for (int k = 0; k < TR_N_STATS * nl; k++) out[k] = sqrt(out[k]);
    memcpy(mdl->wprev, mdl->w, mdl->n_total * sizeof(float));
}

void tr_model_copy_state(TrModel *dst, const TrModel *src) {
    size_t bytes = src->n_total * sizeof(float);
    memcpy(dst->w, src->w, bytes);
    memcpy(dst->g, src->g, bytes);
    memcpy(dst->m, src->m, bytes);
    memcpy(dst->v, src->v, bytes);
    memcpy(dst->w0, src->w0, bytes);
    memcpy(dst->wprev, src->wprev, bytes);
    dst->t = src->t;
}
