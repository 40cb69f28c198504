/* app_cpd.c - change-point detection in the explorer: `d` on the focused
 * metric, run in bounded slices between input polls (cpd.h job API), then
 * a path of segmentations that `}` and `{` step through without recomputing.
 * Layer: tui (no curses). License: MIT.
 *
 * PELT: one CROPS job over 0..APP_CPD_MAX_CP changes (every optimal
 * segmentation, fewest first; the options' penalty picks the first one
 * shown). Binary segmentation: the penalty run plus one run per count
 * 1..APP_CPD_MAX_CP (binseg is greedy, so each count is its own run).
 * BOCPD: one run; the path keeps its k strongest changes, k = 0..all.
 *
 * Each job's preparation (ts_cpd_job_new: sorting and cleaning, O(n log n),
 * 0.2-0.5 s per 10^6 points) runs in a worker thread on a copy of the
 * points; the event loop looks for its end every APP_CPD_WAIT_MS and then
 * steps the job in slices of APP_CPD_TICK_S. Nothing else runs in the
 * thread. A cancelled worker is kept until it ends, then freed. */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trajscope/xalloc.h"
#include "tui/app_phases.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void free_levels(AppCpd *c) {
    for (size_t i = 0; i < c->n_level; i++) free(c->level[i].step);
    free(c->level);
    c->level = NULL;
    c->n_level = 0;
    c->cur = c->preferred = 0;
    c->pref_stable = false;
}

/* A job being prepared in a thread. Only the thread writes job, err and
 * done until done is set; then only the main thread touches it. */
typedef struct CpdWorker {
    pthread_t thr;
    int64_t *step;
    double *value;
    size_t n;
    TsCpdOptions o;
    bool crops;
    TsCpdJob *job;
    TsErr err;
    atomic_bool done;
} CpdWorker;

static void *worker_main(void *arg) {
    CpdWorker *w = arg;
    if (w->crops)
        w->job = ts_cpd_crops_job_new(w->step, w->value, w->n, &w->o, 0.0, INFINITY, 0, &w->err);
    else
        w->job = ts_cpd_job_new(w->step, w->value, w->n, &w->o, &w->err);
    atomic_store(&w->done, true);
    return NULL;
}

/* Waits for the worker, frees it and its job. */
static void worker_reap(CpdWorker *w) {
    pthread_join(w->thr, NULL);
    ts_cpd_job_free(w->job);
    free(w->step);
    free(w->value);
    free(w);
}

/* Frees the cancelled workers that have ended (all of them when wait). */
static void reap_zombies(AppCpd *c, bool wait) {
    size_t k = 0;
    for (size_t i = 0; i < c->n_zombies; i++) {
        CpdWorker *w = c->zombies[i];
        if (wait || atomic_load(&w->done))
            worker_reap(w);
        else
            c->zombies[k++] = w;
    }
    c->n_zombies = k;
    if (k == 0) {
        free(c->zombies);
        c->zombies = NULL;
    }
}

static void free_work(AppCpd *c) {
    if (c->worker) { /* still preparing: it ends on its own, then is freed */
        c->zombies = ts_xreallocarray(c->zombies, c->n_zombies + 1, sizeof *c->zombies);
        c->zombies[c->n_zombies++] = c->worker;
        c->worker = NULL;
    }
    ts_cpd_job_free(c->job);
    c->job = NULL;
    for (size_t i = 0; i < c->n_bs; i++) ts_cpd_result_free(&c->bs[i]);
    free(c->bs);
    c->bs = NULL;
    c->n_bs = 0;
}

void app_cpd_free(AppCpd *c) {
    free_work(c);
    free_levels(c);
    c->state = APP_CPD_IDLE;
}

void app_cpd_shutdown(AppCpd *c) {
    app_cpd_free(c);
    reap_zombies(c, true);
}

const AppCpdLevel *app_cpd_current(const AppPhases *ph) {
    if (!ph || ph->cpd.state != APP_CPD_DONE || ph->cpd.cur >= ph->cpd.n_level) return NULL;
    return &ph->cpd.level[ph->cpd.cur];
}

static void level_from_result(AppCpdLevel *lv, const TsCpdResult *r) {
    lv->n = r->n_cp;
    lv->step = ts_xmalloc((r->n_cp ? r->n_cp : 1) * sizeof *lv->step);
    for (size_t i = 0; i < r->n_cp; i++) lv->step[i] = r->cp[i].step;
    lv->beta = r->method == TS_CPD_BOCPD ? NAN : r->penalty;
    lv->beta_lo = lv->beta_hi = lv->beta;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const TsCpdResult *g_sort_res; /* for cmp_strength (qsort has no context) */
static int cmp_strength(const void *a, const void *b) {
    double x = g_sort_res->cp[*(const size_t *)a].strength, y = g_sort_res->cp[*(const size_t *)b].strength;
    if (x > y) return -1;
    if (x < y) return 1;
    return (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

/* ---- building the path from finished jobs ---- */

static void finish_crops(AppCpd *c, TsCpdCrops *cr) {
    c->n_level = cr->n;
    c->level = ts_xcalloc(cr->n ? cr->n : 1, sizeof *c->level);
    for (size_t i = 0; i < cr->n; i++) {
        level_from_result(&c->level[i], &cr->entry[i].result);
        c->level[i].beta_lo = cr->entry[i].beta_lo;
        c->level[i].beta_hi = cr->entry[i].beta_hi;
    }
    c->preferred = cr->preferred < cr->n ? cr->preferred : 0;
    /* A penalty below the whole path wants more than APP_CPD_MAX_CP changes:
     * on a smooth trend that is a staircase, so start at the elbow instead. */
    c->pref_stable = cr->penalty_below && cr->stable > 0 && cr->stable < cr->n;
    if (c->pref_stable) c->preferred = cr->stable;
    c->crops_complete = cr->complete;
    if (cr->n) {
        const TsCpdResult *r = &cr->entry[c->preferred].result;
        c->pref_beta = r->penalty_asked;
        c->sigma = r->sigma;
        c->n_analysed = r->prep.n_analysed;
    }
}

static void add_level(AppCpd *c, const TsCpdResult *r, bool keep_beta) {
    AppCpdLevel *lv = &c->level[c->n_level++];
    level_from_result(lv, r);
    if (!keep_beta) lv->beta = lv->beta_lo = lv->beta_hi = NAN;
}

static void finish_binseg(AppCpd *c) {
    /* bs[0]: the penalty run; bs[k]: at most k changes with penalty 0. The
     * path: no change, then each count once, the penalty run in its place. */
    c->n_level = 0;
    c->level = ts_xcalloc(c->n_bs + 2, sizeof *c->level);
    c->level[c->n_level++] = (AppCpdLevel){0, ts_xmalloc(sizeof(int64_t)), NAN, NAN, NAN};
    size_t pref_n = c->n_bs ? c->bs[0].n_cp : 0;
    bool placed = pref_n == 0; /* the zero level is the penalty's answer */
    c->preferred = 0;
    for (size_t k = 1; k < c->n_bs; k++) {
        const TsCpdResult *r = &c->bs[k];
        size_t last_n = c->level[c->n_level - 1].n;
        if (r->n_cp <= last_n) continue; /* could not split further */
        if (!placed && pref_n <= r->n_cp) {
            c->preferred = c->n_level;
            add_level(c, &c->bs[0], true);
            placed = true;
            if (pref_n == r->n_cp) continue;
        }
        add_level(c, r, false);
    }
    if (!placed && c->n_bs) {
        c->preferred = c->n_level;
        add_level(c, &c->bs[0], true);
    }
    if (c->n_bs) {
        c->pref_beta = c->bs[0].penalty;
        c->sigma = c->bs[0].sigma;
        c->n_analysed = c->bs[0].prep.n_analysed;
    }
    c->crops_complete = true;
}

static void finish_bocpd(AppCpd *c, const TsCpdResult *r) {
    size_t n = r->n_cp;
    size_t *order = ts_xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++) order[i] = i;
    g_sort_res = r;
    qsort(order, n, sizeof *order, cmp_strength);
    g_sort_res = NULL;
    c->n_level = n + 1;
    c->level = ts_xcalloc(n + 1, sizeof *c->level);
    for (size_t k = 0; k <= n; k++) {
        AppCpdLevel *lv = &c->level[k];
        lv->n = k;
        lv->step = ts_xmalloc((k ? k : 1) * sizeof *lv->step);
        for (size_t i = 0; i < k; i++) lv->step[i] = r->cp[order[i]].step;
        qsort(lv->step, k, sizeof *lv->step, cmp_i64);
        lv->beta = lv->beta_lo = lv->beta_hi = NAN;
    }
    free(order);
    c->preferred = n;
    c->pref_beta = NAN;
    c->sigma = r->sigma;
    c->n_analysed = r->prep.n_analysed;
    c->crops_complete = true;
}

/* ---- jobs ---- */

/* The options for the track's detection (cost, method, penalty, log values
 * when the y axis is logarithmic, a log-step grid for long series). */
static void make_options(const TsApp *app, const AppCpd *c, size_t n, TsCpdOptions *o) {
    ts_cpd_options_default(o);
    o->method = c->method;
    o->cost = c->cost;
    o->penalty = c->penalty;
    o->prep.log_values = app->set.log_y;
    bool slow = c->method == TS_CPD_PELT && c->cost != TS_CPD_COST_MEAN;
    if (n > (slow ? APP_CPD_GRID_ABOVE_SLOW : APP_CPD_GRID_ABOVE)) {
        o->prep.log_step = true;
        o->prep.grid_points = APP_CPD_GRID_POINTS;
    }
}

/* The options of the current stage's job; *crops for PELT. */
static TsCpdOptions stage_options(const AppCpd *c, bool *crops) {
    TsCpdOptions o = c->opts;
    *crops = o.method == TS_CPD_PELT;
    if (*crops) {
        o.max_cp = APP_CPD_MAX_CP;
    } else if (o.method == TS_CPD_BINSEG && c->job_k > 0) {
        o.penalty = TS_CPD_PEN_MANUAL;
        o.penalty_value = 0.0;
        o.max_cp = (size_t)c->job_k;
    }
    return o;
}

/* The job could not be made: says why and forgets the detection. */
static void job_failed(TsApp *app, const char *why) {
    AppCpd *c = &app->phases->cpd;
    app_msg(app, true, "%s: %s", app->tracks[c->track].label, why);
    app_cpd_free(c);
    app_phases_touch(app);
}

/* Starts the current stage's job: in a worker thread (async), or here.
 * False (state reset) on error. */
static bool start_job(TsApp *app, bool async) {
    AppCpd *c = &app->phases->cpd;
    TsTrack *t = &app->tracks[c->track];
    if (!t->loaded) {
        job_failed(app, "not loaded");
        return false;
    }
    bool crops;
    TsCpdOptions o = stage_options(c, &crops);
    if (async) {
        CpdWorker *w = ts_xcalloc(1, sizeof *w);
        size_t n = t->s.n;
        w->step = ts_xmalloc((n ? n : 1) * sizeof *w->step);
        w->value = ts_xmalloc((n ? n : 1) * sizeof *w->value);
        if (n) {
            memcpy(w->step, t->s.step, n * sizeof *w->step);
            memcpy(w->value, t->s.value, n * sizeof *w->value);
        }
        w->n = n;
        w->o = o;
        w->crops = crops;
        ts_err_clear(&w->err);
        atomic_init(&w->done, false);
        /* Signals go to the main thread: the worker starts with all blocked. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int rc = pthread_create(&w->thr, NULL, worker_main, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (rc == 0) {
            c->worker = w;
            return true; /* still PENDING until the worker is done */
        }
        free(w->step);
        free(w->value);
        free(w); /* no thread: prepare here */
    }
    TsErr err;
    ts_err_clear(&err);
    c->job = crops ? ts_cpd_crops_job_new(t->s.step, t->s.value, t->s.n, &o, 0.0, INFINITY, 0, &err)
                   : ts_cpd_job_new(t->s.step, t->s.value, t->s.n, &o, &err);
    if (!c->job) {
        job_failed(app, err.msg);
        return false;
    }
    c->state = APP_CPD_RUNNING;
    return true;
}

/* The worker ended: its job runs from now on. */
static bool take_worker(TsApp *app) {
    AppCpd *c = &app->phases->cpd;
    CpdWorker *w = c->worker;
    pthread_join(w->thr, NULL);
    c->worker = NULL;
    c->job = w->job;
    w->job = NULL;
    TsErr err = w->err;
    free(w->step);
    free(w->value);
    free(w);
    if (!c->job) {
        job_failed(app, err.msg);
        return false;
    }
    c->state = APP_CPD_RUNNING;
    return true;
}

/* Takes a finished job's result and moves on to the next stage or to the
 * path. */
static void job_finished(TsApp *app) {
    AppPhases *ph = app->phases;
    AppCpd *c = &ph->cpd;
    bool ok;
    if (c->opts.method == TS_CPD_PELT) {
        TsCpdCrops cr;
        memset(&cr, 0, sizeof cr);
        ok = ts_cpd_job_take_crops(c->job, &cr);
        ts_cpd_job_free(c->job);
        c->job = NULL;
        if (ok) finish_crops(c, &cr);
        ts_cpd_crops_free(&cr);
    } else {
        TsCpdResult r;
        memset(&r, 0, sizeof r);
        ok = ts_cpd_job_take_result(c->job, &r);
        ts_cpd_job_free(c->job);
        c->job = NULL;
        if (ok && c->opts.method == TS_CPD_BINSEG) {
            c->bs = ts_xreallocarray(c->bs, c->n_bs + 1, sizeof *c->bs);
            c->bs[c->n_bs++] = r;
            if (c->job_k < APP_CPD_MAX_CP) {
                c->job_k = c->job_k < 0 ? 1 : c->job_k + 1;
                c->state = APP_CPD_PENDING;
                return;
            }
            finish_binseg(c);
            free_work(c);
        } else if (ok) {
            finish_bocpd(c, &r);
            ts_cpd_result_free(&r);
        }
    }
    if (!ok || c->n_level == 0) {
        app_msg(app, true, "%s: detection found nothing to analyse", app->tracks[c->track].label);
        app_cpd_free(c);
        app_phases_touch(app);
        return;
    }
    c->cur = c->preferred;
    c->state = APP_CPD_DONE;
    /* No message: the status line shows method, cost, penalty and count. */
    app_phases_touch(app);
}

/* Runs detection work for at most max_s seconds (< 0: to the end, here,
 * without threads). */
static void work(TsApp *app, double max_s) {
    AppCpd *c = &app->phases->cpd;
    double t0 = now_s();
    for (;;) {
        if (c->state == APP_CPD_PENDING) {
            if (!c->worker && !start_job(app, max_s >= 0)) return;
            if (c->worker) {
                if (!atomic_load(&c->worker->done)) return; /* look again at the next tick */
                if (!take_worker(app)) return;
            }
        }
        if (c->state != APP_CPD_RUNNING) return;
        if (ts_cpd_job_step(c->job, APP_CPD_BUDGET)) {
            job_finished(app);
            if (c->state != APP_CPD_PENDING) return;
        }
        c->progress = c->job ? ts_cpd_job_progress(c->job) : 0.0;
        if (max_s >= 0 && now_s() - t0 >= max_s) return;
    }
}

bool app_phases_busy(const TsApp *app) {
    const AppPhases *ph = app->phases;
    return ph && (ph->cpd.state == APP_CPD_PENDING || ph->cpd.state == APP_CPD_RUNNING);
}

int app_phases_poll_timeout(const TsApp *app, int timeout) {
    if (!app_phases_busy(app)) return timeout;
    const AppCpd *c = &app->phases->cpd;
    int mine = c->worker && !atomic_load(&c->worker->done) ? APP_CPD_WAIT_MS : 0;
    return timeout < 0 || mine < timeout ? mine : timeout;
}

void app_phases_tick(TsApp *app) {
    if (!app->phases) return;
    if (app->phases->cpd.n_zombies) reap_zombies(&app->phases->cpd, false);
    if (!app_phases_busy(app)) return;
    int before = (int)(app->phases->cpd.progress * 100);
    AppCpdState st = app->phases->cpd.state;
    work(app, APP_CPD_TICK_S);
    if (app->phases->cpd.state != st || (int)(app->phases->cpd.progress * 100) != before) app->dirty = true;
}

bool app_cpd_cancel(TsApp *app) {
    if (!app_phases_busy(app)) return false;
    app_cpd_free(&app->phases->cpd);
    app_msg(app, false, "detection cancelled");
    app_phases_touch(app);
    return true;
}

/* Starts detection on track ti with the current settings. */
static void detect(TsApp *app, size_t ti) {
    AppPhases *ph = app_phases(app);
    AppCpd *c = &ph->cpd;
    app_cpd_free(c);
    c->track = ti;
    c->n_points = app->tracks[ti].s.n;
    make_options(app, c, c->n_points, &c->opts);
    c->job_k = -1;
    c->progress = 0;
    c->state = APP_CPD_PENDING;
    app_phases_touch(app);
    if (!c->force_async && !app->load_stepwise) work(app, -1.0);
}

void app_cpd_describe(const AppCpd *c, char *buf, size_t cap) {
    size_t used = 0;
    int n = snprintf(buf, cap, "%s cost=%s", ts_cpd_method_name(c->opts.method), ts_cpd_cost_name(c->opts.cost));
    used = n > 0 ? (size_t)n : 0;
    const AppCpdLevel *lv = c->state == APP_CPD_DONE && c->cur < c->n_level ? &c->level[c->cur] : NULL;
    if (used < cap && c->opts.method != TS_CPD_BOCPD) {
        n = snprintf(buf + used, cap - used, " penalty=%s", ts_cpd_penalty_name(c->opts.penalty));
        if (n > 0) used += (size_t)n;
        if (lv && used < cap && isfinite(lv->beta)) {
            n = snprintf(buf + used, cap - used, " beta=%.6g", lv->beta);
            if (n > 0) used += (size_t)n;
        }
    }
    if (lv && used < cap) {
        n = snprintf(buf + used, cap - used, " changes=%zu", lv->n);
        if (n > 0) used += (size_t)n;
    }
    if (used < cap && c->opts.prep.log_values) {
        n = snprintf(buf + used, cap - used, " log-values");
        if (n > 0) used += (size_t)n;
    }
    if (used < cap && c->opts.prep.log_step)
        snprintf(buf + used, cap - used, " log-step-grid=%zu", c->opts.prep.grid_points);
}

/* The status line's right part while detection runs or is shown. */
static void cpd_status(const TsApp *app, const AppCpd *c, char *buf, size_t cap) {
    const char *label = c->track < app->n_tracks ? app->tracks[c->track].label : "?";
    if (c->state == APP_CPD_PENDING || c->state == APP_CPD_RUNNING) {
        if (c->method == TS_CPD_BINSEG && c->job_k > 0)
            snprintf(buf, cap, "detecting in %s... %d/%d (Esc cancels) ", label, c->job_k, APP_CPD_MAX_CP);
        else
            snprintf(buf, cap, "detecting in %s... %d%% (Esc cancels) ", label, (int)(c->progress * 100));
        return;
    }
    const AppCpdLevel *lv = &c->level[c->cur];
    char pen[96];
    if (c->opts.method == TS_CPD_BOCPD) {
        double lam = c->opts.hazard_lambda > 0 ? c->opts.hazard_lambda : 250;
        snprintf(pen, sizeof pen, "hazard 1/%g, %s", lam, c->cur == c->preferred ? "all changes" : "strongest");
    } else if (c->cur == c->preferred && c->pref_stable) {
        snprintf(pen, sizeof pen, "most stable (penalty %s=%.3g asks for over %d)", ts_cpd_penalty_name(c->opts.penalty),
                 c->pref_beta, APP_CPD_MAX_CP);
    } else if (c->cur == c->preferred && isfinite(c->pref_beta) &&
               (c->opts.method != TS_CPD_PELT || (c->pref_beta >= lv->beta_lo && c->pref_beta <= lv->beta_hi))) {
        snprintf(pen, sizeof pen, "penalty %s=%.3g", ts_cpd_penalty_name(c->opts.penalty), c->pref_beta);
    } else if (isfinite(lv->beta_lo) && isfinite(lv->beta_hi) && lv->beta_lo != lv->beta_hi) {
        snprintf(pen, sizeof pen, "penalty %s, now beta %.3g..%.3g", ts_cpd_penalty_name(c->opts.penalty), lv->beta_lo,
                 lv->beta_hi);
    } else if (isfinite(lv->beta)) {
        snprintf(pen, sizeof pen, "penalty %s, now beta %.3g", ts_cpd_penalty_name(c->opts.penalty), lv->beta);
    } else {
        snprintf(pen, sizeof pen, "penalty 0 with max-cp %zu", lv->n); /* binseg: the count on the path */
    }
    snprintf(buf, cap, "%s, cost %s, %s%s%s: %zu change point%s in %s (%zu/%zu) ", ts_cpd_method_name(c->opts.method),
             ts_cpd_cost_name(c->opts.cost), pen, c->opts.prep.log_values ? ", log values" : "",
             c->opts.prep.log_step ? ", log-step grid" : "", lv->n, lv->n == 1 ? "" : "s", label, c->cur + 1,
             c->n_level);
}

bool app_phases_status(const TsApp *app, char *buf, size_t cap) {
    const AppPhases *ph = app->phases;
    if (!ph || cap == 0) return false;
    buf[0] = '\0';
    if (ph->cpd.state != APP_CPD_IDLE) cpd_status(app, &ph->cpd, buf, cap);
    if (ph->interval_open) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "interval from step %lld: i ends it, Esc cancels ",
                 (long long)ph->interval_start);
    }
    return buf[0] != '\0';
}

/* `a`: the change point nearest the cursor becomes a point mark. */
static void accept(TsApp *app) {
    AppPhases *ph = app_phases(app);
    const AppCpdLevel *lv = app_cpd_current(ph);
    if (!lv) {
        app_msg(app, false, "no change points shown: d detects them on the focused metric");
        return;
    }
    if (lv->n == 0) {
        app_msg(app, false, "no change points at this level (} shows more)");
        return;
    }
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return;
    size_t best = 0;
    for (size_t i = 1; i < lv->n; i++) {
        double d = fabs((double)lv->step[i] - (double)step), db = fabs((double)lv->step[best] - (double)step);
        if (d < db) best = i;
    }
    const TsTrack *t = &app->tracks[ph->cpd.track];
    const char *metric = app_phases_metric_name(app, ph->cpd.track);
    char desc[256], source[300], label[300];
    app_cpd_describe(&ph->cpd, desc, sizeof desc);
    snprintf(source, sizeof source, "detector:%s", desc);
    snprintf(label, sizeof label, "change in %s", metric);
    TsMark m;
    ts_mark_init_point(&m, lv->step[best], label);
    m.source = source;
    m.metric = metric;
    char what[128];
    snprintf(what, sizeof what, "accepted the change point at step %lld", (long long)lv->step[best]);
    app_marks_add(app, t->run, &m, what);
}

void app_cpd_action(TsApp *app, TsAction a) {
    AppPhases *ph = app_phases(app);
    AppCpd *c = &ph->cpd;
    switch (a) {
    case TS_ACTION_DETECT: {
        app_sync_now(app);
        size_t f = app_focus_track(app);
        if (f == SIZE_MAX) {
            app_msg(app, false, "no metric shown to detect on");
            return;
        }
        TsCpdOptions now;
        make_options(app, c, app->tracks[f].s.n, &now);
        if (c->state == APP_CPD_DONE && c->track == f && now.prep.log_values == c->opts.prep.log_values &&
            now.method == c->opts.method && now.cost == c->opts.cost && app->tracks[f].s.n == c->n_points) {
            app_cpd_free(c);
            app_msg(app, false, "change points hidden (d detects again)");
            app_phases_touch(app);
            return;
        }
        detect(app, f);
        return;
    }
    case TS_ACTION_CP_MORE:
    case TS_ACTION_CP_FEWER: {
        if (app_phases_busy(app)) {
            app_msg(app, false, "still detecting (Esc cancels)");
            return;
        }
        if (c->state != APP_CPD_DONE) {
            app_msg(app, false, "no change points shown: d detects them on the focused metric");
            return;
        }
        bool more = a == TS_ACTION_CP_MORE;
        if (more ? c->cur + 1 >= c->n_level : c->cur == 0) {
            if (more)
                app_msg(app, false, "that is the most change points on the path (%zu)", c->level[c->cur].n);
            else
                app_msg(app, false, "no change points left");
            return;
        }
        c->cur = more ? c->cur + 1 : c->cur - 1;
        app_phases_touch(app);
        return;
    }
    case TS_ACTION_CP_ACCEPT: accept(app); return;
    case TS_ACTION_DETECT_METHOD:
    case TS_ACTION_DETECT_COST: {
        if (a == TS_ACTION_DETECT_METHOD)
            c->method = (TsCpdMethod)((c->method + 1) % TS_CPD_METHOD_COUNT);
        else
            c->cost = (TsCpdCost)((c->cost + 1) % TS_CPD_COST_COUNT);
        if (c->state != APP_CPD_IDLE && c->track < app->n_tracks && app->tracks[c->track].loaded) {
            detect(app, c->track); /* the status line shows the new settings */
            return;
        }
        app_msg(app, false, "detection: method %s, cost %s (d detects)", ts_cpd_method_name(c->method),
                       ts_cpd_cost_name(c->cost));
        return;
    }
    default: return;
    }
}
