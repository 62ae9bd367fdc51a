/* trap.c - the host's interrupt and exception handling.
 *
 * An exception while fault_call (vmrun.S) is armed is recorded in last_fault and the
 * interrupted code is abandoned: the handler returns to fault_landing at CPL0, which
 * unwinds to fault_call's caller with the vector. A #UD at user_done is fault_call's
 * own way back from ring 3 ("no fault"). Vector 0x20 (PIT, IRQ 0) counts host_ticks, vector 2
 * (NMI) host_nmis.
 * Any other exception is a harness bug: reported, then the suite stops with the
 * failure exit code. */
#include "harness.h"
#include "../lib/io.h"
#include "../lib/pic.h"
#include "../lib/printf.h"

struct fault last_fault;
volatile unsigned long host_ticks;
volatile unsigned long host_nmis;
uint64_t fault_armed, fault_rsp;
long fault_vector;
extern const char fault_landing[], user_done[];
__attribute__((noreturn)) void suite_abort(void);

void timer_irq(bool on)
{
    pic_set_mask(on ? 0xFFFE : 0xFFFF);
}

void isr_dispatch(struct int_frame *f)
{
    if (f->vector == 2) { /* NMI (a self-IPI from tests_event.c): counted */
        host_nmis++;
        return;
    }
    if (f->vector < 32 && fault_armed) {
        fault_armed = 0;
        bool returned = f->vector == 6 && f->rip == (uintptr_t)user_done;
        last_fault = (struct fault){ returned ? -1 : (long)f->vector, f->error, f->rip };
        fault_vector = last_fault.vector;
        f->rip = (uintptr_t)fault_landing;
        f->cs = KERNEL_CS;
        f->ss = KERNEL_DS;
        f->rsp = fault_rsp;
        f->rflags = 0x2;
        return;
    }
    if (f->vector == 0x20) {
        host_ticks++;
        pic_eoi(0);
        return;
    }
    if (f->vector > 0x20 && f->vector < 0x30) {
        pic_eoi((unsigned)(f->vector - 0x20));
        return;
    }
    uint64_t cr2;
    __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
    kprintf("\nUNEXPECTED host exception/interrupt %lu err=0x%lx rip=0x%lx cr2=0x%lx\n",
            (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->rip, (unsigned long)cr2);
    suite_abort();
}
