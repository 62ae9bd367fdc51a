/* g-serial - shows the HVMM's intercepts from the inside: CPUID (vendor, the
 * hypervisor-present bit 1:ECX[31], the SVM bit 8000_0001:ECX[2], leaf 0x40000000), port I/O
 * (the UART's line status and scratch registers, an unclaimed port), RDMSR of EFER and
 * VM_CR; then count=N (default 10) numbered lines on its serial port with a busy delay.
 * Natively the same code shows the real hardware's answers.
 * Command line: name=<s> (default "serial") count=<n> delay=<n> (default 300000). */
#include "../g-lib/guest.h"
#include "../lib/io.h"
#include "../lib/printf.h"
#include "../lib/string.h"

void kmain(uint32_t magic, uint32_t mbi);

static void cpuid_string(uint32_t leaf, char out[13], bool ebx_edx_ecx)
{
    uint32_t r[4];
    cpuid(leaf, 0, &r[0], &r[1], &r[2], &r[3]);
    memcpy(out, &r[1], 4);
    memcpy(out + 4, ebx_edx_ecx ? &r[3] : &r[2], 4);
    memcpy(out + 8, ebx_edx_ecx ? &r[2] : &r[3], 4);
    out[12] = 0;
}

void kmain(uint32_t magic, uint32_t mbi)
{
    g_init(magic, mbi, "serial");
    unsigned long count = 10, delay = 300000;
    cmdline_get_ulong(g_cmdline, "count", &count);
    cmdline_get_ulong(g_cmdline, "delay", &delay);

    char s[13];
    uint32_t c1, c81;
    cpuid_string(0, s, true);
    cpuid(1, 0, 0, 0, &c1, 0);
    cpuid(0x80000001, 0, 0, 0, &c81, 0);
    kprintf("%s: CPUID vendor '%s', hypervisor bit 1:ECX[31]=%u, SVM bit 8000_0001:ECX[2]=%u\n",
            g_name, s, c1 >> 31, (c81 >> 2) & 1);
    if (c1 >> 31) {
        cpuid_string(0x40000000, s, false);
        kprintf("%s: CPUID 0x40000000: '%s'%s\n", g_name, s, g_hv ? " - the Pacifica HVMM" : "");
    }
    outb(0x3FF, 0x5A);
    kprintf("%s: UART LSR=0x%02x, scratch register reads 0x%02x after writing 0x5a\n", g_name,
            inb(0x3FD), inb(0x3FF));
    kprintf("%s: port 0x2F8 (no device) reads 0x%02x\n", g_name, inb(0x2F8));
    kprintf("%s: EFER=0x%lx (SVME bit 12 = %lu)\n", g_name, (unsigned long)rdmsr(0xC0000080),
            (unsigned long)(rdmsr(0xC0000080) >> 12) & 1);
    if ((c81 >> 2) & 1)
        kprintf("%s: VM_CR=0x%lx\n", g_name, (unsigned long)rdmsr(0xC0010114));
    for (unsigned long i = 1; i <= count; i++) {
        kprintf("%s: serial line %lu of %lu\n", g_name, i, count);
        g_delay(delay);
    }
    kprintf("%s: done\n", g_name);
    g_exit(0);
}
