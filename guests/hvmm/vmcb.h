/* vmcb.h - the Virtual Machine Control Block (APM Vol 2 §15.5, Appendix B), SVM exit codes,
 * intercept bits and MSRs. Offsets match src/emu/svm/vmcb.ts, exitcodes.ts and intercepts.ts
 * (Pacifica's one source of truth); every field carries its offset in a comment and the
 * layout is checked by static assertions. */
#ifndef HVMM_VMCB_H
#define HVMM_VMCB_H

#include <stdint.h>
#include <stddef.h>

struct vmcb_seg {
    uint16_t selector;
    uint16_t attrib;        /* type, S, DPL, P (bits 0-7), AVL, L, D/B, G (bits 8-11) */
    uint32_t limit;
    uint64_t base;
} __attribute__((packed));

/* Control area, APM Vol 2 Table B-1. */
struct vmcb_control {
    uint32_t intercept_cr;          /* +0x000 */
    uint32_t intercept_dr;          /* +0x004 */
    uint32_t intercept_exceptions;  /* +0x008 */
    uint32_t intercept_misc1;       /* +0x00C */
    uint32_t intercept_misc2;       /* +0x010 */
    uint8_t reserved_014[0x03C - 0x014];
    uint16_t pause_filter_threshold;/* +0x03C */
    uint16_t pause_filter_count;    /* +0x03E */
    uint64_t iopm_base_pa;          /* +0x040 */
    uint64_t msrpm_base_pa;         /* +0x048 */
    uint64_t tsc_offset;            /* +0x050 */
    uint32_t guest_asid;            /* +0x058 */
    uint8_t tlb_control;            /* +0x05C */
    uint8_t reserved_05d[3];
    uint64_t v_intr;                /* +0x060 V_TPR, V_IRQ, ..., V_INTR_MASKING (bit 24) */
    uint64_t interrupt_shadow;      /* +0x068 */
    uint64_t exitcode;              /* +0x070 */
    uint64_t exitinfo1;             /* +0x078 */
    uint64_t exitinfo2;             /* +0x080 */
    uint64_t exitintinfo;           /* +0x088 */
    uint64_t np_enable;             /* +0x090 bit 0: nested paging */
    uint8_t reserved_098[0x0A8 - 0x098];
    uint64_t eventinj;              /* +0x0A8 */
    uint64_t n_cr3;                 /* +0x0B0 */
    uint64_t lbr_virt;              /* +0x0B8 */
    uint32_t vmcb_clean;            /* +0x0C0 */
    uint32_t reserved_0c4;
    uint64_t next_rip;              /* +0x0C8 (NRIPS) */
    uint8_t guest_insn_len;         /* +0x0D0 */
    uint8_t guest_insn_bytes[15];   /* +0x0D1 */
    uint8_t reserved_0e0[0x400 - 0x0E0];
} __attribute__((packed));

/* State-save area, APM Vol 2 Table B-2 (offsets from the start of the VMCB). */
struct vmcb_save {
    struct vmcb_seg es;             /* +0x400 */
    struct vmcb_seg cs;             /* +0x410 */
    struct vmcb_seg ss;             /* +0x420 */
    struct vmcb_seg ds;             /* +0x430 */
    struct vmcb_seg fs;             /* +0x440 */
    struct vmcb_seg gs;             /* +0x450 */
    struct vmcb_seg gdtr;           /* +0x460 */
    struct vmcb_seg ldtr;           /* +0x470 */
    struct vmcb_seg idtr;           /* +0x480 */
    struct vmcb_seg tr;             /* +0x490 */
    uint8_t reserved_4a0[0x4CB - 0x4A0];
    uint8_t cpl;                    /* +0x4CB */
    uint32_t reserved_4cc;
    uint64_t efer;                  /* +0x4D0 */
    uint8_t reserved_4d8[0x548 - 0x4D8];
    uint64_t cr4;                   /* +0x548 */
    uint64_t cr3;                   /* +0x550 */
    uint64_t cr0;                   /* +0x558 */
    uint64_t dr7;                   /* +0x560 */
    uint64_t dr6;                   /* +0x568 */
    uint64_t rflags;                /* +0x570 */
    uint64_t rip;                   /* +0x578 */
    uint8_t reserved_580[0x5D8 - 0x580];
    uint64_t rsp;                   /* +0x5D8 */
    uint8_t reserved_5e0[0x5F8 - 0x5E0];
    uint64_t rax;                   /* +0x5F8 */
    uint64_t star;                  /* +0x600 */
    uint64_t lstar;                 /* +0x608 */
    uint64_t cstar;                 /* +0x610 */
    uint64_t sfmask;                /* +0x618 */
    uint64_t kernel_gs_base;        /* +0x620 */
    uint64_t sysenter_cs;           /* +0x628 */
    uint64_t sysenter_esp;          /* +0x630 */
    uint64_t sysenter_eip;          /* +0x638 */
    uint64_t cr2;                   /* +0x640 */
    uint8_t reserved_648[0x668 - 0x648];
    uint64_t g_pat;                 /* +0x668 */
    uint64_t dbgctl;                /* +0x670 */
    uint64_t br_from;               /* +0x678 */
    uint64_t br_to;                 /* +0x680 */
    uint64_t last_excp_from;        /* +0x688 */
    uint64_t last_excp_to;          /* +0x690 */
    uint8_t reserved_698[0x1000 - 0x698];
} __attribute__((packed));

struct vmcb {
    struct vmcb_control control;
    struct vmcb_save save;
} __attribute__((packed));

_Static_assert(sizeof(struct vmcb) == 4096, "the VMCB is one 4 KiB page");
_Static_assert(offsetof(struct vmcb, control.exitcode) == 0x070, "exitcode");
_Static_assert(offsetof(struct vmcb, control.n_cr3) == 0x0B0, "n_cr3");
_Static_assert(offsetof(struct vmcb, control.next_rip) == 0x0C8, "next_rip");
_Static_assert(offsetof(struct vmcb, save.es) == 0x400, "state-save area");
_Static_assert(offsetof(struct vmcb, save.cpl) == 0x4CB, "cpl");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4D0, "efer");
_Static_assert(offsetof(struct vmcb, save.cr4) == 0x548, "cr4");
_Static_assert(offsetof(struct vmcb, save.rip) == 0x578, "rip");
_Static_assert(offsetof(struct vmcb, save.rsp) == 0x5D8, "rsp");
_Static_assert(offsetof(struct vmcb, save.rax) == 0x5F8, "rax");
_Static_assert(offsetof(struct vmcb, save.cr2) == 0x640, "cr2");
_Static_assert(offsetof(struct vmcb, save.g_pat) == 0x668, "g_pat");

/* Intercept word misc1 (+0x00C) and misc2 (+0x010) bits, APM Vol 2 Table B-1. */
#define INTERCEPT_INTR       (1u << 0)
#define INTERCEPT_CPUID      (1u << 18)
#define INTERCEPT_HLT        (1u << 24)
#define INTERCEPT_IOIO_PROT  (1u << 27)
#define INTERCEPT_MSR_PROT   (1u << 28)
#define INTERCEPT_SHUTDOWN   (1u << 31)
#define INTERCEPT_VMRUN      (1u << 0)
#define INTERCEPT_VMMCALL    (1u << 1)

#define V_INTR_MASKING       (1ull << 24)   /* v_intr bit 24 */
#define TLB_CONTROL_NOTHING  0
#define TLB_CONTROL_FLUSH_ALL 1

/* EVENTINJ (APM Vol 2 §15.20): vector, type (3 = exception), valid (bit 31). */
#define EVENTINJ_VALID       (1ull << 31)
#define EVENTINJ_TYPE_EXCEPTION (3ull << 8)

/* Exit codes, APM Vol 2 Appendix C (== src/emu/svm/exitcodes.ts). */
#define VMEXIT_EXCP_BASE     0x040
#define VMEXIT_INTR          0x060
#define VMEXIT_NMI           0x061
#define VMEXIT_CPUID         0x072
#define VMEXIT_HLT           0x078
#define VMEXIT_IOIO          0x07B
#define VMEXIT_MSR           0x07C
#define VMEXIT_SHUTDOWN      0x07F
#define VMEXIT_VMRUN         0x080
#define VMEXIT_VMMCALL       0x081
#define VMEXIT_NPF           0x400
#define VMEXIT_INVALID       (~0ull)        /* -1 */

/* IOIO EXITINFO1 (APM Vol 2 §15.10.2). */
#define IOIO_TYPE_IN         (1u << 0)
#define IOIO_STR             (1u << 2)
#define IOIO_REP             (1u << 3)
#define IOIO_SZ8             (1u << 4)
#define IOIO_SZ16            (1u << 5)
#define IOIO_SZ32            (1u << 6)
#define IOIO_PORT(info1)     ((uint16_t)((info1) >> 16))

/* MSRs. */
#define MSR_EFER             0xC0000080
#define EFER_LME             (1ull << 8)
#define EFER_LMA             (1ull << 10)
#define EFER_SVME            (1ull << 12)
#define MSR_VM_CR            0xC0010114
#define VM_CR_LOCK           (1ull << 3)
#define VM_CR_SVMDIS         (1ull << 4)
#define MSR_VM_HSAVE_PA      0xC0010117

/* CPUID feature bits. */
#define CPUID_80000001_ECX_SVM   (1u << 2)
#define CPUID_1_ECX_HYPERVISOR   (1u << 31)
#define CPUID_8000000A_EDX_NP    (1u << 0)
#define CPUID_8000000A_EDX_NRIPS (1u << 3)

#endif
