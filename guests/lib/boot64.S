/* boot64.S - multiboot header, 32-bit entry and switch to long mode shared by the 64-bit
 * images (skeletal, svm-tests, the HVMM, the g-* guests). Not assembled on its own: each
 * image's boot.S sets its parameters and includes this file.
 *
 * The loader (GRUB, QEMU -kernel, Pacifica's loader, the HVMM) enters _start in 32-bit
 * protected mode, paging off, EAX = 0x2BADB002, EBX = physical address of the multiboot
 * information. We save both, zero .bss, build page tables that identity-map the first
 * BOOT_IDENTITY_GIB GiB with 2 MiB pages (PML4 -> PDPT -> one PD per GiB), enable PAE, set
 * EFER.LME, enable paging (which activates long mode), load a 64-bit GDT, far-jump to 64-bit
 * code and call BOOT_MAIN(magic, mbi). If BOOT_MAIN returns, the CPU halts (halt_forever).
 *
 * Parameters (C preprocessor macros, defined before the #include):
 *   BOOT_NAME          string naming the image in the "no long mode" message (required)
 *   BOOT_MAIN          the C entry, void BOOT_MAIN(uint32_t magic, uint32_t mbi)  [kmain]
 *   BOOT_IDENTITY_GIB  GiB identity-mapped from 0, 1 to 4                          [1]
 *   BOOT_PTE_EXTRA     flags added to every page-table entry (e.g. PTE_U)          [0]
 *   BOOT_STACK_SIZE    bytes of boot (= kernel) stack                              [16384]
 *   BOOT_EXIT_OUTL     if defined, the "no long mode" debug-exit write is 32 bits
 *                      wide (outl) instead of 8 (outb)
 *
 * Symbols for the image: boot_magic, boot_mbi (uint32_t), boot_pml4, boot_pdpt, boot_pd
 * (the page tables), boot_stack .. boot_stack_top, halt_forever. The boot GDT has a 64-bit
 * code segment at 0x08 and a data segment at 0x10, as the kernel GDT of lib/desc64.c. */
#include "multiboot.h"

#ifndef BOOT_NAME
#error "boot64.S: define BOOT_NAME before including it"
#endif
#ifndef BOOT_MAIN
#define BOOT_MAIN kmain
#endif
#ifndef BOOT_IDENTITY_GIB
#define BOOT_IDENTITY_GIB 1
#endif
#ifndef BOOT_PTE_EXTRA
#define BOOT_PTE_EXTRA 0
#endif
#ifndef BOOT_STACK_SIZE
#define BOOT_STACK_SIZE 16384
#endif

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PS  0x080           /* 2 MiB page in a PD entry */
#define CR0_PE  0x00000001
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xC0000080
#define EFER_LME 0x00000100

#define BOOT_CS 0x08
#define BOOT_DS 0x10

/* The PD entries are written as 32-bit addresses: at most 4 GiB. */
    .if BOOT_IDENTITY_GIB < 1 || BOOT_IDENTITY_GIB > 4
    .error "boot64.S: BOOT_IDENTITY_GIB must be 1 to 4"
    .endif

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

    /* PML4[0] -> PDPT; PDPT[g] -> boot_pd + g pages (g < BOOT_IDENTITY_GIB);
     * PD entry i = i * 2 MiB (present, writable, 2 MiB page) */
    mov     $boot_pdpt, %eax
    or      $(PTE_P | PTE_W | BOOT_PTE_EXTRA), %eax
    mov     %eax, boot_pml4
    mov     $boot_pd, %eax
    or      $(PTE_P | PTE_W | BOOT_PTE_EXTRA), %eax
    mov     $boot_pdpt, %edi
    mov     $BOOT_IDENTITY_GIB, %ecx
1:  mov     %eax, (%edi)
    add     $4096, %eax
    add     $8, %edi
    dec     %ecx
    jnz     1b
    mov     $boot_pd, %edi
    mov     $(PTE_P | PTE_W | BOOT_PTE_EXTRA | PTE_PS), %eax
    mov     $(512 * BOOT_IDENTITY_GIB), %ecx
2:  mov     %eax, (%edi)
    movl    $0, 4(%edi)
    add     $0x200000, %eax
    add     $8, %edi
    dec     %ecx
    jnz     2b

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
3:  movb    (%esi), %al
    test    %al, %al
    jz      4f
    mov     $0x3F8, %dx
    outb    %al, %dx
    inc     %esi
    jmp     3b
#ifdef BOOT_EXIT_OUTL
4:  mov     $0x0F, %eax
    outl    %eax, $0xF4
#else
4:  mov     $0x0F, %al
    outb    %al, $0xF4
#endif
5:  cli
    hlt
    jmp     5b
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
    call    BOOT_MAIN
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
    .ascii  BOOT_NAME
    .asciz  ": CPU has no long mode\r\n"

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
    .skip   4096 * BOOT_IDENTITY_GIB
    .size boot_pd, 4096 * BOOT_IDENTITY_GIB

    .section .bss.stack, "aw", @nobits
    .balign 16
    .globl boot_stack, boot_stack_top
    .type boot_stack, @object
boot_stack:
    .skip   BOOT_STACK_SIZE
    .size boot_stack, BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
