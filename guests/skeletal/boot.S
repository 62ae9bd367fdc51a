/* boot.S - multiboot header and 32-bit entry of the skeletal guest: lib/boot64.S with its
 * defaults (first 1 GiB identity-mapped, supervisor pages, 16 KiB stack, kmain). */
#define BOOT_NAME "skeletal"
#include "../lib/boot64.S"
