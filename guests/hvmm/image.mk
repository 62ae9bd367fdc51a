# The HVMM: the paper's purely hardware-assisted hypervisor (Kalady et al., section 3),
# a multiboot ELF64 that runs every multiboot module as a guest under AMD SVM with
# nested paging, round robin. See hvmm/main.c.
IMAGES += hvmm
hvmm_SRCS := hvmm/boot.S lib/isr64.S hvmm/vmrun.S hvmm/main.c hvmm/svm.c hvmm/vm.c hvmm/loader.c \
             hvmm/npt.c hvmm/mem.c hvmm/sched.c hvmm/vmexit.c hvmm/io.c hvmm/msr.c hvmm/log.c \
             hvmm/intr.c hvmm/timer.c hvmm/vmboot.c \
             lib/desc64.c lib/serial.c lib/vga.c lib/printf.c lib/string.c lib/pic.c lib/pit.c
hvmm_LDS := lib/multiboot64.ld
