/* g-hcall - a guest that talks to the hypervisor with VMMCALL (ABI: hvmm/hypercall.h):
 * HC_INFO (who am I), HC_PRINT (text straight to the HVMM's log, no port exits), HC_TIME
 * (host timer ticks and TSC) around HC_YIELD and around a busy loop, so it can see time
 * pass while the other VMs run, and an unknown function (HC_ERROR). Then HC_EXIT.
 * Natively there is no HVMM: it says so and leaves through debug-exit (VMMCALL would #UD).
 * Command line: name=<s> (default "hcall") yields=<n> (default 5) delay=<n> (default 300000). */
#include "../g-lib/guest.h"
#include "../lib/printf.h"
#include "../lib/string.h"

void kmain(uint32_t magic, uint32_t mbi);

static char msg[128];

static unsigned long hc_print(const char *s)
{
    return hcall(HC_PRINT, (uintptr_t)s, strlen(s)).rax;   /* identity-mapped: virt == phys */
}

void kmain(uint32_t magic, uint32_t mbi)
{
    g_init(magic, mbi, "hcall");
    unsigned long yields = 5, delay = 300000;
    cmdline_get_ulong(g_cmdline, "yields", &yields);
    cmdline_get_ulong(g_cmdline, "delay", &delay);
    if (!g_hv) {
        kprintf("%s: no Pacifica HVMM here (CPUID 1 ECX[31] / leaf 0x40000000): no hypercalls, bye\n", g_name);
        g_exit(0);
    }
    kprintf("%s: Pacifica HVMM detected, hypercalls via VMMCALL\n", g_name);

    struct hc_result info = hcall(HC_INFO, 0, 0);
    kprintf("%s: HC_INFO: VM %lu, ASID %lu, %lu MiB of guest RAM\n", g_name, info.rax, info.rbx, info.rcx >> 20);

    ksnprintf(msg, sizeof msg, "%s: this line went through HC_PRINT, not the serial port", g_name);
    unsigned long n = hc_print(msg);
    kprintf("%s: HC_PRINT returned %lu (length %lu)\n", g_name, n, (unsigned long)strlen(msg));

    struct hc_result t0 = hcall(HC_TIME, 0, 0);
    kprintf("%s: HC_TIME: %lu ticks at %lu Hz, tsc %lu\n", g_name, t0.rax, t0.rcx, t0.rbx);
    struct hc_result prev = t0;
    for (unsigned long i = 1; i <= yields; i++) {
        hcall(HC_YIELD, 0, 0);
        struct hc_result t = hcall(HC_TIME, 0, 0);
        kprintf("%s: back from HC_YIELD %lu: ticks %lu (+%lu), tsc +%lu\n", g_name, i, t.rax,
                t.rax - prev.rax, t.rbx - prev.rbx);
        prev = t;
    }
    g_delay(delay);
    struct hc_result t1 = hcall(HC_TIME, 0, 0);
    kprintf("%s: busy loop of %lu iterations took %lu ticks, tsc +%lu\n", g_name, delay,
            t1.rax - prev.rax, t1.rbx - prev.rbx);
    kprintf("%s: unknown hypercall 99 returns 0x%lx (HC_ERROR)\n", g_name, hcall(99, 0, 0).rax);
    kprintf("%s: done, HC_EXIT 0\n", g_name);
    g_exit(0);
}
