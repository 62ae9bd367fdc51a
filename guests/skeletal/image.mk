# The skeletal 64-bit guest kernel (the paper's "simple skeletal 64-bit kernels"):
# multiboot v1 (with the address fields, so QEMU -kernel takes the ELF64 file), long mode,
# GDT+TSS, IDT, PIC+PIT timer, ticks on serial and VGA. See skeletal/main.c.
IMAGES += skeletal
skeletal_SRCS := skeletal/boot.S lib/isr64.S skeletal/main.c skeletal/intr.c lib/desc64.c \
                 lib/serial.c lib/vga.c lib/printf.c lib/string.c lib/pic.c lib/pit.c
skeletal_LDS := lib/multiboot64.ld
