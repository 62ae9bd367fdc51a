/* svm.c - paper Table 1, boxes INITIALIZE_SVM, ENABLE_SVM and SETUP_HYPERVISOR: check that
 * the CPU can do SVM with nested paging, turn it on (EFER.SVME) and give it the host state
 * save area (VM_HSAVE_PA). APM Vol 2 §15.4 "Enabling SVM". */
#include "hvmm.h"
#include "../lib/io.h"
#include "../lib/string.h"

bool has_nrips;
uint32_t nasid;
uint64_t host_vmsave_pa;

/* The host state save area VMRUN writes and #VMEXIT reads (APM Vol 2 §15.30.4), and the
 * area VMSAVE/VMLOAD keep the host's FS, GS, TR, LDTR, KernelGSbase, STAR... in around
 * each VMRUN (the guest's are in its VMCB). */
static uint8_t host_save_area[4096] __attribute__((aligned(4096)));
static uint8_t host_vmsave_area[4096] __attribute__((aligned(4096)));

static __attribute__((noreturn)) void no_svm(const char *why)
{
    hv_say("hvmm: *** cannot run guests: %s ***\n", why);
    hvmm_exit(HVMM_EXIT_NO_SVM);
}

/* Paper Table 1: ENABLE_SVM() { Initialize SVM specific flags such as EFER, SVM with
 * appropriate value; } */
void enable_svm(void)
{
    uint32_t max_ext, ecx, ebx, edx;
    cpuid(0x80000000, 0, &max_ext, 0, 0, 0);
    if (max_ext < 0x8000000A)
        no_svm("CPUID has no leaf 8000_000A: no SVM");
    cpuid(0x80000001, 0, 0, 0, &ecx, 0);
    if (!(ecx & CPUID_80000001_ECX_SVM))
        no_svm("SVM not supported (CPUID 8000_0001 ECX[2] = 0)");
    /* APM Vol 2 §15.4: VM_CR.SVMDIS set means SVM is disabled (e.g. by the BIOS). */
    if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
        no_svm("SVM disabled (VM_CR MSR C001_0114 bit 4 SVMDIS = 1)");
    cpuid(0x8000000A, 0, 0, &ebx, 0, &edx);
    if (!(edx & SVM_FEAT_NP))
        no_svm("no nested paging (CPUID 8000_000A EDX[0] = 0)");
    has_nrips = (edx & SVM_FEAT_NRIPS) != 0;
    nasid = ebx;
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    hv_say("hvmm: SVM enabled: EFER.SVME=1, nested paging, %u ASIDs, NRIPS %s\n", nasid,
           has_nrips ? "yes" : "no");
}

/* Paper Table 1: SETUP_HYPERVISOR() { Allocate and setup basic VMM data structures such as
 * Host State Save Area } */
void setup_hypervisor(void)
{
    memset(host_save_area, 0, sizeof host_save_area);
    wrmsr(MSR_VM_HSAVE_PA, (uintptr_t)host_save_area);
    host_vmsave_pa = (uintptr_t)host_vmsave_area;
    hv_say("hvmm: host save area at 0x%lx (VM_HSAVE_PA), host VMSAVE area at 0x%lx\n",
           (unsigned long)(uintptr_t)host_save_area, (unsigned long)host_vmsave_pa);
}

/* Paper Table 1: INITIALIZE_SVM() { ENABLE_SVM(); SETUP_HYPERVISOR(); } */
void initialize_svm(void)
{
    enable_svm();
    setup_hypervisor();
}
