/* desc64.c - the 64-bit GDT (null, code, data, optionally ring-3 code and data, TSS), the TSS
 * (RSP0 for entries from ring 3; IST1, a separate stack for the double-fault handler so that
 * #DF works even when the kernel stack is bad) and the IDT of 256 interrupt gates to the
 * isr64.S stubs. */
#include "desc64.h"

#define GATE_INTERRUPT 0x8E
#define VEC_DOUBLE_FAULT 8

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iopb_offset;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS is 104 bytes");
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate is 16 bytes");

extern const uint64_t isr_table[256]; /* isr64.S */

/* null, kernel code, kernel data, [user code, user data,] TSS (a 16-byte system descriptor,
 * filled in by desc64_init); without user segments GDTR's limit ends after the TSS at 0x18. */
static uint64_t gdt[7] __attribute__((aligned(16))) = {
    0,                      /* 0x00 null */
    0x00AF9A000000FFFFull,  /* 0x08 kernel code: P, DPL 0, execute/read, L = 1 */
    0x00CF92000000FFFFull,  /* 0x10 kernel data: P, DPL 0, read/write */
};

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t double_fault_stack[4096] __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
struct desc_ptr desc64_gdtr, desc64_idtr;

void desc64_fill_idt(struct idt_gate table[256], const uint64_t handlers[256], unsigned df_ist)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t a = handlers[v];
        table[v] = (struct idt_gate){
            .offset_lo = (uint16_t)a,
            .selector = KERNEL_CS,
            .ist = (uint8_t)(v == VEC_DOUBLE_FAULT ? df_ist : 0),
            .type_attr = GATE_INTERRUPT,
            .offset_mid = (uint16_t)(a >> 16),
            .offset_hi = (uint32_t)(a >> 32),
            .reserved = 0,
        };
    }
}

void desc64_init(bool user_segments, uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
    tss.ist[DOUBLE_FAULT_IST - 1] = (uintptr_t)(double_fault_stack + sizeof double_fault_stack);
    tss.iopb_offset = sizeof tss; /* no I/O permission bitmap */

    uint16_t tss_sel = TSS_SEL_KERNEL_ONLY;
    if (user_segments) {
        gdt[USER_CS / 8] = 0x00AFFA000000FFFFull; /* user code: P, DPL 3, execute/read, L = 1 */
        gdt[USER_DS / 8] = 0x00CFF2000000FFFFull; /* user data: P, DPL 3, read/write */
        tss_sel = TSS_SEL_WITH_USER;
    }
    unsigned t = tss_sel / 8;
    uint64_t base = (uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[t] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 /* P, available 64-bit TSS */
           | ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    gdt[t + 1] = base >> 32;

    desc64_gdtr = (struct desc_ptr){ (uint16_t)((t + 2) * 8 - 1), (uintptr_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(desc64_gdtr) : "memory");
    /* Reload CS with a far return, then the data segments. */
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
    __asm__ volatile("ltr %w0" : : "r"(tss_sel) : "memory");

    desc64_fill_idt(idt, isr_table, DOUBLE_FAULT_IST);
    desc64_idtr = (struct desc_ptr){ sizeof idt - 1, (uintptr_t)idt };
    __asm__ volatile("lidt %0" : : "m"(desc64_idtr) : "memory");
}
