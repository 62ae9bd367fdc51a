/* intr.c - the HVMM's interrupt dispatch (isr_dispatch, called by lib/isr64.S through the
 * IDT of lib/desc64.c). IRQ 0 is the scheduler's timer; an exception in the HVMM itself is
 * reported and ends the machine (debug-exit HVMM_EXIT_EXCEPTION). */
#include "hvmm.h"
#include "../lib/io.h"
#include "../lib/pic.h"

void isr_dispatch(struct int_frame *f)
{
    uint64_t v = f->vector;
    if (v == IRQ_BASE_MASTER) {
        timer_irq();
    } else if (v > IRQ_BASE_MASTER && v < IRQ_BASE_SLAVE + 8) {
        unsigned irq = (unsigned)(v - IRQ_BASE_MASTER);
        if (!((irq == 7 || irq == 15) && pic_spurious(irq)))
            pic_eoi(irq);
    } else {
        hv_say("hvmm: *** HVMM exception %lu err 0x%lx rip 0x%lx cr2 0x%lx ***\n", (unsigned long)v,
               (unsigned long)f->error, (unsigned long)f->rip, (unsigned long)read_cr2());
        hvmm_exit(HVMM_EXIT_EXCEPTION);
    }
}
