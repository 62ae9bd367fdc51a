/* tests_vmrun.c - VMRUN's consistency checks (APM Vol 2 sec. 15.5.1: illegal guest state ->
 * #VMEXIT with EXITCODE VMEXIT_INVALID = -1), the state VMRUN/#VMEXIT save and restore
 * (sec. 15.5.1, sec. 15.6), and VMLOAD/VMSAVE (sec. 15.5.2). */
#include "harness.h"
#include "../lib/io.h"
#include "../lib/string.h"

G(end);
G(state);

enum {
    C_BASELINE, C_SVME, C_CD_NW, C_CR0_HI, C_CR3_MBZ, C_CR4_MBZ, C_DR6_HI, C_DR7_HI, C_EFER_MBZ,
    C_LME_NOPAE, C_LME_NOPE, C_CS_LD, C_NO_VMRUN, C_ASID0, C_EVT_TYPE1, C_EVT_TYPE5, C_EVT_EXC_NMI,
    C_IOPM_MAX, C_MSRPM_MAX,
};

static unsigned invalid_upper_wrong; /* VMEXIT_INVALID with EXITCODE[63:32] != all ones */

static void set_case(uint8_t *v, uint64_t c)
{
    uint32_t a;
    cpuid(0x80000008, 0, &a, 0, 0, 0);
    uint64_t top = 1ull << (a & 0xFF); /* MAXPHYADDR */
    switch (c) {
    case C_SVME: vw64(v, VMCB_EFER, vr64(v, VMCB_EFER) & ~EFER_SVME); break;
    case C_CD_NW: vw64(v, VMCB_CR0, (vr64(v, VMCB_CR0) & ~(1ull << 30)) | (1ull << 29)); break;
    case C_CR0_HI: vw64(v, VMCB_CR0, vr64(v, VMCB_CR0) | (1ull << 32)); break;
    case C_CR3_MBZ: vw64(v, VMCB_CR3, vr64(v, VMCB_CR3) | (1ull << 62)); break;
    case C_CR4_MBZ: vw64(v, VMCB_CR4, vr64(v, VMCB_CR4) | (1ull << 63)); break;
    case C_DR6_HI: vw64(v, VMCB_DR6, vr64(v, VMCB_DR6) | (1ull << 32)); break;
    case C_DR7_HI: vw64(v, VMCB_DR7, vr64(v, VMCB_DR7) | (1ull << 32)); break;
    case C_EFER_MBZ: vw64(v, VMCB_EFER, vr64(v, VMCB_EFER) | (1ull << 63)); break;
    case C_LME_NOPAE: vw64(v, VMCB_CR4, vr64(v, VMCB_CR4) & ~(1ull << 5)); break;
    case C_LME_NOPE: vw64(v, VMCB_CR0, vr64(v, VMCB_CR0) & ~1ull); break;
    case C_CS_LD: vw16(v, VMCB_CS + SEG_ATTR, vr16(v, VMCB_CS + SEG_ATTR) | 0x400); break;
    case C_NO_VMRUN: vclr32(v, VMCB_INTERCEPT_MISC2, I2_VMRUN); break;
    case C_ASID0: vw32(v, VMCB_ASID, 0); break;
    case C_EVT_TYPE1: vw64(v, VMCB_EVENTINJ, EVT_VALID | (1ull << 8) | 0x20); break;
    case C_EVT_TYPE5: vw64(v, VMCB_EVENTINJ, EVT_VALID | (5ull << 8) | 0x20); break;
    case C_EVT_EXC_NMI: vw64(v, VMCB_EVENTINJ, EVT_VALID | EVT_TYPE_EXC | 2); break;
    case C_IOPM_MAX:
        vset32(v, VMCB_INTERCEPT_MISC1, I1_IOIO_PROT);
        vw64(v, VMCB_IOPM_BASE, top - 0x1000);
        break;
    case C_MSRPM_MAX:
        vset32(v, VMCB_INTERCEPT_MISC1, I1_MSR_PROT);
        vw64(v, VMCB_MSRPM_BASE, top - 0x1000);
        break;
    }
}

static void t_invalid(const struct test *t)
{
    vmcb_reset(vmcb, g_end);
    set_case(vmcb, t->a);
    uint64_t c = run_guest(vmcb);
    if (t->a == C_BASELINE) {
        expect_exit(vmcb, VMEXIT_VMMCALL);
        return;
    }
    if ((uint32_t)c == 0xFFFFFFFFu && c != VMEXIT_INVALID)
        invalid_upper_wrong++;
    /* EXITCODE[31:0] here; all 64 bits are checked by invalid_exitcode_is_64bit */
    if ((uint32_t)c != 0xFFFFFFFFu)
        expect_exit(vmcb, VMEXIT_INVALID);
}

static void t_invalid64(const struct test *t)
{
    (void)t;
    vmcb_reset(vmcb, g_end);
    set_case(vmcb, C_ASID0);
    uint64_t c = run_guest(vmcb);
    expect_eq("EXITCODE (all 64 bits) for ASID 0", c, VMEXIT_INVALID);
    expect_eq("earlier VMEXIT_INVALID exits with EXITCODE[63:32] != 0xffffffff", invalid_upper_wrong, 0);
}

/* ---- guest state after #VMEXIT (g_state: rax = 0x1111222233334444, rsp -= 0x40,
 * flags ZF = PF = CF = 1 (cmp equal; stc), VMMCALL) ---- */
enum { S_RAX, S_RSP, S_RIP, S_RFLAGS, S_CRS, S_EFER, S_SEGS, S_CPL, S_NRIP, S_HOST_RAX, S_HOST_RSP, S_HOST_EFER,
       S_CPL3, S_DTRS };

static void t_state(const struct test *t)
{
    vmcb_reset(vmcb, g_state);
    if (t->a == S_CPL3) {
        vmcb_set_seg(vmcb, VMCB_CS, USER_CS, 0x0AFB, 0xFFFFFFFF, 0);
        vmcb_set_seg(vmcb, VMCB_SS, USER_DS, 0x0CF3, 0xFFFFFFFF, 0);
        vw8(vmcb, VMCB_CPL, 3);
    }
    uint64_t cr0 = vr64(vmcb, VMCB_CR0), cr3 = vr64(vmcb, VMCB_CR3), cr4 = vr64(vmcb, VMCB_CR4);
    uint64_t efer = vr64(vmcb, VMCB_EFER);
    uint64_t rsp0 = vr64(vmcb, VMCB_RSP);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_VMMCALL);
    switch (t->a) {
    case S_RAX: expect_eq("VMCB RAX", vr64(vmcb, VMCB_RAX), 0x1111222233334444ull); break;
    case S_RSP: expect_eq("VMCB RSP", vr64(vmcb, VMCB_RSP), rsp0 - 0x40); break;
    case S_RIP: expect_eq("VMCB RIP (the VMMCALL)", vr64(vmcb, VMCB_RIP), (uintptr_t)g_state_i); break;
    case S_RFLAGS: expect_eq("VMCB RFLAGS", vr64(vmcb, VMCB_RFLAGS), 0x47); break;
    case S_CRS:
        expect_eq("VMCB CR0", vr64(vmcb, VMCB_CR0), cr0);
        expect_eq("VMCB CR3", vr64(vmcb, VMCB_CR3), cr3);
        expect_eq("VMCB CR4", vr64(vmcb, VMCB_CR4), cr4);
        break;
    case S_EFER: expect_eq("VMCB EFER", vr64(vmcb, VMCB_EFER), efer); break;
    case S_SEGS:
        expect_eq("VMCB CS.selector", vr16(vmcb, VMCB_CS + SEG_SEL), KERNEL_CS);
        expect_eq("VMCB SS.selector", vr16(vmcb, VMCB_SS + SEG_SEL), KERNEL_DS);
        expect_eq("VMCB CS.attrib L bit", (vr16(vmcb, VMCB_CS + SEG_ATTR) >> 9) & 1, 1);
        expect_eq("VMCB CS.attrib P, DPL", vr16(vmcb, VMCB_CS + SEG_ATTR) & 0xE0, 0x80);
        expect_eq("VMCB DS.base", vr64(vmcb, VMCB_DS + SEG_BASE), 0);
        break;
    case S_DTRS:
        expect_eq("VMCB GDTR.base", vr64(vmcb, VMCB_GDTR + SEG_BASE), desc64_gdtr.base);
        expect_eq("VMCB GDTR.limit", vr32(vmcb, VMCB_GDTR + SEG_LIMIT), desc64_gdtr.limit);
        expect_eq("VMCB IDTR.base", vr64(vmcb, VMCB_IDTR + SEG_BASE), guest_idt_base());
        expect_eq("VMCB IDTR.limit", vr32(vmcb, VMCB_IDTR + SEG_LIMIT), 0xFFF);
        break;
    case S_CPL: expect_eq("VMCB CPL", vr16(vmcb, VMCB_CPL) & 0xFF, 0); break;
    case S_CPL3:
        expect_eq("VMCB CPL", vr16(vmcb, VMCB_CPL) & 0xFF, 3);
        expect_eq("VMCB CS.selector", vr16(vmcb, VMCB_CS + SEG_SEL), USER_CS);
        break;
    case S_NRIP: expect_eq("NRIP", vr64(vmcb, VMCB_NEXT_RIP), (uintptr_t)g_state_n); break;
    case S_HOST_RAX: expect_eq("host RAX after #VMEXIT (VMCB address)", run_host_rax, pa(vmcb)); break;
    case S_HOST_RSP: expect_eq("host RSP after #VMEXIT", run_host_rsp, run_host_rsp_before); break;
    case S_HOST_EFER: expect_eq("host EFER after #VMEXIT", rdmsr(MSR_EFER), efer); break;
    }
}

/* ---- VMLOAD / VMSAVE round trip ---- */
static uint8_t host_tmp[4096] __attribute__((aligned(4096)));
struct loaded {
    uint64_t fs_base, gs_base, kgs, star, lstar, cstar, sfmask, se_cs, se_esp, se_eip;
    uint16_t fs, gs, tr, ldtr;
};

static void load_values(uint8_t *a)
{
    memset(a, 0, 4096);
    vmcb_set_seg(a, VMCB_FS, 0x0033, 0x0093, 0x000FFFFF, 0x0000123456789000ull);
    vmcb_set_seg(a, VMCB_GS, 0x002B, 0x0093, 0x000ABCDE, 0x00007FFF00001000ull);
    vmcb_set_seg(a, VMCB_TR, 0x0038, 0x008B, 0x00000067, 0x0000000000345000ull);
    vmcb_set_seg(a, VMCB_LDTR, 0x0040, 0x0082, 0x00000FFF, 0x0000000000456000ull);
    vw64(a, VMCB_KERNEL_GS, 0x00007ABC00002000ull);
    vw64(a, VMCB_STAR, 0x001B000800001234ull);
    vw64(a, VMCB_LSTAR, 0xFFFFFFFF81000000ull);
    vw64(a, VMCB_CSTAR, 0xFFFFFFFF82000000ull);
    vw64(a, VMCB_SFMASK, 0x47700);
    vw64(a, VMCB_SYSENTER_CS, 0x10);
    vw64(a, VMCB_SYSENTER_ESP, 0x00801000);
    vw64(a, VMCB_SYSENTER_EIP, 0x00802000);
}

static void vmload_probe(struct loaded *l)
{
    load_values(vmcb2);
    memset(vmcb3, 0, 4096);
    vmsave_at(host_tmp);
    vmload_at(vmcb2);
    l->fs_base = rdmsr(MSR_FS_BASE);
    l->gs_base = rdmsr(MSR_GS_BASE);
    l->kgs = rdmsr(MSR_KERNEL_GS);
    l->star = rdmsr(MSR_STAR);
    l->lstar = rdmsr(MSR_LSTAR);
    l->cstar = rdmsr(MSR_CSTAR);
    l->sfmask = rdmsr(MSR_SFMASK);
    l->se_cs = rdmsr(MSR_SYSENTER_CS);
    l->se_esp = rdmsr(MSR_SYSENTER_ESP);
    l->se_eip = rdmsr(MSR_SYSENTER_EIP);
    __asm__ volatile("mov %%fs, %0" : "=r"(l->fs));
    __asm__ volatile("mov %%gs, %0" : "=r"(l->gs));
    __asm__ volatile("str %0" : "=r"(l->tr));
    __asm__ volatile("sldt %0" : "=r"(l->ldtr));
    vmsave_at(vmcb3);
    vmload_at(host_tmp);
}

enum { L_FS, L_GS, L_TR, L_LDTR, L_KGS, L_SYSCALL, L_SYSENTER, L_SAVE_SEGS, L_SAVE_MSRS };

static void t_vmload(const struct test *t)
{
    struct loaded l;
    vmload_probe(&l);
    uint8_t *a = vmcb2, *b = vmcb3;
    switch (t->a) {
    case L_FS:
        expect_eq("FS selector", l.fs, 0x33);
        expect_eq("FS_BASE", l.fs_base, 0x0000123456789000ull);
        break;
    case L_GS:
        expect_eq("GS selector", l.gs, 0x2B);
        expect_eq("GS_BASE", l.gs_base, 0x00007FFF00001000ull);
        break;
    case L_TR: expect_eq("TR selector (STR)", l.tr, 0x38); break;
    case L_LDTR: expect_eq("LDTR selector (SLDT)", l.ldtr, 0x40); break;
    case L_KGS: expect_eq("KernelGSbase", l.kgs, 0x00007ABC00002000ull); break;
    case L_SYSCALL:
        expect_eq("STAR", l.star, 0x001B000800001234ull);
        expect_eq("LSTAR", l.lstar, 0xFFFFFFFF81000000ull);
        expect_eq("CSTAR", l.cstar, 0xFFFFFFFF82000000ull);
        expect_eq("SFMASK", l.sfmask, 0x47700);
        break;
    case L_SYSENTER:
        expect_eq("SYSENTER_CS", l.se_cs, 0x10);
        expect_eq("SYSENTER_ESP", l.se_esp, 0x00801000);
        expect_eq("SYSENTER_EIP", l.se_eip, 0x00802000);
        break;
    case L_SAVE_SEGS: {
        static const struct { const char *n; unsigned off; } segs[] = {
            { "FS", VMCB_FS }, { "GS", VMCB_GS }, { "TR", VMCB_TR }, { "LDTR", VMCB_LDTR } };
        for (unsigned i = 0; i < 4; i++) {
            unsigned o = segs[i].off;
            if (vr16(b, o + SEG_SEL) != vr16(a, o + SEG_SEL) || vr16(b, o + SEG_ATTR) != vr16(a, o + SEG_ATTR) ||
                vr32(b, o + SEG_LIMIT) != vr32(a, o + SEG_LIMIT) || vr64(b, o + SEG_BASE) != vr64(a, o + SEG_BASE))
                fail("VMSAVE %s: expected sel 0x%x attr 0x%x limit 0x%x base 0x%lx, got sel 0x%x attr 0x%x limit 0x%x base 0x%lx",
                     segs[i].n, vr16(a, o), vr16(a, o + 2), vr32(a, o + 4), (unsigned long)vr64(a, o + 8), vr16(b, o),
                     vr16(b, o + 2), vr32(b, o + 4), (unsigned long)vr64(b, o + 8));
        }
        break;
    }
    case L_SAVE_MSRS: {
        static const struct { const char *n; unsigned off; } m[] = {
            { "KernelGSbase", VMCB_KERNEL_GS }, { "STAR", VMCB_STAR }, { "LSTAR", VMCB_LSTAR },
            { "CSTAR", VMCB_CSTAR }, { "SFMASK", VMCB_SFMASK }, { "SYSENTER_CS", VMCB_SYSENTER_CS },
            { "SYSENTER_ESP", VMCB_SYSENTER_ESP }, { "SYSENTER_EIP", VMCB_SYSENTER_EIP } };
        for (unsigned i = 0; i < 8; i++)
            expect_eq(m[i].n, vr64(b, m[i].off), vr64(a, m[i].off));
        break;
    }
    }
}

const struct test tests_vmrun[] = {
    { .name = "vmrun_valid_guest_runs", .fn = t_invalid, .a = C_BASELINE },
    { .name = "invalid_guest_efer_svme_clear", .fn = t_invalid, .a = C_SVME },
    { .name = "invalid_cr0_nw_without_cd", .fn = t_invalid, .a = C_CD_NW },
    { .name = "invalid_cr0_upper_bits", .fn = t_invalid, .a = C_CR0_HI },
    { .name = "invalid_cr3_mbz_bit", .fn = t_invalid, .a = C_CR3_MBZ },
    { .name = "invalid_cr4_mbz_bit", .fn = t_invalid, .a = C_CR4_MBZ },
    { .name = "invalid_dr6_upper_bits", .fn = t_invalid, .a = C_DR6_HI },
    { .name = "invalid_dr7_upper_bits", .fn = t_invalid, .a = C_DR7_HI },
    { .name = "invalid_efer_mbz_bit", .fn = t_invalid, .a = C_EFER_MBZ },
    { .name = "invalid_lme_pg_without_pae", .fn = t_invalid, .a = C_LME_NOPAE },
    { .name = "invalid_lme_pg_without_pe", .fn = t_invalid, .a = C_LME_NOPE },
    { .name = "invalid_long_mode_cs_l_and_d", .fn = t_invalid, .a = C_CS_LD },
    { .name = "invalid_vmrun_intercept_clear", .fn = t_invalid, .a = C_NO_VMRUN },
    { .name = "invalid_asid_zero", .fn = t_invalid, .a = C_ASID0 },
    { .name = "invalid_eventinj_type1", .fn = t_invalid, .a = C_EVT_TYPE1 },
    { .name = "invalid_eventinj_type5", .fn = t_invalid, .a = C_EVT_TYPE5 },
    { .name = "invalid_eventinj_exception_vector2", .fn = t_invalid, .a = C_EVT_EXC_NMI },
    { .name = "invalid_iopm_beyond_maxphyaddr", .fn = t_invalid, .a = C_IOPM_MAX },
    { .name = "invalid_msrpm_beyond_maxphyaddr", .fn = t_invalid, .a = C_MSRPM_MAX },
    /* APM Vol 2 Appendix C: VMEXIT_INVALID is -1 in the 64-bit EXITCODE field */
    { .name = "invalid_exitcode_is_64bit", .fn = t_invalid64, .flags = QEMU_DEVIATES,
      .note = "APM Appendix C / sec. 15.5.1: EXITCODE is 64 bits and VMEXIT_INVALID is -1; QEMU 7.2 stores (uint32_t)-1, so EXITCODE[63:32] = 0" },
    { .name = "exit_saves_rax", .fn = t_state, .a = S_RAX },
    { .name = "exit_saves_rsp", .fn = t_state, .a = S_RSP },
    { .name = "exit_saves_rip_of_intercepted_insn", .fn = t_state, .a = S_RIP },
    { .name = "exit_saves_rflags", .fn = t_state, .a = S_RFLAGS },
    { .name = "exit_saves_cr0_cr3_cr4", .fn = t_state, .a = S_CRS },
    { .name = "exit_saves_efer", .fn = t_state, .a = S_EFER },
    { .name = "exit_saves_segments", .fn = t_state, .a = S_SEGS },
    { .name = "exit_saves_gdtr_idtr", .fn = t_state, .a = S_DTRS },
    { .name = "exit_saves_cpl0", .fn = t_state, .a = S_CPL },
    { .name = "exit_saves_cpl3_guest", .fn = t_state, .a = S_CPL3 },
    { .name = "exit_nrip_vmmcall", .fn = t_state, .a = S_NRIP, .flags = NEED_NRIPS },
    { .name = "host_rax_is_vmcb_pa", .fn = t_state, .a = S_HOST_RAX },
    { .name = "host_rsp_restored", .fn = t_state, .a = S_HOST_RSP },
    { .name = "host_efer_restored", .fn = t_state, .a = S_HOST_EFER },
    { .name = "vmload_fs", .fn = t_vmload, .a = L_FS },
    { .name = "vmload_gs", .fn = t_vmload, .a = L_GS },
    { .name = "vmload_tr", .fn = t_vmload, .a = L_TR },
    { .name = "vmload_ldtr", .fn = t_vmload, .a = L_LDTR },
    { .name = "vmload_kernel_gs_base", .fn = t_vmload, .a = L_KGS },
    { .name = "vmload_star_lstar_cstar_sfmask", .fn = t_vmload, .a = L_SYSCALL },
    { .name = "vmload_sysenter_msrs", .fn = t_vmload, .a = L_SYSENTER },
    { .name = "vmsave_segments_round_trip", .fn = t_vmload, .a = L_SAVE_SEGS },
    { .name = "vmsave_msrs_round_trip", .fn = t_vmload, .a = L_SAVE_MSRS },
    { 0 },
};
