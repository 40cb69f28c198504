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

#include "fuzz_import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    TsImportOptions o;
    unsigned flags = fuzz_take_options(&data, &size, &o);
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
    fuzz_parse_and_check(ts_import_tfevents_buffer, data, size, &o);
    free(framed);
    return 0;
}
