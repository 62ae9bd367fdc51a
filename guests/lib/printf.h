/* printf.h - freestanding formatted output to a character sink.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%
 * Flags: '-' (left-justify), '0' (zero-pad), '#' (0x prefix for %x/%X)
 * Width: decimal or '*'.  Length: 'hh' 'h' 'l' 'll' 'z'.
 * %p prints "0x" and the address in lower-case hex; %s of a null pointer prints "(null)". */
#ifndef PACIFICA_LIB_PRINTF_H
#define PACIFICA_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* A sink receives every output character in order. */
typedef void (*kputc_fn)(char c, void *ctx);

int kvprintf_to(kputc_fn sink, void *ctx, const char *fmt, va_list ap);
int kprintf_to(kputc_fn sink, void *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* kprintf writes to the sink set by kprintf_set_sink (nothing until one is set). */
void kprintf_set_sink(kputc_fn sink, void *ctx);
int kvprintf(const char *fmt, va_list ap);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Format into buf (always NUL-terminated if size > 0); returns the untruncated length. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
