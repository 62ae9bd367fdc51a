/* g-crash - a guest that misbehaves on purpose after after=N messages (default 3):
 *   mode=npf     reads guest-physical 0x20000000 (512 MiB: inside its own 1 GiB identity map,
 *                far outside its RAM): under the HVMM a nested page fault, #VMEXIT(NPF), and
 *                the HVMM stops this VM; natively the read returns whatever the bus gives
 *   mode=triple  loads an empty IDT and executes UD2: #UD cannot be delivered (#GP), nor
 *                can the #DF: triple fault = shutdown; under the HVMM #VMEXIT(SHUTDOWN),
 *                natively a reset (QEMU -no-reboot: QEMU ends)
 * If it is still running afterwards, it says so and exits with status 1.
 * Command line: name=<s> (default "crash") mode=npf|triple after=<n> delay=<n>. */
#include "../g-lib/guest.h"
#include "../lib/printf.h"
#include "../lib/string.h"

void kmain(uint32_t magic, uint32_t mbi);

#define FAR_AWAY 0x20000000ul

void kmain(uint32_t magic, uint32_t mbi)
{
    g_init(magic, mbi, "crash");
    char mode[8] = "npf";
    unsigned long after = 3, delay = 300000;
    cmdline_get(g_cmdline, "mode", mode, sizeof mode);
    cmdline_get_ulong(g_cmdline, "after", &after);
    cmdline_get_ulong(g_cmdline, "delay", &delay);
    for (unsigned long i = 1; i <= after; i++) {
        kprintf("%s: behaving, message %lu of %lu before mode=%s\n", g_name, i, after, mode);
        g_delay(delay);
    }
    if (!strcmp(mode, "triple")) {
        kprintf("%s: empty IDT, then ud2: triple fault\n", g_name);
        struct __attribute__((packed)) { uint16_t limit; uint64_t base; } idtr = { 0, 0 };
        __asm__ volatile("lidt %0\n\tud2" : : "m"(idtr) : "memory");
    } else {
        kprintf("%s: reading guest-physical 0x%lx, outside my %u KiB of RAM\n", g_name, FAR_AWAY,
                g_mem_upper + 1024);
        unsigned long v = *(volatile unsigned long *)FAR_AWAY;
        kprintf("%s: read 0x%lx: nobody stopped me\n", g_name, v);
    }
    kprintf("%s: still alive after mode=%s\n", g_name, mode);
    g_exit(1);
}
