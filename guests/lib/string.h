/* string.h - freestanding memory/string routines and a multiboot command-line parser.
 * (gcc may emit calls to memset/memcpy/memmove/memcmp itself; these satisfy them.) */
#ifndef PACIFICA_LIB_STRING_H
#define PACIFICA_LIB_STRING_H

#include <stddef.h>
#include <stdbool.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* C semantics: copies at most n bytes, pads with NULs, may leave dst unterminated. */
char *strncpy(char *dst, const char *src, size_t n);

/* Command lines are space-separated words, e.g. "kernel.elf name=guest1 ticks=20".
 * cmdline_get finds the first word "key=value" and copies value into buf (at most
 * size-1 bytes, NUL-terminated). Returns true if the key is present. A null cmdline
 * has no keys. */
bool cmdline_get(const char *cmdline, const char *key, char *buf, size_t size);
/* cmdline_get + parse an unsigned number (decimal, or hex with 0x). Returns false (and
 * leaves *out alone) if the key is absent or its value is not a number. */
bool cmdline_get_ulong(const char *cmdline, const char *key, unsigned long *out);
/* Parse a whole string as an unsigned number (decimal, or hex with 0x/0X). */
bool parse_ulong(const char *s, unsigned long *out);

#endif
