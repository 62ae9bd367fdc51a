/* boot.S - multiboot header and 32-bit entry of the g-* guests: lib/boot64.S with its
 * defaults (first 1 GiB identity-mapped, 16 KiB stack, kmain). No IDT: these guests take no
 * interrupts (an exception triple-faults, which the HVMM sees as #VMEXIT(SHUTDOWN)). Under
 * the HVMM the CPUID, RDMSR and WRMSR of lib/boot64.S are intercepted and emulated. */
#define BOOT_NAME "guest"
#include "../lib/boot64.S"
