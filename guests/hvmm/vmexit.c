/* vmexit.c - paper Table 2, box HANDLE_VMEXIT: "a naive #VMEXIT handler which just displays
 * the information associated with the #VMEXIT". Ours displays it (guest, exit code by name,
 * EXITINFO1/2, RIP; log=off silences it) and then does the least the guests need:
 *   INTR      end of a time slice (the host already took the timer interrupt, vm_boot)
 *   VMMCALL   hypercalls (hypercall.h)             HLT     yield
 *   CPUID     host CPUID minus SVM, plus the hypervisor bit and leaf 0x40000000
 *   IOIO      the guest's virtual serial port (io.c)   MSR   msr.c
 *   VMRUN     #UD into the guest (it has no SVM)
 *   NPF, SHUTDOWN, #MC, VMEXIT_INVALID, anything else: the VM is stopped, the others go on. */
#include "hvmm.h"
#include "hypercall.h"
#include "../lib/io.h"
#include "../lib/string.h"

const char *exit_name(uint64_t code)
{
    static const char *const names[] = {
        [0x60] = "INTR", "NMI", "SMI", "INIT", "VINTR", "CR0_SEL_WRITE", "IDTR_READ", "GDTR_READ",
        "LDTR_READ", "TR_READ", "IDTR_WRITE", "GDTR_WRITE", "LDTR_WRITE", "TR_WRITE", "RDTSC",
        "RDPMC", "PUSHF", "POPF", "CPUID", "RSM", "IRET", "SWINT", "INVD", "PAUSE", "HLT", "INVLPG",
        "INVLPGA", "IOIO", "MSR", "TASK_SWITCH", "FERR_FREEZE", "SHUTDOWN", "VMRUN", "VMMCALL",
        "VMLOAD", "VMSAVE", "STGI", "CLGI", "SKINIT", "RDTSCP", "ICEBP", "WBINVD", "MONITOR",
        "MWAIT", "MWAIT_CONDITIONAL", "XSETBV",
    };
    static const char *const excp[32] = {
        "EXCP_DE", "EXCP_DB", "EXCP_NMI", "EXCP_BP", "EXCP_OF", "EXCP_BR", "EXCP_UD", "EXCP_NM",
        "EXCP_DF", "EXCP_9", "EXCP_TS", "EXCP_NP", "EXCP_SS", "EXCP_GP", "EXCP_PF", "EXCP_15",
        "EXCP_MF", "EXCP_AC", "EXCP_MC", "EXCP_XF", "EXCP_20", "EXCP_CP", "EXCP_22", "EXCP_23",
        "EXCP_24", "EXCP_25", "EXCP_26", "EXCP_27", "EXCP_HV", "EXCP_VC", "EXCP_SX", "EXCP_31",
    };
    if (code == VMEXIT_INVALID)
        return "INVALID";
    if (code == VMEXIT_NPF)
        return "NPF";
    if (code < 0x10)
        return "CR_READ";
    if (code < 0x20)
        return "CR_WRITE";
    if (code < 0x40)
        return code < 0x30 ? "DR_READ" : "DR_WRITE";
    if (code < 0x60)
        return excp[code - 0x40];
    if (code < sizeof names / sizeof names[0] && names[code])
        return names[code];
    return "UNKNOWN";
}

static void hypercall(struct vm *vm)
{
    struct vmcb_save *s = &vm->vmcb->save;
    uint64_t fn = s->rax;
    s->rip = vm_next_rip(vm, 3);                  /* VMMCALL is 0F 01 D9 */
    switch (fn) {
    case HC_PRINT: {
        uint64_t gpa = vm->regs.rbx, len = vm->regs.rcx;
        if (len > HC_PRINT_MAX || gpa >= vm->mem_size || len > vm->mem_size - gpa) {
            s->rax = HC_ERROR;
            break;
        }
        log_guest_line(vm, (const char *)(uintptr_t)(vm->mem_base + gpa), (unsigned)len);
        s->rax = len;
        break;
    }
    case HC_YIELD:
        s->rax = 0;
        sched_end_slice();
        break;
    case HC_TIME: {
        uint32_t lo, hi;
        __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
        s->rax = timer_ticks;
        vm->regs.rbx = (uint64_t)hi << 32 | lo;
        vm->regs.rcx = timer_hz;
        break;
    }
    case HC_EXIT:
        vm_exit_normally(vm, vm->regs.rbx);
        break;
    case HC_INFO:
        s->rax = (uint64_t)vm->id;
        vm->regs.rbx = vm->asid;
        vm->regs.rcx = vm->mem_size;
        break;
    default:
        s->rax = HC_ERROR;
        break;
    }
}

/* CPUID as the host answers it, minus SVM, plus "a hypervisor is present" and our leaf. */
static void emulate_cpuid(struct vm *vm)
{
    struct vmcb_save *s = &vm->vmcb->save;
    uint32_t leaf = (uint32_t)s->rax, sub = (uint32_t)vm->regs.rcx, a, b, c, d;
    if (leaf >= HVMM_CPUID_LEAF && leaf <= HVMM_CPUID_LEAF + 0xFF) {
        a = b = c = d = 0;
        if (leaf == HVMM_CPUID_LEAF) {
            a = HVMM_CPUID_LEAF;                  /* highest hypervisor leaf */
            memcpy(&b, HVMM_VENDOR, 4);
            memcpy(&c, HVMM_VENDOR + 4, 4);
            memcpy(&d, HVMM_VENDOR + 8, 4);
        }
    } else {
        cpuid(leaf, sub, &a, &b, &c, &d);
        if (leaf == 1)
            c |= CPUID_1_ECX_HYPERVISOR;
        else if (leaf == 0x80000001)
            c &= ~CPUID_80000001_ECX_SVM;
        else if (leaf == 0x8000000A)
            a = b = c = d = 0;
    }
    s->rax = a;
    vm->regs.rbx = b;
    vm->regs.rcx = c;
    vm->regs.rdx = d;
    s->rip = vm_next_rip(vm, 2);                  /* CPUID is 0F A2 */
}

static void inject_ud(struct vm *vm)
{
    vm->vmcb->control.eventinj = EVT_VALID | EVT_TYPE_EXC | 6;
}

/* Paper Table 2: HANDLE_VMEXIT(vm) { A naive #VMEXIT handle which just displays the
 * information associated with the #VMEXIT } */
void handle_vmexit(struct vm *vm)
{
    struct vmcb_control *c = &vm->vmcb->control;
    uint64_t code = c->exitcode;
    vm->exits++;
    if (config.log && (config.log_io || (code != VMEXIT_IOIO && code != VMEXIT_CPUID && code != VMEXIT_MSR)))
        hv_log("#VMEXIT %-8s vm %d %-8s code 0x%03llx info1 0x%llx info2 0x%llx rip 0x%llx\n",
               exit_name(code), vm->id, vm->name, (unsigned long long)code,
               (unsigned long long)c->exitinfo1, (unsigned long long)c->exitinfo2,
               (unsigned long long)vm->vmcb->save.rip);

    /* An event the guest was delivering when it exited (EXITINTINFO valid, APM Vol 2 §15.7.2)
     * is injected again on the next VMRUN, so the exit is invisible to the guest. */
    c->eventinj = (c->exitintinfo & EVT_VALID) ? c->exitintinfo : 0;

    switch (code) {
    case VMEXIT_INTR:
        sched_tick();
        break;
    case VMEXIT_VMMCALL:
        hypercall(vm);
        break;
    case VMEXIT_HLT:
        vm->vmcb->save.rip = vm_next_rip(vm, 1);
        sched_end_slice();
        break;
    case VMEXIT_CPUID:
        emulate_cpuid(vm);
        break;
    case VMEXIT_IOIO:
        handle_ioio(vm);
        break;
    case VMEXIT_MSR:
        handle_msr(vm);
        break;
    case VMEXIT_VMRUN:
        inject_ud(vm);                            /* no nested SVM: VMRUN is #UD for the guest */
        break;
    case VMEXIT_NPF:
        vm_stop(vm, "nested page fault: guest-physical 0x%llx (error 0x%llx) is outside its %llu MiB",
                (unsigned long long)c->exitinfo2, (unsigned long long)c->exitinfo1,
                (unsigned long long)(vm->mem_size >> 20));
        break;
    case VMEXIT_SHUTDOWN:
        vm_stop(vm, "shutdown (triple fault)");
        break;
    case VMEXIT_EXCP_BASE + 18:
        vm_stop(vm, "machine check");
        break;
    case VMEXIT_INVALID:
        vm_stop(vm, "VMEXIT_INVALID: VMRUN refused the VMCB (consistency check)");
        break;
    default:
        vm_stop(vm, "unexpected #VMEXIT %s (0x%llx)", exit_name(code), (unsigned long long)code);
        break;
    }
    if (config.screen_guest)
        log_show_guest_screen(vm);
}
