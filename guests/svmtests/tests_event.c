/* tests_event.c - physical interrupts and GIF (APM Vol 2 sec. 15.13.1, sec. 15.17: #VMEXIT clears
 * GIF, STGI sets it, GIF = 0 holds off INTR), event injection and EXITINTINFO (sec. 15.20,
 * sec. 15.7.2), virtual interrupts and the virtual TPR (sec. 15.21), the interrupt shadow
 * (sec. 15.21.5: VMCB 0x068 bit 0). */
#include "harness.h"
#include "../lib/io.h"

G(end); G(sti_hlt); G(hlt); G(sti_nops); G(de); G(cr8w); G(cr8r); G(sti_vmmcall); G(movss_vmmcall);
G(nop_vmmcall);

static void spin(unsigned n)
{
    for (volatile unsigned i = 0; i < n; i++)
        __asm__ volatile("pause");
}

enum { I_EXIT, I_GIF_BLOCKS, I_STGI_DELIVERS, I_VMASK_HOST_IF };

static void t_intr(const struct test *t)
{
    vmcb_reset(vmcb, t->a == I_VMASK_HOST_IF ? (const void *)g_hlt : (const void *)g_sti_hlt);
    vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_INTR);
    run_no_stgi = 1;
    timer_irq(true);
    if (t->a == I_VMASK_HOST_IF) {
        /* V_INTR_MASKING = 1: physical interrupts follow the host's IF (1 here, GIF = 0
         * until VMRUN), not the guest's (0 here) */
        vw64(vmcb, VMCB_V_INTR, V_INTR_MASKING);
        clgi();
        sti();
    }
    run_guest(vmcb);
    cli();
    expect_exit(vmcb, VMEXIT_INTR);
    if (check_failed() || t->a == I_EXIT || t->a == I_VMASK_HOST_IF)
        return;
    unsigned long before = host_ticks;
    sti();              /* GIF is still 0: the pending IRQ 0 must wait */
    spin(20000);
    unsigned long during = host_ticks;
    stgi();
    spin(20000);
    cli();
    unsigned long after = host_ticks;
    if (t->a == I_GIF_BLOCKS)
        expect_eq("host interrupts taken with GIF = 0, IF = 1", during - before, 0);
    else
        expect_true("STGI with IF = 1 lets the pending interrupt in", after > during);
}

/* ---- NMI (APM Vol 2 sec. 15.13.2, sec. 15.17): a self-IPI with NMI delivery through the local
 * APIC (ICR 0x300: shorthand self, delivery mode 100b). GIF = 0 holds the NMI pending; VMRUN
 * sets GIF, so a pending NMI is recognized at once in the guest: with the NMI intercept it
 * exits (#VMEXIT(NMI), the NMI stays pending for the host), without it the guest takes it
 * through its own IDT. ---- */
#define LAPIC_BASE 0xFEE00000ul
extern uint64_t boot_pdpt[];
static uint64_t lapic_pd[512] __attribute__((aligned(4096)));

static void lapic_map(void)
{
    if (boot_pdpt[3])
        return;
    /* 3-4 GiB: one 2 MiB page over the APIC, uncached (PCD|PWT) */
    lapic_pd[(LAPIC_BASE >> 21) & 511] = (LAPIC_BASE & ~0x1FFFFFul) | 0x9B;
    boot_pdpt[3] = (uintptr_t)lapic_pd | 0x3;
    uint64_t cr3;
    __asm__ volatile("mov %%cr3, %0; mov %0, %%cr3" : "=r"(cr3) : : "memory");
    volatile uint32_t *svr = (volatile uint32_t *)(LAPIC_BASE + 0xF0);
    *svr = *svr | 0x100; /* software-enable the APIC */
}

static void self_nmi(void)
{
    lapic_map();
    volatile uint32_t *icr_lo = (volatile uint32_t *)(LAPIC_BASE + 0x300);
    *icr_lo = (1u << 18) | (4u << 8); /* shorthand self, delivery mode NMI */
}

enum { N_HOST, N_GIF_HOLDS, N_INTERCEPT, N_GUEST_TAKES };

static void t_nmi(const struct test *t)
{
    unsigned long before = host_nmis;
    if (t->a == N_HOST) {
        self_nmi();
        spin(1000);
        expect_eq("host NMIs taken", host_nmis - before, 1);
        return;
    }
    if (t->a == N_GIF_HOLDS) {
        clgi();
        self_nmi();
        spin(20000);
        unsigned long during = host_nmis;
        stgi();
        spin(1000);
        expect_eq("NMIs taken with GIF = 0", during - before, 0);
        expect_eq("NMIs taken after STGI", host_nmis - before, 1);
        return;
    }
    vmcb_reset(vmcb, g_end);
    if (t->a == N_INTERCEPT)
        vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_NMI);
    run_no_stgi = 1;
    clgi();
    self_nmi();
    run_guest(vmcb);
    if (t->a == N_INTERCEPT) {
        expect_exit(vmcb, VMEXIT_NMI);
        expect_eq("VMCB RIP (no guest instruction ran)", vr64(vmcb, VMCB_RIP), (uintptr_t)g_end);
        expect_eq("NMIs taken by the host before STGI", host_nmis - before, 0);
        stgi();
        spin(1000);
        expect_eq("the NMI stayed pending for the host", host_nmis - before, 1);
    } else {
        stgi();
        expect_exit(vmcb, VMEXIT_VMMCALL);
        expect_eq("vector taken by the guest (r15)", guest_regs.r15, 2);
        expect_eq("NMIs taken by the host", host_nmis - before, 0);
    }
}

/* ---- event injection: .a = EVENTINJ, .b = vector the guest's IDT must see ---- */
enum { J_VECTOR, J_ERRCODE, J_NO_ERRCODE };

static void t_inject(const struct test *t)
{
    vmcb_reset(vmcb, g_end);
    vw64(vmcb, VMCB_EVENTINJ, t->a);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_VMMCALL);
    expect_eq("vector delivered to the guest (r15)", guest_regs.r15, t->b);
    if (check_failed())
        return;
    const uint64_t *frame = (const uint64_t *)(uintptr_t)guest_regs.r14;
    if (t->bits == J_ERRCODE) {
        expect_eq("error code pushed", frame[0], t->a >> 32);
        expect_eq("return RIP pushed", frame[1], (uintptr_t)g_end);
    } else if (t->bits == J_NO_ERRCODE) {
        expect_eq("return RIP pushed (no error code)", frame[0], (uintptr_t)g_end);
    }
}

/* ---- EXITINTINFO: an intercepted #GP while delivering an event through a short IDT ---- */
enum { E_INJECTED, E_GUEST_DE, E_GUEST_DE_ERR };

static void t_exitintinfo(const struct test *t)
{
    if (t->a == E_INJECTED) {
        vmcb_reset(vmcb, g_end);
        vw32(vmcb, VMCB_IDTR + SEG_LIMIT, 0x40 * 16 - 1);
        vw64(vmcb, VMCB_EVENTINJ, EVT_VALID | EVT_TYPE_INTR | 0x60);
    } else {
        vmcb_reset(vmcb, g_de);
        vw32(vmcb, VMCB_IDTR + SEG_LIMIT, 0);
    }
    vw32(vmcb, VMCB_INTERCEPT_EXC, 1u << 13);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_EXCP_BASE + 13);
    uint64_t ii = vr64(vmcb, VMCB_EXITINTINFO);
    switch (t->a) {
    case E_INJECTED: expect_eq("EXITINTINFO", ii, EVT_VALID | EVT_TYPE_INTR | 0x60); break;
    case E_GUEST_DE: expect_eq("EXITINTINFO", ii, EVT_VALID | EVT_TYPE_EXC | 0); break;
    case E_GUEST_DE_ERR:
        expect_eq("EXITINFO1 (#GP error code: IDT vector 0, IDT bit, EXT bit)", vr64(vmcb, VMCB_EXITINFO1), 0x3);
        break;
    }
}

/* ---- virtual interrupts: .guest, .a = V_INTR, .bits = intercept VINTR, .b = r15 expected ---- */
enum { V_R15, V_VIRQ_CLEARED, V_VIRQ_PENDING, V_TPR_IS_7, V_RBX_9 };

static void t_vintr(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    vw64(vmcb, VMCB_V_INTR, t->a);
    if (t->bits)
        vset32(vmcb, VMCB_INTERCEPT_MISC1, I1_VINTR);
    run_guest(vmcb);
    expect_exit(vmcb, t->exit);
    uint64_t vi = vr64(vmcb, VMCB_V_INTR);
    switch (t->word) {
    case V_R15: expect_eq("vector delivered (r15; -1 = none)", guest_regs.r15, t->b); break;
    case V_VIRQ_CLEARED: expect_eq("V_IRQ after delivery", vi & V_IRQ, 0); break;
    case V_VIRQ_PENDING:
        expect_eq("vector delivered (r15; -1 = none)", guest_regs.r15, (uint64_t)-1);
        expect_eq("V_IRQ still pending", vi & V_IRQ, V_IRQ);
        break;
    case V_TPR_IS_7: expect_eq("V_TPR after MOV CR8 = 7", vi & 0xF, 7); break;
    case V_RBX_9: expect_eq("MOV from CR8 (V_TPR = 9)", guest_regs.rbx, 9); break;
    }
}

static void t_shadow(const struct test *t)
{
    vmcb_reset(vmcb, t->guest);
    run_guest(vmcb);
    expect_exit(vmcb, VMEXIT_VMMCALL);
    expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), (uintptr_t)t->insn);
    expect_eq("INTERRUPT_SHADOW bit 0", vr64(vmcb, VMCB_INT_SHADOW) & 1, t->b);
}

#define VI(vec, prio) (V_INTR_MASKING | V_IRQ | V_INTR_VECTOR(vec) | V_INTR_PRIO(prio))
#define EXT_NOTE "APM Vol 2 sec. 8.4.1 (selector error code): the EXT bit of the error code is set when the exception occurred while delivering an earlier exception or interrupt; QEMU 7.2 pushes the #GP(IDT) error code without EXT"

const struct test tests_event[] = {
    { .name = "intr_intercept_exit", .fn = t_intr, .a = I_EXIT },
    { .name = "gif0_after_exit_holds_off_intr", .fn = t_intr, .a = I_GIF_BLOCKS },
    { .name = "stgi_lets_pending_intr_in", .fn = t_intr, .a = I_STGI_DELIVERS },
    { .name = "v_intr_masking_host_if_controls_intr", .fn = t_intr, .a = I_VMASK_HOST_IF },
    { .name = "nmi_self_ipi_taken_by_host", .fn = t_nmi, .a = N_HOST },
    { .name = "gif0_holds_nmi", .fn = t_nmi, .a = N_GIF_HOLDS },
    { .name = "nmi_intercept_exit", .fn = t_nmi, .a = N_INTERCEPT },
    { .name = "nmi_not_intercepted_taken_by_guest", .fn = t_nmi, .a = N_GUEST_TAKES },
    { .name = "inject_exception_with_error_code", .fn = t_inject,
      .a = EVT_VALID | EVT_TYPE_EXC | EVT_EV | EVT_ERR(0x1234) | 13, .b = 13, .bits = J_ERRCODE },
    { .name = "inject_exception_without_error_code", .fn = t_inject, .a = EVT_VALID | EVT_TYPE_EXC | 6, .b = 6,
      .bits = J_NO_ERRCODE },
    { .name = "inject_external_interrupt", .fn = t_inject, .a = EVT_VALID | EVT_TYPE_INTR | 0x41, .b = 0x41,
      .bits = J_NO_ERRCODE },
    { .name = "inject_nmi", .fn = t_inject, .a = EVT_VALID | EVT_TYPE_NMI | 2, .b = 2, .bits = J_NO_ERRCODE },
    { .name = "inject_software_interrupt", .fn = t_inject, .a = EVT_VALID | EVT_TYPE_SOFT | 0x80, .b = 0x80 },
    { .name = "exitintinfo_injected_interrupt", .fn = t_exitintinfo, .a = E_INJECTED },
    { .name = "exitintinfo_guest_exception", .fn = t_exitintinfo, .a = E_GUEST_DE },
    { .name = "nested_gp_error_code_ext_bit", .fn = t_exitintinfo, .a = E_GUEST_DE_ERR, .flags = QEMU_DEVIATES,
      .note = EXT_NOTE },
    { .name = "vintr_delivered_through_guest_idt", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x50, 0xF),
      .b = 0x50, .word = V_R15, .exit = VMEXIT_VMMCALL },
    { .name = "vintr_v_irq_cleared_when_taken", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x50, 0xF),
      .word = V_VIRQ_CLEARED, .exit = VMEXIT_VMMCALL },
    { .name = "vintr_intercept_exit", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x50, 0xF), .bits = 1,
      .word = V_VIRQ_PENDING + 100, .exit = VMEXIT_VINTR },
    { .name = "vintr_held_off_by_guest_if0", .fn = t_vintr, .guest = g_end, .a = VI(0x50, 0xF),
      .word = V_VIRQ_PENDING, .exit = VMEXIT_VMMCALL },
    { .name = "vintr_held_off_by_v_tpr", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x50, 5) | 0xA,
      .word = V_VIRQ_PENDING, .exit = VMEXIT_VMMCALL },
    { .name = "vintr_v_ign_tpr", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x50, 5) | 0xA | V_IGN_TPR,
      .b = 0x50, .word = V_R15, .exit = VMEXIT_VMMCALL },
    { .name = "vintr_prio_above_v_tpr_delivered", .fn = t_vintr, .guest = g_sti_nops, .a = VI(0x51, 6) | 0x5,
      .b = 0x51, .word = V_R15, .exit = VMEXIT_VMMCALL },
    { .name = "cr8_write_sets_v_tpr", .fn = t_vintr, .guest = g_cr8w, .a = V_INTR_MASKING, .word = V_TPR_IS_7,
      .exit = VMEXIT_VMMCALL },
    { .name = "cr8_read_returns_v_tpr", .fn = t_vintr, .guest = g_cr8r, .a = V_INTR_MASKING | 9, .word = V_RBX_9,
      .exit = VMEXIT_VMMCALL },
    { .name = "interrupt_shadow_after_sti", .fn = t_shadow, .guest = g_sti_vmmcall, .insn = g_sti_vmmcall_i, .b = 1 },
    { .name = "interrupt_shadow_after_mov_ss", .fn = t_shadow, .guest = g_movss_vmmcall, .insn = g_movss_vmmcall_i,
      .b = 1 },
    { .name = "no_interrupt_shadow_after_nop", .fn = t_shadow, .guest = g_nop_vmmcall, .insn = g_nop_vmmcall_i,
      .b = 0 },
    { 0 },
};
