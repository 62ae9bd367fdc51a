/* gdt.c - the kernel's 64-bit GDT (null, code, data, TSS) and its TSS: RSP0 for entries
 * from ring 3 (none yet, but the TSS needs one) and IST1, a separate stack for the
 * double-fault handler so that #DF works even when the kernel stack is bad. */
#include "skeletal.h"

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

struct gdt_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0,                      /* 0x00 null */
    0x00AF9A000000FFFFull,  /* 0x08 code: P, DPL 0, execute/read, L = 1 */
    0x00CF92000000FFFFull,  /* 0x10 data: P, DPL 0, read/write */
    0, 0,                   /* 0x18 TSS (16-byte system descriptor), filled in gdt_init */
};

static struct tss64 tss __attribute__((aligned(16)));
uint8_t rsp0_stack[4096] __attribute__((aligned(16)));
uint8_t double_fault_stack[4096] __attribute__((aligned(16)));

void gdt_init(void)
{
    tss.rsp[0] = (uint64_t)(uintptr_t)(rsp0_stack + sizeof rsp0_stack);
    tss.ist[0] = (uint64_t)(uintptr_t)(double_fault_stack + sizeof double_fault_stack);
    tss.iopb_offset = sizeof tss; /* no I/O permission bitmap */

    uint64_t base = (uintptr_t)&tss, limit = sizeof tss - 1;
    gdt[3] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | 0x89ull << 40 /* P, available 64-bit TSS */
           | ((limit >> 16) & 0xF) << 48 | ((base >> 24) & 0xFF) << 56;
    gdt[4] = base >> 32;

    struct gdt_ptr ptr = { sizeof gdt - 1, (uintptr_t)gdt };
    __asm__ volatile("lgdt %0" : : "m"(ptr) : "memory");
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
    __asm__ volatile("ltr %w0" : : "r"((uint16_t)TSS_SEL) : "memory");
}
