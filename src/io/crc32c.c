/* crc32c.c - CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the
 * SSE4.2 crc32 instruction when the CPU has it, else slicing by 8; and
 * TensorBoard's masked form. Layer: io. License: MIT. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "io/import_priv.h"

static uint32_t table[8][256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static bool have_hw;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TS_CRC_HW 1
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t c, const unsigned char *p, size_t len) {
    while (len > 0 && ((uintptr_t)p & 7u) != 0) {
        c = __builtin_ia32_crc32qi(c, *p++);
        len--;
    }
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = (uint32_t)__builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        c = __builtin_ia32_crc32qi(c, *p++);
        len--;
    }
    return c;
}
#endif

static void table_init(void) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++) table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xFF];
#ifdef TS_CRC_HW
    __builtin_cpu_init();
    have_hw = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t load_le32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t ts_crc32c(uint32_t crc, const void *data, size_t len) {
    pthread_once(&table_once, table_init);
#ifdef TS_CRC_HW
    if (have_hw) return ~crc_hw(~crc, data, len);
#endif
    return imp_crc32c_portable(crc, data, len);
}

uint32_t imp_crc32c_portable(uint32_t crc, const void *data, size_t len) {
    pthread_once(&table_once, table_init);
    const unsigned char *p = data;
    uint32_t c = ~crc;
    while (len > 0 && ((uintptr_t)p & 7u) != 0) {
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xFF];
        len--;
    }
    while (len >= 8) {
        uint32_t lo = load_le32(p) ^ c;
        uint32_t hi = load_le32(p + 4);
        c = table[7][lo & 0xFF] ^ table[6][(lo >> 8) & 0xFF] ^ table[5][(lo >> 16) & 0xFF] ^
            table[4][lo >> 24] ^ table[3][hi & 0xFF] ^ table[2][(hi >> 8) & 0xFF] ^
            table[1][(hi >> 16) & 0xFF] ^ table[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        c = (c >> 8) ^ table[0][(c ^ *p++) & 0xFF];
        len--;
    }
    return ~c;
}

uint32_t ts_crc32c_masked(const void *data, size_t len) {
    uint32_t c = ts_crc32c(0, data, len);
    return ((c >> 15) | (c << 17)) + 0xA282EAD8u;
}
