/* isr64.S - the 256 interrupt entry stubs and the common path to isr_dispatch, shared by the
 * 64-bit images with an IDT (skeletal, svm-tests, the HVMM); each image has its own
 * isr_dispatch (skeletal/intr.c, svmtests/trap.c, hvmm/intr.c).
 *
 * Every stub leaves the same frame (struct int_frame in lib/desc64.h): for vectors where
 * the CPU pushes no error code the stub pushes 0, then every stub pushes its vector.
 * isr_common saves the general registers, calls isr_dispatch(frame), restores them,
 * drops vector and error code, and returns with iretq. Stubs are 16-byte aligned;
 * isr_table lists their addresses for desc64_init (lib/desc64.c). */
    .code64
    .section .text

.macro ISR_NOERR vec
    .balign 16
    .globl isr_\vec
    .type isr_\vec, @function
isr_\vec:
    pushq   $0
    pushq   $\vec
    jmp     isr_common
    .size isr_\vec, . - isr_\vec
.endm

.macro ISR_ERR vec
    .balign 16
    .globl isr_\vec
    .type isr_\vec, @function
isr_\vec:
    pushq   $\vec
    jmp     isr_common
    .size isr_\vec, . - isr_\vec
.endm

/* CPU exceptions: #DF(8), #TS(10), #NP(11), #SS(12), #GP(13), #PF(14), #AC(17), #CP(21),
 * #VC(29) and #SX(30) push an error code. */
    ISR_NOERR 0
    ISR_NOERR 1
    ISR_NOERR 2
    ISR_NOERR 3
    ISR_NOERR 4
    ISR_NOERR 5
    ISR_NOERR 6
    ISR_NOERR 7
    ISR_ERR   8
    ISR_NOERR 9
    ISR_ERR   10
    ISR_ERR   11
    ISR_ERR   12
    ISR_ERR   13
    ISR_ERR   14
    ISR_NOERR 15
    ISR_NOERR 16
    ISR_ERR   17
    ISR_NOERR 18
    ISR_NOERR 19
    ISR_NOERR 20
    ISR_ERR   21
    ISR_NOERR 22
    ISR_NOERR 23
    ISR_NOERR 24
    ISR_NOERR 25
    ISR_NOERR 26
    ISR_NOERR 27
    ISR_NOERR 28
    ISR_ERR   29
    ISR_ERR   30
    ISR_NOERR 31

/* IRQs (32-47 after the PIC remap) and all other vectors: no error code. */
    .altmacro
    .set    isr_n, 32
    .rept   256 - 32
    ISR_NOERR %isr_n
    .set    isr_n, isr_n + 1
    .endr
    .noaltmacro

    .balign 16
    .type isr_common, @function
isr_common:
    push    %rax
    push    %rbx
    push    %rcx
    push    %rdx
    push    %rsi
    push    %rdi
    push    %rbp
    push    %r8
    push    %r9
    push    %r10
    push    %r11
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    mov     %rsp, %rdi              /* struct int_frame *; rsp is 16-byte aligned here */
    cld
    call    isr_dispatch
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %r11
    pop     %r10
    pop     %r9
    pop     %r8
    pop     %rbp
    pop     %rdi
    pop     %rsi
    pop     %rdx
    pop     %rcx
    pop     %rbx
    pop     %rax
    add     $16, %rsp               /* vector, error code */
    iretq
    .size isr_common, . - isr_common

.macro ISR_ADDR vec
    .quad   isr_\vec
.endm

    .section .rodata
    .balign 8
    .globl isr_table
    .type isr_table, @object
isr_table:
    .altmacro
    .set    isr_n, 0
    .rept   256
    ISR_ADDR %isr_n
    .set    isr_n, isr_n + 1
    .endr
    .noaltmacro
    .size isr_table, . - isr_table

    .section .note.GNU-stack, "", @progbits
