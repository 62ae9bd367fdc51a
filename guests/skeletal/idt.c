/* idt.c - 256 interrupt gates, the C side of the interrupt path, and the exception report.
 *
 * Vectors 0-31 are CPU exceptions: reported as
 *   EXCEPTION <n> (<name>) err=<hex> rip=<hex> cr2=<hex>
 * on serial and VGA, then the kernel leaves with debug-exit value 0x10 + n.
 * Vectors 32-47 are the remapped PIC IRQs, dispatched to irq_set_handler's handlers.
 * Anything else is reported and ignored. #DF runs on IST1 (see gdt.c). */
#include "skeletal.h"
#include "../lib/io.h"
#include "../lib/pic.h"
#include "../lib/printf.h"
#include "../lib/vga.h"

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;      /* P | DPL | type (0xE = 64-bit interrupt gate) */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

#define GATE_INTERRUPT 0x8E
#define VEC_DOUBLE_FAULT 8
#define DOUBLE_FAULT_IST 1

extern const uint64_t isr_table[256]; /* isr.S */

static struct idt_gate idt[256] __attribute__((aligned(16)));
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

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = isr_table[v];
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)a,
            .selector = KERNEL_CS,
            .ist = v == VEC_DOUBLE_FAULT ? DOUBLE_FAULT_IST : 0,
            .type_attr = GATE_INTERRUPT,
            .offset_mid = (uint16_t)(a >> 16),
            .offset_hi = (uint32_t)(a >> 32),
            .reserved = 0,
        };
    }
    struct idt_ptr ptr = { sizeof idt - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}

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
