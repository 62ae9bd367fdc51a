/* Sieve of Eratosthenes over a byte array: primes up to ~2 million,
 * several rounds with slightly different limits. Returns a hash of the
 * prime counts, prime sums and the largest prime of each round. */
#include "bench.h"

#define SIEVE_N 2000000UL
#define ROUNDS 3

static u8 composite[SIEVE_N + 1];

static void run_sieve(u64 n, u64 *count, u64 *sum, u64 *largest)
{
    u64 i, j;

    for (i = 0; i <= n; i++)
        composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (i = 2; i * i <= n; i++) {
        if (composite[i])
            continue;
        for (j = i * i; j <= n; j += i)
            composite[j] = 1;
    }

    *count = 0;
    *sum = 0;
    *largest = 0;
    for (i = 2; i <= n; i++) {
        if (!composite[i]) {
            *count += 1;
            *sum += i;
            *largest = i;
        }
    }
}

unsigned long bench_main(void)
{
    u64 h = 0x5111E5EEDUL;
    int r;

    for (r = 0; r < ROUNDS; r++) {
        u64 count, sum, largest;
        run_sieve(SIEVE_N - (u64)r * 7919UL, &count, &sum, &largest);
        h = mix64(h, count);
        h = mix64(h, sum);
        h = mix64(h, largest);
    }
    return h;
}
