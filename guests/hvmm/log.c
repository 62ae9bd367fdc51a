/* log.c - where the HVMM's words go: always the serial port (COM1); the real VGA screen
 * (host-physical 0xB8000) too with screen=log. With screen=guest the VGA shows instead the
 * private screen of the guest that ran last (its guest-physical 0xB8000, i.e. host
 * mem_base + 0xB8000), copied after each #VMEXIT. */
#include <stdarg.h>
#include "hvmm.h"
#include "../lib/printf.h"
#include "../lib/serial.h"
#include "../lib/vga.h"

#define GUEST_VGA 0xB8000ull

static void log_putc(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
    if (!config.screen_guest)
        vga_putc(c);
}

void log_init(void)
{
    vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    vga_clear();
    kprintf_set_sink(log_putc, 0);
}

void hv_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void hv_log(const char *fmt, ...)
{
    if (!config.log)
        return;
    va_list ap;
    va_start(ap, fmt);
    vga_set_color(VGA_DARK_GREY, VGA_BLACK);
    kvprintf(fmt, ap);
    vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    va_end(ap);
}

/* A line of guest console output: "[name] text", non-printing bytes shown as '.'. */
void log_guest_line(const struct vm *vm, const char *text, unsigned len)
{
    static const enum vga_color colors[] = { VGA_LIGHT_GREEN, VGA_LIGHT_CYAN, VGA_YELLOW,
                                             VGA_LIGHT_MAGENTA, VGA_WHITE, VGA_LIGHT_RED };
    vga_set_color(colors[(vm->id - 1) % 6], VGA_BLACK);
    kprintf("[%s] ", vm->name);
    for (unsigned i = 0; i < len; i++) {
        char c = text[i];
        if (c == '\n' && i + 1 == len)
            break;
        kprintf("%c", (c >= 32 && c < 127) ? c : (c == '\n' ? ' ' : '.'));
    }
    kprintf("\n");
    vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
}

void log_show_guest_screen(const struct vm *vm)
{
    const volatile uint16_t *src = (const volatile uint16_t *)(uintptr_t)(vm->mem_base + GUEST_VGA);
    volatile uint16_t *dst = (volatile uint16_t *)(uintptr_t)VGA_TEXT_BUFFER;
    for (unsigned i = 0; i < VGA_COLS * VGA_ROWS; i++)
        dst[i] = src[i];
}
