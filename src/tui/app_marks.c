/* app_marks.c - marks in the explorer: m, i, e, D, u, n/N, z, M, E, the
 * prompts for labels, export paths and consent, and the plot decorations
 * (marks and change points) of every panel. Layer: tui (no curses). License: MIT.
 *
 * Each run keeps its TsMarkSet (marks_file.h: the sidecar or the fallback
 * file) and a copy of what the file held (the base). Every change is saved
 * at once, atomically, merged under the lock with what other processes
 * wrote since (ts_marks_file_save_merged), so a `trajscope mark add` in
 * another terminal is never lost; Ctrl-L and the follow tick read changed
 * files again and merge them in. When the run's folder is not writable
 * the fallback file is used and the status line says where. A marks file
 * that cannot be parsed is reported, never written, and moved aside to
 * .bad only after the user answers y. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trajscope/export.h"
#include "trajscope/marks_file.h"
#include "trajscope/sanitize.h"
#include "trajscope/xalloc.h"
#include "tui/app_compare.h"
#include "tui/app_phases.h"
#include "tui/app_runs.h"
#include "tui/readout.h"

/* Longest label drawn beside a mark's line, in columns. */
#define LABEL_COLS 24

/* ---- state and small helpers ---- */

static void load_run(TsApp *app, AppPhases *ph, size_t r);

AppPhases *app_phases(TsApp *app) {
    if (!app->phases) {
        app->phases = ts_xcalloc(1, sizeof *app->phases);
        app->phases->cpd.method = TS_CPD_PELT;
        app->phases->cpd.cost = TS_CPD_COST_MEAN;
        app->phases->cpd.penalty = TS_CPD_PEN_MBIC;
    }
    AppPhases *ph = app->phases;
    if (ph->n_rm < app->n_runs) {
        ph->rm = ts_xreallocarray(ph->rm, app->n_runs, sizeof *ph->rm);
        for (size_t r = ph->n_rm; r < app->n_runs; r++) memset(&ph->rm[r], 0, sizeof ph->rm[r]);
        ph->n_rm = app->n_runs; /* loaded when first needed (app_marks_run) */
    }
    return ph;
}

static void free_disp(AppRunMarks *rm) {
    for (size_t i = 0; i < rm->n_disp; i++) free(rm->disp[i]);
    free(rm->disp);
    rm->disp = NULL;
    rm->n_disp = 0;
    rm->disp_valid = false;
}

static void free_run_marks(AppRunMarks *rm) {
    ts_marks_free(rm->set);
    ts_marks_free(rm->base);
    free(rm->from);
    free(rm->bad_path);
    free_disp(rm);
    memset(rm, 0, sizeof *rm);
}

void app_phases_free(TsApp *app) {
    AppPhases *ph = app->phases;
    if (!ph) return;
    app_cpd_shutdown(&ph->cpd);
    for (size_t r = 0; r < ph->n_rm; r++) free_run_marks(&ph->rm[r]);
    free(ph->rm);
    free(ph->undo_run);
    for (size_t i = 0; i < ph->n_decor; i++) {
        free(ph->decor[i].mk);
        free(ph->decor[i].sp);
    }
    free(ph->decor);
    free(ph);
    app->phases = NULL;
}

void app_phases_touch(TsApp *app) {
    /* Every panel is drawn again (their cached cells hold the old marks). */
    for (int p = 0; p < APP_MAX_PANELS; p++) app->cache[p].valid = false;
    app->dirty = true;
    app->geom_valid = false;
}

/* Index of the point with the step nearest to step (a later segment wins
 * ties: the resumed data). */
static bool nearest_step_index(const TsTrack *t, int64_t step, size_t *out) {
    const TsSeries *s = &t->s;
    if (!t->loaded || s->n == 0) return false;
    if (t->st.n_reversals == 0) {
        *out = ts_series_nearest_in_segment(s, 0, s->n, (double)step);
        return true;
    }
    size_t nseg = ts_series_segments(s, NULL, 0);
    size_t *starts = ts_xmalloc(nseg * sizeof *starts);
    ts_series_segments(s, starts, nseg);
    double best_d = INFINITY;
    for (size_t k = 0; k < nseg; k++) {
        size_t lo = starts[k], hi = k + 1 < nseg ? starts[k + 1] : s->n;
        size_t i = ts_series_nearest_in_segment(s, lo, hi, (double)step);
        double d = fabs((double)s->step[i] - (double)step);
        if (d <= best_d) {
            best_d = d;
            *out = i;
        }
    }
    free(starts);
    return true;
}

bool app_phases_step_x(const TsApp *app, size_t ti, int64_t step, double *x) {
    /* Plain steps map to themselves; aligned runs (A) and time axes go
     * through the track's own x values, so marks move with their curve. */
    if (app->set.x_axis == TS_XAXIS_STEP && !app_cmp_aligning(app)) {
        *x = (double)step;
        return true;
    }
    if (ti >= app->n_tracks) return false;
    const TsTrack *t = &app->tracks[ti];
    const TsLod *lod = app_track_lod(app, t, false);
    size_t i;
    if (!lod || !nearest_step_index(t, step, &i)) return false;
    *x = ts_lod_x(lod, i);
    return isfinite(*x);
}

bool app_phases_cursor_step(TsApp *app, size_t *track, int64_t *step) {
    app_sync_now(app);
    size_t f = app_focus_track(app);
    if (f == SIZE_MAX || !app->have_cursor) {
        app_msg(app, false, "no metric shown: Tab opens the list, Space shows a metric");
        return false;
    }
    const TsTrack *t = &app->tracks[f];
    size_t idx;
    if (app->pinned && app->pin_track == f && app->pin_index < t->s.n)
        idx = app->pin_index;
    else if (!ts_readout_nearest(app_track_lod(app, t, false), app->cursor_x, &idx))
        return false;
    *track = f;
    *step = t->s.step[idx];
    return true;
}

void app_phases_goto_step(TsApp *app, int64_t step) {
    app_sync_now(app);
    size_t f = app_focus_track(app), idx;
    if (f != SIZE_MAX && nearest_step_index(&app->tracks[f], step, &idx)) {
        const TsLod *lod = app_track_lod(app, &app->tracks[f], false);
        double x = ts_lod_x(lod, idx);
        if (isfinite(x)) {
            app->pinned = true;
            app->pin_track = f;
            app->pin_index = idx;
            app->have_cursor = true;
            app->cursor_x = x;
        }
    } else if (app->set.x_axis == TS_XAXIS_STEP) {
        app->pinned = false;
        app->have_cursor = true;
        app->cursor_x = (double)step;
    }
    app_ensure_visible(app);
    app->dirty = true;
}

/* Run r's path and name as in its file (runs are opened on demand through
 * the run index, so app->runs[r] may be NULL). */
static const char *run_path(const TsApp *app, size_t r) {
    if (app->rs && app->rs->set && app->rs->runs) return ts_runset_path(app->rs->set, app->rs->runs[r].set_index);
    return app->runs[r] ? ts_run_path(app->runs[r]) : "";
}

static const char *run_name(const TsApp *app, size_t r) {
    if (app->rs && app->rs->set && app->rs->runs) return ts_runset_desc(app->rs->set, app->rs->runs[r].set_index).name;
    return app->runs[r] ? ts_run_name(app->runs[r]) : NULL;
}

const char *app_phases_metric_name(const TsApp *app, size_t ti) {
    const TsTrack *t = &app->tracks[ti];
    const TsMetricInfo *mi = NULL;
    if (app->rs && app->rs->set && app->rs->runs)
        mi = ts_runset_metric(app->rs->set, app->rs->runs[t->run].set_index, t->metric);
    else if (app->runs[t->run])
        mi = ts_run_metric(app->runs[t->run], t->metric);
    return mi && mi->name ? mi->name : t->name;
}

/* The filter for run r's marks: the run's own and those for every run. */
static TsMarkFilter run_filter(const TsApp *app, size_t r) {
    const char *name = run_name(app, r);
    TsMarkFilter f = {name && name[0] ? name : NULL, NULL};
    return f;
}

/* A label for the screen: sanitized, at most cols columns ("..." cut). */
static char *short_label(const char *raw, int cols, bool utf8) {
    char *s = ts_sanitize_dup(raw);
    if (ts_text_width(s) <= cols) return s;
    const char *ell = utf8 ? "\xe2\x80\xa6" : "~";
    size_t len = strlen(s);
    while (len > 0) {
        len--;
        while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80) len--;
        s[len] = '\0';
        char *t = ts_xasprintf("%s%s", s, ell);
        if (ts_text_width(t) <= cols) {
            free(s);
            return t;
        }
        free(t);
    }
    free(s);
    return ts_xstrdup(ell);
}

void app_marks_disp(AppPhases *ph, size_t r) {
    AppRunMarks *rm = &ph->rm[r];
    if (rm->disp_valid && rm->disp_gen == ts_marks_generation(rm->set)) return;
    free_disp(rm);
    rm->n_disp = ts_marks_count(rm->set);
    rm->disp = ts_xcalloc(rm->n_disp ? rm->n_disp : 1, sizeof *rm->disp);
    for (size_t i = 0; i < rm->n_disp; i++) rm->disp[i] = short_label(ts_marks_at(rm->set, i)->label, LABEL_COLS, true);
    rm->disp_gen = ts_marks_generation(rm->set);
    rm->disp_valid = true;
}

/* ---- loading and saving ---- */

/* Which of run_path's marks files is the unreadable one (NULL: none of the
 * two files; the archive's /marks, which is never written). */
static char *find_bad_file(const char *run_path) {
    TsErr err;
    char *side = ts_marks_file_sidecar_path(run_path);
    FILE *f = fopen(side, "rb");
    if (f) {
        fclose(f);
        TsMarkSet *s = ts_marks_file_read(side, &err);
        if (!s) return side;
        ts_marks_free(s);
    }
    free(side);
    char *fb = ts_marks_file_fallback_path(run_path, &err);
    if (!fb) return NULL;
    f = fopen(fb, "rb");
    if (f) {
        fclose(f);
        TsMarkSet *s = ts_marks_file_read(fb, &err);
        if (!s) return fb;
        ts_marks_free(s);
    }
    free(fb);
    return NULL;
}

static void load_run(TsApp *app, AppPhases *ph, size_t r) {
    AppRunMarks *rm = &ph->rm[r];
    free_run_marks(rm);
    rm->loaded = true;
    /* Drop the undo records of this run: its set is new. */
    size_t k = 0;
    for (size_t i = 0; i < ph->n_undo; i++)
        if (ph->undo_run[i] != r) ph->undo_run[k++] = ph->undo_run[i];
    ph->n_undo = k;
    const char *path = run_path(app, r);
    TsErr err;
    ts_err_clear(&err);
    ts_marks_file_stamp(path, &rm->stamp); /* before reading: a change in between is seen later */
    rm->stamp_valid = true;
    rm->set = ts_marks_file_load(path, &rm->from, &err);
    if (rm->set) {
        rm->base = ts_marks_clone(rm->set);
        return;
    }
    rm->set = ts_marks_new();
    rm->base = ts_marks_new();
    snprintf(rm->err, sizeof rm->err, "%s", err.msg);
    rm->bad_path = find_bad_file(path);
}

AppRunMarks *app_marks_run(TsApp *app, size_t r) {
    AppPhases *ph = app_phases(app);
    AppRunMarks *rm = &ph->rm[r];
    if (rm->loaded) return rm;
    load_run(app, ph, r);
    if (rm->err[0] && !app->note[0]) {
        char note[APP_MSG_MAX];
        snprintf(note, sizeof note, "%.380s (left as it is; marks are not saved%s)", rm->err,
                 rm->bad_path ? " until it is moved aside: m asks" : "");
        ts_app_set_note(app, note);
    }
    return rm;
}

/* Whether run r's marks take part: the run is drawn and they are loaded. */
static bool run_in_use(const TsApp *app, size_t r) {
    const AppPhases *ph = app->phases;
    return ph && r < ph->n_rm && ph->rm[r].loaded && app_runs_visible(app, r);
}

/* Loads the marks of every run that is drawn. */
static void load_shown(TsApp *app) {
    AppPhases *ph = app_phases(app);
    for (size_t r = 0; r < ph->n_rm; r++)
        if (app_runs_visible(app, r)) app_marks_run(app, r);
}

void app_phases_opened(TsApp *app) {
    load_shown(app); /* an unreadable marks file is reported in the note */
}

static void push_undo(AppPhases *ph, size_t r) {
    if (ph->n_undo == ph->cap_undo) {
        ph->cap_undo = ph->cap_undo ? ph->cap_undo * 2 : 16;
        ph->undo_run = ts_xreallocarray(ph->undo_run, ph->cap_undo, sizeof *ph->undo_run);
    }
    ph->undo_run[ph->n_undo++] = r;
}

/* What a merge brought in, for the status line: "merged 2 changes made
 * elsewhere, 1 conflict" ("" when nothing). */
static void merge_note(const TsMarksMergeReport *rep, char *buf, size_t cap) {
    size_t in = rep->added + rep->removed + rep->changed;
    int n = 0;
    buf[0] = '\0';
    if (in)
        n = snprintf(buf, cap, "merged %zu change%s made elsewhere", in, in == 1 ? "" : "s");
    if (rep->conflicts && n >= 0 && (size_t)n < cap)
        n += snprintf(buf + n, cap - (size_t)n, "%s%zu conflict%s (a mark changed on both sides)", n ? ", " : "", rep->conflicts,
                      rep->conflicts == 1 ? "" : "s");
    if (rep->renumbered && n >= 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "%s%zu of your marks renumbered", n ? ", " : "", rep->renumbered);
}

/* Keeps the marks the prompts point at when a merge renumbered them. */
static void follow_renames(AppPhases *ph, size_t r, const TsMarksMergeReport *rep) {
    if (ph->edit.run == r) ph->edit.id = ts_marks_merge_renamed(rep, ph->edit.id);
    if (ph->confirm_has_target && ph->confirm_target.run == r)
        ph->confirm_target.id = ts_marks_merge_renamed(rep, ph->confirm_target.id);
}

/* Saves run r's marks, merged with what other processes wrote since they
 * were loaded or saved. The message on success is done (with ": mark ID"
 * when id is not 0, the id the mark has after the merge), then the merge
 * note, or hint when nothing was merged (not after a save to the fallback
 * folder). Returns the id after the merge. */
static uint64_t save_run_id(TsApp *app, size_t r, const char *done, uint64_t id, const char *hint) {
    AppPhases *ph = app->phases;
    AppRunMarks *rm = &ph->rm[r];
    const char *path = run_path(app, r);
    char *saved_to = NULL;
    TsErr err;
    ts_err_clear(&err);
    TsMarksMergeReport rep;
    bool ok = ts_marks_file_save_merged(path, rm->set, rm->base, &rep, &saved_to, &err);
    follow_renames(ph, r, &rep);
    id = ts_marks_merge_renamed(&rep, id);
    char what[512], note[200];
    if (id) snprintf(what, sizeof what, "%s: mark %llu", done, (unsigned long long)id);
    else snprintf(what, sizeof what, "%s", done);
    merge_note(&rep, note, sizeof note);
    if (note[0]) app_phases_touch(app); /* the merge changed the set */
    if (!ok) {
        app_msg(app, true, "%s%s%s, but not saved: %s", what, note[0] ? "; " : "", note, err.msg);
        return id;
    }
    ts_marks_free(rm->base);
    rm->base = ts_marks_clone(rm->set); /* the file holds exactly this now */
    rm->stamp_valid = false;           /* look at the files again at the next reread */
    char *side = ts_marks_file_sidecar_path(path);
    if (strcmp(side, saved_to) != 0)
        app_msg(app, false, "%s%s%s; marks saved in %s (the run's folder is not writable)", what,
                       note[0] ? "; " : "", note, saved_to);
    else if (note[0])
        app_msg(app, false, "%s; %s", what, note);
    else
        app_msg(app, false, "%s%s", what, hint);
    free(side);
    free(rm->from);
    rm->from = saved_to;
    rm->err[0] = '\0';
    return id;
}

static void save_run(TsApp *app, size_t r, const char *done) {
    save_run_id(app, r, done, 0, "");
}

void app_marks_reread(TsApp *app) {
    AppPhases *ph = app->phases;
    if (!ph) return;
    TsMarksMergeReport sum;
    memset(&sum, 0, sizeof sum);
    char problem[APP_MSG_MAX] = "";
    for (size_t r = 0; r < ph->n_rm && r < app->n_runs; r++) {
        AppRunMarks *rm = &ph->rm[r];
        if (!rm->loaded) continue;
        const char *path = run_path(app, r);
        TsMarksFileStamp now;
        ts_marks_file_stamp(path, &now);
        if (rm->stamp_valid && ts_marks_file_stamp_equal(&now, &rm->stamp)) continue;
        rm->stamp = now; /* an unreadable file is reported once, not at every tick */
        rm->stamp_valid = true;
        TsErr err;
        ts_err_clear(&err);
        char *from = NULL;
        TsMarkSet *theirs = ts_marks_file_load(path, &from, &err);
        TsMarksMergeReport rep;
        if (!theirs || !ts_marks_merge(rm->set, rm->base, theirs, &rep, &err)) {
            if (!rm->bad_path) snprintf(problem, sizeof problem, "marks not read again: %.400s", err.msg);
            ts_marks_free(theirs);
            free(from);
            continue;
        }
        ts_marks_free(rm->base);
        rm->base = theirs; /* mine now differs from the file only by its own changes */
        free(rm->from);
        rm->from = from;
        free(rm->bad_path); /* readable again (fixed by hand) */
        rm->bad_path = NULL;
        rm->err[0] = '\0';
        follow_renames(ph, r, &rep);
        sum.added += rep.added;
        sum.removed += rep.removed;
        sum.changed += rep.changed;
        sum.conflicts += rep.conflicts;
        sum.renumbered += rep.renumbered;
    }
    char note[200];
    merge_note(&sum, note, sizeof note);
    if (note[0]) {
        app_phases_touch(app);
        app_msg(app, false, "marks: %s", note);
    } else if (problem[0]) {
        app_msg(app, true, "%s", problem);
    }
}

/* True when run r's marks may change; otherwise asks for consent to move an
 * unreadable file aside (then redoes action) or says why not. */
static bool writable(TsApp *app, size_t r, TsAction action, const AppMarkRef *target) {
    AppPhases *ph = app->phases;
    AppRunMarks *rm = app_marks_run(app, r);
    if (!rm->bad_path) return true;
    ph->confirm_run = r;
    ph->confirm_then = action;
    ph->confirm_has_target = target != NULL;
    if (target) ph->confirm_target = *target;
    snprintf(ph->confirm_text, sizeof ph->confirm_text, "%.300s cannot be read; move it to .bad and start afresh?",
             rm->bad_path);
    app->prompt = true;
    app->prompt_kind = APP_PROMPT_CONFIRM;
    app->prompt_buf[0] = '\0';
    app->dirty = true;
    return false;
}

uint64_t app_marks_add(TsApp *app, size_t r, const TsMark *m, const char *what) {
    AppPhases *ph = app_phases(app);
    app_marks_run(app, r);
    if (!writable(app, r, TS_ACTION_NONE, NULL)) {
        /* Not redone after consent: the cursor may have moved by then. */
        ph->confirm_then = TS_ACTION_NONE;
        return 0;
    }
    TsMark mk = *m;
    char created[32];
    ts_mark_format_time(created, sizeof created, (int64_t)time(NULL));
    mk.created = created;
    TsErr err;
    ts_err_clear(&err);
    uint64_t id = ts_marks_add(ph->rm[r].set, &mk, &err);
    if (id == 0) {
        app_msg(app, true, "mark not added: %s", err.msg);
        return 0;
    }
    push_undo(ph, r);
    id = save_run_id(app, r, what, id, " (e labels it, D deletes, u undoes)");
    app_phases_touch(app);
    return id;
}

/* ---- finding marks ---- */

size_t app_marks_total(const TsApp *app) {
    const AppPhases *ph = app->phases;
    size_t n = 0;
    for (size_t r = 0; ph && r < ph->n_rm; r++)
        if (run_in_use(app, r)) n += ts_marks_count(ph->rm[r].set);
    return n;
}

size_t app_marks_list(const TsApp *app, AppMarkRef *out, size_t cap) {
    const AppPhases *ph = app->phases;
    size_t n = 0;
    for (size_t r = 0; ph && r < ph->n_rm; r++) {
        if (!run_in_use(app, r)) continue;
        size_t k = ts_marks_count(ph->rm[r].set);
        for (size_t i = 0; i < k; i++) {
            if (n < cap) out[n] = (AppMarkRef){r, ts_marks_at(ph->rm[r].set, i)->id};
            n++;
        }
    }
    return n;
}

/* Distance from step to a mark (0 inside an interval). */
static double mark_dist(const TsMark *m, double step) {
    if (step < (double)m->start_step) return (double)m->start_step - step;
    if (step > (double)m->end_step) return step - (double)m->end_step;
    return 0;
}

/* The mark under or nearest the cursor over every run; the focused run
 * wins ties. */
static bool nearest_mark(TsApp *app, AppMarkRef *ref, int64_t *cursor) {
    AppPhases *ph = app_phases(app);
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return false;
    if (cursor) *cursor = step;
    size_t focus_run = app->tracks[f].run;
    double best = INFINITY;
    bool found = false;
    load_shown(app);
    for (size_t r = 0; r < ph->n_rm; r++) {
        if (!run_in_use(app, r)) continue;
        TsMarkFilter flt = run_filter(app, r);
        long i = ts_marks_nearest(ph->rm[r].set, (double)step, &flt);
        if (i < 0) continue;
        const TsMark *m = ts_marks_at(ph->rm[r].set, (size_t)i);
        double d = mark_dist(m, (double)step);
        if (d < best || (d == best && r == focus_run)) {
            best = d;
            *ref = (AppMarkRef){r, m->id};
            found = true;
        }
    }
    if (!found) app_msg(app, false, "no marks yet: m marks the cursor step, i starts an interval");
    return found;
}

/* ---- the actions ---- */

static void mark_point(TsApp *app) {
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return;
    size_t r = app->tracks[f].run;
    if (!writable(app, r, TS_ACTION_MARK_POINT, NULL)) return;
    TsMark m;
    ts_mark_init_point(&m, step, "");
    char what[64];
    snprintf(what, sizeof what, "marked step %lld", (long long)step);
    app_marks_add(app, r, &m, what);
}

static void mark_interval(TsApp *app) {
    AppPhases *ph = app_phases(app);
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return;
    if (!ph->interval_open) {
        size_t r = app->tracks[f].run;
        if (!writable(app, r, TS_ACTION_MARK_INTERVAL, NULL)) return;
        ph->interval_open = true;
        ph->interval_run = r;
        ph->interval_start = step;
        app_msg(app, false, "interval starts at step %lld: move the cursor, i ends it (Esc cancels)",
                       (long long)step);
        app_phases_touch(app);
        return;
    }
    ph->interval_open = false;
    TsMark m;
    ts_mark_init_interval(&m, ph->interval_start, step, "");
    char what[96];
    snprintf(what, sizeof what, "marked steps %lld..%lld", (long long)m.start_step, (long long)m.end_step);
    app_marks_add(app, ph->interval_run, &m, what);
    app_phases_touch(app);
}

void app_marks_edit(TsApp *app, AppMarkRef ref) {
    AppPhases *ph = app_phases(app);
    if (!writable(app, ref.run, TS_ACTION_MARK_EDIT, &ref)) return;
    const TsMark *m = ts_marks_get(ph->rm[ref.run].set, ref.id);
    if (!m) return;
    if (strlen(m->label) >= sizeof app->prompt_buf) {
        app_msg(app, true, "mark %llu: its label is too long to edit here (use trajscope mark ... label)",
                       (unsigned long long)ref.id);
        return;
    }
    ph->edit = ref;
    snprintf(app->prompt_buf, sizeof app->prompt_buf, "%s", m->label);
    app->prompt = true;
    app->prompt_kind = APP_PROMPT_MARK_LABEL;
    app->dirty = true;
}

void app_marks_delete(TsApp *app, AppMarkRef ref) {
    AppPhases *ph = app_phases(app);
    if (!writable(app, ref.run, TS_ACTION_MARK_DELETE, &ref)) return;
    TsMark removed;
    if (!ts_marks_remove(ph->rm[ref.run].set, ref.id, &removed, NULL)) return;
    push_undo(ph, ref.run);
    char *lab = short_label(removed.label, 40, app->utf8);
    char done[256];
    if (removed.kind == TS_MARK_POINT)
        snprintf(done, sizeof done, "deleted mark %llu at step %lld%s%s%s (u undoes)", (unsigned long long)removed.id,
                 (long long)removed.start_step, lab[0] ? " \"" : "", lab, lab[0] ? "\"" : "");
    else
        snprintf(done, sizeof done, "deleted mark %llu, steps %lld..%lld%s%s%s (u undoes)",
                 (unsigned long long)removed.id, (long long)removed.start_step, (long long)removed.end_step,
                 lab[0] ? " \"" : "", lab, lab[0] ? "\"" : "");
    free(lab);
    ts_mark_clear(&removed);
    save_run(app, ref.run, done);
    app_phases_touch(app);
}

void app_marks_undo(TsApp *app) {
    AppPhases *ph = app_phases(app);
    while (ph->n_undo > 0) {
        size_t r = ph->undo_run[--ph->n_undo];
        if (ph->rm[r].bad_path) continue;
        TsMarkChange ch;
        if (!ts_marks_undo(ph->rm[r].set, &ch)) continue;
        if (!ch.applied) {
            /* Reverting would undo what another process did since. */
            app_msg(app, false, "undo: mark %llu was changed elsewhere since; left as it is (u goes further back)",
                           (unsigned long long)ch.id);
            return;
        }
        const char *what = ch.op == TS_MARK_OP_ADD      ? "removed the added"
                           : ch.op == TS_MARK_OP_REMOVE ? "restored"
                                                        : "reverted the edit of";
        char done[128];
        snprintf(done, sizeof done, "undo: %s mark %llu", what, (unsigned long long)ch.id);
        save_run(app, r, done);
        app_phases_touch(app);
        return;
    }
    app_msg(app, false, "nothing to undo");
}

/* n / N: the next or previous mark edge over every run. */
static void mark_step(TsApp *app, int dir) {
    AppPhases *ph = app_phases(app);
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return;
    /* The cursor rests on the metric's nearest logged point, which may lie
     * before the mark: go on from the mark itself. */
    if (ph->jump_valid && ph->jump_cursor_x == app->cursor_x) step = ph->jump_step;
    bool found = false;
    int64_t best = 0;
    load_shown(app);
    for (size_t r = 0; r < ph->n_rm; r++) {
        if (!run_in_use(app, r)) continue;
        TsMarkFilter flt = run_filter(app, r);
        int64_t at;
        long i = dir > 0 ? ts_marks_next(ph->rm[r].set, (double)step, &flt, &at)
                         : ts_marks_prev(ph->rm[r].set, (double)step, &flt, &at);
        if (i < 0) continue;
        if (!found || (dir > 0 ? at < best : at > best)) best = at;
        found = true;
    }
    if (!found) {
        if (!app_marks_total(app))
            app_msg(app, false, "no marks yet: m marks the cursor step");
        else
            app_msg(app, false, "no mark %s the cursor", dir > 0 ? "after" : "before");
        return;
    }
    app_phases_goto_step(app, best);
    ph->jump_valid = true;
    ph->jump_step = best;
    ph->jump_cursor_x = app->cursor_x;
    app_msg(app, false, "mark at step %lld", (long long)best);
}

/* z: zoom to the innermost interval under the cursor. */
static void zoom_interval(TsApp *app) {
    AppPhases *ph = app_phases(app);
    size_t f;
    int64_t step;
    if (!app_phases_cursor_step(app, &f, &step)) return;
    const TsMark *best = NULL;
    load_shown(app);
    for (size_t r = 0; r < ph->n_rm; r++) {
        if (!run_in_use(app, r)) continue;
        TsMarkFilter flt = run_filter(app, r);
        long i = ts_marks_interval_at(ph->rm[r].set, (double)step, &flt);
        if (i < 0) continue;
        const TsMark *m = ts_marks_at(ph->rm[r].set, (size_t)i);
        if (!best || m->end_step - m->start_step < best->end_step - best->start_step) best = m;
    }
    if (!best) {
        app_msg(app, false, "no interval under the cursor (i marks one)");
        return;
    }
    double x0, x1;
    if (!app_phases_step_x(app, f, best->start_step, &x0) || !app_phases_step_x(app, f, best->end_step, &x1)) return;
    double pad = (x1 - x0) * 0.05;
    double min_w = app->set.x_axis == TS_XAXIS_STEP ? 2.0 : 0.5;
    if (x1 - x0 + 2 * pad < min_w) pad = (min_w - (x1 - x0)) / 2;
    app_set_view(app, x0 - pad, x1 + pad);
    app_msg(app, false, "zoomed to steps %lld..%lld (0 shows the whole run)", (long long)best->start_step,
                   (long long)best->end_step);
}

/* The default export path: next to the focused run, "<run>-stats.csv". */
static void default_export_path(TsApp *app, char *buf, size_t cap) {
    size_t f = app_focus_track(app);
    size_t r = f != SIZE_MAX ? app->tracks[f].run : 0;
    char *p = ts_xstrdup(run_path(app, r));
    size_t len = strlen(p);
    while (len > 1 && p[len - 1] == '/') p[--len] = '\0';
    if (len > 3 && strcmp(p + len - 3, ".h5") == 0) p[len - 3] = '\0';
    snprintf(buf, cap, "%s-stats.csv", p);
    free(p);
}

static void open_export(TsApp *app) {
    app_sync_now(app);
    default_export_path(app, app->prompt_buf, sizeof app->prompt_buf);
    app->prompt = true;
    app->prompt_kind = APP_PROMPT_EXPORT;
    app->dirty = true;
}

/* Writes the export (format from the extension: .csv, .json; .h5 writes
 * one archive per span with its samples). */
static void do_export(TsApp *app, const char *typed) {
    AppPhases *ph = app_phases(app);
    if (!typed[0]) {
        app_msg(app, false, "export cancelled (no path)");
        return;
    }
    char *path;
    const char *home = getenv("HOME");
    if (typed[0] == '~' && typed[1] == '/' && home && home[0])
        path = ts_xasprintf("%s%s", home, typed + 1);
    else
        path = ts_xstrdup(typed);
    TsExportOptions eo;
    ts_export_options_default(&eo);
    if (!ts_export_format_from_path(path, &eo.format)) eo.format = TS_EXPORT_CSV;
    /* The runs that are drawn, with their marks. */
    load_shown(app);
    TsExportRun *runs = ts_xcalloc(app->n_runs ? app->n_runs : 1, sizeof *runs);
    size_t n_runs = 0;
    TsErr err;
    ts_err_clear(&err);
    for (size_t r = 0; r < app->n_runs; r++) {
        if (!run_in_use(app, r)) continue;
        TsRun *run = app_runs_acquire(app, r, &err);
        if (!run) {
            app_msg(app, true, "export failed: %s", err.msg);
            free(runs);
            free(path);
            return;
        }
        runs[n_runs++] = (TsExportRun){run, ph->rm[r].set, ph->rm[r].from};
    }
    if (n_runs == 0) {
        app_msg(app, false, "no run shown to export");
        free(runs);
        free(path);
        return;
    }
    size_t n_marks = app_marks_total(app);
    if (eo.format == TS_EXPORT_H5) {
        eo.what = TS_EXPORT_DATA;
        char **paths = NULL;
        size_t n_paths = 0;
        if (ts_export_slices(runs, n_runs, &eo, path, &paths, &n_paths, &err))
            app_msg(app, false, "wrote %zu archive%s (one per span)%s%s", n_paths, n_paths == 1 ? "" : "s",
                           n_paths ? ", first " : "", n_paths ? paths[0] : "");
        else
            app_msg(app, true, "export failed: %s", err.msg);
        for (size_t i = 0; i < n_paths; i++) free(paths[i]);
        free(paths);
    } else if (ts_export_save(runs, n_runs, &eo, path, &err)) {
        char *abs = realpath(path, NULL);
        app_msg(app, false, "exported statistics over %s to %s (%s)",
                       n_marks ? "the marked spans" : "the whole run (no marks)", abs ? abs : path,
                       ts_export_format_name(eo.format));
        free(abs);
    } else {
        app_msg(app, true, "export failed: %s", err.msg);
    }
    free(runs);
    free(path);
}

void app_marks_panel_jump(TsApp *app) {
    AppPhases *ph = app_phases(app);
    size_t n = app_marks_total(app);
    if (n == 0) return;
    AppMarkRef *refs = ts_xmalloc(n * sizeof *refs);
    app_marks_list(app, refs, n);
    if (ph->panel_sel >= n) ph->panel_sel = n - 1;
    const TsMark *m = ts_marks_get(ph->rm[refs[ph->panel_sel].run].set, refs[ph->panel_sel].id);
    free(refs);
    if (!m) return;
    ph->panel = false;
    app_phases_goto_step(app, m->start_step);
    app_msg(app, false, "mark %llu at step %lld", (unsigned long long)m->id, (long long)m->start_step);
}

void app_marks_action(TsApp *app, TsAction a) {
    AppPhases *ph = app_phases(app);
    AppMarkRef ref;
    switch (a) {
    case TS_ACTION_MARK_POINT: mark_point(app); return;
    case TS_ACTION_MARK_INTERVAL: mark_interval(app); return;
    case TS_ACTION_MARK_EDIT:
        if (nearest_mark(app, &ref, NULL)) app_marks_edit(app, ref);
        return;
    case TS_ACTION_MARK_DELETE:
        if (nearest_mark(app, &ref, NULL)) app_marks_delete(app, ref);
        return;
    case TS_ACTION_MARK_UNDO: app_marks_undo(app); return;
    case TS_ACTION_MARK_NEXT: mark_step(app, 1); return;
    case TS_ACTION_MARK_PREV: mark_step(app, -1); return;
    case TS_ACTION_ZOOM_INTERVAL: zoom_interval(app); return;
    case TS_ACTION_MARKS_PANEL:
        ph->panel = !ph->panel;
        if (ph->panel) {
            load_shown(app);
            /* Select the mark nearest the cursor. */
            size_t f;
            int64_t step;
            size_t n = app_marks_total(app);
            ph->panel_sel = 0;
            if (n && app_phases_cursor_step(app, &f, &step)) {
                AppMarkRef *refs = ts_xmalloc(n * sizeof *refs);
                app_marks_list(app, refs, n);
                double best = INFINITY;
                for (size_t i = 0; i < n; i++) {
                    const TsMark *m = ts_marks_get(ph->rm[refs[i].run].set, refs[i].id);
                    double d = mark_dist(m, (double)step);
                    if (d < best) {
                        best = d;
                        ph->panel_sel = i;
                    }
                }
                free(refs);
            }
            ph->panel_top = 0;
        }
        return;
    case TS_ACTION_EXPORT: open_export(app); return;
    default: return;
    }
}

/* ---- the hooks ---- */

void app_phases_action(TsApp *app, TsAction a) {
    switch (a) {
    case TS_ACTION_DETECT:
    case TS_ACTION_CP_MORE:
    case TS_ACTION_CP_FEWER:
    case TS_ACTION_CP_ACCEPT:
    case TS_ACTION_DETECT_METHOD:
    case TS_ACTION_DETECT_COST: app_cpd_action(app, a); return;
    default: app_marks_action(app, a); return;
    }
}

static void close_prompt(TsApp *app) {
    app->prompt = false;
    app->prompt_kind = 0;
    app->prompt_buf[0] = '\0';
    app->dirty = true;
}

/* y: move the unreadable file aside, load again, redo the action. */
static void confirmed(TsApp *app) {
    AppPhases *ph = app_phases(app);
    size_t r = ph->confirm_run;
    AppRunMarks *rm = &ph->rm[r];
    if (!rm->bad_path) return;
    char *moved = NULL;
    TsErr err;
    ts_err_clear(&err);
    if (!ts_marks_file_quarantine(rm->bad_path, &moved, &err)) {
        app_msg(app, true, "not moved: %s", err.msg);
        return;
    }
    char *was = ts_xstrdup(rm->bad_path);
    load_run(app, ph, r);
    app_phases_touch(app);
    if (ph->rm[r].bad_path) {
        app_msg(app, true, "moved %s to %s, but %s", was, moved, ph->rm[r].err);
    } else {
        TsAction then = ph->confirm_then;
        if (then == TS_ACTION_MARK_EDIT || then == TS_ACTION_MARK_DELETE) then = TS_ACTION_NONE; /* the mark is gone */
        app->msg[0] = '\0';
        if (then != TS_ACTION_NONE) app_marks_action(app, then);
        char done[APP_MSG_MAX];
        snprintf(done, sizeof done, "%s", app->msg);
        bool err2 = app->msg_error;
        app_msg(app, err2, "moved %s to %s%s%s", was, moved, done[0] ? "; " : "", done);
    }
    free(was);
    free(moved);
}

bool app_phases_prompt_key(TsApp *app, TsKey key) {
    AppPhases *ph = app->phases;
    if (!ph || app->prompt_kind < APP_PROMPT_MARK_LABEL) return false;
    int kind = app->prompt_kind;
    if (kind == APP_PROMPT_CONFIRM) {
        close_prompt(app);
        if (key == 'y' || key == 'Y') {
            confirmed(app);
        } else {
            const AppRunMarks *rm = &ph->rm[ph->confirm_run];
            app_msg(app, false, "left %s as it is; marks of this run are not saved",
                           rm->bad_path ? rm->bad_path : "the file");
        }
        return true;
    }
    if (key == TS_KEY_ESC) {
        close_prompt(app);
        app_msg(app, false, kind == APP_PROMPT_EXPORT ? "export cancelled" : "label unchanged");
        return true;
    }
    if (key == 21) { /* Ctrl-U: clear the line */
        app->prompt_buf[0] = '\0';
        app->dirty = true;
        return true;
    }
    if (key != TS_KEY_ENTER) return false;
    char *text = ts_xstrdup(app->prompt_buf);
    close_prompt(app);
    if (kind == APP_PROMPT_EXPORT) {
        do_export(app, text);
    } else {
        AppMarkRef ref = ph->edit;
        TsErr err;
        ts_err_clear(&err);
        const TsMark *m = ref.run < ph->n_rm ? ts_marks_get(ph->rm[ref.run].set, ref.id) : NULL;
        if (!m) {
            app_msg(app, true, "the mark is gone");
        } else if (strcmp(m->label, text) == 0) {
            app_msg(app, false, "label unchanged");
        } else if (!ts_marks_set_label(ph->rm[ref.run].set, ref.id, text, &err)) {
            app_msg(app, true, "label not set: %s", err.msg);
        } else {
            push_undo(ph, ref.run);
            char done[96];
            snprintf(done, sizeof done, "label of mark %llu set (u undoes)", (unsigned long long)ref.id);
            save_run(app, ref.run, done);
            app_phases_touch(app);
        }
    }
    free(text);
    return true;
}

bool app_phases_key(TsApp *app, TsKey key, TsAction a) {
    AppPhases *ph = app->phases;
    if (!ph) return false;
    if (ph->panel) {
        size_t n = app_marks_total(app);
        int rows = view_marks_rows(app);
        size_t page = rows > 1 ? (size_t)rows : 1;
        size_t sel = ph->panel_sel;
        if (key == TS_KEY_ESC || a == TS_ACTION_MARKS_PANEL || a == TS_ACTION_QUIT) {
            ph->panel = false;
        } else if (key == TS_KEY_DOWN || key == 'j') {
            if (sel + 1 < n) sel++;
        } else if (key == TS_KEY_UP || key == 'k') {
            if (sel > 0) sel--;
        } else if (key == TS_KEY_PAGEDOWN) {
            sel = n ? (sel + page < n ? sel + page : n - 1) : 0;
        } else if (key == TS_KEY_PAGEUP) {
            sel = sel > page ? sel - page : 0;
        } else if (key == TS_KEY_HOME || key == 'g') {
            sel = 0;
        } else if (key == TS_KEY_END || key == 'G') {
            sel = n ? n - 1 : 0;
        } else if (key == TS_KEY_ENTER) {
            app_marks_panel_jump(app);
        } else if (a == TS_ACTION_MARK_EDIT || a == TS_ACTION_MARK_DELETE) {
            if (n == 0) return true;
            AppMarkRef *refs = ts_xmalloc(n * sizeof *refs);
            app_marks_list(app, refs, n);
            AppMarkRef ref = refs[sel < n ? sel : n - 1];
            free(refs);
            if (a == TS_ACTION_MARK_EDIT) app_marks_edit(app, ref);
            else app_marks_delete(app, ref);
            n = app_marks_total(app);
            if (sel >= n) sel = n ? n - 1 : 0;
        } else {
            return false; /* everything else works as usual */
        }
        ph->panel_sel = sel;
        if (sel < ph->panel_top) ph->panel_top = sel;
        if (sel >= ph->panel_top + page) ph->panel_top = sel - page + 1;
        app->dirty = true;
        return true;
    }
    if (key == TS_KEY_ESC) {
        if (app_cpd_cancel(app)) return true;
        if (ph->interval_open) {
            ph->interval_open = false;
            app_msg(app, false, "interval cancelled");
            app_phases_touch(app);
            return true;
        }
    }
    return false;
}

/* ---- decorations ---- */

static void add_marker(AppDecor *d, double x, TsStyle style, const char *label) {
    if (d->n_mk == d->cap_mk) {
        d->cap_mk = d->cap_mk ? d->cap_mk * 2 : 16;
        d->mk = ts_xreallocarray(d->mk, d->cap_mk, sizeof *d->mk);
    }
    d->mk[d->n_mk++] = (TsPlotMarker){x, style, label};
}

static void add_span(AppDecor *d, double x0, double x1, TsStyle style) {
    if (d->n_sp == d->cap_sp) {
        d->cap_sp = d->cap_sp ? d->cap_sp * 2 : 16;
        d->sp = ts_xreallocarray(d->sp, d->cap_sp, sizeof *d->sp);
    }
    d->sp[d->n_sp++] = (TsPlotSpan){x0, x1, style};
}

/* Whether track t draws one of the panel's curves. */
static bool track_in_panel(const TsApp *app, const TsTrack *t, const TsPanel *pn) {
    int m = app->set.x_axis;
    for (size_t i = 0; i < pn->n_series; i++) {
        const TsLod *lod = pn->series[i].lod;
        if (lod && (lod == t->lod[m] || lod == t->slod[m])) return true;
    }
    return false;
}

void app_phases_decorate(TsApp *app, TsPanel *pn, int idx) {
    AppPhases *ph = app->phases;
    if (!ph || idx < 0) return;
    if ((size_t)idx >= ph->n_decor) {
        ph->decor = ts_xreallocarray(ph->decor, (size_t)idx + 1, sizeof *ph->decor);
        memset(ph->decor + ph->n_decor, 0, ((size_t)idx + 1 - ph->n_decor) * sizeof *ph->decor);
        ph->n_decor = (size_t)idx + 1;
    }
    AppDecor *d = &ph->decor[idx];
    d->n_mk = d->n_sp = 0;

    /* The track of each run that is in this panel (for step -> x). */
    size_t *run_track = ts_xmalloc((app->n_runs ? app->n_runs : 1) * sizeof *run_track);
    for (size_t r = 0; r < app->n_runs; r++) run_track[r] = SIZE_MAX;
    bool cp_here = false;
    for (size_t i = 0; i < app->n_tracks; i++) {
        const TsTrack *t = &app->tracks[i];
        if (!t->shown || !t->loaded || !track_in_panel(app, t, pn)) continue;
        if (run_track[t->run] == SIZE_MAX) run_track[t->run] = i;
        if (ph->cpd.state == APP_CPD_DONE && ph->cpd.track == i) cp_here = true;
    }

    /* Change points: alternate phases shaded, a line at each change. */
    const AppCpdLevel *lv = app_cpd_current(ph);
    if (cp_here && lv) {
        size_t ti = ph->cpd.track;
        for (size_t k = 1; k <= lv->n; k += 2) {
            double x0, x1 = INFINITY;
            if (!app_phases_step_x(app, ti, lv->step[k - 1], &x0)) continue;
            if (k < lv->n && !app_phases_step_x(app, ti, lv->step[k], &x1)) continue;
            add_span(d, x0, x1, TS_STYLE_PHASE);
        }
        for (size_t k = 0; k < lv->n; k++) {
            double x;
            if (app_phases_step_x(app, ti, lv->step[k], &x)) add_marker(d, x, TS_STYLE_CHANGEPOINT, NULL);
        }
    }

    /* Marks of every run drawn here. */
    for (size_t r = 0; r < ph->n_rm && r < app->n_runs; r++) {
        if (run_track[r] == SIZE_MAX) continue;
        app_marks_run(app, r);
        app_marks_disp(ph, r);
        TsMarkFilter flt = run_filter(app, r);
        const TsMarkSet *set = ph->rm[r].set;
        for (size_t i = 0; i < ts_marks_count(set); i++) {
            const TsMark *m = ts_marks_at(set, i);
            if (!ts_mark_matches(m, &flt)) continue;
            double x0, x1;
            if (!app_phases_step_x(app, run_track[r], m->start_step, &x0)) continue;
            const char *label = ph->rm[r].disp[i][0] ? ph->rm[r].disp[i] : NULL;
            if (m->kind == TS_MARK_POINT) {
                add_marker(d, x0, TS_STYLE_MARK, label);
                continue;
            }
            if (!app_phases_step_x(app, run_track[r], m->end_step, &x1)) continue;
            add_span(d, x0, x1, TS_STYLE_MARK_SPAN);
            add_marker(d, x0, TS_STYLE_MARK, label);
            add_marker(d, x1, TS_STYLE_MARK, NULL);
        }
    }
    if (ph->interval_open && ph->interval_run < app->n_runs && run_track[ph->interval_run] != SIZE_MAX) {
        double x;
        if (app_phases_step_x(app, run_track[ph->interval_run], ph->interval_start, &x))
            add_marker(d, x, TS_STYLE_MARK, "[");
    }
    free(run_track);

    pn->spec.markers = d->n_mk ? d->mk : NULL;
    pn->spec.n_markers = d->n_mk;
    pn->spec.spans = d->n_sp ? d->sp : NULL;
    pn->spec.n_spans = d->n_sp;
}
