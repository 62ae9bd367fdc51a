/* insn.S - each SVM instruction alone in a function taking rAX from the first argument,
 * for fault_call (vmrun.S) to run at CPL0 or CPL3 and catch the exception it raises. */
    .code64
    .text
.macro WRAP name, insn
    .globl do_\name
    .type do_\name, @function
do_\name:
    mov     %rdi, %rax
    \insn
    ret
    .size do_\name, . - do_\name
.endm
WRAP vmrun,   "vmrun %rax"
WRAP vmload,  "vmload %rax"
WRAP vmsave,  "vmsave %rax"
WRAP stgi,    "stgi"
WRAP clgi,    "clgi"
WRAP vmmcall, "vmmcall"
WRAP invlpga, "xor %ecx, %ecx; invlpga %rax, %ecx"
    .globl do_rdmsr
    .type do_rdmsr, @function
do_rdmsr:
    mov     %edi, %ecx
    rdmsr
    ret
    .size do_rdmsr, . - do_rdmsr
    .section .note.GNU-stack, "", @progbits
