/* desc64.h - the 64-bit GDT, TSS and IDT of the images that take interrupts (desc64.c) and
 * the frame the interrupt stubs of isr64.S build. The selectors are usable from assembly
 * (.S) too. */
#ifndef PACIFICA_LIB_DESC64_H
#define PACIFICA_LIB_DESC64_H

/* Selectors of the GDT desc64_init loads; 0x08/0x10 match the boot GDT in boot64.S. */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
/* With user segments: 64-bit code and data at DPL 3 (RPL 3 selectors), the TSS after them. */
#define USER_CS   0x1b
#define USER_DS   0x23
#define TSS_SEL_KERNEL_ONLY 0x18
#define TSS_SEL_WITH_USER   0x28

/* The IDT gives #DF this IST stack, so that a double fault works even on a bad kernel stack. */
#define DOUBLE_FAULT_IST 1

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* The frame isr_common (isr64.S) builds on the stack (lowest address first). */
struct int_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;            /* pushed by the stub (error: by the CPU or 0) */
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* LGDT/LIDT operand (and what SGDT/SIDT store). */
struct desc_ptr {
    uint16_t limit;
    uint64_t base;
} __attribute__((packed));

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;      /* P | DPL | type (0xE = 64-bit interrupt gate) */
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __attribute__((packed));

/* Load the GDT (null, kernel code, kernel data, [user code, user data,] 64-bit TSS), reload
 * CS, DS, ES, SS (FS = GS = 0) and TR, then load an IDT of 256 interrupt gates to the
 * isr64.S stubs (#DF on IST1). rsp0: the TSS's RSP0, the stack for interrupts and
 * exceptions taken at CPL3 (0: no ring 3 code runs). */
void desc64_init(bool user_segments, uint64_t rsp0);
/* What desc64_init loaded into GDTR and IDTR. */
extern struct desc_ptr desc64_gdtr, desc64_idtr;
/* Fill idt[0..255] with DPL0 interrupt gates to handlers[v] in KERNEL_CS; vector 8 (#DF)
 * gets IST df_ist (0: none). */
void desc64_fill_idt(struct idt_gate idt[256], const uint64_t handlers[256], unsigned df_ist);

/* Each image provides the C side of isr64.S. */
void isr_dispatch(struct int_frame *f);

#endif /* !__ASSEMBLER__ */
#endif
