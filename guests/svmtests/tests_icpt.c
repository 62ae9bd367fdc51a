/* tests_icpt.c - intercepts (APM Vol 2 sec. 15.8-15.15): each row runs a guest snippet whose
 * instruction at g_<name>_i must exit with the row's EXITCODE before it executes, with
 * VMCB RIP = that instruction and, with NRIPS, NRIP = the next one (sec. 15.7.1); some rows
 * check EXITINFO1/2 as well. Also CR0 selective write, shutdown, and intercept-vs-exception
 * priorities (sec. 15.7.2/sec. 15.9: instruction intercepts are checked after simple exceptions such
 * as #GP for CPL or #UD, before memory-access exceptions and operand-value-based checks). */
#include "harness.h"
#include "../lib/io.h"

G(cr0r); G(cr0w); G(cr3r); G(cr3w); G(cr4r); G(cr4w); G(cr8r); G(cr8w); G(dr0r); G(dr7w); G(cr0ts); G(cr0wp);
G(ud); G(de); G(pfr); G(pfw); G(gp); G(bp);
G(sidt); G(sgdt); G(sldt); G(str); G(lidt); G(lgdt); G(lldt); G(ltr); G(lidt_rbx);
G(rdtsc); G(rdtscp); G(rdpmc); G(pushf); G(popf); G(cpuid); G(iret); G(intn); G(invd); G(pause); G(hlt);
G(invlpg); G(invlpga); G(vmrun); G(vmmcall); G(vmload); G(vmsave); G(stgi); G(clgi); G(icebp); G(wbinvd);
G(monitor); G(mwait); G(xsetbv); G(rdmsr);

enum { X_NONE, X_EI1, X_PF, X_DA_CR, X_DA_INVLPG, X_DA_INTN, X_EI1_0, X_CPL3 = 0x100, X_XSAVE = 0x200, X_RBX_4G = 0x400,
       X_MSR = 0x800 };

static void make_cpl3(uint8_t *v)
{
    vmcb_set_seg(v, VMCB_CS, USER_CS, 0x0AFB, 0xFFFFFFFF, 0);
    vmcb_set_seg(v, VMCB_SS, USER_DS, 0x0CF3, 0xFFFFFFFF, 0);
    vw8(v, VMCB_CPL, 3);
}

static void t_icpt(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vset32(vmcb, t->word, t->bits);
    guest_regs.r8 = pa(vmcb2);             /* rAX for the guest's VMRUN/VMLOAD/VMSAVE */
    vmcb_reset(vmcb2, t->guest);
    if (t->a & X_CPL3) {
        make_cpl3(vmcb);
        vset32(vmcb, VMCB_INTERCEPT_EXC, 1u << 13);
    }
    if (t->a & X_XSAVE)
        vw64(vmcb, VMCB_CR4, vr64(vmcb, VMCB_CR4) | (1ull << 18));
    if (t->a & X_RBX_4G) {
        guest_regs.rbx = 0x100000000ull;   /* not mapped */
        vset32(vmcb, VMCB_INTERCEPT_EXC, 1u << 14);
    }
    if (t->a & X_MSR) {                    /* ecx = t->b; set its read bit if it is in the MSRPM */
        uint32_t m = (uint32_t)t->b;
        guest_regs.rcx = m;
        long bit = m < 0x2000 ? (long)m * 2 : (m >= 0xC0000000u && m < 0xC0002000u) ? 0x4000 + (long)(m - 0xC0000000u) * 2
                 : (m >= 0xC0010000u && m < 0xC0012000u) ? 0x8000 + (long)(m - 0xC0010000u) * 2 : -1;
        if (bit >= 0)
            msrpm[bit / 8] |= (uint8_t)(1u << (bit % 8));
    }
    run_guest(vmcb);
    expect_exit(vmcb, t->exit);
    uint64_t rip = vr64(vmcb, VMCB_RIP);
    expect_eq("VMCB RIP", rip, (uintptr_t)t->insn);
    /* NRIP is written for instruction intercepts only (not for exception intercepts) */
    bool exception = t->exit >= VMEXIT_EXCP_BASE && t->exit < VMEXIT_EXCP_BASE + 32;
    if ((svm_edx & SVM_FEAT_NRIPS) && t->next && !exception)
        expect_eq("NRIP", vr64(vmcb, VMCB_NEXT_RIP), (uintptr_t)t->next);
    uint64_t e1 = vr64(vmcb, VMCB_EXITINFO1), e2 = vr64(vmcb, VMCB_EXITINFO2);
    switch (t->a & 0xFF) {
    case X_EI1: expect_eq("EXITINFO1", e1, t->b); break;
    case X_EI1_0: expect_eq("EXITINFO1", e1, 0); break;
    case X_PF:
        expect_eq("EXITINFO1 (#PF error code)", e1, t->b);
        expect_eq("EXITINFO2 (#PF address)", e2, t->b & 2 ? 0x100000010ull : 0x100000008ull);
        break;
    case X_DA_CR:
        if (svm_edx & SVM_FEAT_DECODE)
            expect_eq("EXITINFO1 (decode assist: MOV CRn, GPR)", e1, (1ull << 63) | t->b);
        break;
    case X_DA_INVLPG:
        if (svm_edx & SVM_FEAT_DECODE)
            expect_eq("EXITINFO1 (decode assist: INVLPG address)", e1, 0x1234000);
        break;
    case X_DA_INTN:
        if (svm_edx & SVM_FEAT_DECODE)
            expect_eq("EXITINFO1 (decode assist: INTn vector)", e1, 0x30);
        break;
    }
}

/* CR0 selective write: changing only TS (or MP) does not exit, anything else exits with
 * CR0_SEL_WRITE; the plain CR0 write intercept takes priority over it (sec. 15.9.1). */
static void t_cr0sel(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_CR0_SEL);
    if (t->a)
        vset32(vmcb, VMCB_INTERCEPT_CR, 1u << 16);
    uint64_t cr0 = vr64(vmcb, VMCB_CR0);
    run_guest(vmcb);
    expect_exit(vmcb, t->exit);
    if (t->exit == VMEXIT_VMMCALL)
        expect_eq("guest CR0 after the TS-only write", vr64(vmcb, VMCB_CR0), cr0 ^ 8);
    else
        expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), (uintptr_t)t->insn);
}

/* #UD with an empty IDT: #UD -> #GP -> #DF -> shutdown (SHUTDOWN intercept, misc1 bit 31). */
static void t_shutdown(const struct test *t)
{
    (void)t;
    vmcb_reset(vmcb, g_ud);
    vw32(vmcb, VMCB_IDTR + SEG_LIMIT, 0);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_SHUTDOWN);
}

/* VMCB clean bits = 0: the processor must reload everything, e.g. a newly set intercept
 * (sec. 15.15.3). */
static void t_clean0(const struct test *t)
{
    (void)t;
    vmcb_reset(vmcb, g_cpuid);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_VMMCALL);
    vw64(vmcb, VMCB_RIP, (uintptr_t)g_cpuid);
    vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_CPUID);
    vw32(vmcb, VMCB_CLEAN, 0);
    vw8(vmcb, VMCB_TLB_CONTROL, 0);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_CPUID);
}

/* VGIF (sec. 15.33.1 "Virtual GIF"): with V_GIF_ENABLE an unintercepted CLGI/STGI in the guest only clears/sets
 * V_GIF (VMCB 0x060 bit 9). */
static void t_vgif(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vw64(vmcb, VMCB_V_INTR, V_GIF_ENABLE | t->a);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_VMMCALL);
    expect_eq("V_GIF", vr64(vmcb, VMCB_V_INTR) & V_GIF, t->b);
}

#define IC(nm, snip, w, b, code, ...)                                                                   \
    { .name = nm, .fn = t_icpt, .guest = g_##snip, .insn = g_##snip##_i, .next = g_##snip##_n, .word = w, \
      .bits = b, .exit = code, __VA_ARGS__ }
#define M1 VMCB_INTERCEPT_MISC1
#define M2 VMCB_INTERCEPT_MISC2
#define CR VMCB_INTERCEPT_CR
#define DR VMCB_INTERCEPT_DR
#define EX VMCB_INTERCEPT_EXC
#define BP_NOTE "APM sec. 15.12: INT3 raises #BP, intercepted through the exception bitmap (exit 0x43); QEMU 7.2 treats INT3 as a software interrupt and checks only the INTn intercept, so the guest takes #BP through its IDT"

const struct test tests_icpt[] = {
    IC("icpt_cr0_read", cr0r, CR, 1u << 0, VMEXIT_CR0_READ, .a = X_DA_CR, .b = 0),
    IC("icpt_cr0_write", cr0w, CR, 1u << 16, VMEXIT_CR0_WRITE, .a = X_DA_CR, .b = 0),
    IC("icpt_cr3_read", cr3r, CR, 1u << 3, VMEXIT_CR0_READ + 3, .a = X_DA_CR, .b = 0),
    IC("icpt_cr3_write", cr3w, CR, 1u << 19, VMEXIT_CR0_WRITE + 3, .a = X_DA_CR, .b = 0),
    IC("icpt_cr4_read", cr4r, CR, 1u << 4, VMEXIT_CR0_READ + 4, .a = X_DA_CR, .b = 0),
    IC("icpt_cr4_write", cr4w, CR, 1u << 20, VMEXIT_CR0_WRITE + 4, .a = X_DA_CR, .b = 0),
    IC("icpt_cr8_read", cr8r, CR, 1u << 8, VMEXIT_CR0_READ + 8, .a = X_DA_CR, .b = 3),
    IC("icpt_cr8_write", cr8w, CR, 1u << 24, VMEXIT_CR0_WRITE + 8, .a = X_DA_CR, .b = 0),
    IC("icpt_dr0_read", dr0r, DR, 1u << 0, VMEXIT_DR0_READ),
    IC("icpt_dr7_write", dr7w, DR, 1u << 23, VMEXIT_DR0_WRITE + 7),
    { .name = "cr0_sel_write_ts_only_no_exit", .fn = t_cr0sel, .guest = g_cr0ts, .exit = VMEXIT_VMMCALL },
    { .name = "cr0_sel_write_other_bit_exits", .fn = t_cr0sel, .guest = g_cr0wp, .insn = g_cr0wp_i,
      .exit = VMEXIT_CR0_SEL_WRITE },
    { .name = "cr0_write_beats_sel_write", .fn = t_cr0sel, .guest = g_cr0wp, .insn = g_cr0wp_i, .a = 1,
      .exit = VMEXIT_CR0_WRITE },
    IC("icpt_exc_ud", ud, EX, 1u << 6, VMEXIT_EXCP_BASE + 6),
    IC("icpt_exc_de", de, EX, 1u << 0, VMEXIT_EXCP_BASE + 0),
    IC("icpt_exc_pf_read", pfr, EX, 1u << 14, VMEXIT_EXCP_BASE + 14, .a = X_PF, .b = 0),
    IC("icpt_exc_pf_write", pfw, EX, 1u << 14, VMEXIT_EXCP_BASE + 14, .a = X_PF, .b = 2),
    IC("icpt_exc_gp_error_code", gp, EX, 1u << 13, VMEXIT_EXCP_BASE + 13, .a = X_EI1, .b = 0x1230),
    IC("icpt_exc_bp", bp, EX, 1u << 3, VMEXIT_EXCP_BASE + 3, .flags = QEMU_DEVIATES, .note = BP_NOTE),
    { .name = "icpt_shutdown_triple_fault", .fn = t_shutdown },
    IC("icpt_idtr_read", sidt, M1, I1_IDTR_READ, VMEXIT_IDTR_READ),
    IC("icpt_gdtr_read", sgdt, M1, I1_GDTR_READ, VMEXIT_GDTR_READ),
    IC("icpt_ldtr_read", sldt, M1, I1_LDTR_READ, VMEXIT_LDTR_READ),
    IC("icpt_tr_read", str, M1, I1_TR_READ, VMEXIT_TR_READ),
    IC("icpt_idtr_write", lidt, M1, I1_IDTR_WRITE, VMEXIT_IDTR_WRITE),
    IC("icpt_gdtr_write", lgdt, M1, I1_GDTR_WRITE, VMEXIT_GDTR_WRITE),
    IC("icpt_ldtr_write", lldt, M1, I1_LDTR_WRITE, VMEXIT_LDTR_WRITE),
    IC("icpt_tr_write", ltr, M1, I1_TR_WRITE, VMEXIT_TR_WRITE),
    IC("icpt_rdtsc", rdtsc, M1, I1_RDTSC, VMEXIT_RDTSC),
    IC("icpt_rdtscp", rdtscp, M2, I2_RDTSCP, VMEXIT_RDTSCP, .flags = NEED_RDTSCP),
    IC("icpt_rdpmc", rdpmc, M1, I1_RDPMC, VMEXIT_RDPMC),
    IC("icpt_pushf", pushf, M1, I1_PUSHF, VMEXIT_PUSHF),
    IC("icpt_popf", popf, M1, I1_POPF, VMEXIT_POPF),
    IC("icpt_cpuid", cpuid, M1, I1_CPUID, VMEXIT_CPUID),
    IC("icpt_iret", iret, M1, I1_IRET, VMEXIT_IRET),
    IC("icpt_intn", intn, M1, I1_INTN, VMEXIT_SWINT, .a = X_DA_INTN),
    IC("icpt_invd", invd, M1, I1_INVD, VMEXIT_INVD, .flags = QEMU_DEVIATES,
       .note = "APM sec. 15.9 / Appendix B: INVD intercept (misc1 bit 22) exits with 0x76; QEMU 7.2's translator checks the WBINVD intercept for INVD, so INVD does not exit"),
    IC("icpt_pause", pause, M1, I1_PAUSE, VMEXIT_PAUSE),
    IC("icpt_hlt", hlt, M1, I1_HLT, VMEXIT_HLT),
    IC("icpt_invlpg", invlpg, M1, I1_INVLPG, VMEXIT_INVLPG, .a = X_DA_INVLPG),
    IC("icpt_invlpga", invlpga, M1, I1_INVLPGA, VMEXIT_INVLPGA),
    IC("icpt_vmrun", vmrun, M2, I2_VMRUN, VMEXIT_VMRUN),
    IC("icpt_vmmcall", vmmcall, M2, I2_VMMCALL, VMEXIT_VMMCALL),
    IC("icpt_vmload", vmload, M2, I2_VMLOAD, VMEXIT_VMLOAD),
    IC("icpt_vmsave", vmsave, M2, I2_VMSAVE, VMEXIT_VMSAVE),
    IC("icpt_stgi", stgi, M2, I2_STGI, VMEXIT_STGI),
    IC("icpt_clgi", clgi, M2, I2_CLGI, VMEXIT_CLGI),
    IC("icpt_icebp", icebp, M2, I2_ICEBP, VMEXIT_ICEBP, .flags = QEMU_DEVIATES,
       .note = "APM sec. 15.9 / Appendix B: ICEBP (opcode F1) intercept exits with 0x88; QEMU 7.2 does not implement ICEBP, F1 raises #UD"),
    IC("icpt_wbinvd", wbinvd, M2, I2_WBINVD, VMEXIT_WBINVD),
    IC("icpt_monitor", monitor, M2, I2_MONITOR, VMEXIT_MONITOR, .flags = NEED_MONITOR),
    IC("icpt_mwait", mwait, M2, I2_MWAIT, VMEXIT_MWAIT, .flags = NEED_MONITOR),
    IC("icpt_xsetbv", xsetbv, M2, I2_XSETBV, VMEXIT_XSETBV, .a = X_XSAVE, .flags = NEED_XSAVE),
    { .name = "vmcb_clean_zero_reloads_intercepts", .fn = t_clean0, .flags = NEED_VMCBCLEAN },
    { .name = "vgif_guest_clgi_clears_v_gif", .fn = t_vgif, .guest = g_clgi, .a = V_GIF, .b = 0, .flags = NEED_VGIF },
    { .name = "vgif_guest_stgi_sets_v_gif", .fn = t_vgif, .guest = g_stgi, .a = 0, .b = V_GIF, .flags = NEED_VGIF },
    IC("decode_assist_mov_cr0_exitinfo1", cr0w, CR, 1u << 16, VMEXIT_CR0_WRITE, .a = X_DA_CR, .b = 0,
       .flags = NEED_DECODE),
    IC("decode_assist_invlpg_exitinfo1", invlpg, M1, I1_INVLPG, VMEXIT_INVLPG, .a = X_DA_INVLPG, .flags = NEED_DECODE),
    IC("decode_assist_intn_exitinfo1", intn, M1, I1_INTN, VMEXIT_SWINT, .a = X_DA_INTN, .flags = NEED_DECODE),
    /* priorities */
    IC("prio_rdmsr_outside_msrpm_exits_not_gp", rdmsr, M1, I1_MSR_PROT, VMEXIT_MSR, .a = X_MSR | X_EI1_0, .b = 0x40000000),
    IC("prio_rdmsr_nonexistent_in_msrpm_exits_not_gp", rdmsr, M1, I1_MSR_PROT, VMEXIT_MSR, .a = X_MSR | X_EI1_0,
       .b = 0xC0011FF0),
    IC("prio_rdmsr_cpl3_gp_before_intercept", rdmsr, M1, I1_MSR_PROT, VMEXIT_EXCP_BASE + 13,
       .a = X_MSR | X_CPL3 | X_EI1_0, .b = 0x10),
    IC("prio_hlt_cpl3_gp_before_intercept", hlt, M1, I1_HLT, VMEXIT_EXCP_BASE + 13, .a = X_CPL3 | X_EI1_0),
    IC("prio_lidt_intercept_before_pf", lidt_rbx, M1, I1_IDTR_WRITE, VMEXIT_IDTR_WRITE, .a = X_RBX_4G),
    { 0 },
};
