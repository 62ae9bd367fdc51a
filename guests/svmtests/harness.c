/* harness.c - VMCB set-up, guest runs and the result of the current check. */
#include "harness.h"
#include "../lib/io.h"
#include "../lib/printf.h"
#include "../lib/string.h"
#include <stdarg.h>

uint8_t vmcb[4096] __attribute__((aligned(4096)));
uint8_t vmcb2[4096] __attribute__((aligned(4096)));
uint8_t vmcb3[4096] __attribute__((aligned(4096)));
uint8_t host_save_vmcb[4096] __attribute__((aligned(4096)));
uint8_t hsave_area[4096] __attribute__((aligned(4096)));
uint8_t iopm[3 * 4096] __attribute__((aligned(4096)));
uint8_t msrpm[2 * 4096] __attribute__((aligned(4096)));
uint8_t guest_stack[GUEST_STACK_SIZE] __attribute__((aligned(4096)));
struct gregs guest_regs;
uint64_t run_host_rax, run_host_rsp, run_host_rsp_before, run_no_stgi;
uint32_t svm_eax, svm_ebx, svm_edx;
bool on_qemu;

void run_guest_asm(uint64_t vmcb_pa); /* vmrun.S */

void vmcb_set_seg(uint8_t *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base)
{
    vw16(v, off + SEG_SEL, sel);
    vw16(v, off + SEG_ATTR, attr);
    vw32(v, off + SEG_LIMIT, limit);
    vw64(v, off + SEG_BASE, base);
}

static uint64_t rdcr(int n)
{
    uint64_t x = 0;
    switch (n) {
    case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(x)); break;
    case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(x)); break;
    case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(x)); break;
    }
    return x;
}

static struct idt_gate guest_idt_tab[256] __attribute__((aligned(4096)));
extern const uint64_t guest_isr_table[256]; /* guest.S */

uint64_t guest_idt_base(void)
{
    if (!guest_idt_tab[0].type_attr)
        desc64_fill_idt(guest_idt_tab, guest_isr_table, 0);
    return (uintptr_t)guest_idt_tab;
}

#define ATTR_CODE64 0x0A9B  /* P, DPL0, S, code exec/read accessed; L, G */
#define ATTR_DATA   0x0C93  /* P, DPL0, S, data read/write accessed; D/B, G */

void vmcb_reset(uint8_t *v, const void *rip)
{
    memset(v, 0, 4096);
    vmsave_at(v); /* FS, GS, TR, LDTR, KernelGSbase, STAR..., SYSENTER_*: the host's */
    memset(iopm, 0, sizeof iopm);
    memset(msrpm, 0, sizeof msrpm);
    memset(&guest_regs, 0, sizeof guest_regs);
    run_no_stgi = 0;

    vw32(v, VMCB_INTERCEPT_MISC1, I1_SHUTDOWN);
    vw32(v, VMCB_INTERCEPT_MISC2, I2_VMRUN | I2_VMMCALL);
    vw64(v, VMCB_IOPM_BASE, pa(iopm));
    vw64(v, VMCB_MSRPM_BASE, pa(msrpm));
    vw32(v, VMCB_ASID, 1);
    vw8(v, VMCB_TLB_CONTROL, 1);

    vmcb_set_seg(v, VMCB_CS, KERNEL_CS, ATTR_CODE64, 0xFFFFFFFF, 0);
    vmcb_set_seg(v, VMCB_SS, KERNEL_DS, ATTR_DATA, 0xFFFFFFFF, 0);
    vmcb_set_seg(v, VMCB_DS, KERNEL_DS, ATTR_DATA, 0xFFFFFFFF, 0);
    vmcb_set_seg(v, VMCB_ES, KERNEL_DS, ATTR_DATA, 0xFFFFFFFF, 0);
    vmcb_set_seg(v, VMCB_GDTR, 0, 0, desc64_gdtr.limit, desc64_gdtr.base);
    vmcb_set_seg(v, VMCB_IDTR, 0, 0, 256 * 16 - 1, guest_idt_base());
    vw64(v, VMCB_EFER, rdmsr(MSR_EFER));
    vw64(v, VMCB_CR0, rdcr(0));
    vw64(v, VMCB_CR3, rdcr(3));
    vw64(v, VMCB_CR4, rdcr(4));
    vw64(v, VMCB_DR7, 0x400);
    vw64(v, VMCB_DR6, 0xFFFF0FF0);
    vw64(v, VMCB_RFLAGS, 0x2);
    vw64(v, VMCB_RIP, (uintptr_t)rip);
    vw64(v, VMCB_RSP, (uintptr_t)(guest_stack + GUEST_STACK_SIZE));
    vw64(v, VMCB_RAX, 0);
    vw64(v, VMCB_G_PAT, 0x0007040600070406ull);
}

uint64_t run_guest(uint8_t *v)
{
    run_guest_asm(pa(v));
    return vr64(v, VMCB_EXITCODE);
}

const char *exit_name(uint64_t c)
{
    static char buf[24];
    static const char *const names[] = {
        "INTR", "NMI", "SMI", "INIT", "VINTR", "CR0_SEL_WRITE", "IDTR_READ", "GDTR_READ", "LDTR_READ",
        "TR_READ", "IDTR_WRITE", "GDTR_WRITE", "LDTR_WRITE", "TR_WRITE", "RDTSC", "RDPMC", "PUSHF", "POPF",
        "CPUID", "RSM", "IRET", "SWINT", "INVD", "PAUSE", "HLT", "INVLPG", "INVLPGA", "IOIO", "MSR",
        "TASK_SWITCH", "FERR_FREEZE", "SHUTDOWN", "VMRUN", "VMMCALL", "VMLOAD", "VMSAVE", "STGI", "CLGI",
        "SKINIT", "RDTSCP", "ICEBP", "WBINVD", "MONITOR", "MWAIT", "MWAIT_COND", "XSETBV",
    };
    if (c == VMEXIT_INVALID)
        return "INVALID";
    if (c == VMEXIT_NPF)
        return "NPF";
    if (c < 0x10) { ksnprintf(buf, sizeof buf, "CR%lu_READ", (unsigned long)c); return buf; }
    if (c < 0x20) { ksnprintf(buf, sizeof buf, "CR%lu_WRITE", (unsigned long)c - 0x10); return buf; }
    if (c < 0x30) { ksnprintf(buf, sizeof buf, "DR%lu_READ", (unsigned long)c - 0x20); return buf; }
    if (c < 0x40) { ksnprintf(buf, sizeof buf, "DR%lu_WRITE", (unsigned long)c - 0x30); return buf; }
    if (c < 0x60) { ksnprintf(buf, sizeof buf, "EXCP%lu", (unsigned long)c - 0x40); return buf; }
    if (c <= VMEXIT_XSETBV)
        return names[c - 0x60];
    return "?";
}

/* ---- results ---- */
static int state;          /* 0 ok, 1 failed, 2 skipped */
char result_msg[256];

void result_reset(void) { state = 0; result_msg[0] = 0; }
int result_state(void) { return state; }
bool check_failed(void) { return state != 0; }

/* The first verdict of a check stands. */
static void set_result(int st, const char *fmt, va_list ap)
{
    if (state)
        return;
    kvsnprintf(result_msg, sizeof result_msg, fmt, ap);
    state = st;
}

void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_result(1, fmt, ap);
    va_end(ap);
}

void skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_result(2, fmt, ap);
    va_end(ap);
}

void expect_eq(const char *what, uint64_t got, uint64_t expected)
{
    if (got != expected)
        fail("%s: expected 0x%lx, got 0x%lx", what, (unsigned long)expected, (unsigned long)got);
}

void expect_true(const char *what, bool cond)
{
    if (!cond)
        fail("%s", what);
}

void expect_exit(uint8_t *v, uint64_t expected)
{
    uint64_t got = vr64(v, VMCB_EXITCODE);
    if (got == expected)
        return;
    char e[24];
    ksnprintf(e, sizeof e, "%s", exit_name(expected));
    fail("EXITCODE: expected 0x%lx (%s), got 0x%lx (%s) at rip 0x%lx, exitinfo1 0x%lx, guest r15 0x%lx",
         (unsigned long)expected, e, (unsigned long)got, exit_name(got), (unsigned long)vr64(v, VMCB_RIP),
         (unsigned long)vr64(v, VMCB_EXITINFO1), (unsigned long)guest_regs.r15);
}
