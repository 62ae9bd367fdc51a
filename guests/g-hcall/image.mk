# g-hcall: talks to the HVMM with VMMCALL (print, info, time, yield). See g-hcall/main.c.
IMAGES += g-hcall
g-hcall_SRCS := g-lib/boot.S g-hcall/main.c g-lib/console.c lib/serial.c lib/printf.c lib/string.c
g-hcall_LDS := lib/multiboot64.ld
