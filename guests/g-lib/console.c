/* console.c - a guest's console: every character to COM1 (lib/serial.c) and to the VGA text
 * screen at 0xB8000. Unlike lib/vga.c it never touches the CRTC cursor ports, so under the
 * HVMM a character costs two port exits (LSR read, THR write), not six. */
#include "guest.h"
#include "../lib/io.h"
#include "../lib/multiboot.h"
#include "../lib/printf.h"
#include "../lib/serial.h"
#include "../lib/string.h"

#define COLS 80
#define ROWS 25

char g_name[32];
const char *g_cmdline;
bool g_hv;
uint32_t g_mem_upper;

static volatile uint16_t *const screen = (volatile uint16_t *)0xB8000;
static unsigned row, col;
static uint8_t attr = 0x07;

void g_vga_color(uint8_t a) { attr = a; }

static void vga_put(char c)
{
    if (c == '\n') {
        col = 0;
        row++;
    } else if (c != '\r') {
        screen[row * COLS + col] = (uint16_t)((uint8_t)c | attr << 8);
        if (++col == COLS) {
            col = 0;
            row++;
        }
    }
    if (row == ROWS) {
        for (unsigned i = 0; i < COLS * (ROWS - 1); i++)
            screen[i] = screen[i + COLS];
        for (unsigned i = COLS * (ROWS - 1); i < COLS * ROWS; i++)
            screen[i] = (uint16_t)(' ' | attr << 8);
        row = ROWS - 1;
    }
}

static void con_putc(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
    vga_put(c);
}

bool g_detect_hvmm(void)
{
    uint32_t c, regs[3];
    cpuid(1, 0, 0, 0, &c, 0);
    if (!(c & (1u << 31)))
        return false;
    cpuid(HVMM_CPUID_LEAF, 0, 0, &regs[0], &regs[1], &regs[2]);
    return memcmp(regs, HVMM_VENDOR, 12) == 0;
}

void g_init(uint32_t magic, uint32_t mbi_addr, const char *default_name)
{
    serial_init();
    for (unsigned i = 0; i < COLS * ROWS; i++)
        screen[i] = (uint16_t)(' ' | attr << 8);
    kprintf_set_sink(con_putc, 0);
    const struct multiboot_info *mbi =
        magic == MULTIBOOT_BOOTLOADER_MAGIC ? (const struct multiboot_info *)(uintptr_t)mbi_addr : 0;
    if (mbi && (mbi->flags & MULTIBOOT_INFO_CMDLINE))
        g_cmdline = (const char *)(uintptr_t)mbi->cmdline;
    if (mbi && (mbi->flags & MULTIBOOT_INFO_MEMORY))
        g_mem_upper = mbi->mem_upper;
    if (!cmdline_get(g_cmdline, "name", g_name, sizeof g_name) || !g_name[0])
        strncpy(g_name, default_name, sizeof g_name - 1);
    g_hv = g_detect_hvmm();
}

void g_delay(unsigned long n)
{
    for (volatile unsigned long i = 0; i < n; i++)
        ;
}

void g_exit(unsigned status)
{
    if (g_hv)
        hcall(HC_EXIT, status, 0);
    else
        debug_exit((uint8_t)status);
    for (;;)
        __asm__ volatile("cli; hlt");
}
