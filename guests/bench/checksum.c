/* Checksums over a generated 4 MiB buffer: FNV-1a (64-bit), Adler-32 and a
 * bitwise (table-free) CRC-32 over the first part. Returns a hash of all. */
#include "bench.h"

#define BUF_SIZE (4UL << 20)
#define CRC_BYTES (512UL << 10)

/* Filled a 64-bit word at a time; read as bytes (little-endian, so the byte
 * stream is the same on the guest and the host). */
static u64 buf_words[BUF_SIZE / 8];

static void generate(u64 *p, u64 nwords)
{
    u64 state = 0xC0FFEE123456789UL;
    u64 i;
    for (i = 0; i < nwords; i++)
        p[i] = xorshift64s(&state);
}

static u64 fnv1a64(const u8 *p, u64 n)
{
    u64 h = 0xCBF29CE484222325UL;
    u64 i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001B3UL;
    }
    return h;
}

static u32 adler32(const u8 *p, u64 n)
{
    u32 a = 1, b = 0;
    while (n > 0) {
        /* 5552 is the largest block that cannot overflow 32 bits. */
        u64 block = n < 5552 ? n : 5552;
        n -= block;
        while (block--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return (b << 16) | a;
}

static u32 crc32_bitwise(const u8 *p, u64 n)
{
    u32 crc = 0xFFFFFFFFu;
    u64 i;
    for (i = 0; i < n; i++) {
        int k;
        crc ^= p[i];
        for (k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

unsigned long bench_main(void)
{
    u64 h = 0;
    const u8 *buf = (const u8 *)buf_words;

    generate(buf_words, BUF_SIZE / 8);
    h = mix64(h, fnv1a64(buf, BUF_SIZE));
    h = mix64(h, adler32(buf, BUF_SIZE));
    h = mix64(h, crc32_bitwise(buf, CRC_BYTES));
    return h;
}
