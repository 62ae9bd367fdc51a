/* main.c - kmain of the skeletal guest kernel.
 *
 * The paper's guests "complete the minimal initialization tasks and then simply loop
 * infinitely printing dummy messages on to the screen". This one: serial + VGA console,
 * GDT/TSS, IDT, a banner describing what the loader handed over (command line, memory
 * sizes, memory map), then the PIC and the PIT at 100 Hz, and a hlt loop; every timer
 * tick prints "<name>: tick <n>" on the serial port and the VGA screen.
 *
 * Command line (multiboot cmdline, space-separated key=value words):
 *   name=<s>     name printed before every line (default "skeletal")
 *   ticks=<n>    after tick n print "<name>: done" and leave via debug-exit with 0
 *                (default 0: tick forever)
 *   fault=<f>    after the banner, raise an exception on purpose:
 *                de (divide by zero), ud (ud2), pf (read of 0x40000000, just above the
 *                1 GiB identity map), gp (load selector 0x1234 into DS), df (#UD with an
 *                unmapped stack: #PF while delivering it, then #DF on IST1)
 * The exception handler prints its report and leaves via debug-exit with 0x10 + vector. */
#include "skeletal.h"
#include "../lib/io.h"
#include "../lib/multiboot.h"
#include "../lib/pic.h"
#include "../lib/pit.h"
#include "../lib/printf.h"
#include "../lib/serial.h"
#include "../lib/string.h"
#include "../lib/vga.h"

#define TIMER_HZ 100
#define UNMAPPED_ADDRESS 0x40000000ul /* first byte above the 1 GiB identity map */

static char name_buf[32] = "skeletal";
const char *kernel_name = name_buf;
static unsigned long tick_limit;         /* 0 = forever */
static volatile unsigned long ticks;
/* The TSS's RSP0, for entries from ring 3 (none yet, but the TSS needs one). */
static uint8_t rsp0_stack[4096] __attribute__((aligned(16)));

/* kprintf's sink: every character to both the serial port and the VGA screen. */
static void console_putc(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
    vga_putc(c);
}

void kernel_exit(uint8_t value)
{
    debug_exit(value);
    for (;;) {
        cli();
        hlt();
    }
}

static const char *mmap_type_name(uint32_t type)
{
    switch (type) {
    case MULTIBOOT_MEMORY_AVAILABLE: return "available";
    case MULTIBOOT_MEMORY_RESERVED: return "reserved";
    case MULTIBOOT_MEMORY_ACPI_RECLAIMABLE: return "ACPI reclaimable";
    case MULTIBOOT_MEMORY_NVS: return "ACPI NVS";
    case MULTIBOOT_MEMORY_BADRAM: return "bad RAM";
    default: return "unknown";
    }
}

static void banner(uint32_t magic, const struct multiboot_info *mbi, const char *cmdline, const char *fault)
{
    vga_set_color(VGA_LIGHT_CYAN, VGA_BLACK);
    kprintf("%s: skeletal 64-bit guest kernel, long mode, first 1 GiB identity-mapped\n", kernel_name);
    vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    if (!mbi) {
        kprintf("%s: no multiboot information (eax=0x%08x)\n", kernel_name, magic);
        return;
    }
    if (cmdline)
        kprintf("%s: cmdline='%s'\n", kernel_name, cmdline);
    else
        kprintf("%s: cmdline=(none)\n", kernel_name);
    if (mbi->flags & MULTIBOOT_INFO_MEMORY)
        kprintf("%s: mem_lower=%u KiB mem_upper=%u KiB\n", kernel_name, mbi->mem_lower, mbi->mem_upper);
    if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
        uintptr_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        for (unsigned i = 0; p < end; i++) {
            const struct multiboot_mmap_entry *e = (const void *)p;
            kprintf("%s: mmap[%u] base=0x%016llx len=0x%016llx type=%u (%s)\n", kernel_name, i,
                    (unsigned long long)e->addr, (unsigned long long)e->len, e->type, mmap_type_name(e->type));
            p += e->size + 4;
        }
    }
    if (mbi->flags & MULTIBOOT_INFO_MODS)
        kprintf("%s: modules=%u\n", kernel_name, mbi->mods_count);
    kprintf("%s: timer %u Hz, ticks=%lu%s, fault=%s\n", kernel_name, TIMER_HZ, tick_limit,
            tick_limit ? "" : " (forever)", fault[0] ? fault : "none");
}

/* fault=<f>: raise the exception on purpose (never returns if f is known). */
static void trigger_fault(const char *f)
{
    kprintf("%s: raising fault=%s\n", kernel_name, f);
    if (!strcmp(f, "de"))
        __asm__ volatile("xorl %%ecx, %%ecx\n\tdivl %%ecx" : : : "eax", "ecx", "edx");
    else if (!strcmp(f, "ud"))
        __asm__ volatile("ud2");
    else if (!strcmp(f, "pf"))
        __asm__ volatile("movq (%0), %%rax" : : "r"(UNMAPPED_ADDRESS) : "rax", "memory");
    else if (!strcmp(f, "gp"))
        __asm__ volatile("movl $0x1234, %%eax\n\tmovl %%eax, %%ds" : : : "eax", "memory");
    else if (!strcmp(f, "df"))
        __asm__ volatile("movq %0, %%rsp\n\tud2" : : "r"(UNMAPPED_ADDRESS + 0x1000) : "memory");
    kprintf("%s: unknown fault '%s' ignored\n", kernel_name, f);
}

static void timer_tick(struct int_frame *f)
{
    (void)f;
    ticks++;
    pic_eoi(0);
    vga_set_color(VGA_LIGHT_GREEN, VGA_BLACK);
    kprintf("%s: tick %lu\n", kernel_name, ticks);
    if (tick_limit && ticks >= tick_limit) {
        kprintf("%s: done\n", kernel_name);
        kernel_exit(EXIT_DONE);
    }
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    serial_init();
    vga_set_color(VGA_LIGHT_GREY, VGA_BLACK);
    vga_clear();
    kprintf_set_sink(console_putc, 0);
    desc64_init(false, (uintptr_t)(rsp0_stack + sizeof rsp0_stack));

    const struct multiboot_info *mbi =
        magic == MULTIBOOT_BOOTLOADER_MAGIC ? (const struct multiboot_info *)(uintptr_t)mbi_addr : 0;
    const char *cmdline =
        mbi && (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uintptr_t)mbi->cmdline : 0;

    char fault[8] = "";
    cmdline_get(cmdline, "name", name_buf, sizeof name_buf);
    if (!name_buf[0])
        strncpy(name_buf, "skeletal", sizeof name_buf);
    cmdline_get_ulong(cmdline, "ticks", &tick_limit);
    cmdline_get(cmdline, "fault", fault, sizeof fault);

    banner(magic, mbi, cmdline, fault);
    if (fault[0])
        trigger_fault(fault);

    irq_set_handler(0, timer_tick);
    pic_remap(IRQ_BASE_MASTER, IRQ_BASE_SLAVE, 0xFFFE); /* only IRQ 0 unmasked */
    pit_start_periodic(TIMER_HZ);
    sti();
    for (;;)
        hlt();
}
