/* A small snprintf-like formatter (%d %u %x %X %c %s %%, flags '-' '0',
 * width, 'l' length) used to format ~150k numbers into a 256 KiB buffer;
 * the output is FNV-1a hashed each time the buffer fills. */
#include <stdarg.h>
#include "bench.h"

#define NUMBERS 150000UL
#define OUT_SIZE (256UL << 10)

static char out[OUT_SIZE];

struct sink {
    char *buf;
    u64 cap;
    u64 len;
};

static inline void put(struct sink *s, char c)
{
    if (s->len + 1 < s->cap)
        s->buf[s->len] = c;
    s->len++;
}

static void put_padded(struct sink *s, const char *digits, int ndigits,
                       int neg, int width, int left, int zero)
{
    int total = ndigits + (neg ? 1 : 0);
    int pad = width > total ? width - total : 0;
    int i;

    if (!left && !zero)
        for (i = 0; i < pad; i++)
            put(s, ' ');
    if (neg)
        put(s, '-');
    if (!left && zero)
        for (i = 0; i < pad; i++)
            put(s, '0');
    for (i = 0; i < ndigits; i++)
        put(s, digits[i]);
    if (left)
        for (i = 0; i < pad; i++)
            put(s, ' ');
}

static int format_u(char *tmp, u64 v, unsigned base, int upper)
{
    const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char rev[24];
    int n = 0, i;

    do {
        if (base == 10) {
            rev[n++] = dig[v % 10];
            v /= 10;
        } else {
            rev[n++] = dig[v & 15];
            v >>= 4;
        }
    } while (v);
    for (i = 0; i < n; i++)
        tmp[i] = rev[n - 1 - i];
    return n;
}

static u64 vformat(char *buf, u64 cap, const char *f, va_list ap)
{
    struct sink s = { buf, cap, 0 };
    char tmp[24];

    for (; *f; f++) {
        int left = 0, zero = 0, width = 0, is_long = 0, n;
        char c;

        if (*f != '%') {
            put(&s, *f);
            continue;
        }
        f++;
        for (;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                zero = 1;
            else
                break;
        }
        while (*f >= '0' && *f <= '9')
            width = width * 10 + (*f++ - '0');
        if (*f == 'l') {
            is_long = 1;
            f++;
        }
        c = *f;
        switch (c) {
        case 'd': {
            i64 v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            u64 mag = v < 0 ? 0 - (u64)v : (u64)v;
            n = format_u(tmp, mag, 10, 0);
            put_padded(&s, tmp, n, v < 0, width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            u64 v = is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
            n = format_u(tmp, v, c == 'u' ? 10 : 16, c == 'X');
            put_padded(&s, tmp, n, 0, width, left, zero);
            break;
        }
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            put_padded(&s, tmp, 1, 0, width, left, 0);
            break;
        case 's': {
            const char *str = va_arg(ap, const char *);
            int len = 0;
            while (str[len])
                len++;
            put_padded(&s, str, len, 0, width, left, 0);
            break;
        }
        case '%':
            put(&s, '%');
            break;
        case '\0':
            f--;
            break;
        default:
            put(&s, '%');
            put(&s, c);
            break;
        }
    }
    if (s.cap)
        s.buf[s.len < s.cap ? s.len : s.cap - 1] = '\0';
    return s.len;
}

static u64 format(char *buf, u64 cap, const char *f, ...)
{
    va_list ap;
    u64 n;
    va_start(ap, f);
    n = vformat(buf, cap, f, ap);
    va_end(ap);
    return n;
}

static u64 fnv1a64(u64 h, const char *p, u64 n)
{
    u64 i;
    for (i = 0; i < n; i++) {
        h ^= (u8)p[i];
        h *= 0x100000001B3UL;
    }
    return h;
}

unsigned long bench_main(void)
{
    u64 state = 0xF0F0F0F01234ABCDUL;
    u64 h = 0xCBF29CE484222325UL;
    u64 pos = 0, total = 0, i;

    for (i = 0; i < NUMBERS; i++) {
        u64 v = xorshift64s(&state);
        u64 n;

        if (pos + 128 > OUT_SIZE) {
            h = fnv1a64(h, out, pos);
            pos = 0;
        }
        switch (i & 7) {
        case 0:
            n = format(out + pos, OUT_SIZE - pos, "%d,", (int)(v >> 32));
            break;
        case 1:
            n = format(out + pos, OUT_SIZE - pos, "%08x ", (unsigned)v);
            break;
        case 2:
            n = format(out + pos, OUT_SIZE - pos, "[%-12lu]", v >> 20);
            break;
        case 3:
            n = format(out + pos, OUT_SIZE - pos, "0x%016lX\n", v);
            break;
        case 4:
            n = format(out + pos, OUT_SIZE - pos, "%ld;", (long)v);
            break;
        case 5:
            n = format(out + pos, OUT_SIZE - pos, "%6u%c", (unsigned)(v % 1000000), 'a' + (int)(v % 26));
            break;
        case 6:
            n = format(out + pos, OUT_SIZE - pos, "%s=%-5x|", (v & 1) ? "odd" : "even", (unsigned)(v >> 52));
            break;
        default:
            n = format(out + pos, OUT_SIZE - pos, "%010d%%", (int)(v & 0x7FFFFFFF) - 0x3FFFFFFF);
            break;
        }
        pos += n;
        total += n;
    }
    h = fnv1a64(h, out, pos);
    return mix64(h, total);
}
