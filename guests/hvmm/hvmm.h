/* hvmm.h - shared declarations of the HVMM (paper Tables 1-2: one function per box). */
#ifndef HVMM_H
#define HVMM_H

#include <stdbool.h>
#include <stdint.h>
#include "../lib/desc64.h"   /* GDT/TSS/IDT (desc64_init), struct int_frame */
#include "../lib/svm.h"      /* struct vmcb, exit codes, intercept bits, MSRs */
#include "../lib/multiboot.h"

#define MAX_VMS          16
#define VM_NAME_LEN      24
#define DEFAULT_MEM_MIB  8
#define PAGE_SIZE        4096ull

/* debug-exit values of the HVMM (QEMU exit status = (value << 1) | 1). */
#define HVMM_EXIT_OK         0x10 /* every VM ended itself (hypercall exit / debug-exit port) */
#define HVMM_EXIT_VM_STOPPED 0x11 /* at least one VM was stopped for misbehaving */
#define HVMM_EXIT_NO_VMS     0x12 /* no module could be started */
#define HVMM_EXIT_NO_SVM     0x13 /* SVM or nested paging missing or disabled */
#define HVMM_EXIT_EXCEPTION  0x14 /* the HVMM itself took an exception */

/* Host interrupt vectors (8259 PIC remapped). */
#define IRQ_BASE_MASTER 0x20
#define IRQ_BASE_SLAVE  0x28

/* Guest registers that VMRUN/#VMEXIT do not keep in the VMCB (RAX, RSP are in it).
 * vmrun.S uses these offsets: keep the order. */
struct guest_regs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp;   /* +0x00 .. +0x28 */
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15; /* +0x30 .. +0x68 */
};

/* The guest's virtual 16550 at 0x3F8: just enough for a polled transmitter. */
struct vserial {
    uint8_t lcr;            /* line control (bit 7: DLAB) */
    uint8_t scratch;
    unsigned len;
    char line[160];
};

enum vm_state { VM_ACTIVE, VM_EXITED, VM_STOPPED };

struct vm {
    int id;                         /* 1, 2, ... */
    char name[VM_NAME_LEN];
    const char *cmdline;            /* the module's multiboot string */
    uint32_t asid;
    struct vmcb *vmcb;              /* host virtual == host physical */
    uint64_t mem_base, mem_size;    /* guest RAM: host-physical [mem_base, mem_base + mem_size) */
    uint64_t *npt_pml4;             /* nested page table root (N_CR3) */
    struct guest_regs regs;
    enum vm_state state;
    uint64_t exit_status;
    char reason[96];
    unsigned long exits, vmruns;
    bool first_run;
    struct vserial serial;
};

struct hvmm_config {
    bool log;                       /* log=on|off|switches: print every #VMEXIT */
    bool log_io;                    /* ... including IOIO, CPUID and MSR exits (not with log=switches) */
    bool screen_guest;              /* screen=guest: real VGA shows the running guest's screen */
    unsigned slice_ms;              /* slice=MS */
};

extern struct hvmm_config config;
extern bool has_nrips;              /* CPUID 8000_000A EDX[3] */
extern uint32_t nasid;              /* CPUID 8000_000A EBX */
extern volatile uint64_t timer_ticks;
extern unsigned timer_hz;

/* The functions named after the boxes of the paper's Tables 1-2 stay real functions (never
 * inlined), so a student can set a breakpoint on each box by its name in the debugger. */
#define PAPER_BOX __attribute__((noinline))

/* main.c */
void hvmm_main(uint32_t magic, uint32_t mbi_addr);
PAPER_BOX void hypervisor_core(const struct multiboot_info *mbi);
__attribute__((noreturn)) void hvmm_exit(uint32_t value);

/* svm.c */
PAPER_BOX void initialize_svm(void);
PAPER_BOX void enable_svm(void);
PAPER_BOX void setup_hypervisor(void);
extern uint64_t host_vmsave_pa;

/* vm.c */
PAPER_BOX struct vm *vm_create(int id, unsigned modno, const struct multiboot_mod_list *mod);
void vm_stop(struct vm *vm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_exit_normally(struct vm *vm, uint64_t status);
uint64_t vm_next_rip(struct vm *vm, unsigned insn_len);

/* loader.c */
PAPER_BOX bool load_guest_image(struct vm *vm, const uint8_t *image, uint64_t size, char *why, unsigned why_len);

/* npt.c */
uint64_t *npt_build(uint64_t guest_size, uint64_t host_base);

/* mem.c */
void mem_init(const struct multiboot_info *mbi, uint64_t reserved_end);
void *alloc_pages(uint64_t n, uint64_t align);   /* zeroed; 0 if out of memory */
uint64_t mem_free_bytes(void);
uint64_t mem_mark(void);                          /* the allocator position ... */
void mem_release(uint64_t mark);                  /* ... to go back to (undo a failed VM) */

/* sched.c */
PAPER_BOX void add_active(struct vm *vm);
PAPER_BOX struct vm *get_next_vm(void);
void sched_end_slice(void);
void sched_set_ticks_per_slice(unsigned n);
void sched_tick(void);
unsigned sched_vm_count(void);
struct vm *sched_vm(unsigned i);

/* vmboot.c */
PAPER_BOX void vm_boot(struct vm *vm);
/* vmrun.S */
void vm_run(uint64_t vmcb_pa, struct guest_regs *regs, uint64_t host_save_pa);

/* vmexit.c */
PAPER_BOX void handle_vmexit(struct vm *vm);
const char *exit_name(uint64_t code);

/* io.c */
void handle_ioio(struct vm *vm);
void vserial_flush(struct vm *vm);

/* msr.c */
void msrpm_init(uint8_t *msrpm);
void handle_msr(struct vm *vm);

/* log.c */
void log_init(void);
void hv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* even with log=off */
void log_guest_line(const struct vm *vm, const char *text, unsigned len);
void log_show_guest_screen(const struct vm *vm);

/* intr.c: isr_dispatch (declared in lib/desc64.h) */

/* timer.c */
void timer_init(unsigned slice_ms);
void timer_irq(void);

/* svm instructions */
static inline void clgi(void) { __asm__ volatile("clgi" : : : "memory"); }
static inline void stgi(void) { __asm__ volatile("stgi" : : : "memory"); }

#endif
