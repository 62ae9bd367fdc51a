/* printf.c - the formatter behind kprintf; see printf.h. */
#include "printf.h"
#include <stdint.h>

struct out {
    kputc_fn sink;
    void *ctx;
    int count;
};

static void emit(struct out *o, char c)
{
    o->sink(c, o->ctx);
    o->count++;
}

static void pad(struct out *o, char c, int n)
{
    while (n-- > 0)
        emit(o, c);
}

/* One formatted field: optional sign/prefix, then digits or text, padded to width. */
static void field(struct out *o, const char *prefix, const char *body, int len, int width, int left, int zero)
{
    int plen = 0;
    while (prefix[plen])
        plen++;
    int fill = width - plen - len;
    if (!left && !zero)
        pad(o, ' ', fill);
    for (int i = 0; i < plen; i++)
        emit(o, prefix[i]);
    if (!left && zero)
        pad(o, '0', fill);
    for (int i = 0; i < len; i++)
        emit(o, body[i]);
    if (left)
        pad(o, ' ', fill);
}

static int utoa(unsigned long long v, unsigned base, int upper, char *end)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return (int)(end - p);
}

int kvprintf_to(kputc_fn sink, void *ctx, const char *fmt, va_list ap)
{
    struct out o = { sink, ctx, 0 };
    char buf[24]; /* 2^64-1 needs 20 decimal digits */

    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            emit(&o, *f);
            continue;
        }
        f++;
        int left = 0, zero = 0, alt = 0, width = 0;
        for (;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                zero = 1;
            else if (*f == '#')
                alt = 1;
            else
                break;
        }
        if (*f == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            f++;
        } else {
            while (*f >= '0' && *f <= '9')
                width = width * 10 + (*f++ - '0');
        }
        if (left)
            zero = 0;
        /* length: 0 int, 1 long, 2 long long, 3 size_t, -1 short, -2 char */
        int length = 0;
        if (*f == 'l') {
            f++;
            length = 1;
            if (*f == 'l') {
                f++;
                length = 2;
            }
        } else if (*f == 'z') {
            f++;
            length = 3;
        } else if (*f == 'h') {
            f++;
            length = -1;
            if (*f == 'h') {
                f++;
                length = -2;
            }
        }

        char conv = *f;
        if (!conv)
            break;
        switch (conv) {
        case 'd':
        case 'i': {
            long long v;
            if (length == 1)
                v = va_arg(ap, long);
            else if (length == 2)
                v = va_arg(ap, long long);
            else if (length == 3)
                v = (long long)va_arg(ap, size_t);
            else
                v = va_arg(ap, int);
            if (length == -1)
                v = (short)v;
            else if (length == -2)
                v = (signed char)v;
            unsigned long long mag = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            int n = utoa(mag, 10, 0, buf + sizeof buf);
            field(&o, v < 0 ? "-" : "", buf + sizeof buf - n, n, width, left, zero);
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            unsigned long long v;
            if (length == 1)
                v = va_arg(ap, unsigned long);
            else if (length == 2)
                v = va_arg(ap, unsigned long long);
            else if (length == 3)
                v = va_arg(ap, size_t);
            else
                v = va_arg(ap, unsigned int);
            if (length == -1)
                v = (unsigned short)v;
            else if (length == -2)
                v = (unsigned char)v;
            unsigned base = conv == 'u' ? 10 : 16;
            int n = utoa(v, base, conv == 'X', buf + sizeof buf);
            const char *prefix = alt && base == 16 ? (conv == 'X' ? "0X" : "0x") : "";
            field(&o, prefix, buf + sizeof buf - n, n, width, left, zero);
            break;
        }
        case 'p': {
            uintptr_t v = (uintptr_t)va_arg(ap, void *);
            int n = utoa(v, 16, 0, buf + sizeof buf);
            field(&o, "0x", buf + sizeof buf - n, n, width, left, zero);
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            int n = 0;
            while (s[n])
                n++;
            field(&o, "", s, n, width, left, 0);
            break;
        }
        case 'c': {
            char c = (char)va_arg(ap, int);
            field(&o, "", &c, 1, width, left, 0);
            break;
        }
        case '%':
            emit(&o, '%');
            break;
        default: /* unknown conversion: print it verbatim */
            emit(&o, '%');
            emit(&o, conv);
            break;
        }
    }
    return o.count;
}

int kprintf_to(kputc_fn sink, void *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf_to(sink, ctx, fmt, ap);
    va_end(ap);
    return n;
}

static kputc_fn default_sink;
static void *default_ctx;

void kprintf_set_sink(kputc_fn sink, void *ctx)
{
    default_sink = sink;
    default_ctx = ctx;
}

static void discard(char c, void *ctx)
{
    (void)c;
    (void)ctx;
}

int kvprintf(const char *fmt, va_list ap)
{
    return kvprintf_to(default_sink ? default_sink : discard, default_ctx, fmt, ap);
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

struct strbuf {
    char *buf;
    size_t size, pos;
};

static void to_buffer(char c, void *ctx)
{
    struct strbuf *b = ctx;
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct strbuf b = { buf, size, 0 };
    int n = kvprintf_to(to_buffer, &b, fmt, ap);
    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
