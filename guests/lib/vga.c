/* vga.c - text-mode console: writes character/attribute pairs to 0xB8000,
 * scrolls by one line when the cursor passes the last row, and keeps the
 * CRTC hardware cursor (registers 0x0E/0x0F via ports 0x3D4/0x3D5) in step. */
#include "vga.h"
#include "io.h"

#define CRTC_INDEX 0x3D4
#define CRTC_DATA  0x3D5
#define CRTC_CURSOR_HI 0x0E
#define CRTC_CURSOR_LO 0x0F

static volatile uint16_t *const vga_buf = (volatile uint16_t *)VGA_TEXT_BUFFER;
static unsigned vga_row, vga_col;
static uint8_t vga_attr = VGA_LIGHT_GREY | (VGA_BLACK << 4);

static inline uint16_t cell(char c) { return (uint16_t)(unsigned char)c | (uint16_t)vga_attr << 8; }

static void update_cursor(void)
{
    unsigned pos = vga_row * VGA_COLS + vga_col;
    outb(CRTC_INDEX, CRTC_CURSOR_LO);
    outb(CRTC_DATA, (uint8_t)(pos & 0xFF));
    outb(CRTC_INDEX, CRTC_CURSOR_HI);
    outb(CRTC_DATA, (uint8_t)(pos >> 8));
}

void vga_set_color(enum vga_color fg, enum vga_color bg)
{
    vga_attr = (uint8_t)((fg & 0x0F) | (bg & 0x0F) << 4);
}

void vga_clear(void)
{
    for (unsigned i = 0; i < VGA_COLS * VGA_ROWS; i++)
        vga_buf[i] = cell(' ');
    vga_row = vga_col = 0;
    update_cursor();
}

static void scroll(void)
{
    for (unsigned i = 0; i < VGA_COLS * (VGA_ROWS - 1); i++)
        vga_buf[i] = vga_buf[i + VGA_COLS];
    for (unsigned i = VGA_COLS * (VGA_ROWS - 1); i < VGA_COLS * VGA_ROWS; i++)
        vga_buf[i] = cell(' ');
    vga_row = VGA_ROWS - 1;
}

static void put_raw(char c)
{
    switch (c) {
    case '\n':
        vga_col = 0;
        vga_row++;
        break;
    case '\r':
        vga_col = 0;
        break;
    case '\t':
        vga_col = (vga_col + 8) & ~7u;
        break;
    case '\b':
        if (vga_col > 0)
            vga_col--;
        break;
    default:
        vga_buf[vga_row * VGA_COLS + vga_col] = cell(c);
        vga_col++;
        break;
    }
    if (vga_col >= VGA_COLS) {
        vga_col = 0;
        vga_row++;
    }
    if (vga_row >= VGA_ROWS)
        scroll();
}

void vga_putc(char c)
{
    put_raw(c);
    update_cursor();
}

void vga_puts(const char *s)
{
    while (*s)
        put_raw(*s++);
    update_cursor();
}
