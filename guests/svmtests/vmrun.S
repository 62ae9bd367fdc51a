/* vmrun.S - entering a guest (run_guest_asm) and running a piece of host code with
 * its exceptions caught (fault_call), at CPL0 or CPL3.
 *
 * run_guest_asm(vmcb_pa): VMSAVE the host's FS/GS/TR/LDTR/syscall MSRs into
 * host_save_vmcb, VMLOAD the guest's, load rbx..r15 from guest_regs, VMRUN; after the
 * #VMEXIT store the registers VMRUN does not touch back into guest_regs, rax (the
 * host's rAX, reloaded from the host save area) into run_host_rax, VMSAVE the guest,
 * VMLOAD the host and STGI unless run_no_stgi is set. Returns nothing useful: the
 * exit is in the VMCB. */
#include "../lib/desc64.h"   /* USER_CS, USER_DS of the GDT desc64_init loads */

    .code64
    .text

    .globl run_guest_asm
    .type run_guest_asm, @function
run_guest_asm:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rdi                        /* 0(%rsp): the VMCB */
    lea     host_save_vmcb(%rip), %rax
    vmsave  %rax
    mov     (%rsp), %rax
    vmload  %rax
    mov     guest_regs+0x00(%rip), %rbx
    mov     guest_regs+0x08(%rip), %rcx
    mov     guest_regs+0x10(%rip), %rdx
    mov     guest_regs+0x18(%rip), %rsi
    mov     guest_regs+0x20(%rip), %rdi
    mov     guest_regs+0x28(%rip), %rbp
    mov     guest_regs+0x30(%rip), %r8
    mov     guest_regs+0x38(%rip), %r9
    mov     guest_regs+0x40(%rip), %r10
    mov     guest_regs+0x48(%rip), %r11
    mov     guest_regs+0x50(%rip), %r12
    mov     guest_regs+0x58(%rip), %r13
    mov     guest_regs+0x60(%rip), %r14
    mov     guest_regs+0x68(%rip), %r15
    mov     %rsp, run_host_rsp_before(%rip)
    mov     (%rsp), %rax
    vmrun   %rax
    mov     %rax, run_host_rax(%rip)
    mov     %rbx, guest_regs+0x00(%rip)
    mov     %rcx, guest_regs+0x08(%rip)
    mov     %rdx, guest_regs+0x10(%rip)
    mov     %rsi, guest_regs+0x18(%rip)
    mov     %rdi, guest_regs+0x20(%rip)
    mov     %rbp, guest_regs+0x28(%rip)
    mov     %r8, guest_regs+0x30(%rip)
    mov     %r9, guest_regs+0x38(%rip)
    mov     %r10, guest_regs+0x40(%rip)
    mov     %r11, guest_regs+0x48(%rip)
    mov     %r12, guest_regs+0x50(%rip)
    mov     %r13, guest_regs+0x58(%rip)
    mov     %r14, guest_regs+0x60(%rip)
    mov     %r15, guest_regs+0x68(%rip)
    mov     %rsp, run_host_rsp(%rip)
    mov     (%rsp), %rax
    vmsave  %rax
    lea     host_save_vmcb(%rip), %rax
    vmload  %rax
    cmpq    $0, run_no_stgi(%rip)
    jne     1f
    stgi
1:  pop     %rdi
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret
    .size run_guest_asm, . - run_guest_asm

/* long fault_call(void (*fn)(uint64_t), uint64_t arg, int user): run fn(arg) at CPL0
 * (user = 0) or CPL3; -1 if it returns, else the vector of the exception it raised
 * (trap.c fills last_fault and resumes at fault_landing). */
    .globl fault_call
    .type fault_call, @function
fault_call:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rax                        /* keeps the stack 16-byte aligned at the call */
    mov     %rsp, fault_rsp(%rip)
    movq    $1, fault_armed(%rip)
    mov     %rdi, %rax
    mov     %rsi, %rdi
    test    %edx, %edx
    jnz     2f
    call    *%rax
    movq    $0, fault_armed(%rip)
    mov     $-1, %rax
    jmp     3f
2:  mov     %rax, %rsi                  /* to ring 3: iretq to user_entry */
    pushq   $USER_DS
    lea     user_stack_top(%rip), %rax
    pushq   %rax
    pushq   $0x2
    pushq   $USER_CS
    lea     user_entry(%rip), %rax
    pushq   %rax
    iretq
    .globl fault_landing
fault_landing:
    mov     fault_rsp(%rip), %rsp
    mov     fault_vector(%rip), %rax
3:  pop     %rbx                        /* the alignment slot */
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret
    .size fault_call, . - fault_call

    .type user_entry, @function
user_entry:
    call    *%rsi
    .globl user_done
user_done:
    ud2                                 /* trap.c: #UD here means "returned normally" */
    .size user_entry, . - user_entry

    .section .bss
    .balign 16
user_stack:
    .skip   8192
user_stack_top:

    .section .note.GNU-stack, "", @progbits
