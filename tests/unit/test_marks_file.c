/* test_marks_file.c - the marks sidecar: exact round trips, format, errors
 * with line:column, corrupt files left alone, quarantine, fallback folder,
 * stale temporaries, the archive's /marks group.
 * Layer: tests. License: MIT. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/marks_test.h"
#include "support/ts_test.h"
#include "trajscope/marks.h"
#include "trajscope/marks_file.h"
#include "trajscope/run.h"
#include "trajscope/writer.h"
#include "trajscope/xalloc.h"

/* ---- helpers ---- */

static char *scratch(const char *name) {
    static unsigned counter;
    char *dir = ts_xasprintf("%s/marks_file-%d-%u", ts_test_tmpdir(), (int)getpid(), counter++);
    assert_int_equal(mkdir(dir, 0755), 0);
    char *p = ts_xasprintf("%s/%s", dir, name);
    free(dir);
    return p;
}

static char *dirname_of(const char *p) {
    const char *s = strrchr(p, '/');
    return ts_xstrndup(p, (size_t)(s - p));
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap * 2 + 8192;
            buf = ts_xreallocarray(buf, cap, 1);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

static void spit(const char *path, const char *text) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Labels that have broken naive writers. */
static const char *const NASTY[] = {
    "plain",
    "with \"double\" and 'single' quotes",
    "line one\nline two\r\nthree",
    "esc \x1b[31mred\x1b[0m bell\x07 tab\t backslash\\ slash/",
    "unicode: \xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80 C1:\xc2\x9b end",
    "",
    "{\"json\": [1, 2]} , trailing comma,",
};
enum { N_NASTY = sizeof NASTY / sizeof NASTY[0] };

static TsMarkSet *nasty_set(void) {
    TsMarkSet *set = ts_marks_new();
    TsErr err;
    ts_err_clear(&err);
    for (size_t i = 0; i < N_NASTY; i++) {
        TsMark m;
        if (i % 2) ts_mark_init_interval(&m, (int64_t)i * 100, (int64_t)i * 100 + 50, NASTY[i]);
        else ts_mark_init_point(&m, (int64_t)i * 100, NASTY[i]);
        m.colour = i % 3 ? "red" : "2";
        m.run = i == 2 ? "seed\"0\"" : "*";
        m.metric = i == 3 ? "train/loss" : "";
        m.source = i == 4 ? "detector:pelt cost=mean penalty=mbic" : "manual";
        m.created = "2024-05-01T12:00:00Z";
        assert_true(ts_marks_add(set, &m, &err) > 0);
    }
    TsMark big;
    ts_mark_init_interval(&big, INT64_MIN, INT64_MAX, "whole range");
    assert_true(ts_marks_add(set, &big, &err) > 0);
    /* A deleted mark: its id must not come back after a reload. */
    TsMark gone;
    ts_mark_init_point(&gone, 5, "deleted");
    uint64_t gid = ts_marks_add(set, &gone, &err);
    assert_true(ts_marks_remove(set, gid, NULL, NULL));
    return set;
}

static void assert_same_marks(const TsMarkSet *a, const TsMarkSet *b) {
    assert_int_equal(ts_marks_count(a), ts_marks_count(b));
    assert_int_equal(ts_marks_next_id(a), ts_marks_next_id(b));
    for (size_t i = 0; i < ts_marks_count(a); i++) {
        const TsMark *x = ts_marks_at(a, i), *y = ts_marks_at(b, i);
        assert_int_equal(x->id, y->id);
        assert_int_equal(x->kind, y->kind);
        assert_true(x->start_step == y->start_step);
        assert_true(x->end_step == y->end_step);
        assert_string_equal(x->label, y->label);
        assert_string_equal(x->colour, y->colour);
        assert_string_equal(x->run, y->run);
        assert_string_equal(x->metric, y->metric);
        assert_string_equal(x->source, y->source);
        assert_string_equal(x->created, y->created);
    }
}

/* ---- tests ---- */

static void test_round_trip_exact(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    TsMarkSet *set = nasty_set();
    TsErr err;
    ts_err_clear(&err);
    char *saved = NULL;
    assert_true(ts_marks_file_save(run, set, &saved, &err));
    char *side = ts_marks_file_sidecar_path(run);
    assert_string_equal(saved, side);
    char *from = NULL;
    TsMarkSet *back = ts_marks_file_load(run, &from, &err);
    assert_non_null(back);
    assert_string_equal(from, side);
    assert_same_marks(set, back);
    assert_int_equal(ts_marks_undo_depth(back), 0);
    /* Saving what was loaded gives the same bytes (diffable, deterministic). */
    char *t1 = slurp(side, NULL);
    char *t2 = ts_marks_file_format(back, NULL);
    assert_string_equal(t1, t2);
    free(t1);
    free(t2);
    free(from);
    free(saved);
    free(side);
    ts_marks_free(back);
    ts_marks_free(set);
    free(run);
}

static void test_file_layout(void **state) {
    (void)state;
    TsMarkSet *set = ts_marks_new();
    TsMark m;
    ts_mark_init_interval(&m, 1000, 1500, "grok \x1b \xc3\xa9");
    m.created = "2024-05-01T12:00:00Z";
    TsErr err;
    ts_err_clear(&err);
    ts_marks_add(set, &m, &err);
    char *text = ts_marks_file_format(set, NULL);
    const char *want =
        "{\n"
        "  \"marks\": [\n"
        "    {\n"
        "      \"colour\": \"\",\n"
        "      \"created\": \"2024-05-01T12:00:00Z\",\n"
        "      \"end_step\": 1500,\n"
        "      \"id\": 1,\n"
        "      \"kind\": \"interval\",\n"
        "      \"label\": \"grok \\u001B \xc3\xa9\",\n"
        "      \"metric\": \"\",\n"
        "      \"run\": \"*\",\n"
        "      \"source\": \"manual\",\n"
        "      \"start_step\": 1000\n"
        "    }\n"
        "  ],\n"
        "  \"next_id\": 2,\n"
        "  \"trajscope_marks\": 1\n"
        "}\n";
    assert_string_equal(text, want);
    free(text);
    ts_marks_free(set);
}

static void test_parse_errors_have_line_and_column(void **state) {
    (void)state;
    struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"{\n  \"trajscope_marks\": 1,\n  \"marks\": [ {\"id\": 1 \"kind\": \"point\"} ]\n}\n", "x.marks.json:3:"},
        {"", "x.marks.json:"},
        {"{\"trajscope_marks\": 1, \"marks\": [], \"marks\": []}", "duplicate"},
        {"[1, 2]", "not a trajscope marks file"},
        {"{\"marks\": []}", "not a trajscope marks file"},
        {"{\"trajscope_marks\": 2, \"marks\": []}", "newer trajscope"},
        {"{\"trajscope_marks\": 1, \"marks\": {}}", "\"marks\" must be an array"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1.5}]}",
         "mark 1: \"start_step\" must be an integer"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"dot\", \"start_step\": 1}]}",
         "\"kind\" must be"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"interval\", \"start_step\": 1}]}",
         "\"end_step\" is missing"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1},"
         " {\"id\": 1, \"kind\": \"point\", \"start_step\": 2}]}",
         "mark 2: mark id 1 is already in use"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 0, \"kind\": \"point\", \"start_step\": 1}]}",
         "positive"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1, \"label\": 5}]}",
         "\"label\" must be a string"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1, \"label\": \"a\\u0000b\"}]}",
         "x.marks.json:1:"},
        {"{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1, \"label\": \"\xff\"}]}",
         "x.marks.json:1:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TsErr err;
        ts_err_clear(&err);
        TsMarkSet *set = ts_marks_file_parse(cases[i].text, strlen(cases[i].text), "x.marks.json", &err);
        if (set || !strstr(err.msg, cases[i].want))
            fail_msg("case %zu: got %s, message '%s', wanted '%s'", i, set ? "a set" : "NULL", err.msg,
                     cases[i].want);
        assert_null(strchr(err.msg, '\n'));
    }
    /* Optional fields default; an integer colour is accepted; next_id kept. */
    const char *ok = "{\"trajscope_marks\": 1, \"next_id\": 40, \"marks\": ["
                     "{\"id\": 7, \"kind\": \"point\", \"start_step\": -3, \"colour\": 4}]}";
    TsErr err;
    ts_err_clear(&err);
    TsMarkSet *set = ts_marks_file_parse(ok, strlen(ok), "y", &err);
    assert_non_null(set);
    const TsMark *m = ts_marks_get(set, 7);
    assert_non_null(m);
    assert_int_equal(m->start_step, -3);
    assert_string_equal(m->colour, "4");
    assert_string_equal(m->run, "*");
    assert_string_equal(m->source, "manual");
    assert_int_equal(ts_marks_next_id(set), 40);
    ts_marks_free(set);
}

static void test_corrupt_sidecar_left_untouched(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    char *side = ts_marks_file_sidecar_path(run);
    const char *broken = "{\n  \"trajscope_marks\": 1,\n  \"marks\": [\n    {\"id\": 1,, }\n";
    spit(side, broken);
    TsErr err;
    ts_err_clear(&err);
    char *from = (char *)"sentinel";
    TsMarkSet *set = ts_marks_file_load(run, &from, &err);
    assert_null(set);
    assert_null(from);
    char *want = ts_xasprintf("%s:4:", side);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    free(want);
    /* A save must refuse rather than replace it. */
    TsMarkSet *fresh = ts_marks_new();
    TsMark m;
    ts_mark_init_point(&m, 1, "new");
    ts_marks_add(fresh, &m, &err);
    ts_err_clear(&err);
    assert_false(ts_marks_file_save(run, fresh, NULL, &err));
    assert_non_null(strstr(err.msg, "not saved"));
    char *now = slurp(side, NULL);
    assert_string_equal(now, broken);
    free(now);
    /* Quarantine: .bad, then .bad.1; bytes preserved, nothing deleted. */
    char *moved = NULL;
    assert_true(ts_marks_file_quarantine(side, &moved, &err));
    char *bad0 = ts_xasprintf("%s.bad", side);
    assert_string_equal(moved, bad0);
    assert_int_equal(access(side, F_OK), -1);
    now = slurp(bad0, NULL);
    assert_string_equal(now, broken);
    free(now);
    free(moved);
    spit(side, "also broken");
    assert_true(ts_marks_file_quarantine(side, &moved, &err));
    char *bad1 = ts_xasprintf("%s.bad.1", side);
    assert_string_equal(moved, bad1);
    now = slurp(bad0, NULL);
    assert_string_equal(now, broken);
    free(now);
    now = slurp(bad1, NULL);
    assert_string_equal(now, "also broken");
    free(now);
    free(moved);
    /* With the bad file aside the run has no marks, and saving works. */
    set = ts_marks_file_load(run, NULL, &err);
    assert_non_null(set);
    assert_int_equal(ts_marks_count(set), 0);
    ts_marks_free(set);
    assert_true(ts_marks_file_save(run, fresh, NULL, &err));
    assert_false(ts_marks_file_quarantine(run, NULL, &err)); /* no such file */
    free(bad0);
    free(bad1);
    ts_marks_free(fresh);
    free(side);
    free(run);
}

static bool bump_label(TsMarkSet *set, void *ctx, TsErr *err) {
    (void)ctx;
    TsMark m;
    ts_mark_init_point(&m, (int64_t)ts_marks_count(set), "bumped");
    return ts_marks_add(set, &m, err) > 0;
}

static bool refuse(TsMarkSet *set, void *ctx, TsErr *err) {
    (void)ctx;
    TsMark m;
    ts_mark_init_point(&m, 99, "never saved");
    ts_marks_add(set, &m, err);
    ts_err_set(err, "changed my mind");
    return false;
}

static void test_update_and_stale_temporaries(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    char *side = ts_marks_file_sidecar_path(run);
    char *dir = dirname_of(run);
    /* Leftovers of killed writers, and a file that is not ours. */
    char *stale = ts_xasprintf("%s.tmp-AbC123", side);
    char *foreign = ts_xasprintf("%s/other.json.tmp-AbC123", dir);
    spit(stale, "{ half");
    spit(foreign, "keep me");
    TsErr err;
    ts_err_clear(&err);
    for (int i = 0; i < 3; i++) assert_true(ts_marks_file_update(run, bump_label, NULL, NULL, &err));
    TsMarkSet *set = ts_marks_file_load(run, NULL, &err);
    assert_int_equal(ts_marks_count(set), 3);
    ts_marks_free(set);
    assert_int_equal(access(stale, F_OK), -1);
    assert_int_equal(access(foreign, F_OK), 0);
    char *before = slurp(side, NULL);
    assert_false(ts_marks_file_update(run, refuse, NULL, NULL, &err));
    assert_string_equal(err.msg, "changed my mind");
    char *after = slurp(side, NULL);
    assert_string_equal(before, after);
    free(before);
    free(after);
    free(stale);
    free(foreign);
    free(dir);
    free(side);
    free(run);
}

/* A folder we cannot write in: chmod 555 when that stops us, else /sys (EACCES
 * for root on Linux). NULL when neither works here. */
static char *unwritable_run_path(char **made_dir) {
    *made_dir = NULL;
    char *run = scratch("ro-run.h5");
    char *dir = dirname_of(run);
    assert_int_equal(chmod(dir, 0555), 0);
    char *probe = ts_xasprintf("%s/probe", dir);
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        free(probe);
        *made_dir = dir;
        return run;
    }
    close(fd);
    unlink(probe);
    free(probe);
    chmod(dir, 0755);
    free(dir);
    free(run);
    /* Running as root: chmod does not stop us. */
    char tmpl[] = "/sys/trajscope-marks-probe-XXXXXX";
    fd = mkstemp(tmpl);
    if (fd >= 0) {
        close(fd);
        unlink(tmpl);
        return NULL;
    }
    if (errno != EACCES && errno != EPERM && errno != EROFS) return NULL;
    return ts_xasprintf("/sys/trajscope-test-%d-run.h5", (int)getpid());
}

static void test_fallback_folder(void **state) {
    (void)state;
    char *xdg = scratch("xdg");
    assert_int_equal(mkdir(xdg, 0755), 0);
    char *old_xdg = getenv("XDG_DATA_HOME") ? ts_xstrdup(getenv("XDG_DATA_HOME")) : NULL;
    setenv("XDG_DATA_HOME", xdg, 1);

    char *made_dir = NULL;
    char *run = unwritable_run_path(&made_dir);
    if (!run) {
        printf("  skip: no unwritable folder here (root without /sys EACCES)\n");
        if (old_xdg) setenv("XDG_DATA_HOME", old_xdg, 1);
        else unsetenv("XDG_DATA_HOME");
        free(old_xdg);
        free(xdg);
        skip();
        return;
    }
    TsErr err;
    ts_err_clear(&err);
    char *fb = ts_marks_file_fallback_path(run, &err);
    assert_non_null(fb);
    if (!strstr(fb, "/trajscope/marks/") || strncmp(fb, xdg, strlen(xdg)) != 0)
        fail_msg("fallback %s not under %s", fb, xdg);
    assert_true(strlen(fb) > 20 && strcmp(fb + strlen(fb) - 11, ".marks.json") == 0);

    TsMarkSet *set = nasty_set();
    char *saved = NULL;
    assert_true(ts_marks_file_save(run, set, &saved, &err));
    assert_string_equal(saved, fb);
    char *side = ts_marks_file_sidecar_path(run);
    assert_int_equal(access(side, F_OK), -1);
    /* The fallback file says which run it belongs to. */
    char *text = slurp(fb, NULL);
    assert_non_null(strstr(text, "\"run_path\": \""));
    free(text);
    char *from = NULL;
    TsMarkSet *back = ts_marks_file_load(run, &from, &err);
    assert_non_null(back);
    assert_string_equal(from, fb);
    assert_same_marks(set, back);
    /* Updates go there too. */
    assert_true(ts_marks_file_update(run, bump_label, NULL, NULL, &err));
    TsMarkSet *again = ts_marks_file_load(run, NULL, &err);
    assert_int_equal(ts_marks_count(again), ts_marks_count(set) + 1);
    ts_marks_free(again);
    /* Another run's fallback name differs. */
    char *other = ts_xasprintf("%s2", run);
    char *fb2 = ts_marks_file_fallback_path(other, &err);
    assert_string_not_equal(fb, fb2);
    free(fb2);
    free(other);

    free(from);
    free(saved);
    free(side);
    ts_marks_free(back);
    ts_marks_free(set);
    free(fb);
    free(run);
    if (made_dir) {
        chmod(made_dir, 0755);
        free(made_dir);
    }
    if (old_xdg) setenv("XDG_DATA_HOME", old_xdg, 1);
    else unsetenv("XDG_DATA_HOME");
    free(old_xdg);
    free(xdg);
}

static void test_newer_of_sidecar_and_fallback_wins(void **state) {
    (void)state;
    char *xdg = scratch("xdg");
    assert_int_equal(mkdir(xdg, 0755), 0);
    char *old_xdg = getenv("XDG_DATA_HOME") ? ts_xstrdup(getenv("XDG_DATA_HOME")) : NULL;
    setenv("XDG_DATA_HOME", xdg, 1);
    char *run = scratch("run.h5");
    TsErr err;
    ts_err_clear(&err);
    char *side = ts_marks_file_sidecar_path(run);
    char *fb = ts_marks_file_fallback_path(run, &err);
    char *fdir = dirname_of(fb);
    char *mk = ts_xasprintf("mkdir -p '%s'", fdir);
    assert_int_equal(system(mk), 0);
    free(mk);
    spit(side, "{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1, \"label\": \"side\"}]}");
    spit(fb, "{\"trajscope_marks\": 1, \"marks\": [{\"id\": 1, \"kind\": \"point\", \"start_step\": 1, \"label\": \"fallback\"}]}");
    struct timespec older[2] = {{1000000000, 0}, {1000000000, 0}};
    struct timespec newer_t[2] = {{1000000100, 0}, {1000000100, 0}};
    assert_int_equal(utimensat(AT_FDCWD, side, older, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, fb, newer_t, 0), 0);
    TsMarkSet *s = ts_marks_file_load(run, NULL, &err);
    assert_string_equal(ts_marks_at(s, 0)->label, "fallback");
    ts_marks_free(s);
    assert_int_equal(utimensat(AT_FDCWD, side, newer_t, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, fb, older, 0), 0);
    s = ts_marks_file_load(run, NULL, &err);
    assert_string_equal(ts_marks_at(s, 0)->label, "side");
    ts_marks_free(s);
    /* A writable folder: saves go next to the run. */
    char *saved = NULL;
    TsMarkSet *e = ts_marks_new();
    assert_true(ts_marks_file_save(run, e, &saved, &err));
    assert_string_equal(saved, side);
    free(saved);
    ts_marks_free(e);
    free(fdir);
    free(fb);
    free(side);
    free(run);
    if (old_xdg) setenv("XDG_DATA_HOME", old_xdg, 1);
    else unsetenv("XDG_DATA_HOME");
    free(old_xdg);
    free(xdg);
}

static void test_paths(void **state) {
    (void)state;
    char *p = ts_marks_file_sidecar_path("logs/run1/");
    assert_string_equal(p, "logs/run1.marks.json");
    free(p);
    p = ts_marks_file_sidecar_path("a.h5");
    assert_string_equal(p, "a.h5.marks.json");
    free(p);
    char *old_xdg = getenv("XDG_DATA_HOME") ? ts_xstrdup(getenv("XDG_DATA_HOME")) : NULL;
    char *old_home = getenv("HOME") ? ts_xstrdup(getenv("HOME")) : NULL;
    setenv("XDG_DATA_HOME", "relative/not/allowed", 1);
    setenv("HOME", "/home/someone", 1);
    TsErr err;
    ts_err_clear(&err);
    p = ts_marks_file_fallback_path("/data/x/run.h5", &err);
    assert_non_null(p);
    assert_int_equal(strncmp(p, "/home/someone/.local/share/trajscope/marks/run.h5-", 50), 0);
    /* Stable: the same run gives the same name. */
    char *q = ts_marks_file_fallback_path("/data/x/run.h5", &err);
    assert_string_equal(p, q);
    free(q);
    free(p);
    unsetenv("XDG_DATA_HOME");
    unsetenv("HOME");
    assert_null(ts_marks_file_fallback_path("/data/x/run.h5", &err));
    assert_non_null(strstr(err.msg, "HOME"));
    if (old_xdg) setenv("XDG_DATA_HOME", old_xdg, 1);
    if (old_home) setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);
}

static void test_write_atomic(void **state) {
    (void)state;
    char *path = scratch("out.csv");
    TsErr err;
    ts_err_clear(&err);
    assert_true(ts_marks_file_write_atomic(path, "a,b\n", 4, &err));
    assert_int_equal(chmod(path, 0640), 0);
    assert_true(ts_marks_file_write_atomic(path, "c,d\n", 4, &err));
    char *t = slurp(path, NULL);
    assert_string_equal(t, "c,d\n");
    free(t);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640); /* mode of the replaced file kept */
    /* A folder that does not exist: error, nothing created. */
    char *bad = ts_xasprintf("%s/no/such/dir/x.csv", ts_test_tmpdir());
    assert_false(ts_marks_file_write_atomic(bad, "x", 1, &err));
    assert_non_null(strstr(err.msg, "x.csv"));
    free(bad);
    free(path);
}

static void test_archive_marks_round_trip(void **state) {
    (void)state;
    char *path = scratch("arch.h5");
    TsErr err;
    ts_err_clear(&err);
    TsWriter *w = ts_writer_create(path, "arch-run", NULL, &err);
    assert_non_null(w);
    const char *cols[] = {"loss"};
    assert_true(ts_writer_add_stream(w, "train", cols, 1, 0, &err));
    for (int i = 0; i < 10; i++) {
        double v = 1.0 / (i + 1);
        assert_true(ts_writer_append(w, "train", i * 10, &v, NAN, 0, &err));
    }
    assert_true(ts_writer_close(w, &err));

    bool found = true;
    TsMarkSet *none = ts_marks_archive_read(path, &found, &err);
    assert_non_null(none);
    assert_false(found);
    ts_marks_free(none);

    TsMarkSet *set = nasty_set();
    if (!ts_marks_archive_write(path, set, &err)) fail_msg("%s", err.msg);
    TsMarkSet *back = ts_marks_archive_read(path, &found, &err);
    assert_non_null(back);
    assert_true(found);
    assert_same_marks(set, back);
    ts_marks_free(back);
    /* Replacing works, and an empty set is allowed. */
    TsMarkSet *empty = ts_marks_new();
    assert_true(ts_marks_archive_write(path, empty, &err));
    back = ts_marks_archive_read(path, &found, &err);
    assert_true(found);
    assert_int_equal(ts_marks_count(back), 0);
    ts_marks_free(back);
    assert_true(ts_marks_archive_write(path, set, &err));
    /* The run still opens and its data is intact. */
    TsRun *run = ts_run_open(path, &err);
    if (!run) fail_msg("%s", err.msg);
    assert_int_equal(ts_run_metric_count(run), 1);
    TsSeries s;
    ts_series_init(&s);
    assert_true(ts_run_read(run, 0, 0, SIZE_MAX, &s, &err));
    assert_int_equal(s.n, 10);
    assert_double_equal(s.value[9], 0.1, 0);
    ts_series_free(&s);
    ts_run_free(run);
    /* Without a sidecar, loading the run's marks finds /marks. */
    char *from = NULL;
    TsMarkSet *loaded = ts_marks_file_load(path, &from, &err);
    assert_non_null(loaded);
    char *want = ts_xasprintf("%s:/marks", path);
    assert_string_equal(from, want);
    assert_same_marks(set, loaded);
    free(want);
    free(from);
    ts_marks_free(loaded);
    /* Not an archive: refused, file untouched. */
    char *txt = scratch("plain.h5");
    spit(txt, "not hdf5");
    assert_false(ts_marks_archive_write(txt, set, &err));
    char *t = slurp(txt, NULL);
    assert_string_equal(t, "not hdf5");
    free(t);
    free(txt);
    ts_marks_free(empty);
    ts_marks_free(set);
    free(path);
}

/* ---- saving with a merge (the explorer beside `trajscope mark`) ---- */

typedef struct CliAdd {
    int64_t step;
    const char *label;
} CliAdd;

/* What `trajscope mark RUN add --step N --label L` does under the lock. */
static bool cli_add(TsMarkSet *set, void *ctx, TsErr *err) {
    const CliAdd *a = ctx;
    TsMark m;
    ts_mark_init_point(&m, a->step, a->label);
    return ts_marks_add(set, &m, err) > 0;
}

static bool cli_rm_1(TsMarkSet *set, void *ctx, TsErr *err) {
    (void)ctx;
    if (ts_marks_remove(set, 1, NULL, NULL)) return true;
    ts_err_set(err, "no mark 1");
    return false;
}

/* The labels in the run's marks file, by id: "1:a|2:b". */
static char *file_labels(const char *run) {
    TsErr err;
    ts_err_clear(&err);
    TsMarkSet *set = ts_marks_file_load(run, NULL, &err);
    if (!set) fail_msg("%s", err.msg);
    char buf[4096] = "";
    for (uint64_t id = 1; id < ts_marks_next_id(set); id++) {
        const TsMark *m = ts_marks_get(set, id);
        if (!m) continue;
        size_t len = strlen(buf);
        snprintf(buf + len, sizeof buf - len, "%s%llu:%s", len ? "|" : "", (unsigned long long)id, m->label);
    }
    ts_marks_free(set);
    return ts_xstrdup(buf);
}

static void test_save_merged_keeps_changes_made_elsewhere(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    TsErr err;
    ts_err_clear(&err);
    /* The explorer opens the run (no marks yet), adds mark 1, saves. */
    char *from = NULL;
    TsMarkSet *mine = ts_marks_file_load(run, &from, &err);
    assert_non_null(mine);
    assert_null(from);
    TsMarkSet *base = ts_marks_clone(mine);
    ts_test_add_point(mine, 100, "explorer 1");
    TsMarksMergeReport rep;
    char *saved = NULL;
    assert_true(ts_marks_file_save_merged(run, mine, base, &rep, &saved, &err));
    char *side = ts_marks_file_sidecar_path(run);
    assert_string_equal(saved, side);
    free(saved);
    assert_int_equal(rep.added + rep.removed + rep.changed + rep.conflicts + rep.renumbered, 0);
    ts_marks_free(base);
    base = ts_marks_clone(mine);
    /* Another terminal: trajscope mark add (mark 2). */
    CliAdd cli = {200, "from the CLI"};
    assert_true(ts_marks_file_update(run, cli_add, &cli, NULL, &err));
    /* The explorer adds its next mark: mark 2 as well, in memory. */
    uint64_t id = ts_test_add_point(mine, 300, "explorer 2");
    assert_int_equal(id, 2);
    assert_true(ts_marks_file_save_merged(run, mine, base, &rep, NULL, &err));
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.renumbered, 1);
    assert_int_equal(ts_marks_merge_renamed(&rep, 2), 3);
    char *labels = file_labels(run);
    assert_string_equal(labels, "1:explorer 1|2:from the CLI|3:explorer 2");
    free(labels);
    assert_non_null(ts_marks_get(mine, 2));
    assert_string_equal(ts_marks_get(mine, 2)->label, "from the CLI");
    ts_marks_free(base);
    base = ts_marks_clone(mine);
    /* Elsewhere mark 1 is removed; here mark 3 is relabelled: both stay done. */
    assert_true(ts_marks_file_update(run, cli_rm_1, NULL, NULL, &err));
    assert_true(ts_marks_set_label(mine, 3, "explorer 2, relabelled", &err));
    assert_true(ts_marks_file_save_merged(run, mine, base, &rep, NULL, &err));
    assert_int_equal(rep.removed, 1);
    labels = file_labels(run);
    assert_string_equal(labels, "2:from the CLI|3:explorer 2, relabelled");
    free(labels);
    /* The file's next id covers every id handed out. */
    TsMarkSet *now = ts_marks_file_load(run, NULL, &err);
    assert_int_equal(ts_marks_next_id(now), 4);
    ts_marks_free(now);
    /* The same story with the plain save loses the CLI's mark: what the
     * merge is for (and proof this test sees the difference). */
    char *run2 = scratch("run.h5");
    TsMarkSet *plain = ts_marks_new();
    ts_test_add_point(plain, 100, "explorer 1");
    assert_true(ts_marks_file_save(run2, plain, NULL, &err));
    assert_true(ts_marks_file_update(run2, cli_add, &cli, NULL, &err));
    ts_test_add_point(plain, 300, "explorer 2");
    assert_true(ts_marks_file_save(run2, plain, NULL, &err));
    labels = file_labels(run2);
    assert_string_equal(labels, "1:explorer 1|2:explorer 2");
    free(labels);
    ts_marks_free(plain);
    free(run2);
    ts_marks_free(base);
    ts_marks_free(mine);
    free(side);
    free(run);
}

/* Several processes save at once, each from the same base, each with a
 * mark of its own under the same new id: every mark reaches the file. */
static void test_save_merged_concurrent_processes(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    TsErr err;
    ts_err_clear(&err);
    TsMarkSet *base = ts_marks_new();
    ts_test_add_point(base, 1, "shared");
    assert_true(ts_marks_file_save(run, base, NULL, &err));
    enum { N = 6 };
    pid_t kids[N];
    for (int k = 0; k < N; k++) {
        kids[k] = fork();
        assert_true(kids[k] >= 0);
        if (kids[k] == 0) {
            TsMarkSet *mine = ts_marks_clone(base);
            char label[32];
            snprintf(label, sizeof label, "process %d", k);
            TsMark m;
            ts_mark_init_point(&m, 10 + k, label);
            TsErr e;
            ts_err_clear(&e);
            bool ok = ts_marks_add(mine, &m, &e) == 2 &&
                      ts_marks_file_save_merged(run, mine, base, NULL, NULL, &e);
            _exit(ok ? 0 : 1);
        }
    }
    for (int k = 0; k < N; k++) {
        int st = 0;
        assert_int_equal(waitpid(kids[k], &st, 0), kids[k]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    TsMarkSet *now = ts_marks_file_load(run, NULL, &err);
    assert_non_null(now);
    assert_int_equal(ts_marks_count(now), N + 1);
    for (int k = 0; k < N; k++) {
        char label[32];
        snprintf(label, sizeof label, "process %d", k);
        bool found = false;
        for (size_t i = 0; i < ts_marks_count(now); i++)
            if (strcmp(ts_marks_at(now, i)->label, label) == 0) found = true;
        if (!found) fail_msg("%s's mark was lost", label);
    }
    assert_int_equal(ts_marks_next_id(now), N + 2);
    ts_marks_free(now);
    ts_marks_free(base);
    free(run);
}

static void test_save_merged_refuses_unreadable(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    char *side = ts_marks_file_sidecar_path(run);
    const char *broken = "{\n  \"marks\": [\n    {oops\n";
    spit(side, broken);
    TsMarkSet *mine = ts_marks_new();
    ts_test_add_point(mine, 5, "mine");
    TsMarksMergeReport rep;
    TsErr err;
    ts_err_clear(&err);
    char *saved = (char *)"sentinel";
    assert_false(ts_marks_file_save_merged(run, mine, NULL, &rep, &saved, &err));
    assert_null(saved);
    /* The same words as ts_marks_file_save's refusal, with line:column. */
    assert_non_null(strstr(err.msg, "not saved: "));
    assert_non_null(strstr(err.msg, "(the file is left as it is; move it aside first)"));
    char *want = ts_xasprintf("%s:3:", side);
    if (!strstr(err.msg, want)) fail_msg("message '%s' lacks '%s'", err.msg, want);
    free(want);
    char *now = slurp(side, NULL);
    assert_string_equal(now, broken);
    free(now);
    assert_int_equal(ts_marks_count(mine), 1);
    assert_string_equal(ts_marks_at(mine, 0)->label, "mine");
    /* Moved aside, the save goes through (and nothing else is there). */
    assert_true(ts_marks_file_quarantine(side, NULL, &err));
    assert_true(ts_marks_file_save_merged(run, mine, NULL, &rep, NULL, &err));
    char *labels = file_labels(run);
    assert_string_equal(labels, "1:mine");
    free(labels);
    ts_marks_free(mine);
    free(side);
    free(run);
}

static void test_stamp_sees_changes(void **state) {
    (void)state;
    char *run = scratch("run.h5");
    TsMarksFileStamp a, b;
    ts_marks_file_stamp(run, &a);
    assert_false(a.file[0].exists);
    ts_marks_file_stamp(run, &b);
    assert_true(ts_marks_file_stamp_equal(&a, &b));
    TsErr err;
    ts_err_clear(&err);
    CliAdd cli = {7, "x"};
    assert_true(ts_marks_file_update(run, cli_add, &cli, NULL, &err));
    ts_marks_file_stamp(run, &b);
    assert_true(b.file[0].exists);
    assert_false(ts_marks_file_stamp_equal(&a, &b));
    ts_marks_file_stamp(run, &a);
    assert_true(ts_marks_file_stamp_equal(&a, &b));
    /* A save of the same size within the same clock tick still differs
     * (a new inode is renamed into place). */
    CliAdd cli2 = {8, "y"};
    assert_true(ts_marks_file_update(run, cli_add, &cli2, NULL, &err));
    ts_marks_file_stamp(run, &b);
    assert_false(ts_marks_file_stamp_equal(&a, &b));
    free(run);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_exact),
        cmocka_unit_test(test_file_layout),
        cmocka_unit_test(test_parse_errors_have_line_and_column),
        cmocka_unit_test(test_corrupt_sidecar_left_untouched),
        cmocka_unit_test(test_update_and_stale_temporaries),
        cmocka_unit_test(test_fallback_folder),
        cmocka_unit_test(test_newer_of_sidecar_and_fallback_wins),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_archive_marks_round_trip),
        cmocka_unit_test(test_save_merged_keeps_changes_made_elsewhere),
        cmocka_unit_test(test_save_merged_concurrent_processes),
        cmocka_unit_test(test_save_merged_refuses_unreadable),
        cmocka_unit_test(test_stamp_sees_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
