/* nn.h - parameter store, vector kernels, optimizers and per-layer
 * statistics for the sample trainer's small networks.
 * Layer: tools (sample trainer, not part of the library). License: MIT.
 *
 * All parameters of a model live in one flat float array, split into named
 * tensors that belong to layers. Tensor lengths are padded to multiples of
 * TR_VEC so the kernels below run over whole 8-float blocks (GCC's -O2
 * vectoriser turns them into SIMD code). */
#ifndef TRAINER_NN_H
#define TRAINER_NN_H

#include <stdbool.h>
#include <stddef.h>

#include "rng.h"

#define TR_VEC 8
#define TR_MAX_TENSORS 8
#define TR_MAX_LAYERS 4

/* Rounds n up to a multiple of TR_VEC. */
static inline size_t tr_pad(size_t n) {
    return (n + TR_VEC - 1) / TR_VEC * TR_VEC;
}

/* y[0..n) += a * x[0..n), n a multiple of TR_VEC. */
static inline void tr_axpy(float *restrict y, const float *restrict x, float a, size_t n) {
    for (size_t i = 0; i < n; i += TR_VEC)
        for (size_t k = 0; k < TR_VEC; k++) y[i + k] += a * x[i + k];
}

/* y[0..n) += x[0..n), n a multiple of TR_VEC. */
static inline void tr_add(float *restrict y, const float *restrict x, size_t n) {
    for (size_t i = 0; i < n; i += TR_VEC)
        for (size_t k = 0; k < TR_VEC; k++) y[i + k] += x[i + k];
}

/* Dot product with TR_VEC partial sums (fixed order, so deterministic). */
static inline float tr_dot(const float *restrict x, const float *restrict y, size_t n) {
    float acc[TR_VEC] = {0};
    for (size_t i = 0; i < n; i += TR_VEC)
        for (size_t k = 0; k < TR_VEC; k++) acc[k] += x[i + k] * y[i + k];
    float s = 0.0f;
    for (size_t k = 0; k < TR_VEC; k++) s += acc[k];
    return s;
}

typedef struct TrTensor {
    const char *name;
    int layer;     /* index into TrModel.layer */
    size_t off;    /* offset into the flat arrays */
    size_t n;      /* padded length */
    bool decay;    /* weight decay applies */
} TrTensor;

typedef struct TrModel {
    size_t n_total;
    float *w;      /* parameters */
    float *g;      /* gradients */
    float *m;      /* Adam first moment / SGD momentum */
    float *v;      /* Adam second moment */
    float *w0;     /* parameters at initialisation */
    float *wprev;  /* parameters at the previous checkpoint */
    long t;        /* optimizer steps taken */
    TrTensor tensor[TR_MAX_TENSORS];
    int n_tensors;
    const char *layer[TR_MAX_LAYERS];
    int n_layers;
} TrModel;

/* Declares a layer; returns its index. */
int tr_model_layer(TrModel *mdl, const char *name);
/* Declares a tensor of n floats (padded) in layer; returns its index. */
int tr_model_tensor(TrModel *mdl, const char *name, int layer, size_t n, bool decay);
/* Allocates the arrays (zeroed) once every tensor is declared. */
void tr_model_alloc(TrModel *mdl);
void tr_model_free(TrModel *mdl);
/* Pointers into the flat arrays for tensor i. */
float *tr_model_w(TrModel *mdl, int i);
float *tr_model_g(TrModel *mdl, int i);
/* Fills rows x cols (cols padded to row_stride) of tensor i with
 * N(0, std^2); padding stays 0. */
void tr_model_init_normal(TrModel *mdl, int i, size_t rows, size_t cols, size_t row_stride,
                          double std, TrRng *rng);
/* Records the initial parameters (for dist_from_init / update_norm). */
void tr_model_mark_init(TrModel *mdl);
void tr_model_zero_grad(TrModel *mdl);

/* AdamW with decoupled weight decay (PyTorch semantics). */
void tr_adamw_step(TrModel *mdl, double lr, double beta1, double beta2, double eps, double wd);
/* SGD with heavy-ball momentum and L2 weight decay added to the gradient. */
void tr_sgd_step(TrModel *mdl, double lr, double momentum, double wd);

/* L2 norm of all gradients / all parameters. */
double tr_grad_norm(const TrModel *mdl);
double tr_weight_norm(const TrModel *mdl);

/* Number of per-layer statistics tr_layer_stats writes. */
#define TR_N_STATS 3
extern const char *const tr_stat_names[TR_N_STATS];
/* Writes out[TR_N_STATS * n_layers] (row-major [stat][layer]): weight_norm,
 * dist_from_init, update_norm (since the previous call, or since init), then
 * remembers the current parameters as the previous checkpoint. */
void tr_layer_stats(TrModel *mdl, double *out);

/* Copies the full training state (parameters, optimizer state, previous
 * checkpoint) from src into dst, which has the same layout. */
void tr_model_copy_state(TrModel *dst, const TrModel *src);

#endif
