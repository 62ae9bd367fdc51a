/* boot.S - multiboot header and 32-bit entry of the HVMM (paper section 3.2: "The startup
 * code needs to be in assembly and is done using the GNU Assembler"): lib/boot64.S.
 *
 * It identity-maps the first 4 GiB with 2 MiB pages (PML4 -> PDPT -> 4 PDs; host virtual ==
 * host physical everywhere, so a pointer is a physical address for VMRUN, VMCBs, nested
 * page tables and guest memory), enters long mode on a 32 KiB stack and calls
 * hvmm_main(magic, mbi). */
#define BOOT_NAME "hvmm"
#define BOOT_MAIN hvmm_main
#define BOOT_IDENTITY_GIB 4
#define BOOT_STACK_SIZE 32768
#include "../lib/boot64.S"
