/* boot.S - multiboot header and 32-bit entry of the SVM test kernel: lib/boot64.S, first
 * 1 GiB identity-mapped, 16 KiB stack, kmain. */
#define BOOT_NAME "svm-tests"
#define BOOT_PTE_EXTRA 0x004    /* PTE_U, user: the CPL3 checks run host code in ring 3 */
#define BOOT_EXIT_OUTL          /* every exit of svm-tests is a 32-bit write (main.c) */
#include "../lib/boot64.S"
