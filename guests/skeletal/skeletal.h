/* skeletal.h - shared declarations of the skeletal guest kernel. */
#ifndef PACIFICA_SKELETAL_H
#define PACIFICA_SKELETAL_H

#include <stdint.h>
#include "../lib/desc64.h"   /* GDT/TSS/IDT (desc64_init), struct int_frame */

/* Vectors after the PIC remap. */
#define IRQ_BASE_MASTER 0x20
#define IRQ_BASE_SLAVE  0x28

/* debug-exit values (QEMU exit status = (value << 1) | 1). */
#define EXIT_DONE            0x00 /* ticks=N reached */
#define EXIT_NESTED_FAULT    0x0E /* an exception while reporting an exception */
#define EXIT_NO_LONG_MODE    0x0F /* lib/boot64.S: CPUID says no long mode */
#define EXIT_EXCEPTION_BASE  0x10 /* + vector: an exception was reported */

typedef void (*irq_handler_fn)(struct int_frame *f);

/* intr.c (and isr_dispatch, declared in lib/desc64.h) */
/* Handler for IRQ 0-15; it must send the EOI itself. Unhandled IRQs are acknowledged. */
void irq_set_handler(unsigned irq, irq_handler_fn fn);

/* main.c */
extern const char *kernel_name;
/* Leave through the debug-exit port; if that returns (no such device), halt forever. */
__attribute__((noreturn)) void kernel_exit(uint8_t value);

/* boot.S (lib/boot64.S) */
extern uint32_t boot_magic, boot_mbi;
void kmain(uint32_t magic, uint32_t mbi);

#endif
