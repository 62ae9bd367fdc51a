/* tests_basic.c - discovery (CPUID, EFER.SVME, VM_CR, VM_HSAVE_PA) and the exceptions of
 * the SVM instructions themselves: #UD with EFER.SVME = 0, #GP(0) for a misaligned rAX,
 * #GP(0) at CPL3 (APM Vol 3 instruction pages; Vol 2 sec. 15.4, sec. 15.5, sec. 15.30). */
#include "harness.h"
#include "../lib/io.h"

void do_vmrun(uint64_t), do_vmload(uint64_t), do_vmsave(uint64_t), do_stgi(uint64_t), do_clgi(uint64_t),
    do_vmmcall(uint64_t), do_invlpga(uint64_t), do_rdmsr(uint64_t);
G(end);

static void t_cpuid_svm(const struct test *t)
{
    (void)t;
    uint32_t c;
    cpuid(0x80000001, 0, 0, 0, &c, 0);
    expect_eq("CPUID 8000_0001 ECX[2] (SVM)", (c >> 2) & 1, 1);
}

static void t_nasid(const struct test *t)
{
    (void)t;
    expect_true("CPUID 8000_000A EBX (number of ASIDs) is nonzero", svm_ebx != 0);
}

static void t_svme(const struct test *t)
{
    (void)t;
    uint64_t e = rdmsr(MSR_EFER);
    wrmsr(MSR_EFER, e & ~EFER_SVME);
    uint64_t off = rdmsr(MSR_EFER);
    wrmsr(MSR_EFER, e | EFER_SVME);
    uint64_t on = rdmsr(MSR_EFER);
    expect_eq("EFER.SVME after clearing", off & EFER_SVME, 0);
    expect_eq("EFER.SVME after setting", on & EFER_SVME, EFER_SVME);
}

static void t_vm_cr(const struct test *t)
{
    (void)t;
    long v = fault_call(do_rdmsr, MSR_VM_CR, 0);
    expect_eq("RDMSR VM_CR exception (-1 = none)", (uint64_t)v, (uint64_t)-1);
    expect_eq("VM_CR.SVMDIS", rdmsr(MSR_VM_CR) & VM_CR_SVMDIS, 0);
}

static void t_hsave(const struct test *t)
{
    (void)t;
    wrmsr(MSR_VM_HSAVE_PA, pa(vmcb3));
    uint64_t a = rdmsr(MSR_VM_HSAVE_PA);
    wrmsr(MSR_VM_HSAVE_PA, pa(hsave_area));
    uint64_t b = rdmsr(MSR_VM_HSAVE_PA);
    expect_eq("VM_HSAVE_PA read back", a, pa(vmcb3));
    expect_eq("VM_HSAVE_PA read back", b, pa(hsave_area));
}

/* t->a: the instruction wrapper; t->b: expected vector. */
static void t_ud_svme0(const struct test *t)
{
    vmcb_reset(vmcb, g_end);
    vmsave_at(vmcb2);
    uint64_t e = rdmsr(MSR_EFER);
    wrmsr(MSR_EFER, e & ~EFER_SVME);
    long v = fault_call((void (*)(uint64_t))(uintptr_t)t->a, pa(vmcb), 0);
    wrmsr(MSR_EFER, e);
    vmload_at(vmcb2);
    stgi();
    expect_eq("exception vector", (uint64_t)v, t->b);
}

static void t_at_cpl0(const struct test *t)
{
    long v = fault_call((void (*)(uint64_t))(uintptr_t)t->a, 0, 0);
    expect_eq("exception vector", (uint64_t)v, t->b);
}

/* misaligned rAX: points into the zeroed IOPM so nothing real is touched either way */
static void t_gp_align(const struct test *t)
{
    vmcb_reset(vmcb, g_end);
    vmsave_at(vmcb2);
    long v = fault_call((void (*)(uint64_t))(uintptr_t)t->a, pa(iopm) + 0x800, 0);
    vmload_at(vmcb2);
    stgi();
    expect_eq("exception vector", (uint64_t)v, 13);
    if (v == 13)
        expect_eq("error code", last_fault.error, 0);
}

/* rAX at MAXPHYADDR: "rAX referenced a physical address above the maximum supported
 * physical address" -> #GP(0) */
static void t_gp_maxpa(const struct test *t)
{
    uint32_t a;
    cpuid(0x80000008, 0, &a, 0, 0, 0);
    vmsave_at(vmcb2);
    long v = fault_call((void (*)(uint64_t))(uintptr_t)t->a, 1ull << (a & 0xFF), 0);
    vmload_at(vmcb2);
    stgi();
    expect_eq("exception vector", (uint64_t)v, 13);
    if (v == 13)
        expect_eq("error code", last_fault.error, 0);
}

static void t_cpl3(const struct test *t)
{
    vmcb_reset(vmcb, g_end);
    long v = fault_call((void (*)(uint64_t))(uintptr_t)t->a, pa(vmcb), 1);
    stgi();
    expect_eq("exception vector at CPL3", (uint64_t)v, t->b);
    if (v == 13)
        expect_eq("error code", last_fault.error, 0);
}

#define F(fn) ((uint64_t)(uintptr_t)(fn))

const struct test tests_basic[] = {
    { .name = "cpuid_svm_bit", .fn = t_cpuid_svm },
    { .name = "cpuid_nasid_nonzero", .fn = t_nasid },
    { .name = "efer_svme_settable", .fn = t_svme },
    { .name = "vm_cr_readable_svmdis_clear", .fn = t_vm_cr },
    { .name = "vm_hsave_pa_read_back", .fn = t_hsave },
    { .name = "ud_vmrun_svme0", .fn = t_ud_svme0, .a = F(do_vmrun), .b = 6 },
    { .name = "ud_vmload_svme0", .fn = t_ud_svme0, .a = F(do_vmload), .b = 6 },
    { .name = "ud_vmsave_svme0", .fn = t_ud_svme0, .a = F(do_vmsave), .b = 6 },
    { .name = "ud_stgi_svme0", .fn = t_ud_svme0, .a = F(do_stgi), .b = 6, .flags = NEED_GI_UD },
    { .name = "ud_clgi_svme0", .fn = t_ud_svme0, .a = F(do_clgi), .b = 6, .flags = NEED_GI_UD },
    { .name = "ud_invlpga_svme0", .fn = t_ud_svme0, .a = F(do_invlpga), .b = 6 },
    { .name = "ud_vmmcall_svme0", .fn = t_ud_svme0, .a = F(do_vmmcall), .b = 6 },
    { .name = "ud_vmmcall_host_svme1", .fn = t_at_cpl0, .a = F(do_vmmcall), .b = 6 },
    { .name = "gp_vmrun_misaligned", .fn = t_gp_align, .a = F(do_vmrun) },
    { .name = "gp_vmload_misaligned", .fn = t_gp_align, .a = F(do_vmload) },
    { .name = "gp_vmsave_misaligned", .fn = t_gp_align, .a = F(do_vmsave) },
    { .name = "gp_vmrun_beyond_maxphyaddr", .fn = t_gp_maxpa, .a = F(do_vmrun) },
    { .name = "gp_vmload_beyond_maxphyaddr", .fn = t_gp_maxpa, .a = F(do_vmload) },
    { .name = "gp_vmsave_beyond_maxphyaddr", .fn = t_gp_maxpa, .a = F(do_vmsave) },
    { .name = "gp_vmrun_cpl3", .fn = t_cpl3, .a = F(do_vmrun), .b = 13 },
    { .name = "gp_vmload_cpl3", .fn = t_cpl3, .a = F(do_vmload), .b = 13 },
    { .name = "gp_vmsave_cpl3", .fn = t_cpl3, .a = F(do_vmsave), .b = 13 },
    { .name = "gp_stgi_cpl3", .fn = t_cpl3, .a = F(do_stgi), .b = 13 },
    { .name = "gp_clgi_cpl3", .fn = t_cpl3, .a = F(do_clgi), .b = 13 },
    { .name = "gp_invlpga_cpl3", .fn = t_cpl3, .a = F(do_invlpga), .b = 13 },
    { .name = "ud_vmmcall_cpl3", .fn = t_cpl3, .a = F(do_vmmcall), .b = 6 },
    { 0 },
};
