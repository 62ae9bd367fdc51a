# g-dummy: the paper's guest: numbered dummy messages, then exit. See g-dummy/main.c.
IMAGES += g-dummy
g-dummy_SRCS := g-lib/boot.S g-dummy/main.c g-lib/console.c lib/serial.c lib/printf.c lib/string.c
g-dummy_LDS := lib/multiboot64.ld
