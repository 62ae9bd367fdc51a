/* boot.S - multiboot header and 32-bit entry of the HVMM (paper section 3.2: "The startup
 * code needs to be in assembly and is done using the GNU Assembler").
 *
 * GRUB / QEMU -kernel / Pacifica's loader enter _start in 32-bit protected mode, paging off,
 * EAX = 0x2BADB002, EBX = multiboot information. We zero .bss, identity-map the first 4 GiB
 * with 2 MiB pages (PML4 -> PDPT -> 4 PDs; host virtual == host physical everywhere, so a
 * pointer is a physical address for VMRUN, VMCBs, nested page tables and guest memory),
 * enter long mode and call hvmm_main(magic, mbi). */
#include "../lib/multiboot.h"

#define MB_FLAGS (MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080
#define CR0_PE  0x00000001
#define CR0_PG  0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xC0000080
#define EFER_LME 0x00000100

#define BOOT_CS 0x08
#define BOOT_DS 0x10

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

    .section .text.boot, "ax", @progbits
    .code32
    .globl _start
    .type _start, @function
_start:
    cli
    cld
    mov     %eax, %esi

    mov     $__bss_start, %edi
    mov     $__bss_end, %ecx
    sub     %edi, %ecx
    shr     $2, %ecx
    xor     %eax, %eax
    rep stosl

    mov     %esi, boot_magic
    mov     %ebx, boot_mbi
    mov     $boot_stack_top, %esp

    mov     $0x80000000, %eax
    cpuid
    cmp     $0x80000001, %eax
    jb      no_long_mode
    mov     $0x80000001, %eax
    cpuid
    test    $(1 << 29), %edx
    jz      no_long_mode

    /* PML4[0] -> PDPT; PDPT[0..3] -> boot_pd + 0..3 pages; PD entries: i * 2 MiB */
    mov     $boot_pdpt, %eax
    or      $(PTE_P | PTE_W), %eax
    mov     %eax, boot_pml4
    mov     $boot_pd, %eax
    or      $(PTE_P | PTE_W), %eax
    mov     $boot_pdpt, %edi
    mov     $4, %ecx
1:  mov     %eax, (%edi)
    add     $4096, %eax
    add     $8, %edi
    dec     %ecx
    jnz     1b
    mov     $boot_pd, %edi
    mov     $(PTE_P | PTE_W | PTE_PS), %eax
    mov     $2048, %ecx
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
    mov     %eax, %cr0

    lgdt    boot_gdt_ptr
    ljmp    $BOOT_CS, $start64

no_long_mode:
    mov     $msg_no_lm, %esi
3:  movb    (%esi), %al
    test    %al, %al
    jz      4f
    mov     $0x3F8, %dx
    outb    %al, %dx
    inc     %esi
    jmp     3b
4:  mov     $0x0F, %al
    outb    %al, $0xF4
5:  cli
    hlt
    jmp     5b
    .size _start, . - _start

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
    call    hvmm_main
    .globl halt_forever
halt_forever:
    cli
    hlt
    jmp     halt_forever
    .size start64, . - start64

    .section .rodata
    .balign 8
boot_gdt:
    .quad   0
    .quad   0x00AF9A000000FFFF          /* 0x08: 64-bit code */
    .quad   0x00CF92000000FFFF          /* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
    .word   boot_gdt_end - boot_gdt - 1
    .long   boot_gdt
msg_no_lm:
    .asciz  "hvmm: CPU has no long mode\r\n"

    .section .data
    .balign 4
    .globl boot_magic, boot_mbi
boot_magic:
    .long   0
boot_mbi:
    .long   0

    .section .bss.pagetables, "aw", @nobits
    .balign 4096
boot_pml4:
    .skip   4096
boot_pdpt:
    .skip   4096
boot_pd:
    .skip   4 * 4096

    .section .bss.stack, "aw", @nobits
    .balign 16
    .globl boot_stack_top
boot_stack:
    .skip   32768
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
