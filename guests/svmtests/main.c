/* main.c - svm-tests: a bare-metal AMD SVM conformance suite (APM Vol 2, chapter 15).
 *
 * One multiboot image; the host runs in 64-bit long mode at CPL0 with the first 1 GiB
 * identity-mapped (2 MiB pages, user-accessible so ring-3 checks can run host code),
 * EFER.SVME set and VM_HSAVE_PA pointing at hsave_area. The checks are tables of
 *     { name, fn, guest code, instruction, next instruction, intercept word/bits,
 *       expected exit, a, b, flags, note }
 * (struct test in harness.h), one table per area: tests_basic.c (discovery, #UD/#GP of
 * the SVM instructions), tests_vmrun.c (VMRUN consistency checks, guest/host state,
 * VMLOAD/VMSAVE), tests_icpt.c (instruction, CR/DR and exception intercepts, priorities),
 * tests_io.c (IOIO and MSR permission maps), tests_event.c (event injection, EXITINTINFO,
 * INTR/GIF, virtual interrupts, interrupt shadow), tests_npt.c (nested paging, ASIDs/TLB).
 * Each check starts from a freshly reset VMCB (harness.c: vmcb_reset), runs guest code from
 * guest.S and compares the #VMEXIT against the manual.
 *
 * Output (COM1), one line per check, numbered from 1:
 *     ok <n> <name>
 *     FAIL <n> <name>: <what was expected vs got>
 *     skip <n> <name>: <reason>
 * preceded by one line with CPUID 8000_000A EAX/EBX/EDX and followed by exactly
 *     <N> passed, <M> failed            (", <K> skipped" appended if any were skipped)
 * A check is skipped when CPUID says a feature it needs is absent (NRIPS, NP, DecodeAssists,
 * FlushByAsid, RDTSCP, MONITOR, XSAVE ...), or when it is flagged QEMU_DEVIATES (QEMU 7.2 TCG
 * does not do what the manual says; the table's note cites the section) and the kernel
 * command line contains the word "qemu" (the test runner appends it under QEMU).
 *
 * Exit: the debug-exit port 0xF4 (QEMU isa-debug-exit; Pacifica's debug-exit), 32-bit write:
 *     0x10  every check passed (or was skipped)       -> QEMU exit status 0x21 (33)
 *     0x11  at least one check failed, or the harness hit an unexpected host exception
 *                                                      -> QEMU exit status 0x23 (35)
 *     0x0F  lib/boot64.S: no long mode                       -> 0x1F (31)
 *     0x12  SVM unavailable (no CPUID bit, or VM_CR.SVMDIS) -> 0x25 (37)
 */
#include "harness.h"
#include "../lib/io.h"
#include "../lib/multiboot.h"
#include "../lib/pic.h"
#include "../lib/pit.h"
#include "../lib/printf.h"
#include "../lib/serial.h"
#include "../lib/string.h"

#define EXIT_PASS   0x10
#define EXIT_FAIL   0x11
#define EXIT_NO_SVM 0x12

void result_reset(void);
int result_state(void);
extern char result_msg[];

static unsigned n_pass, n_fail, n_skip, n_check;
/* The TSS's RSP0: the stack of faults taken in ring 3 (fault_call with user = 1). */
static uint8_t rsp0_stack[8192] __attribute__((aligned(16)));

static void out(char c, void *ctx)
{
    (void)ctx;
    serial_putc(c);
}

static __attribute__((noreturn)) void leave(uint32_t code)
{
    outl(DEBUG_EXIT_PORT, code);
    for (;;) {
        cli();
        hlt();
    }
}

__attribute__((noreturn)) void suite_abort(void)
{
    kprintf("FAIL %u (aborted: unexpected host exception)\n", n_check);
    kprintf("%u passed, %u failed\n", n_pass, n_fail + 1);
    leave(EXIT_FAIL);
}

static bool has_word(const char *s, const char *w)
{
    size_t n = strlen(w);
    while (s && *s) {
        while (*s == ' ')
            s++;
        const char *e = s;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - s) == n && !strncmp(s, w, n))
            return true;
        s = e;
    }
    return false;
}

static const char *missing_feature(uint32_t flags)
{
    uint32_t c1, d1, ce, de;
    cpuid(1, 0, 0, 0, &c1, &d1);
    cpuid(0x80000001, 0, 0, 0, &ce, &de);
    if ((flags & NEED_NP) && !(svm_edx & SVM_FEAT_NP)) return "NP absent (CPUID 8000_000A EDX[0])";
    if ((flags & NEED_NRIPS) && !(svm_edx & SVM_FEAT_NRIPS)) return "NRIPS absent (CPUID 8000_000A EDX[3])";
    if ((flags & NEED_DECODE) && !(svm_edx & SVM_FEAT_DECODE)) return "DecodeAssists absent (CPUID 8000_000A EDX[7])";
    if ((flags & NEED_FLUSHASID) && !(svm_edx & SVM_FEAT_FLUSHASID)) return "FlushByAsid absent (CPUID 8000_000A EDX[6])";
    if ((flags & NEED_VMCBCLEAN) && !(svm_edx & SVM_FEAT_VMCBCLEAN)) return "VmcbClean absent (CPUID 8000_000A EDX[5])";
    if ((flags & NEED_VGIF) && !(svm_edx & SVM_FEAT_VGIF)) return "VGIF absent (CPUID 8000_000A EDX[16])";
    if ((flags & NEED_RDTSCP) && !(de & (1u << 27))) return "RDTSCP absent (CPUID 8000_0001 EDX[27])";
    if ((flags & NEED_MONITOR) && !(c1 & (1u << 3))) return "MONITOR/MWAIT absent (CPUID 1 ECX[3])";
    if ((flags & NEED_XSAVE) && !(c1 & (1u << 26))) return "XSAVE absent (CPUID 1 ECX[26])";
    if ((flags & NEED_GI_UD) && ((svm_edx & SVM_FEAT_SVML) || (ce & (1u << 12))))
        return "SVM-Lock or SKINIT present: STGI/CLGI are legal with EFER.SVME=0";
    return 0;
}

static void run_table(const struct test *t)
{
    for (; t->name; t++) {
        n_check++;
        result_reset();
        const char *miss = missing_feature(t->flags);
        if (miss) {
            skip("%s", miss);
        } else if ((t->flags & QEMU_DEVIATES) && on_qemu) {
            skip("(QEMU deviates: %s)", t->note);
        } else {
            cli();
            t->fn(t);
            cli();
            timer_irq(false);
            stgi();
            npt_reset();
        }
        switch (result_state()) {
        case 0: n_pass++; kprintf("ok %u %s\n", n_check, t->name); break;
        case 1: n_fail++; kprintf("FAIL %u %s: %s\n", n_check, t->name, result_msg); break;
        default: n_skip++; kprintf("skip %u %s: %s\n", n_check, t->name, result_msg); break;
        }
    }
}

void kmain(uint32_t magic, uint32_t mbi_addr)
{
    serial_init();
    kprintf_set_sink(out, 0);
    desc64_init(true, (uintptr_t)(rsp0_stack + sizeof rsp0_stack));
    const struct multiboot_info *mbi =
        magic == MULTIBOOT_BOOTLOADER_MAGIC ? (const struct multiboot_info *)(uintptr_t)mbi_addr : 0;
    const char *cmdline = mbi && (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uintptr_t)mbi->cmdline : 0;
    on_qemu = has_word(cmdline, "qemu");

    uint32_t ecx;
    cpuid(0x80000001, 0, 0, 0, &ecx, 0);
    cpuid(0x8000000A, 0, &svm_eax, &svm_ebx, 0, &svm_edx);
    kprintf("svm-tests: CPUID 8000_000A EAX=0x%08x EBX=0x%08x EDX=0x%08x%s\n", svm_eax, svm_ebx, svm_edx,
            on_qemu ? " (qemu: QEMU_DEVIATES checks skipped)" : "");
    if (!(ecx & CPUID_80000001_ECX_SVM) || (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)) {
        kprintf("svm-tests: SVM not available (CPUID 8000_0001 ECX[2]=%u)\n", (ecx >> 2) & 1);
        kprintf("0 passed, 1 failed\n");
        leave(EXIT_NO_SVM);
    }
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME | EFER_NXE);
    wrmsr(MSR_VM_HSAVE_PA, pa(hsave_area));
    npt_init();
    pic_remap(0x20, 0x28, 0xFFFF);
    pit_start_periodic(1000);

    run_table(tests_basic);
    run_table(tests_vmrun);
    run_table(tests_icpt);
    run_table(tests_io);
    run_table(tests_event);
    run_table(tests_npt);

    if (n_skip)
        kprintf("%u passed, %u failed, %u skipped\n", n_pass, n_fail, n_skip);
    else
        kprintf("%u passed, %u failed\n", n_pass, n_fail);
    leave(n_fail ? EXIT_FAIL : EXIT_PASS);
}
