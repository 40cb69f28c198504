/* jsonlog.c - JSON training logs: JSON lines (one object per line, e.g.
 * detectron2's metrics.json), a JSON array of objects, and Hugging Face
 * trainer_state.json (log_history plus the run's settings).
 * Layer: io. License: MIT. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "io/import_priv.h"
#include "io/run_backend.h"
#include "trajscope/xalloc.h"

/* ---- NaN and Infinity (Python's json writes them; JSON has no such
 * literals): rewritten as marker strings "\u0000nan", "\u0000inf",
 * "\u0000-inf" before decoding with JSON_ALLOW_NUL. ---- */

static bool ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

typedef struct Buf {
    char *p;
    size_t n, cap;
} Buf;

static void buf_put(Buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap) b->cap = b->cap ? 2 * b->cap : 4096;
        b->p = ts_xreallocarray(b->p, b->cap, 1);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* Heap copy of s with the literals replaced, or NULL when there are none. */
static char *fix_nonfinite(const char *s, size_t n, size_t *out_len) {
    if (!imp_memmem(s, n, "NaN", 3) && !imp_memmem(s, n, "Infinity", 8)) return NULL;
    Buf b = {0};
    size_t copied = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\') i++;
            else if (c == '"') in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
            continue;
        }
        const char *rep = NULL;
        size_t tok = 0;
        if (c == 'N' && i + 3 <= n && memcmp(s + i, "NaN", 3) == 0) {
            rep = "\"\\u0000nan\"";
            tok = 3;
        } else if (c == 'I' && i + 8 <= n && memcmp(s + i, "Infinity", 8) == 0) {
            rep = "\"\\u0000inf\"";
            tok = 8;
        } else if (c == '-' && i + 9 <= n && memcmp(s + i, "-Infinity", 9) == 0) {
            rep = "\"\\u0000-inf\"";
            tok = 9;
        }
        if (!rep) continue;
        if ((i > 0 && ident_char(s[i - 1])) || (i + tok < n && ident_char(s[i + tok]))) continue;
        buf_put(&b, s + copied, i - copied);
        buf_put(&b, rep, strlen(rep));
        copied = i + tok;
        i += tok - 1;
    }
    if (copied == 0) {
        free(b.p);
        return NULL;
    }
    buf_put(&b, s + copied, n - copied);
    *out_len = b.n;
    return b.p;
}

/* A number from a JSON value (numbers and the NaN/Infinity markers). */
static bool json_number(const json_t *v, double *out) {
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v);
        return true;
    }
    if (json_is_string(v) && json_string_length(v) >= 4 && json_string_value(v)[0] == '\0') {
        const char *m = json_string_value(v) + 1;
        size_t ml = json_string_length(v) - 1;
        if (ml == 3 && memcmp(m, "nan", 3) == 0) *out = NAN;
        else if (ml == 3 && memcmp(m, "inf", 3) == 0) *out = INFINITY;
        else if (ml == 4 && memcmp(m, "-inf", 4) == 0) *out = -INFINITY;
        else return false;
        return true;
    }
    return false;
}

static json_t *load(const char *s, size_t n, json_error_t *jerr) {
    json_t *v = json_loadb(s, n, JSON_ALLOW_NUL | JSON_DECODE_ANY, jerr);
    if (!v && strstr(jerr->text, "too big")) {
        /* An integer beyond 64 bits: read every integer as a double. */
        v = json_loadb(s, n, JSON_ALLOW_NUL | JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, jerr);
    }
    return v;
}

/* ---- objects -> table rows ---- */

static void add_value(ImpTable *t, const char *name, size_t len, json_t *v, int depth);

static void add_object(ImpTable *t, const char *prefix, size_t plen, json_t *obj, int depth) {
    const char *key;
    size_t klen;
    json_t *v;
    json_object_keylen_foreach(obj, key, klen, v) {
        if (plen == 0) {
            add_value(t, key, klen, v, depth + 1);
        } else {
            char *name = ts_xmalloc(plen + 1 + klen + 1);
            memcpy(name, prefix, plen);
            name[plen] = '/';
            memcpy(name + plen + 1, key, klen);
            name[plen + 1 + klen] = '\0';
            add_value(t, name, plen + 1 + klen, v, depth + 1);
            free(name);
        }
    }
}

static void add_value(ImpTable *t, const char *name, size_t len, json_t *v, int depth) {
    if (json_is_null(v)) return;
    if (json_is_object(v)) {
        add_object(t, name, len, v, depth);
        return;
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            char *sub = ts_xasprintf("%.*s/%zu", (int)len, name, i);
            add_value(t, sub, strlen(sub), e, depth + 1);
            free(sub);
        }
        return;
    }
    size_t col = imp_table_col(t, name, len, false);
    double d;
    if (json_is_integer(v)) {
        imp_table_int(t, col, (int64_t)json_integer_value(v));
    } else if (json_number(v, &d)) {
        imp_table_number(t, col, d);
    } else if (json_is_string(v)) {
        imp_table_nonnum(t, col, json_string_value(v), json_string_length(v));
    } else {
        const char *text = json_is_true(v) ? "true" : "false";
        imp_table_nonnum(t, col, text, strlen(text));
    }
}

static void add_row(ImpTable *t, json_t *obj, size_t line) {
    imp_table_row(t, line);
    add_object(t, "", 0, obj, 0);
}

/* ---- trainer_state.json settings -> run configuration ---- */

static void add_config(TsRun *run, json_t *root) {
    const char *key;
    json_t *v;
    double d;
    json_object_foreach(root, key, v) {
        if (json_is_integer(v)) {
            char text[32];
            snprintf(text, sizeof text, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
            ts_run_add_config(run, key, text, true, (double)json_integer_value(v));
        } else if (json_is_real(v)) {
            ts_run_add_config(run, key, NULL, true, json_real_value(v));
        } else if (json_is_string(v)) {
            if (json_number(v, &d)) ts_run_add_config(run, key, NULL, true, d);
            else ts_run_add_config(run, key, json_string_value(v), false, NAN);
        } else if (json_is_boolean(v)) {
            ts_run_add_config(run, key, json_is_true(v) ? "true" : "false", false, NAN);
        }
        /* null, objects and arrays stay in the configuration JSON only */
    }
    json_t *copy = json_copy(root);
    json_object_del(copy, "log_history");
    char *text = json_dumps(copy, JSON_COMPACT);
    if (text) ts_run_set_config_json(run, text);
    free(text);
    json_decref(copy);
}

/* ---- entry ---- */

TsRun *imp_json_parse(const char *data, size_t len, const char *path, const char *name,
                      const TsImportOptions *o, TsImportReport *rep, TsErr *err) {
    if (imp_is_lfs_pointer(data, len)) {
        ts_err_set(err, "%s: Git LFS pointer, not the log itself; run git lfs pull", path);
        return NULL;
    }
    size_t fixed_len = 0;
    char *fixed = fix_nonfinite(data, len, &fixed_len);
    const char *s = fixed ? fixed : data;
    size_t n = fixed ? fixed_len : len;

    ImpTable t;
    imp_table_init(&t, path);
    t.step_column = o->step_column;
    t.col_word = "key";
    json_t *root = NULL;
    const char *format = "jsonl";
    TsRun *run = NULL;
    bool ok = true;

    json_error_t whole_err;
    root = load(s, n, &whole_err);
    if (root && json_is_object(root) && json_is_array(json_object_get(root, "log_history"))) {
        format = "hf-trainer-state";
        t.row_word = "entry";
        size_t i, skipped = 0;
        json_t *e;
        json_array_foreach(json_object_get(root, "log_history"), i, e) {
            rep->n_records++;
            if (!json_is_object(e)) {
                skipped++;
                continue;
            }
            add_row(&t, e, i + 1);
        }
        if (skipped) {
            imp_warn(rep, "%s: %zu log_history entr%s that are not objects skipped", path, skipped,
                     skipped == 1 ? "y" : "ies");
            rep->n_skipped += skipped;
        }
    } else if (root && json_is_object(root)) {
        rep->n_records++;
        add_row(&t, root, 1);
    } else if (root && json_is_array(root)) {
        t.row_word = "element";
        size_t i, skipped = 0;
        json_t *e;
        json_array_foreach(root, i, e) {
            rep->n_records++;
            if (json_is_object(e)) add_row(&t, e, i + 1);
            else skipped++;
        }
        if (skipped) {
            imp_warn(rep, "%s: %zu array elements that are not objects skipped", path, skipped);
            rep->n_skipped += skipped;
        }
    } else if (root) {
        ts_err_set(err, "%s: not a JSON log (the file holds a single %s)", path,
                   json_is_string(root) ? "string" : json_is_number(root) ? "number" : "value");
        ok = false;
    } else {
        /* JSON lines. */
        size_t pos = 0, line = 1, bad = 0, bad_line = 0, n_rows = 0;
        char bad_text[160] = "";
        bool cut = false;
        while (pos < n) {
            const char *nl = memchr(s + pos, '\n', n - pos);
            size_t end = nl ? (size_t)(nl - s) : n;
            size_t a = pos, z = end;
            while (a < z && isspace((unsigned char)s[a])) a++;
            while (z > a && isspace((unsigned char)s[z - 1])) z--;
            size_t this_line = line;
            pos = nl ? end + 1 : n;
            line++;
            if (a == z) continue;
            json_error_t jerr;
            json_t *obj = load(s + a, z - a, &jerr);
            if (obj && json_is_object(obj)) {
                rep->n_records++;
                n_rows++;
                add_row(&t, obj, this_line);
            } else if (!obj && !nl) {
                cut = true; /* the last line is still being written */
            } else if (bad++ == 0) {
                bad_line = this_line;
                snprintf(bad_text, sizeof bad_text, "%s", obj ? "not an object" : jerr.text);
            }
            json_decref(obj);
        }
        if (n_rows == 0 && (bad > 0 || cut)) {
            /* Neither one JSON document nor JSON lines. */
            ts_err_set(err, "%s: invalid JSON on line %d: %s", path, whole_err.line, whole_err.text);
            ok = false;
        } else {
            rep->truncated = rep->truncated || cut;
            if (bad) {
                imp_warn(rep, "%s: %zu line%s skipped (first: line %zu, %s)", path, bad, bad == 1 ? "" : "s",
                         bad_line, bad_text);
                rep->n_skipped += bad;
            }
        }
    }
    if (ok) {
        ImpBuf b;
        imp_buf_init(&b, o, rep, false);
        if (imp_table_to_buf(&t, &b, err)) {
            run = imp_buf_to_run(&b, path, name, format);
            if (strcmp(format, "hf-trainer-state") == 0) add_config(run, root);
        } else {
            imp_buf_free(&b);
        }
    }
    json_decref(root);
    imp_table_free(&t);
    free(fixed);
    return run;
}

TsRun *ts_import_json_buffer(const void *data, size_t len, const char *name, const TsImportOptions *opts,
                             TsImportReport *report, TsErr *err) {
    ts_err_clear(err);
    TsImportReport local;
    ts_import_report_init(&local);
    TsImportOptions o;
    if (opts) o = *opts;
    else ts_import_options_default(&o);
    TsImportReport *rep = report ? report : &local;
    TsRun *run = imp_json_parse(data, len, name, name, &o, rep, err);
    if (run) imp_run_keep_report(run, rep);
    ts_import_report_free(&local);
    return run;
}
