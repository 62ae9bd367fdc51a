/* Shared declarations for the freestanding benchmark workloads.
 * Each workload defines `unsigned long bench_main(void)` returning a 64-bit
 * checksum. The same source builds both as a bare-metal image (start.S +
 * bench.ld) and as a native Linux oracle (host_main.c). */
#ifndef PACIFICA_BENCH_H
#define PACIFICA_BENCH_H

typedef unsigned long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef long i64;

void *memset(void *dst, int c, unsigned long n);
void *memcpy(void *dst, const void *src, unsigned long n);

unsigned long bench_main(void);

/* Deterministic PRNG (xorshift64*), identical on guest and host. */
static inline u64 xorshift64s(u64 *state)
{
    u64 x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545F4914F6CDD1DUL;
}

/* 64-bit mixer used to fold results together. */
static inline u64 mix64(u64 h, u64 v)
{
    h ^= v + 0x9E3779B97F4A7C15UL + (h << 6) + (h >> 2);
    h *= 0xFF51AFD7ED558CCDUL;
    h ^= h >> 33;
    return h;
}

#endif
