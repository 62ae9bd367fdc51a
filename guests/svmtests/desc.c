/* desc.c - the host's GDT (kernel and user segments, TSS) and IDT.
 *
 * GDT: 0x08 64-bit code DPL0, 0x10 data DPL0, 0x18 64-bit code DPL3, 0x20 data DPL3,
 * 0x28 the 64-bit TSS (RSP0 for faults taken in ring 3, IST1 for #DF). */
#include "harness.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iopb_offset;
} __attribute__((packed));

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

static uint64_t gdt[7] __attribute__((aligned(16))) = {
    0,
    0x00AF9A000000FFFFull,  /* 0x08 kernel code, L = 1 */
    0x00CF92000000FFFFull,  /* 0x10 kernel data */
    0x00AFFA000000FFFFull,  /* 0x18 user code, DPL 3, L = 1 */
    0x00CFF2000000FFFFull,  /* 0x20 user data, DPL 3 */
    0, 0,                   /* 0x28 TSS */
};

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t rsp0_stack[8192] __attribute__((aligned(16)));
static uint8_t df_stack[4096] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
struct dtr host_gdtr, host_idtr;

extern const uint64_t isr_table[256]; /* isr.S */

void desc_init(void)
{
    tss.rsp[0] = (uintptr_t)(rsp0_stack + sizeof rsp0_stack);
    tss.ist[0] = (uintptr_t)(df_stack + sizeof df_stack);
    tss.iopb_offset = sizeof tss;
    uint64_t base = (uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[5] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 | ((limit >> 16) & 0xF) << 48 |
             ((base >> 24) & 0xFF) << 56;
    gdt[6] = base >> 32;
    host_gdtr = (struct dtr){ sizeof gdt - 1, (uintptr_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(host_gdtr) : "memory");
    __asm__ volatile("pushq %[cs]\n\t"
                     "leaq 1f(%%rip), %%rax\n\t"
                     "pushq %%rax\n\t"
                     "lretq\n"
                     "1:\n\t"
                     "movl %[ds], %%eax\n\t"
                     "movl %%eax, %%ds\n\t"
                     "movl %%eax, %%es\n\t"
                     "movl %%eax, %%ss\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "movl %%eax, %%fs\n\t"
                     "movl %%eax, %%gs"
                     : : [cs] "i"(KERNEL_CS), [ds] "i"(KERNEL_DS) : "rax", "memory");
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)TSS_SEL) : "memory");

    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = isr_table[v];
        idt[v] = (struct idt_gate){ (uint16_t)a, KERNEL_CS, v == 8 ? 1 : 0, 0x8E, (uint16_t)(a >> 16),
                                    (uint32_t)(a >> 32), 0 };
    }
    host_idtr = (struct dtr){ sizeof idt - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(host_idtr) : "memory");
}

/* The guests' IDT: every vector goes to a guest.S stub that reports it with VMMCALL. */
static struct idt_gate guest_idt_tab[256] __attribute__((aligned(4096)));
extern const uint64_t guest_isr_table[256]; /* guest.S */

uint64_t guest_idt_base(void)
{
    if (!guest_idt_tab[0].type_attr)
        for (unsigned v = 0; v < 256; v++) {
            uint64_t a = guest_isr_table[v];
            guest_idt_tab[v] = (struct idt_gate){ (uint16_t)a, KERNEL_CS, 0, 0x8E, (uint16_t)(a >> 16),
                                                  (uint32_t)(a >> 32), 0 };
        }
    return (uintptr_t)guest_idt_tab;
}
