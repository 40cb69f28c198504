/* csvlog.c - CSV training logs (Lightning CSVLogger, Keras CSVLogger,
 * YOLOv5 results.csv, pandas): RFC 4180 quoting, padded columns, CRLF,
 * UTF-8 BOM, sparse rows. Layer: io. License: MIT. */
#include <stdlib.h>
#include <string.h>

#include "io/import_priv.h"
#include "trajscope/xalloc.h"

/* One parsed record: fields copied (unquoted, unescaped, trimmed) into buf,
 * each NUL-terminated. */
typedef struct Rec {
    char *buf;
    size_t len, cap;
    size_t *off, *flen;
    size_t n, capf;
} Rec;

static void rec_put(Rec *r, char c) {
    if (r->len == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 1024;
        r->buf = ts_xreallocarray(r->buf, r->cap, 1);
    }
    r->buf[r->len++] = c;
}

static void rec_field_start(Rec *r) {
    if (r->n == r->capf) {
        r->capf = r->capf ? 2 * r->capf : 32;
        r->off = ts_xreallocarray(r->off, r->capf, sizeof *r->off);
        r->flen = ts_xreallocarray(r->flen, r->capf, sizeof *r->flen);
    }
    r->off[r->n] = r->len;
}

static void rec_field_end(Rec *r) {
    r->flen[r->n] = r->len - r->off[r->n];
    rec_put(r, '\0');
    r->n++;
}

static bool is_pad(char c) { return c == ' ' || c == '\t'; }

/* Parses the record starting at *pos; advances *pos and *line. Sets
 * *open_quote when the input ends inside a quoted field. */
static void next_record(const char *d, size_t n, size_t *pos, size_t *line, Rec *r, bool *open_quote) {
    size_t p = *pos;
    r->n = 0;
    r->len = 0;
    for (;;) {
        rec_field_start(r);
        while (p < n && is_pad(d[p])) p++;
        if (p < n && d[p] == '"') {
            p++;
            for (;;) {
                if (p >= n) {
                    *open_quote = true;
                    break;
                }
                char c = d[p];
                if (c == '"') {
                    if (p + 1 < n && d[p + 1] == '"') {
                        rec_put(r, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                if (c == '\n') (*line)++;
                rec_put(r, c);
                p++;
            }
            /* Text after the closing quote (not RFC 4180) is kept. */
            while (p < n && d[p] != ',' && d[p] != '\n' && d[p] != '\r') {
                if (!is_pad(d[p])) rec_put(r, d[p]);
                p++;
            }
        } else {
            size_t start = p;
            while (p < n && d[p] != ',' && d[p] != '\n' && d[p] != '\r') p++;
            size_t end = p;
            while (end > start && is_pad(d[end - 1])) end--;
            for (size_t i = start; i < end; i++) rec_put(r, d[i]);
        }
        rec_field_end(r);
        if (p < n && d[p] == ',') {
            p++;
            continue;
        }
        if (p < n && d[p] == '\r') p++;
        if (p < n && d[p] == '\n') p++;
        (*line)++;
        break;
    }
    *pos = p;
}

static bool rec_blank(const Rec *r) { return r->n == 1 && r->flen[0] == 0; }

static void rec_free(Rec *r) {
    free(r->buf);
    free(r->off);
    free(r->flen);
}

TsRun *imp_csv_parse(const char *data, size_t len, const char *path, const char *name,
                     const TsImportOptions *o, TsImportReport *rep, TsErr *err) {
    if (imp_is_lfs_pointer(data, len)) {
        ts_err_set(err, "%s: Git LFS pointer, not the log itself; run git lfs pull", path);
        return NULL;
    }
    if (memchr(data, '\0', len < 65536 ? len : 65536)) {
        ts_err_set(err, "%s: not a CSV file (binary data)", path);
        return NULL;
    }
    size_t pos = 0, line = 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) pos = 3;
    Rec rec = {0};
    bool open_quote = false;
    /* The header: the first record that is not blank. */
    do {
        if (pos >= len) break;
        next_record(data, len, &pos, &line, &rec, &open_quote);
    } while (rec_blank(&rec));

    ImpTable t;
    imp_table_init(&t, path);
    t.step_column = o->step_column;
    size_t n_cols = pos > 0 && !rec_blank(&rec) ? rec.n : 0;
    for (size_t i = 0; i < n_cols; i++) {
        const char *h = rec.buf + rec.off[i];
        size_t hl = rec.flen[i];
        char *col = hl ? ts_xstrndup(h, hl) : ts_xasprintf("column_%zu", i + 1);
        if (imp_map_get(&t.by_name, col, strlen(col))) {
            for (unsigned k = 2;; k++) {
                char *alt = ts_xasprintf("%s#%u", col, k);
                if (!imp_map_get(&t.by_name, alt, strlen(alt))) {
                    imp_warn(rep, "%s: column %zu repeats the name '%s': read as '%s'", path, i + 1, col, alt);
                    free(col);
                    col = alt;
                    break;
                }
                free(alt);
            }
        }
        imp_table_col(&t, col, strlen(col), false);
        free(col);
    }
    size_t n_long = 0, first_long = 0;
    while (pos < len) {
        size_t rec_line = line;
        next_record(data, len, &pos, &line, &rec, &open_quote);
        if (rec_blank(&rec)) continue;
        rep->n_records++;
        imp_table_row(&t, rec_line);
        for (size_t i = 0; i < rec.n; i++) {
            if (i >= n_cols) {
                if (n_long++ == 0) first_long = rec_line;
                break;
            }
            if (rec.flen[i] == 0) continue; /* an empty cell: no value */
            imp_table_text(&t, i, rec.buf + rec.off[i], rec.flen[i]);
        }
    }
    rec_free(&rec);
    if (n_long)
        imp_warn(rep, "%s: %zu row%s with more fields than the header (extra fields ignored; first on line %zu)",
                 path, n_long, n_long == 1 ? "" : "s", first_long);
    if (open_quote) imp_warn(rep, "%s: the file ends inside a quoted field", path);

    ImpBuf b;
    imp_buf_init(&b, o, rep, false);
    TsRun *run = NULL;
    if (imp_table_to_buf(&t, &b, err)) run = imp_buf_to_run(&b, path, name, "csv");
    else imp_buf_free(&b);
    imp_table_free(&t);
    return run;
}

TsRun *ts_import_csv_buffer(const void *data, size_t len, const char *name, const TsImportOptions *opts,
                            TsImportReport *report, TsErr *err) {
    ts_err_clear(err);
    TsImportReport local;
    ts_import_report_init(&local);
    TsImportOptions o;
    if (opts) o = *opts;
    else ts_import_options_default(&o);
    TsImportReport *rep = report ? report : &local;
    TsRun *run = imp_csv_parse(data, len, name, name, &o, rep, err);
    if (run) imp_run_keep_report(run, rep);
    ts_import_report_free(&local);
    return run;
}
