# svm-tests: bare-metal AMD SVM conformance checks (APM Vol 2, chapter 15) in one multiboot
# image; results on COM1, verdict through the debug-exit port. See svmtests/main.c.
IMAGES += svm-tests
svm-tests_SRCS := svmtests/boot.S lib/isr64.S svmtests/vmrun.S svmtests/insn.S svmtests/guest.S \
                  svmtests/main.c lib/desc64.c svmtests/trap.c svmtests/harness.c svmtests/npt.c \
                  svmtests/tests_basic.c svmtests/tests_vmrun.c svmtests/tests_icpt.c svmtests/tests_io.c \
                  svmtests/tests_event.c svmtests/tests_npt.c \
                  lib/serial.c lib/printf.c lib/string.c lib/pic.c lib/pit.c
svm-tests_LDS := lib/multiboot64.ld
