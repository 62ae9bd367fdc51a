/* vga.h - 80x25 colour text console at 0xB8000 with scrolling and hardware cursor. */
#ifndef PACIFICA_LIB_VGA_H
#define PACIFICA_LIB_VGA_H

#include <stdint.h>

#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_TEXT_BUFFER 0xB8000

enum vga_color {
    VGA_BLACK = 0, VGA_BLUE, VGA_GREEN, VGA_CYAN, VGA_RED, VGA_MAGENTA, VGA_BROWN, VGA_LIGHT_GREY,
    VGA_DARK_GREY, VGA_LIGHT_BLUE, VGA_LIGHT_GREEN, VGA_LIGHT_CYAN, VGA_LIGHT_RED, VGA_LIGHT_MAGENTA,
    VGA_YELLOW, VGA_WHITE,
};

/* Colour for subsequent characters (does not recolour the screen). */
void vga_set_color(enum vga_color fg, enum vga_color bg);
/* Blank the screen in the current colour and home the cursor. */
void vga_clear(void);
/* '\n' new line, '\r' column 0, '\t' next multiple of 8, '\b' back one column. */
void vga_putc(char c);
void vga_puts(const char *s);

#endif
