/* boot.S - multiboot header and 32-bit entry of the g-* guests (adapted from skeletal/boot.S).
 *
 * The loader (GRUB, QEMU -kernel, Pacifica's loader, the HVMM) enters _start in 32-bit
 * protected mode, paging off, EAX = 0x2BADB002, EBX = physical address of the multiboot
 * information. We save both, zero .bss, build page tables that identity-map the first
 * 1 GiB with 2 MiB pages (PML4 -> PDPT -> PD), enable PAE, set EFER.LME, enable paging
 * (which activates long mode), load a 64-bit GDT, far-jump to 64-bit code and call
 * kmain(magic, mbi). No IDT: these guests take no interrupts (an exception triple-faults,
 * which the HVMM sees as #VMEXIT(SHUTDOWN)). Under the HVMM the CPUID, RDMSR and WRMSR here
 * are intercepted and emulated. */
#include "../lib/multiboot.h"

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080           /* 2 MiB page in a PD entry */
#define CR0_PE  0x00000001
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xC0000080
#define EFER_LME 0x00000100

#define BOOT_CS 0x08
#define BOOT_DS 0x10

/* ---- multiboot header (first bytes of .text, load_addr = 0x100000) ---------------- */
    .section .multiboot, "a"
    .balign 4
    .globl multiboot_header
    .type multiboot_header, @object
multiboot_header:
    .long MULTIBOOT_HEADER_MAGIC
    .long MB_FLAGS
    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)
    .long multiboot_header      /* header_addr */
    .long __load_start          /* load_addr */
    .long __load_end            /* load_end_addr */
    .long __bss_end             /* bss_end_addr */
    .long _start                /* entry_addr */
    .size multiboot_header, . - multiboot_header

/* ---- 32-bit entry ------------------------------------------------------------------ */
    .section .text.boot, "ax", @progbits
    .code32
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    mov     %eax, %esi                  /* multiboot magic (rep stos uses eax/ecx/edi) */

    /* zero .bss: page tables, stacks, C statics */
    mov     $__bss_start, %edi
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    shr     $2, %ecx
    xor     %eax, %eax
    rep stosl

    mov     %esi, boot_magic
    mov     %ebx, boot_mbi
    mov     $boot_stack_top, %esp

    /* long mode available? (cpuid clobbers ebx: the mbi pointer is saved already) */
    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    test    $(1 << 29), %edx
    jz      no_long_mode

    /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB (present, writable, 2 MiB page) */
    mov     $boot_pdpt, %eax
    or      $(PTE_P | PTE_W), %eax
    mov     %eax, boot_pml4
    mov     $boot_pd, %eax
    or      $(PTE_P | PTE_W), %eax
    mov     %eax, boot_pdpt
    mov     $boot_pd, %edi
    mov     $(PTE_P | PTE_W | PTE_PS), %eax
    mov     $512, %ecx
1:  mov     %eax, (%edi)
    movl    $0, 4(%edi)
    add     $0x200000, %eax
    add     $8, %edi
    dec     %ecx
    jnz     1b

    mov     %cr4, %eax
    or      $CR4_PAE, %eax
    mov     %eax, %cr4
    mov     $boot_pml4, %eax
    mov     %eax, %cr3
    mov     $MSR_EFER, %ecx
    rdmsr
    or      $EFER_LME, %eax
    wrmsr
    mov     %cr0, %eax
    or      $(CR0_PG | CR0_PE), %eax
    mov     %eax, %cr0                  /* EFER.LMA = 1: compatibility mode */

    lgdt    boot_gdt_ptr
    ljmp    $BOOT_CS, $start64

/* No long mode: say so on COM1 and leave through the debug-exit port (0x0F). */
no_long_mode:
    mov     $msg_no_lm, %esi
2:  movb    (%esi), %al
    test    %al, %al
    jz      3f
    mov     $0x3F8, %dx
    outb    %al, %dx
    inc     %esi
    jmp     2b
3:  mov     $0x0F, %al
    outb    %al, $0xF4
4:  cli
    hlt
    jmp     4b
    .size _start, . - _start

/* ---- 64-bit entry ------------------------------------------------------------------ */
    .code64
    .type start64, @function
start64:
    mov     $BOOT_DS, %eax
    mov     %eax, %ds
    mov     %eax, %es
    mov     %eax, %ss
    xor     %eax, %eax
    mov     %eax, %fs
    mov     %eax, %gs
    mov     $boot_stack_top, %rsp
    xor     %ebp, %ebp
    mov     boot_magic(%rip), %edi
    mov     boot_mbi(%rip), %esi
    call    kmain
    .globl halt_forever
halt_forever:
    cli
    hlt
    jmp     halt_forever
    .size start64, . - start64

/* ---- data -------------------------------------------------------------------------- */
    .section .rodata
    .balign 8
    .type boot_gdt, @object
boot_gdt:
    .quad   0                           /* null */
    .quad   0x00AF9A000000FFFF          /* 0x08: 64-bit code, DPL 0 */
    .quad   0x00CF92000000FFFF          /* 0x10: data, DPL 0 */
boot_gdt_end:
    .size boot_gdt, . - boot_gdt
    .type boot_gdt_ptr, @object
boot_gdt_ptr:
    .word   boot_gdt_end - boot_gdt - 1
    .long   boot_gdt
    .size boot_gdt_ptr, . - boot_gdt_ptr
msg_no_lm:
    .asciz  "guest: CPU has no long mode\r\n"

    .section .data
    .balign 4
    .globl boot_magic, boot_mbi
    .type boot_magic, @object
boot_magic:
    .long   0
    .size boot_magic, 4
    .type boot_mbi, @object
boot_mbi:
    .long   0
    .size boot_mbi, 4

    .section .bss.pagetables, "aw", @nobits
    .balign 4096
    .globl boot_pml4, boot_pdpt, boot_pd
    .type boot_pml4, @object
boot_pml4:
    .skip   4096
    .size boot_pml4, 4096
    .type boot_pdpt, @object
boot_pdpt:
    .skip   4096
    .size boot_pdpt, 4096
    .type boot_pd, @object
boot_pd:
    .skip   4096
    .size boot_pd, 4096

    .section .bss.stack, "aw", @nobits
    .balign 16
    .globl boot_stack, boot_stack_top
    .type boot_stack, @object
boot_stack:
    .skip   16384
    .size boot_stack, 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
