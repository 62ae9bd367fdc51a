/* desc.c - the HVMM's GDT (with a 64-bit TSS), IDT and interrupt dispatch (adapted from
 * skeletal/gdt.c and skeletal/idt.c). IRQ 0 is the scheduler's timer; an exception in the
 * HVMM itself is reported and ends the machine (debug-exit HVMM_EXIT_EXCEPTION). */
#include "hvmm.h"
#include "../lib/io.h"
#include "../lib/pic.h"

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL   0x18

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iopb_offset;
} __attribute__((packed));

struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
} __attribute__((packed));

extern const uint64_t isr_table[256];   /* isr.S */

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0, 0x00AF9A000000FFFFull, 0x00CF92000000FFFFull, 0, 0,
};
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));

void desc_init(void)
{
    tss.ist[0] = (uintptr_t)(df_stack + sizeof df_stack);
    tss.iopb_offset = sizeof tss;
    uint64_t base = (uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 |
             ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    gdt[4] = base >> 32;
    struct desc_ptr g = { sizeof gdt - 1, (uintptr_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(g) : "memory");
    __asm__ volatile("pushq %[cs]\n\tleaq 1f(%%rip), %%rax\n\tpushq %%rax\n\tlretq\n1:\n\t"
                     "movl %[ds], %%eax\n\tmovl %%eax, %%ds\n\tmovl %%eax, %%es\n\tmovl %%eax, %%ss"
                     : : [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)TSS_SEL) : "memory");

    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = isr_table[v];
        idt[v] = (struct idt_gate){ (uint16_t)a, KERNEL_CS, v == 8 ? 1 : 0, 0x8E,
                                    (uint16_t)(a >> 16), (uint32_t)(a >> 32), 0 };
    }
    struct desc_ptr i = { sizeof idt - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(i) : "memory");
}

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
