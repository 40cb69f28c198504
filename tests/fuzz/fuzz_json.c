/* fuzz_json.c - libFuzzer target: JSON lines and trainer_state.json (NaN literals, flattening).
 * The first byte picks options (purge restarts, an explicit step column);
 * the rest is the file. Every point of every metric is read back.
 * Layer: tests. License: MIT. Built and run by tools/run-fuzz.sh. */
#include <stddef.h>
#include <stdint.h>

#include "trajscope/import.h"
#include "trajscope/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TsImportOptions o;
    ts_import_options_default(&o);
    if (size > 0) {
        o.purge_restarts = data[0] & 1;
        if (data[0] & 2) o.step_column = "epoch";
        data++;
        size--;
    }
    TsErr err;
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = ts_import_json_buffer(data, size, "fuzz", &o, &rep, &err);
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
    return 0;
}
