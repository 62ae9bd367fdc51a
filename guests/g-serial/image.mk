# g-serial: its serial port and CPUID, the intercepts at work. See g-serial/main.c.
IMAGES += g-serial
g-serial_SRCS := g-lib/boot.S g-serial/main.c g-lib/console.c lib/serial.c lib/printf.c lib/string.c
g-serial_LDS := lib/multiboot64.ld
