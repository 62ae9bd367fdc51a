/* msr.c - the MSR permission map and #VMEXIT(MSR) (APM Vol 2 §15.11).
 *
 * The MSRPM (8 KiB) has two bits per MSR (read, write) for MSRs 0000_0000-0000_1FFF
 * (bytes 0x000-0x7FF), C000_0000-C000_1FFF (0x800-0xFFF) and C001_0000-C001_1FFF
 * (0x1000-0x17FF). We intercept every MSR except the ones whose guest value lives in the
 * VMCB and is switched by VMRUN/VMLOAD/VMSAVE (FS/GS base, KernelGSbase, STAR, LSTAR,
 * CSTAR, SFMASK, SYSENTER_*, PAT) and reads of the TSC. Intercepted:
 *   EFER (C000_0080)  reads hide SVME; writes keep SVME set (VMRUN needs it) and LMA as is
 *   VM_CR (C001_0114) reads say SVMDIS | LOCK (no SVM for guests); writes dropped
 *   anything else     reads 0, writes dropped */
#include "hvmm.h"
#include "../lib/string.h"

static void msrpm_pass(uint8_t *msrpm, uint32_t msr, bool read, bool write)
{
    uint32_t base;
    if (msr < 0x2000)
        base = 0;
    else if (msr >= 0xC0000000 && msr < 0xC0002000)
        base = 0x800 * 8, msr -= 0xC0000000;
    else if (msr >= 0xC0010000 && msr < 0xC0012000)
        base = 0x1000 * 8, msr -= 0xC0010000;
    else
        return;
    uint32_t bit = base + msr * 2;
    if (read)
        msrpm[bit / 8] &= (uint8_t)~(1u << (bit % 8));
    if (write)
        msrpm[(bit + 1) / 8] &= (uint8_t)~(1u << ((bit + 1) % 8));
}

void msrpm_init(uint8_t *msrpm)
{
    static const uint32_t pass[] = {
        0xC0000100, 0xC0000101, 0xC0000102,          /* FS_BASE, GS_BASE, KERNEL_GS_BASE */
        0xC0000081, 0xC0000082, 0xC0000083, 0xC0000084, /* STAR, LSTAR, CSTAR, SFMASK */
        0x174, 0x175, 0x176,                         /* SYSENTER_CS/ESP/EIP */
        0x277,                                       /* PAT (guest PAT with nested paging) */
    };
    memset(msrpm, 0xFF, 2 * 4096);
    for (unsigned i = 0; i < sizeof pass / sizeof pass[0]; i++)
        msrpm_pass(msrpm, pass[i], true, true);
    msrpm_pass(msrpm, 0x10, true, false);            /* TSC: read only */
}

void handle_msr(struct vm *vm)
{
    struct vmcb_save *s = &vm->vmcb->save;
    bool write = vm->vmcb->control.exitinfo1 == 1;
    uint32_t msr = (uint32_t)vm->regs.rcx;
    uint64_t value = (s->rax & 0xFFFFFFFF) | (vm->regs.rdx << 32), result = 0;

    if (msr == MSR_EFER) {
        if (write)
            s->efer = (value & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
        else
            result = s->efer & ~EFER_SVME;
    } else if (msr == MSR_VM_CR) {
        result = VM_CR_SVMDIS | VM_CR_LOCK;
    } else if (!write && config.log && config.log_io) {
        hv_log("hvmm: vm %d %s: rdmsr 0x%x -> 0 (not emulated)\n", vm->id, vm->name, msr);
    } else if (config.log && config.log_io) {
        hv_log("hvmm: vm %d %s: wrmsr 0x%x <- 0x%llx dropped\n", vm->id, vm->name, msr,
               (unsigned long long)value);
    }
    if (!write) {
        s->rax = result & 0xFFFFFFFF;
        vm->regs.rdx = result >> 32;
    }
    s->rip = vm_next_rip(vm, 2);                    /* RDMSR/WRMSR are 0F 32 / 0F 30 */
}
