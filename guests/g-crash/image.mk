# g-crash: misbehaves on purpose (mode=npf|triple) so that the HVMM stops it. See g-crash/main.c.
IMAGES += g-crash
g-crash_SRCS := g-lib/boot.S g-crash/main.c g-lib/console.c lib/serial.c lib/printf.c lib/string.c
g-crash_LDS := lib/multiboot64.ld
