/* intr.c - the C side of the interrupt path (isr_dispatch, called by lib/isr64.S through
 * the IDT of lib/desc64.c) and the exception report.
 *
 * Vectors 0-31 are CPU exceptions: reported as
 *   EXCEPTION <n> (<name>) err=<hex> rip=<hex> cr2=<hex>
 * on serial and VGA, then the kernel leaves with debug-exit value 0x10 + n.
 * Vectors 32-47 are the remapped PIC IRQs, dispatched to irq_set_handler's handlers.
 * Anything else is reported and ignored. #DF runs on IST1 (see lib/desc64.c). */
#include "skeletal.h"
#include "../lib/io.h"
#include "../lib/pic.h"
#include "../lib/printf.h"
#include "../lib/vga.h"

static irq_handler_fn irq_handlers[16];

static const char *const exception_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved 15",
    "#MF x87 floating point", "#AC alignment check", "#MC machine check",
    "#XM SIMD floating point", "#VE virtualization", "#CP control protection",
    "reserved 22", "reserved 23", "reserved 24", "reserved 25", "reserved 26", "reserved 27",
    "#HV hypervisor injection", "#VC VMM communication", "#SX security", "reserved 31",
};

void irq_set_handler(unsigned irq, irq_handler_fn fn)
{
    if (irq < 16)
        irq_handlers[irq] = fn;
}

static void exception(struct int_frame *f)
{
    static int reporting;
    if (reporting++)
        kernel_exit(EXIT_NESTED_FAULT);
    vga_set_color(VGA_WHITE, VGA_RED);
    kprintf("EXCEPTION %lu (%s) err=0x%lx rip=0x%lx cr2=0x%lx\n", (unsigned long)f->vector,
            exception_names[f->vector], (unsigned long)f->error, (unsigned long)f->rip,
            (unsigned long)read_cr2());
    kernel_exit((uint8_t)(EXIT_EXCEPTION_BASE + f->vector));
}

void isr_dispatch(struct int_frame *f)
{
    uint64_t v = f->vector;
    if (v < 32) {
        exception(f);
    } else if (v < 48) {
        unsigned irq = (unsigned)(v - IRQ_BASE_MASTER);
        if ((irq == 7 || irq == 15) && pic_spurious(irq))
            return;
        if (irq_handlers[irq])
            irq_handlers[irq](f);
        else
            pic_eoi(irq);
    } else {
        kprintf("%s: unexpected interrupt %lu\n", kernel_name, (unsigned long)v);
    }
}
