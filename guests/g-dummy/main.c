/* g-dummy - the paper's guest (section 3.2): "The OS kernels complete the minimal
 * initialization tasks and then simply loop ... printing dummy messages on to the screen".
 * Ours loops count=N times (default 20): a numbered message with its name on the serial port
 * and its VGA screen, then a busy delay (delay=N loop iterations, default 300000); then it
 * ends (HC_EXIT under the HVMM, debug-exit 0 natively).
 * Command line: name=<s> (default "dummy") count=<n> delay=<n>. */
#include "../g-lib/guest.h"
#include "../lib/printf.h"
#include "../lib/string.h"

void kmain(uint32_t magic, uint32_t mbi);

void kmain(uint32_t magic, uint32_t mbi)
{
    g_init(magic, mbi, "dummy");
    unsigned long count = 20, delay = 300000;
    cmdline_get_ulong(g_cmdline, "count", &count);
    cmdline_get_ulong(g_cmdline, "delay", &delay);
    g_vga_color(0x0B);
    kprintf("%s: skeletal 64-bit guest, %s, %u KiB upper memory, cmdline '%s'\n", g_name,
            g_hv ? "under the Pacifica HVMM" : "native", g_mem_upper, g_cmdline ? g_cmdline : "");
    g_vga_color(0x07);
    for (unsigned long i = 1; i <= count; i++) {
        kprintf("%s: dummy message %lu of %lu\n", g_name, i, count);
        g_delay(delay);
    }
    kprintf("%s: done\n", g_name);
    g_exit(0);
}
