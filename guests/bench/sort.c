/* Sort ~200k pseudo-random 64-bit keys with an iterative quicksort
 * (median-of-three, insertion sort for small ranges), verify the order,
 * then heapsort a second copy and check both agree. Returns a position-
 * weighted hash of the sorted keys (or a marker value on failure). */
#include "bench.h"

#define NKEYS 200000UL
#define SMALL 16

static u64 keys[NKEYS];
static u64 keys2[NKEYS];

static void insertion_sort(u64 *a, long lo, long hi)
{
    long i, j;
    for (i = lo + 1; i <= hi; i++) {
        u64 v = a[i];
        for (j = i - 1; j >= lo && a[j] > v; j--)
            a[j + 1] = a[j];
        a[j + 1] = v;
    }
}

static inline void swap(u64 *a, long i, long j)
{
    u64 t = a[i];
    a[i] = a[j];
    a[j] = t;
}

static void quicksort(u64 *a, long n)
{
    long stack[2 * 64];
    long sp = 0;
    long lo = 0, hi = n - 1;

    for (;;) {
        while (hi - lo > SMALL) {
            long mid = lo + (hi - lo) / 2;
            long i, j;
            u64 pivot;

            if (a[mid] < a[lo])
                swap(a, mid, lo);
            if (a[hi] < a[lo])
                swap(a, hi, lo);
            if (a[hi] < a[mid])
                swap(a, hi, mid);
            pivot = a[mid];

            i = lo;
            j = hi;
            for (;;) {
                while (a[i] < pivot)
                    i++;
                while (a[j] > pivot)
                    j--;
                if (i >= j)
                    break;
                swap(a, i, j);
                i++;
                j--;
            }
            /* [lo, j] <= pivot <= [j+1, hi]; push the larger half. */
            if (j - lo > hi - j - 1) {
                stack[sp++] = lo;
                stack[sp++] = j;
                lo = j + 1;
            } else {
                stack[sp++] = j + 1;
                stack[sp++] = hi;
                hi = j;
            }
        }
        insertion_sort(a, lo, hi);
        if (sp == 0)
            break;
        hi = stack[--sp];
        lo = stack[--sp];
    }
}

static void sift_down(u64 *a, long root, long n)
{
    u64 v = a[root];
    for (;;) {
        long child = 2 * root + 1;
        if (child >= n)
            break;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[child] <= v)
            break;
        a[root] = a[child];
        root = child;
    }
    a[root] = v;
}

static void heapsort(u64 *a, long n)
{
    long i;
    for (i = n / 2 - 1; i >= 0; i--)
        sift_down(a, i, n);
    for (i = n - 1; i > 0; i--) {
        swap(a, 0, i);
        sift_down(a, 0, i);
    }
}

unsigned long bench_main(void)
{
    u64 state = 0x0DDB1A5E5BAD5EEDUL;
    u64 h = 0;
    u64 i;

    for (i = 0; i < NKEYS; i++) {
        u64 k = xorshift64s(&state);
        /* Some duplicates: fold a slice of the keys into a small range. */
        if ((i & 15) == 0)
            k &= 0xFFF;
        keys[i] = k;
        keys2[i] = k;
    }

    quicksort(keys, (long)NKEYS);
    heapsort(keys2, (long)NKEYS);

    for (i = 1; i < NKEYS; i++)
        if (keys[i - 1] > keys[i])
            return 0xBAD0000000000000UL | i;
    for (i = 0; i < NKEYS; i++) {
        if (keys[i] != keys2[i])
            return 0xBAD1000000000000UL | i;
        h = mix64(h, keys[i] ^ i);
    }
    return h;
}
