/* vmrun.S - one world switch: void vm_run(vmcb_pa, regs, host_save_pa).
 * Called with GIF = 0 (vm_boot's CLGI) and RFLAGS.IF = 1.
 *
 * VMRUN/#VMEXIT switch RAX, RSP, RIP, RFLAGS, CR0/3/4, EFER, CS/SS/DS/ES, GDTR/IDTR
 * (APM Vol 2 §15.5); VMLOAD/VMSAVE move FS, GS, TR, LDTR, KernelGSbase, STAR, LSTAR,
 * CSTAR, SFMASK and the SYSENTER MSRs (§15.5.2); the other general registers are ours
 * to swap: they live in struct guest_regs (hvmm.h).
 *
 * Stack while the guest runs (host RSP is restored by #VMEXIT):
 *     +0x10  regs          (struct guest_regs *)
 *     +0x08  vmcb_pa
 *     +0x00  host_save_pa  <- rsp
 * and above them the six callee-saved registers and the return address. */
    .code64
    .text
    .globl vm_run
    .type vm_run, @function
vm_run:
    push    %rbp
    push    %rbx
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    push    %rsi                    /* regs */
    push    %rdi                    /* vmcb_pa */
    push    %rdx                    /* host_save_pa */

    mov     %rdx, %rax
    vmsave                          /* host FS/GS/TR/LDTR/... -> host VMSAVE area */
    mov     8(%rsp), %rax
    vmload                          /* guest FS/GS/TR/LDTR/... <- VMCB */

    mov     16(%rsp), %rax          /* guest GPRs */
    mov     0x00(%rax), %rbx
    mov     0x08(%rax), %rcx
    mov     0x10(%rax), %rdx
    mov     0x18(%rax), %rsi
    mov     0x20(%rax), %rdi
    mov     0x28(%rax), %rbp
    mov     0x30(%rax), %r8
    mov     0x38(%rax), %r9
    mov     0x40(%rax), %r10
    mov     0x48(%rax), %r11
    mov     0x50(%rax), %r12
    mov     0x58(%rax), %r13
    mov     0x60(%rax), %r14
    mov     0x68(%rax), %r15
    mov     8(%rsp), %rax           /* RAX = VMCB physical address */
    vmrun                           /* ... the guest runs until #VMEXIT ... */

    /* #VMEXIT: RAX = vmcb_pa again (host RAX from the save area), RSP as above. */
    push    %rax
    mov     24(%rsp), %rax          /* regs */
    mov     %rbx, 0x00(%rax)
    mov     %rcx, 0x08(%rax)
    mov     %rdx, 0x10(%rax)
    mov     %rsi, 0x18(%rax)
    mov     %rdi, 0x20(%rax)
    mov     %rbp, 0x28(%rax)
    mov     %r8, 0x30(%rax)
    mov     %r9, 0x38(%rax)
    mov     %r10, 0x40(%rax)
    mov     %r11, 0x48(%rax)
    mov     %r12, 0x50(%rax)
    mov     %r13, 0x58(%rax)
    mov     %r14, 0x60(%rax)
    mov     %r15, 0x68(%rax)
    pop     %rax
    vmsave                          /* guest FS/GS/TR/LDTR/... -> VMCB */
    mov     (%rsp), %rax
    vmload                          /* host FS/GS/TR/LDTR/... <- host VMSAVE area */

    add     $24, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbx
    pop     %rbp
    ret
    .size vm_run, . - vm_run

    .section .note.GNU-stack, "", @progbits
