/* fuzz_import.h - what every importer fuzz target does around its parser.
 * The first input byte picks options (bit 0: purge restarts; bit 1: an
 * explicit step column) and is handed back for target-specific bits; the
 * run a parser returns is read back in full and checked for consistency.
 * Layer: tests. License: MIT. Built and run by tools/run-fuzz.sh. */
#ifndef TRAJSCOPE_FUZZ_IMPORT_H
#define TRAJSCOPE_FUZZ_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "trajscope/import.h"
#include "trajscope/run.h"

typedef TsRun *(*FuzzParser)(const void *data, size_t len, const char *name,
                             const TsImportOptions *opts, TsImportReport *report, TsErr *err);

/* Consumes the option byte (when there is one) and returns it. */
static inline unsigned fuzz_take_options(const uint8_t **data, size_t *size, TsImportOptions *o) {
    ts_import_options_default(o);
    if (*size == 0) return 0;
    unsigned flags = (*data)[0];
    o->purge_restarts = flags & 1;
    if (flags & 2) o->step_column = "epoch";
    (*data)++;
    (*size)--;
    return flags;
}

/* Parses, then traps unless every metric reads back with its advertised
 * length and the run keeps the import's warnings. */
static inline void fuzz_parse_and_check(FuzzParser parse, const uint8_t *data, size_t size,
                                        const TsImportOptions *o) {
    TsErr err;
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = parse(data, size, "fuzz", o, &rep, &err);
    if (run) {
        TsSeries s;
        ts_series_init(&s);
        for (size_t i = 0; i < ts_run_metric_count(run); i++) {
            const TsMetricInfo *m = ts_run_metric(run, i);
            if (!m->name || !m->stream || !m->metric) __builtin_trap();
            if (!ts_run_read(run, i, 0, SIZE_MAX, &s, &err) || s.n != m->length) __builtin_trap();
        }
        ts_series_free(&s);
        const TsImportReport *kept = ts_import_run_report(run);
        if (!kept || kept->n_warnings != rep.n_warnings) __builtin_trap();
        ts_run_free(run);
    }
    ts_import_report_free(&rep);
}

#endif
