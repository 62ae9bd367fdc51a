/* vmboot.c - paper Table 2, box VM_BOOT: hand the CPU to the guest with VMRUN.
 *
 * CLGI first, so that nothing interrupts the world switch (vm_run's VMLOAD/VMSAVE pairs);
 * RFLAGS.IF stays 1, so with INTR intercepted and V_INTR_MASKING = 1 a host interrupt
 * (the PIT) ends the guest's run in #VMEXIT(INTR) (APM Vol 2 §15.21). After the exit STGI
 * opens the gate again and the still-pending interrupt is taken by the HVMM's own IDT
 * (intr.c -> timer_irq, which sends the EOI) before handle_vmexit looks at the exit. */
#include "hvmm.h"
#include "../lib/io.h"

/* Paper Table 2: VM_BOOT(vm) { Transfer control to the Guest OS within the vm using special
 * SVM Instructions } */
void vm_boot(struct vm *vm)
{
    struct vmcb_control *c = &vm->vmcb->control;
    c->tlb_control = vm->first_run ? TLB_CONTROL_FLUSH_ALL : TLB_CONTROL_NOTHING;
    c->vmcb_clean = 0;                /* we may have changed anything: reload it all */
    vm->first_run = false;
    vm->vmruns++;
    clgi();
    vm_run((uintptr_t)vm->vmcb, &vm->regs, host_vmsave_pa);
    stgi();
}
