/* fuzz_tfevents.c - libFuzzer target: TensorBoard event files (framing, checksums, Event decoding).
 * The first byte picks options (purge restarts, an explicit step column)
 * and the mode: raw (the rest is the file, so framing and checksums are
 * fuzzed) or framed (the rest is a list of payloads, each a 2-byte length
 * and its bytes, framed here with correct checksums, so the fuzzer reaches
 * the Event decoder). Every point of every metric is read back.
 * Layer: tests. License: MIT. Built and run by tools/run-fuzz.sh. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trajscope/import.h"
#include "trajscope/run.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TsImportOptions o;
    ts_import_options_default(&o);
    unsigned flags = 0;
    if (size > 0) {
        flags = data[0];
        o.purge_restarts = flags & 1;
        if (flags & 2) o.step_column = "epoch";
        data++;
        size--;
    }
    unsigned char *framed = NULL;
    if (flags & 4) {
        /* each 2 input bytes can become a 16-byte empty record */
        framed = malloc(8 * size + 16);
        if (!framed) return 0;
        size_t n = 0, i = 0;
        while (i + 2 <= size) {
            size_t len = (size_t)data[i] | (size_t)data[i + 1] << 8;
            i += 2;
            if (len > size - i) len = size - i;
            unsigned char *h = framed + n;
            for (int k = 0; k < 8; k++) h[k] = (unsigned char)((uint64_t)len >> (8 * k));
            uint32_t c = ts_crc32c_masked(h, 8);
            for (int k = 0; k < 4; k++) h[8 + k] = (unsigned char)(c >> (8 * k));
            memcpy(h + 12, data + i, len);
            c = ts_crc32c_masked(data + i, len);
            for (int k = 0; k < 4; k++) h[12 + len + k] = (unsigned char)(c >> (8 * k));
            n += 16 + len;
            i += len;
        }
        data = framed;
        size = n;
    }
    TsErr err;
    TsImportReport rep;
    ts_import_report_init(&rep);
    TsRun *run = ts_import_tfevents_buffer(data, size, "fuzz", &o, &rep, &err);
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
    free(framed);
    return 0;
}
