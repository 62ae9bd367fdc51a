/* guest.h - the small runtime shared by the g-* guest kernels (g-lib/): console (serial +
 * a private VGA text screen), command line, hypervisor detection, hypercalls, exit.
 * Every guest boots natively (QEMU, Pacifica, GRUB) and under the HVMM from the same file:
 * g_hv tells which, and g_exit ends either way. */
#ifndef G_GUEST_H
#define G_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include "../hvmm/hypercall.h"

extern char g_name[32];       /* name=... from the command line, or the guest's default */
extern const char *g_cmdline; /* the multiboot command line (0 if none) */
extern bool g_hv;             /* running under the Pacifica HVMM */
extern uint32_t g_mem_upper;  /* multiboot mem_upper, KiB */

/* Serial port, VGA, kprintf sink, command line, hypervisor detection. */
void g_init(uint32_t magic, uint32_t mbi, const char *default_name);
/* CPUID 1 ECX[31] and leaf 0x40000000 = "PacificaHVMM". */
bool g_detect_hvmm(void);
void g_vga_color(uint8_t attr);
/* Busy delay: n iterations of a loop the compiler keeps. */
void g_delay(unsigned long n);
/* End: HC_EXIT under the HVMM, the debug-exit port natively. */
__attribute__((noreturn)) void g_exit(unsigned status);

struct hc_result {
    unsigned long rax, rbx, rcx;
};

/* VMMCALL with RAX = fn, RBX = a, RCX = b (hypercall.h). Only under the HVMM (g_hv)! */
static inline struct hc_result hcall(unsigned long fn, unsigned long a, unsigned long b)
{
    __asm__ volatile("vmmcall" : "+a"(fn), "+b"(a), "+c"(b) : : "memory", "rdx");
    return (struct hc_result){ fn, a, b };
}

#endif
