/* fuzz_csv.c - libFuzzer target: CSV logs (quoting, padding, step column choice).
 * The first byte picks options (fuzz_import.h); the rest is the file.
 * Every point of every metric is read back.
 * Layer: tests. License: MIT. Built and run by tools/run-fuzz.sh. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TsImportOptions o;
    fuzz_take_options(&data, &size, &o);
    fuzz_parse_and_check(ts_import_csv_buffer, data, size, &o);
    return 0;
}
