/* harness.h - the test framework: the test table entry, guest runs, fault catching,
 * results. See main.c for the output format. */
#ifndef SVMTESTS_HARNESS_H
#define SVMTESTS_HARNESS_H

#include <stdint.h>
#include <stdbool.h>
#include "../lib/desc64.h"   /* the host's GDT (with user segments), TSS, IDT; struct int_frame */
#include "../lib/svm.h"

/* ---- the test table ---- */
struct test;
typedef void (*test_fn)(const struct test *t);
struct test {
    const char *name;
    test_fn fn;
    const void *guest;  /* guest code entry (a g_<name> snippet) */
    const void *insn;   /* the instruction under test (g_<name>_i) */
    const void *next;   /* the instruction after it (g_<name>_n) */
    uint32_t word;      /* intercept word offset (VMCB_INTERCEPT_*) ... */
    uint32_t bits;      /* ... and the bits to set in it */
    uint64_t exit;      /* expected EXITCODE */
    uint64_t a, b;      /* test-specific */
    uint32_t flags;     /* NEED_* and QEMU_DEVIATES */
    const char *note;   /* QEMU_DEVIATES: manual section and what QEMU does */
};
#define NEED_NP          (1u << 0)
#define NEED_NRIPS       (1u << 1)
#define NEED_DECODE      (1u << 2)
#define NEED_FLUSHASID   (1u << 3)
#define NEED_VMCBCLEAN   (1u << 4)
#define NEED_VGIF        (1u << 5)
#define NEED_RDTSCP      (1u << 6)
#define NEED_MONITOR     (1u << 7)
#define NEED_XSAVE       (1u << 8)
#define NEED_GI_UD       (1u << 9)   /* STGI/CLGI #UD with SVME=0: no SVM-Lock and no SKINIT */
#define QEMU_DEVIATES    (1u << 31)

#define G(name) extern const char g_##name[], g_##name##_i[], g_##name##_n[]


/* ---- trap.c ---- */
struct fault {
    long vector;
    uint64_t error, rip;
};
extern struct fault last_fault;
extern volatile unsigned long host_ticks, host_nmis;
/* (and isr_dispatch, declared in lib/desc64.h) */
/* vmrun.S: fn(arg) at CPL0 (user = 0) or CPL3; -1 if it returned, else the vector. */
long fault_call(void (*fn)(uint64_t), uint64_t arg, int user);
/* Enable the PIT interrupt (IRQ 0) at the PIC, or mask it again. */
void timer_irq(bool on);

/* ---- harness.c ---- */
struct gregs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
extern struct gregs guest_regs;        /* loaded before VMRUN, stored after #VMEXIT */
extern uint64_t run_host_rax, run_host_rsp, run_host_rsp_before, run_no_stgi;
extern uint8_t vmcb[4096], vmcb2[4096], vmcb3[4096], host_save_vmcb[4096], hsave_area[4096];
extern uint8_t iopm[3 * 4096], msrpm[2 * 4096];
extern uint8_t guest_stack[];
#define GUEST_STACK_SIZE 16384
extern uint32_t svm_eax, svm_ebx, svm_edx;
extern bool on_qemu;

static inline uint64_t pa(const void *p) { return (uintptr_t)p; }   /* identity mapped */
static inline uint64_t vr64(const uint8_t *v, unsigned off) { return *(const volatile uint64_t *)(v + off); }
static inline uint32_t vr32(const uint8_t *v, unsigned off) { return *(const volatile uint32_t *)(v + off); }
static inline uint16_t vr16(const uint8_t *v, unsigned off) { return *(const volatile uint16_t *)(v + off); }
static inline void vw64(uint8_t *v, unsigned off, uint64_t x) { *(volatile uint64_t *)(v + off) = x; }
static inline void vw32(uint8_t *v, unsigned off, uint32_t x) { *(volatile uint32_t *)(v + off) = x; }
static inline void vw16(uint8_t *v, unsigned off, uint16_t x) { *(volatile uint16_t *)(v + off) = x; }
static inline void vw8(uint8_t *v, unsigned off, uint8_t x) { *(volatile uint8_t *)(v + off) = x; }
static inline void vset32(uint8_t *v, unsigned off, uint32_t bits) { vw32(v, off, vr32(v, off) | bits); }
static inline void vclr32(uint8_t *v, unsigned off, uint32_t bits) { vw32(v, off, vr32(v, off) & ~bits); }
void vmcb_set_seg(uint8_t *v, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base);

/* A 64-bit CPL0 guest at rip sharing the host's CR3, GDT; guest IDT; intercepts
 * SHUTDOWN, VMRUN, VMMCALL; ASID 1, TLB_CONTROL 1; empty IOPM/MSRPM; guest_regs zero. */
void vmcb_reset(uint8_t *v, const void *rip);
/* The guests' IDT: every vector goes to a guest.S stub that reports it with VMMCALL. */
uint64_t guest_idt_base(void);
/* Run the guest once; returns EXITCODE. */
uint64_t run_guest(uint8_t *v);
const char *exit_name(uint64_t code);

/* ---- results (the current check) ---- */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool check_failed(void);
void expect_eq(const char *what, uint64_t got, uint64_t expected);
void expect_exit(uint8_t *v, uint64_t expected);   /* EXITCODE, with the exit's name and RIP */
void expect_true(const char *what, bool cond);

/* ---- guest page helpers (npt.c) ---- */
#define TEST_REGION 0x2000000ull                     /* 32 MiB: 4 KiB-grained in the nested table */
#define TEST_PAGE(n) (TEST_REGION + (uint64_t)(n) * 0x1000)
#define ALT_REGION 0x3000000ull                      /* 48 MiB: other host pages */
void npt_init(void);
uint64_t npt_root(int which);                       /* 0 or 1: two nested tables */
uint64_t *npt_pte(int which, uint64_t gpa);         /* 4 KiB entry for a TEST_REGION gpa */
void npt_reset(void);                               /* both tables: identity, RWX, user */
void vmcb_enable_np(uint8_t *v, int which);
#define NPT_P  0x1ull
#define NPT_RW 0x2ull
#define NPT_US 0x4ull
#define NPT_NX (1ull << 63)

/* ---- the test groups ---- */
extern const struct test tests_basic[], tests_vmrun[], tests_icpt[], tests_io[], tests_event[],
    tests_npt[];

/* ---- small CPU helpers ---- */
static inline void vmsave_at(void *p) { __asm__ volatile("vmsave %%rax" : : "a"(p) : "memory"); }
static inline void vmload_at(void *p) { __asm__ volatile("vmload %%rax" : : "a"(p) : "memory"); }
static inline void stgi(void) { __asm__ volatile("stgi" : : : "memory"); }
static inline void clgi(void) { __asm__ volatile("clgi" : : : "memory"); }
static inline uint64_t read_dr6(void) { uint64_t v; __asm__ volatile("mov %%dr6, %0" : "=r"(v)); return v; }
static inline uint64_t read_dr7(void) { uint64_t v; __asm__ volatile("mov %%dr7, %0" : "=r"(v)); return v; }
static inline uint64_t read_rflags(void) { uint64_t v; __asm__ volatile("pushfq; popq %0" : "=r"(v)); return v; }

#endif
