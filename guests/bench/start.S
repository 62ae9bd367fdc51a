/* Entry stub for the benchmark images.
 * The emulator's flat 64-bit setup enters here in long mode, CPL 0, paging
 * off, all registers zero. We set up a 64 KiB stack, run bench_main, publish
 * its result in `bench_result`, and halt (hlt = "program finished"). */
    .code64
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    lea     stack_top(%rip), %rsp
    xor     %ebp, %ebp
    call    bench_main
    mov     %rax, bench_result(%rip)
    .globl bench_done
bench_done:
    hlt
    jmp     bench_done
    .size _start, . - _start

    .section .data
    .balign 8
    .globl bench_result
    .type bench_result, @object
bench_result:
    .quad   0
    .size bench_result, 8

    .section .bss
    .balign 16
    .globl stack_bottom
stack_bottom:
    .skip   65536
    .globl stack_top
stack_top:

    .section .note.GNU-stack, "", @progbits
