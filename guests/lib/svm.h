/* svm.h - AMD SVM architectural numbers (APM Vol 2, chapter 15, Appendices B and C) for
 * the HVMM and svm-tests: VMCB offsets (and, for C, struct vmcb with the same layout), exit
 * codes, intercept bits, EVENTINJ/EXITINTINFO, IOIO and NPF EXITINFO1, CPUID feature bits,
 * MSRs. The same numbers as src/emu/svm/vmcb.ts, exitcodes.ts and intercepts.ts (Pacifica's
 * one source of truth); the struct layout is checked against the offsets by static
 * assertions. */
#ifndef PACIFICA_LIB_SVM_H
#define PACIFICA_LIB_SVM_H

#include <stddef.h>
#include <stdint.h>

/* ---- VMCB control area (offsets in bytes), APM Vol 2 Table B-1 ---- */
#define VMCB_INTERCEPT_CR      0x000  /* reads bits 0-15, writes bits 16-31 */
#define VMCB_INTERCEPT_DR      0x004
#define VMCB_INTERCEPT_EXC     0x008
#define VMCB_INTERCEPT_MISC1   0x00c
#define VMCB_INTERCEPT_MISC2   0x010
#define VMCB_PAUSE_FILTER_THR  0x03c
#define VMCB_PAUSE_FILTER_CNT  0x03e
#define VMCB_IOPM_BASE         0x040
#define VMCB_MSRPM_BASE        0x048
#define VMCB_TSC_OFFSET        0x050
#define VMCB_ASID              0x058
#define VMCB_TLB_CONTROL       0x05c
#define VMCB_V_INTR            0x060
#define VMCB_INT_SHADOW        0x068
#define VMCB_EXITCODE          0x070
#define VMCB_EXITINFO1         0x078
#define VMCB_EXITINFO2         0x080
#define VMCB_EXITINTINFO       0x088
#define VMCB_NP_ENABLE         0x090
#define VMCB_EVENTINJ          0x0a8
#define VMCB_N_CR3             0x0b0
#define VMCB_LBR_VIRT          0x0b8
#define VMCB_CLEAN             0x0c0
#define VMCB_NEXT_RIP          0x0c8
#define VMCB_INSN_LEN          0x0d0

/* ---- VMCB state-save area (offsets from the start of the VMCB), APM Vol 2 Table B-2 ---- */
#define VMCB_ES     0x400   /* segment: selector +0 (2), attrib +2 (2), limit +4 (4), base +8 (8) */
#define VMCB_CS     0x410
#define VMCB_SS     0x420
#define VMCB_DS     0x430
#define VMCB_FS     0x440
#define VMCB_GS     0x450
#define VMCB_GDTR   0x460
#define VMCB_LDTR   0x470
#define VMCB_IDTR   0x480
#define VMCB_TR     0x490
#define SEG_SEL     0
#define SEG_ATTR    2
#define SEG_LIMIT   4
#define SEG_BASE    8
#define VMCB_CPL          0x4cb
#define VMCB_EFER         0x4d0
#define VMCB_CR4          0x548
#define VMCB_CR3          0x550
#define VMCB_CR0          0x558
#define VMCB_DR7          0x560
#define VMCB_DR6          0x568
#define VMCB_RFLAGS       0x570
#define VMCB_RIP          0x578
#define VMCB_RSP          0x5d8
#define VMCB_RAX          0x5f8
#define VMCB_STAR         0x600
#define VMCB_LSTAR        0x608
#define VMCB_CSTAR        0x610
#define VMCB_SFMASK       0x618
#define VMCB_KERNEL_GS    0x620
#define VMCB_SYSENTER_CS  0x628
#define VMCB_SYSENTER_ESP 0x630
#define VMCB_SYSENTER_EIP 0x638
#define VMCB_CR2          0x640
#define VMCB_G_PAT        0x668

/* ---- TLB_CONTROL (VMCB 0x05c) ---- */
#define TLB_CONTROL_NOTHING       0
#define TLB_CONTROL_FLUSH_ALL     1
#define TLB_CONTROL_FLUSH_ASID    3
#define TLB_CONTROL_FLUSH_ASID_NONGLOBAL 7

/* ---- V_INTR (VMCB 0x060) ---- */
#define V_TPR_MASK          0xffull
#define V_IRQ               (1ull << 8)
#define V_GIF               (1ull << 9)
#define V_INTR_PRIO(p)      ((unsigned long long)(p) << 16)
#define V_IGN_TPR           (1ull << 20)
#define V_INTR_MASKING      (1ull << 24)
#define V_GIF_ENABLE        (1ull << 25)
#define V_INTR_VECTOR(v)    ((unsigned long long)(v) << 32)

/* ---- EVENTINJ / EXITINTINFO (sec. 15.20): vector, type, EV, valid ---- */
#define EVT_VALID           (1ull << 31)
#define EVT_EV              (1ull << 11)     /* error code valid */
#define EVT_TYPE_INTR       (0ull << 8)
#define EVT_TYPE_NMI        (2ull << 8)
#define EVT_TYPE_EXC        (3ull << 8)
#define EVT_TYPE_SOFT       (4ull << 8)
#define EVT_ERR(e)          ((unsigned long long)(e) << 32)

/* ---- #VMEXIT codes, APM Vol 2 Appendix C (== src/emu/svm/exitcodes.ts) ---- */
#define VMEXIT_CR0_READ       0x000   /* + n */
#define VMEXIT_CR0_WRITE      0x010   /* + n */
#define VMEXIT_DR0_READ       0x020
#define VMEXIT_DR0_WRITE      0x030
#define VMEXIT_EXCP_BASE      0x040   /* + vector */
#define VMEXIT_INTR           0x060
#define VMEXIT_NMI            0x061
#define VMEXIT_SMI            0x062
#define VMEXIT_INIT           0x063
#define VMEXIT_VINTR          0x064
#define VMEXIT_CR0_SEL_WRITE  0x065
#define VMEXIT_IDTR_READ      0x066
#define VMEXIT_GDTR_READ      0x067
#define VMEXIT_LDTR_READ      0x068
#define VMEXIT_TR_READ        0x069
#define VMEXIT_IDTR_WRITE     0x06a
#define VMEXIT_GDTR_WRITE     0x06b
#define VMEXIT_LDTR_WRITE     0x06c
#define VMEXIT_TR_WRITE       0x06d
#define VMEXIT_RDTSC          0x06e
#define VMEXIT_RDPMC          0x06f
#define VMEXIT_PUSHF          0x070
#define VMEXIT_POPF           0x071
#define VMEXIT_CPUID          0x072
#define VMEXIT_RSM            0x073
#define VMEXIT_IRET           0x074
#define VMEXIT_SWINT          0x075
#define VMEXIT_INVD           0x076
#define VMEXIT_PAUSE          0x077
#define VMEXIT_HLT            0x078
#define VMEXIT_INVLPG         0x079
#define VMEXIT_INVLPGA        0x07a
#define VMEXIT_IOIO           0x07b
#define VMEXIT_MSR            0x07c
#define VMEXIT_TASK_SWITCH    0x07d
#define VMEXIT_FERR_FREEZE    0x07e
#define VMEXIT_SHUTDOWN       0x07f
#define VMEXIT_VMRUN          0x080
#define VMEXIT_VMMCALL        0x081
#define VMEXIT_VMLOAD         0x082
#define VMEXIT_VMSAVE         0x083
#define VMEXIT_STGI           0x084
#define VMEXIT_CLGI           0x085
#define VMEXIT_SKINIT         0x086
#define VMEXIT_RDTSCP         0x087
#define VMEXIT_ICEBP          0x088
#define VMEXIT_WBINVD         0x089
#define VMEXIT_MONITOR        0x08a
#define VMEXIT_MWAIT          0x08b
#define VMEXIT_MWAIT_COND     0x08c
#define VMEXIT_XSETBV         0x08d
#define VMEXIT_NPF            0x400
#define VMEXIT_INVALID        0xffffffffffffffffull   /* -1 */

/* ---- intercept bits, APM Vol 2 Table B-1: misc1 (VMCB 0x00c) ---- */
#define I1_INTR         (1u << 0)
#define I1_NMI          (1u << 1)
#define I1_SMI          (1u << 2)
#define I1_INIT         (1u << 3)
#define I1_VINTR        (1u << 4)
#define I1_CR0_SEL      (1u << 5)
#define I1_IDTR_READ    (1u << 6)
#define I1_GDTR_READ    (1u << 7)
#define I1_LDTR_READ    (1u << 8)
#define I1_TR_READ      (1u << 9)
#define I1_IDTR_WRITE   (1u << 10)
#define I1_GDTR_WRITE   (1u << 11)
#define I1_LDTR_WRITE   (1u << 12)
#define I1_TR_WRITE     (1u << 13)
#define I1_RDTSC        (1u << 14)
#define I1_RDPMC        (1u << 15)
#define I1_PUSHF        (1u << 16)
#define I1_POPF         (1u << 17)
#define I1_CPUID        (1u << 18)
#define I1_RSM          (1u << 19)
#define I1_IRET         (1u << 20)
#define I1_INTN         (1u << 21)
#define I1_INVD         (1u << 22)
#define I1_PAUSE        (1u << 23)
#define I1_HLT          (1u << 24)
#define I1_INVLPG       (1u << 25)
#define I1_INVLPGA      (1u << 26)
#define I1_IOIO_PROT    (1u << 27)
#define I1_MSR_PROT     (1u << 28)
#define I1_TASK_SWITCH  (1u << 29)
#define I1_FERR_FREEZE  (1u << 30)
#define I1_SHUTDOWN     (1u << 31)
/* misc2 (VMCB 0x010) */
#define I2_VMRUN        (1u << 0)
#define I2_VMMCALL      (1u << 1)
#define I2_VMLOAD       (1u << 2)
#define I2_VMSAVE       (1u << 3)
#define I2_STGI         (1u << 4)
#define I2_CLGI         (1u << 5)
#define I2_SKINIT       (1u << 6)
#define I2_RDTSCP       (1u << 7)
#define I2_ICEBP        (1u << 8)
#define I2_WBINVD       (1u << 9)
#define I2_MONITOR      (1u << 10)
#define I2_MWAIT        (1u << 11)
#define I2_MWAIT_COND   (1u << 12)
#define I2_XSETBV       (1u << 13)

/* ---- IOIO EXITINFO1 (sec. 15.10.2) ---- */
#define IOIO_TYPE_IN    (1u << 0)
#define IOIO_STR        (1u << 2)
#define IOIO_REP        (1u << 3)
#define IOIO_SZ8        (1u << 4)
#define IOIO_SZ16       (1u << 5)
#define IOIO_SZ32       (1u << 6)
#define IOIO_A16        (1u << 7)
#define IOIO_A32        (1u << 8)
#define IOIO_A64        (1u << 9)
#define IOIO_PORT(p)    ((unsigned)(p) << 16)             /* the port field for port p */
#define IOIO_PORT_OF(info1) ((uint16_t)((info1) >> 16))  /* the port of an EXITINFO1 */

/* ---- nested page fault EXITINFO1 (sec. 15.25.6) ---- */
#define NPF_P           (1ull << 0)
#define NPF_RW          (1ull << 1)
#define NPF_US          (1ull << 2)
#define NPF_RSV         (1ull << 3)
#define NPF_ID          (1ull << 4)
#define NPF_FINAL       (1ull << 32)   /* fault on the final guest-physical translation */
#define NPF_WALK        (1ull << 33)   /* fault while translating a guest page-table access */

/* ---- CPUID: SVM present, running under a hypervisor ---- */
#define CPUID_80000001_ECX_SVM (1u << 2)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

/* ---- CPUID 8000_000A EDX feature bits ---- */
#define SVM_FEAT_NP          (1u << 0)
#define SVM_FEAT_LBRV        (1u << 1)
#define SVM_FEAT_SVML        (1u << 2)
#define SVM_FEAT_NRIPS       (1u << 3)
#define SVM_FEAT_TSCRATE     (1u << 4)
#define SVM_FEAT_VMCBCLEAN   (1u << 5)
#define SVM_FEAT_FLUSHASID   (1u << 6)
#define SVM_FEAT_DECODE      (1u << 7)
#define SVM_FEAT_PAUSEFILTER (1u << 10)
#define SVM_FEAT_VGIF        (1u << 16)

/* ---- MSRs ---- */
#define MSR_EFER          0xc0000080u
#define MSR_STAR          0xc0000081u
#define MSR_LSTAR         0xc0000082u
#define MSR_CSTAR         0xc0000083u
#define MSR_SFMASK        0xc0000084u
#define MSR_FS_BASE       0xc0000100u
#define MSR_GS_BASE       0xc0000101u
#define MSR_KERNEL_GS     0xc0000102u
#define MSR_SYSENTER_CS   0x174u
#define MSR_SYSENTER_ESP  0x175u
#define MSR_SYSENTER_EIP  0x176u
#define MSR_TSC           0x10u
#define MSR_VM_CR         0xc0010114u
#define MSR_VM_HSAVE_PA   0xc0010117u
#define EFER_SCE   (1ull << 0)
#define EFER_LME   (1ull << 8)
#define EFER_LMA   (1ull << 10)
#define EFER_NXE   (1ull << 11)
#define EFER_SVME  (1ull << 12)
#define VM_CR_LOCK   (1ull << 3)
#define VM_CR_SVMDIS (1ull << 4)

/* ---- the VMCB as a C structure (APM Vol 2 §15.5, Appendix B) ---- */
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

#define VMCB_CHECK(field, off) _Static_assert(offsetof(struct vmcb, field) == (off), #field)
_Static_assert(sizeof(struct vmcb) == 4096, "the VMCB is one 4 KiB page");
VMCB_CHECK(control.intercept_misc1, VMCB_INTERCEPT_MISC1);
VMCB_CHECK(control.iopm_base_pa, VMCB_IOPM_BASE);
VMCB_CHECK(control.guest_asid, VMCB_ASID);
VMCB_CHECK(control.tlb_control, VMCB_TLB_CONTROL);
VMCB_CHECK(control.v_intr, VMCB_V_INTR);
VMCB_CHECK(control.exitcode, VMCB_EXITCODE);
VMCB_CHECK(control.exitintinfo, VMCB_EXITINTINFO);
VMCB_CHECK(control.np_enable, VMCB_NP_ENABLE);
VMCB_CHECK(control.eventinj, VMCB_EVENTINJ);
VMCB_CHECK(control.n_cr3, VMCB_N_CR3);
VMCB_CHECK(control.vmcb_clean, VMCB_CLEAN);
VMCB_CHECK(control.next_rip, VMCB_NEXT_RIP);
VMCB_CHECK(control.guest_insn_len, VMCB_INSN_LEN);
VMCB_CHECK(save.es, VMCB_ES);
VMCB_CHECK(save.tr, VMCB_TR);
VMCB_CHECK(save.cpl, VMCB_CPL);
VMCB_CHECK(save.efer, VMCB_EFER);
VMCB_CHECK(save.cr4, VMCB_CR4);
VMCB_CHECK(save.rflags, VMCB_RFLAGS);
VMCB_CHECK(save.rip, VMCB_RIP);
VMCB_CHECK(save.rsp, VMCB_RSP);
VMCB_CHECK(save.rax, VMCB_RAX);
VMCB_CHECK(save.sysenter_eip, VMCB_SYSENTER_EIP);
VMCB_CHECK(save.cr2, VMCB_CR2);
VMCB_CHECK(save.g_pat, VMCB_G_PAT);
#undef VMCB_CHECK

#endif
