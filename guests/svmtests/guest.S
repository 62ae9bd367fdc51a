/* guest.S - the code the test guests run, and the guests' interrupt stubs.
 *
 * A snippet g_<name> runs some set-up, then the instruction under test at g_<name>_i,
 * then GEND at g_<name>_n: "r15 = -1; VMMCALL" (the normal end of a guest). A guest
 * that takes an exception or interrupt through its own IDT (harness.c: guest_idt_base)
 * ends in guest_isr_<v>: "r15 = v; r14 = rsp; VMMCALL", so the host sees which vector
 * was delivered and can read the frame the CPU pushed at r14. Inputs come in through
 * the registers run_guest loads (guest_regs, VMCB RAX/RSP). */
    .code64
    .section .text.guest, "ax", @progbits

.macro GLABEL name
    .globl \name
    .type \name, @function
\name:
.endm

.macro GEND
    mov     $-1, %r15
9:  vmmcall
    jmp     9b
.endm

/* SNIP name, "set-up", "instruction" */
.macro SNIP name, setup, insn
    .balign 16
GLABEL g_\name
    \setup
GLABEL g_\name\()_i
    \insn
GLABEL g_\name\()_n
    GEND
.endm

SNIP end,     "", ""
SNIP state,   "movabs $0x1111222233334444, %rax; sub $0x40, %rsp; mov $1, %ecx; cmp $1, %ecx; stc", "vmmcall"
/* control and debug registers */
SNIP cr0r,    "", "mov %cr0, %rax"
SNIP cr0w,    "mov %cr0, %rax", "mov %rax, %cr0"
SNIP cr3r,    "", "mov %cr3, %rax"
SNIP cr3w,    "mov %cr3, %rax", "mov %rax, %cr3"
SNIP cr4r,    "", "mov %cr4, %rax"
SNIP cr4w,    "mov %cr4, %rax", "mov %rax, %cr4"
SNIP cr8r,    "", "mov %cr8, %rbx"
SNIP cr8w,    "mov $7, %eax", "mov %rax, %cr8"
SNIP dr0r,    "", "mov %dr0, %rax"
SNIP dr7w,    "mov $0x400, %eax", "mov %rax, %dr7"
SNIP cr0ts,   "mov %cr0, %rax; xor $8, %rax", "mov %rax, %cr0"       /* toggles TS only */
SNIP cr0wp,   "mov %cr0, %rax; xor $0x10000, %rax", "mov %rax, %cr0" /* toggles WP */
/* exceptions */
SNIP ud,      "", "ud2"
SNIP de,      "xor %ecx, %ecx; xor %edx, %edx; mov $1, %eax", "div %ecx"
SNIP pfr,     "movabs $0x100000008, %rbx", "mov (%rbx), %rax"
SNIP pfw,     "movabs $0x100000010, %rbx", "mov %rax, (%rbx)"
SNIP gp,      "mov $0x1230, %eax", "mov %eax, %ds"
SNIP bp,      "", "int3"
/* descriptor-table instructions (operands in guest_scratch) */
SNIP sidt,    "", "sidt guest_scratch(%rip)"
SNIP sgdt,    "", "sgdt guest_scratch(%rip)"
SNIP sldt,    "", "sldt %ax"
SNIP str,     "", "str %ax"
SNIP lidt,    "sidt guest_scratch(%rip)", "lidt guest_scratch(%rip)"
SNIP lgdt,    "sgdt guest_scratch(%rip)", "lgdt guest_scratch(%rip)"
SNIP lldt,    "xor %eax, %eax", "lldt %ax"
SNIP ltr,     "mov $0x28, %eax", "ltr %ax"
SNIP lidt_rbx, "", "lidt (%rbx)"
/* other instructions */
SNIP rdtsc,   "", "rdtsc"
SNIP rdtscp,  "", "rdtscp"
SNIP rdpmc,   "xor %ecx, %ecx", "rdpmc"
SNIP pushf,   "", "pushfq"
SNIP popf,    "pushfq", "popfq"
SNIP cpuid,   "xor %eax, %eax", "cpuid"
SNIP iret,    "mov %rsp, %rax; push $0x10; push %rax; pushfq; push $0x08; lea g_iret_n(%rip), %rax; push %rax", "iretq"
SNIP intn,    "", "int $0x30"
SNIP invd,    "", "invd"
SNIP pause,   "", "pause"
SNIP hlt,     "", "hlt"
SNIP invlpg,  "mov $0x1234000, %ebx", "invlpg (%rbx)"
SNIP invlpga, "mov $0x1234000, %eax; mov $1, %ecx", "invlpga %rax, %ecx"
SNIP vmrun,   "mov %r8, %rax", "vmrun %rax"
SNIP vmmcall, "", "vmmcall"
SNIP vmload,  "mov %r8, %rax", "vmload %rax"
SNIP vmsave,  "mov %r8, %rax", "vmsave %rax"
SNIP stgi,    "", "stgi"
SNIP clgi,    "", "clgi"
SNIP icebp,   "", ".byte 0xf1"
SNIP wbinvd,  "", "wbinvd"
SNIP monitor, "lea guest_scratch(%rip), %rax; xor %ecx, %ecx; xor %edx, %edx", "monitor %rax, %ecx, %edx"
SNIP mwait,   "xor %eax, %eax; xor %ecx, %ecx", "mwait %eax, %ecx"
SNIP xsetbv,  "xor %ecx, %ecx; xor %edx, %edx; mov $1, %eax", "xsetbv"
/* I/O (port in rdx, string source in rsi, count in rcx: from guest_regs) */
SNIP inb,     "", "in %dx, %al"
SNIP outw,    "", "out %ax, %dx"
SNIP inl,     "", "in %dx, %eax"
SNIP outb,    "", "out %al, %dx"
SNIP outl,    "", "out %eax, %dx"
SNIP outsb,   "", "rep outsb"
/* MSRs (ecx, edx from guest_regs; eax from VMCB RAX) */
SNIP rdmsr,   "", "rdmsr"
SNIP wrmsr,   "", "wrmsr"
/* interrupts and shadows */
SNIP sti_nops, "sti", "nop; nop; nop; nop"
SNIP sti_hlt, "sti", "hlt"
SNIP sti_vmmcall, "sti", "vmmcall"
SNIP movss_vmmcall, "mov %ss, %eax; mov %eax, %ss", "vmmcall"
SNIP nop_vmmcall, "nop", "vmmcall"
/* memory through rbx: read into rbx, write rcx, jump */
SNIP read_rbx, "", "mov (%rbx), %rbx"
SNIP write_rbx, "", "mov %rcx, (%rbx)"
SNIP jmp_rbx, "", "jmp *%rbx"

/* ---- the guests' interrupt stubs ---- */
.macro GISR vec
    .balign 16
GLABEL guest_isr_\vec
    mov     $\vec, %r15
    mov     %rsp, %r14
8:  vmmcall
    jmp     8b
.endm
    .altmacro
    .set    gisr_n, 0
    .rept   256
    GISR    %gisr_n
    .set    gisr_n, gisr_n + 1
    .endr
    .noaltmacro

.macro GISR_ADDR vec
    .quad   guest_isr_\vec
.endm
    .section .rodata
    .balign 8
    .globl guest_isr_table
guest_isr_table:
    .altmacro
    .set    gisr_n, 0
    .rept   256
    GISR_ADDR %gisr_n
    .set    gisr_n, gisr_n + 1
    .endr
    .noaltmacro

    .section .bss
    .balign 64
    .globl guest_scratch
guest_scratch:
    .skip   64

    .section .note.GNU-stack, "", @progbits
