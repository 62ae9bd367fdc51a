/* Minimal freestanding runtime for the benchmark images: gcc may emit calls to
 * memset/memcpy even with -ffreestanding (struct copies, zeroing loops).
 * Built with -fno-tree-loop-distribute-patterns so these loops are not turned
 * back into calls to themselves. */
#include "bench.h"

void *memset(void *dst, int c, unsigned long n)
{
    u8 *d = (u8 *)dst;
    u8 b = (u8)c;
    while (n--)
        *d++ = b;
    return dst;
}

void *memcpy(void *dst, const void *src, unsigned long n)
{
    u8 *d = (u8 *)dst;
    const u8 *s = (const u8 *)src;
    while (n--)
        *d++ = *s++;
    return dst;
}
