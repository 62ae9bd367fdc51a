/* skeletal.h - shared declarations of the skeletal guest kernel. */
#ifndef PACIFICA_SKELETAL_H
#define PACIFICA_SKELETAL_H

#include <stdint.h>

/* Selectors of the kernel GDT (gdt.c); 0x08/0x10 match the boot GDT in boot.S. */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL   0x18

/* Vectors after the PIC remap. */
#define IRQ_BASE_MASTER 0x20
#define IRQ_BASE_SLAVE  0x28

/* debug-exit values (QEMU exit status = (value << 1) | 1). */
#define EXIT_DONE            0x00 /* ticks=N reached */
#define EXIT_NESTED_FAULT    0x0E /* an exception while reporting an exception */
#define EXIT_NO_LONG_MODE    0x0F /* boot.S: CPUID says no long mode */
#define EXIT_EXCEPTION_BASE  0x10 /* + vector: an exception was reported */

/* The frame isr_common builds on the stack (lowest address first). */
struct int_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;            /* pushed by the stub (error: by the CPU or 0) */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

typedef void (*irq_handler_fn)(struct int_frame *f);

/* gdt.c */
void gdt_init(void);

/* idt.c */
void idt_init(void);
/* Handler for IRQ 0-15; it must send the EOI itself. Unhandled IRQs are acknowledged. */
void irq_set_handler(unsigned irq, irq_handler_fn fn);
void isr_dispatch(struct int_frame *f);

/* main.c */
extern const char *kernel_name;
/* Leave through the debug-exit port; if that returns (no such device), halt forever. */
__attribute__((noreturn)) void kernel_exit(uint8_t value);

/* boot.S */
extern uint32_t boot_magic, boot_mbi;
void kmain(uint32_t magic, uint32_t mbi);

#endif
