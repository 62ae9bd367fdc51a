/* vm.c - creating a VM: paper Tables 1-2, boxes VM_CREATE, SETUP_VMCB, ALLOCATE_VMCB,
 * SETUP_CONTROL_AREA and SETUP_STATE_AREA; and the VM's end (vm_stop, vm_exit_normally).
 *
 * A VM = a VMCB (APM Vol 2 §15.5), an ASID (1, 2, ...), a block of host memory that is its
 * guest-physical RAM [0, mem) and a nested page table mapping exactly that block (npt.c),
 * so a guest sees neither the other guests nor the HVMM. */
#include <stdarg.h>
#include "hvmm.h"
#include "../lib/printf.h"
#include "../lib/string.h"

/* One I/O permission map (12 KiB, every port intercepted) and one MSR permission map
 * (8 KiB, msr.c) shared by all VMs: APM Vol 2 §15.10.1, §15.11. */
static uint8_t iopm[3 * 4096] __attribute__((aligned(4096)));
static uint8_t msrpm[2 * 4096] __attribute__((aligned(4096)));
static bool maps_ready;

static struct vm vms[MAX_VMS];

/* Paper Table 1: ALLOCATE_VMCB() { Allocate a region of physically contiguous, page-aligned
 * memory } */
PAPER_BOX static struct vmcb *allocate_vmcb(void)
{
    return alloc_pages(1, PAGE_SIZE);
}

/* Paper Table 1: SETUP_CONTROL_AREA() { Initialize the control area of the VMCB with
 * conditions that will control the guest OS execution } */
PAPER_BOX static void setup_control_area(struct vm *vm)
{
    struct vmcb_control *c = &vm->vmcb->control;
    c->intercept_misc1 = I1_INTR             /* physical interrupts end the time slice */
                       | I1_HLT              /* HLT = yield */
                       | I1_CPUID            /* hide SVM, announce the hypervisor */
                       | I1_IOIO_PROT        /* every port: virtual serial port (io.c) */
                       | I1_MSR_PROT         /* EFER, VM_CR, VM_HSAVE_PA ... (msr.c) */
                       | I1_SHUTDOWN;        /* triple fault: stop this VM, not the machine */
    c->intercept_misc2 = I2_VMRUN            /* required by VMRUN's consistency checks */
                       | I2_VMMCALL;         /* hypercalls (hypercall.h) */
    c->intercept_exceptions = 1u << 18;      /* #MC: a machine check is the host's business */
    c->iopm_base_pa = (uintptr_t)iopm;
    c->msrpm_base_pa = (uintptr_t)msrpm;
    c->tsc_offset = 0;
    c->guest_asid = vm->asid;
    c->tlb_control = TLB_CONTROL_FLUSH_ALL;  /* first VMRUN; vm_boot sets it to 0 later */
    c->v_intr = V_INTR_MASKING;              /* guest IF masks only virtual interrupts; host
                                                interrupts reach the host (APM §15.21.1) */
    c->np_enable = 1;                        /* nested paging, APM Vol 2 §15.25 */
    c->n_cr3 = (uintptr_t)vm->npt_pml4;
}

static struct vmcb_seg flat_seg(uint16_t sel, uint16_t attrib)
{
    return (struct vmcb_seg){ .selector = sel, .attrib = attrib, .limit = 0xFFFFFFFF, .base = 0 };
}

/* Paper Table 2: SETUP_STATE_AREA() { Initialize the state area of the VMCB with the initial
 * machine state of the guest OS }: the state a multiboot loader hands over (multiboot spec
 * 3.2): 32-bit protected mode, paging off, flat 4 GiB segments. load_guest_image fills in
 * RIP (entry), RAX (0x2BADB002) and RBX (MBI). */
PAPER_BOX static void setup_state_area(struct vm *vm)
{
    struct vmcb_save *s = &vm->vmcb->save;
    s->cs = flat_seg(0x08, 0x0C9B);          /* code: P, DPL 0, execute/read, accessed, D, G */
    s->ds = s->es = s->ss = flat_seg(0x10, 0x0C93);
    s->fs = s->gs = flat_seg(0x10, 0x0C93);  /* VMLOAD loads these from the VMCB */
    s->gdtr = (struct vmcb_seg){ .limit = 0 };
    s->idtr = (struct vmcb_seg){ .limit = 0 };
    s->ldtr = (struct vmcb_seg){ .selector = 0, .attrib = 0x0082, .limit = 0xFFFF, .base = 0 };
    s->tr = (struct vmcb_seg){ .selector = 0, .attrib = 0x008B, .limit = 0xFFFF, .base = 0 };
    s->cpl = 0;
    s->efer = EFER_SVME;                     /* VMRUN consistency check: EFER.SVME must be 1 */
    s->cr0 = 0x11;                           /* PE | ET */
    s->cr3 = 0;
    s->cr4 = 0;
    s->dr6 = 0xFFFF0FF0;
    s->dr7 = 0x400;
    s->rflags = 0x2;
    s->rsp = 0x8000;
    s->g_pat = 0x0007040600070406ull;        /* power-on PAT */
}

/* Paper Table 1: SETUP_VMCB() { ALLOCATE_VMCB(); SETUP_CONTROL_AREA(); SETUP_STATE_AREA(); } */
PAPER_BOX static bool setup_vmcb(struct vm *vm)
{
    vm->vmcb = allocate_vmcb();
    if (!vm->vmcb)
        return false;
    setup_control_area(vm);
    setup_state_area(vm);
    return true;
}

static void default_name(struct vm *vm, const char *cmdline)
{
    const char *s = cmdline ? cmdline : "guest", *base = s;
    for (const char *p = s; *p && *p != ' '; p++)
        if (*p == '/')
            base = p + 1;
    unsigned n = 0;
    while (base[n] && base[n] != ' ' && base[n] != '.' && n < VM_NAME_LEN - 4)
        n++;
    ksnprintf(vm->name, sizeof vm->name, "%.*s%d", (int)n, base, vm->id);
}

static bool cmdline_mem(const char *cmdline, uint64_t *bytes, char *why, unsigned why_len)
{
    unsigned long mib = DEFAULT_MEM_MIB;
    char v[16];
    if (cmdline_get(cmdline, "mem", v, sizeof v) && (!parse_ulong(v, &mib) || mib < 2 || mib > 1024)) {
        ksnprintf(why, why_len, "mem=%s: give 2 to 1024 (MiB)", v);
        return false;
    }
    *bytes = (uint64_t)mib << 20;
    return true;
}

/* Paper Table 1: VM_CREATE(gos) { vm->VMCB = SETUP_VMCB(); LOAD_GUEST_IMAGE(gos); }
 * Returns 0 (after saying which module and why) if the module cannot run. */
struct vm *vm_create(int id, unsigned modno, const struct multiboot_mod_list *mod)
{
    struct vm *vm = &vms[id - 1];
    memset(vm, 0, sizeof *vm);
    vm->id = id;
    vm->cmdline = mod->cmdline ? (const char *)(uintptr_t)mod->cmdline : "";
    if (!cmdline_get(vm->cmdline, "name", vm->name, sizeof vm->name) || !vm->name[0])
        default_name(vm, vm->cmdline);
    vm->asid = (uint32_t)id;
    vm->first_run = true;
    vm->state = VM_ACTIVE;

    char why[120] = "";
    uint64_t mark = mem_mark();
    if (!maps_ready) {
        memset(iopm, 0xFF, sizeof iopm);  /* APM Vol 2 §15.10.1: bit set = port intercepted */
        msrpm_init(msrpm);
        maps_ready = true;
    }
    if (vm->asid >= nasid) {
        ksnprintf(why, sizeof why, "no ASID left (the CPU has %u)", nasid);
        goto fail;
    }
    if (!cmdline_mem(vm->cmdline, &vm->mem_size, why, sizeof why))
        goto fail;
    vm->mem_base = (uintptr_t)alloc_pages(vm->mem_size / PAGE_SIZE, PAGE_SIZE);
    if (!vm->mem_base) {
        ksnprintf(why, sizeof why, "not enough host memory: needs %llu MiB, %llu KiB free",
                  (unsigned long long)(vm->mem_size >> 20), (unsigned long long)(mem_free_bytes() >> 10));
        goto fail;
    }
    vm->npt_pml4 = npt_build(vm->mem_size, vm->mem_base);
    if (!vm->npt_pml4 || !setup_vmcb(vm)) {
        ksnprintf(why, sizeof why, "not enough host memory for its nested page table and VMCB");
        goto fail;
    }
    if (!load_guest_image(vm, (const uint8_t *)(uintptr_t)mod->mod_start,
                          (uint64_t)mod->mod_end - mod->mod_start, why, sizeof why))
        goto fail;
    hv_say("hvmm: VM %d '%s': asid %u, %llu MiB guest RAM at host 0x%llx, N_CR3 0x%llx, VMCB 0x%llx, "
           "entry 0x%llx\n", vm->id, vm->name, vm->asid, (unsigned long long)(vm->mem_size >> 20),
           (unsigned long long)vm->mem_base, (unsigned long long)(uintptr_t)vm->npt_pml4,
           (unsigned long long)(uintptr_t)vm->vmcb, (unsigned long long)vm->vmcb->save.rip);
    return vm;

fail:
    mem_release(mark);
    hv_say("hvmm: *** module %u ('%s') skipped: %s ***\n", modno, vm->cmdline, why);
    memset(vm, 0, sizeof *vm);
    return 0;
}

uint64_t vm_next_rip(struct vm *vm, unsigned insn_len)
{
    if (has_nrips && vm->vmcb->control.next_rip)
        return vm->vmcb->control.next_rip;
    return vm->vmcb->save.rip + insn_len;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char r[sizeof vm->reason - 10];
    kvsnprintf(r, sizeof r, fmt, ap);
    va_end(ap);
    ksnprintf(vm->reason, sizeof vm->reason, "stopped: %s", r);
    vserial_flush(vm);
    vm->state = VM_STOPPED;
    hv_say("hvmm: *** VM %d '%s' stopped: %s (rip 0x%llx); the others go on ***\n", vm->id,
           vm->name, r, (unsigned long long)vm->vmcb->save.rip);
    sched_end_slice();
}

void vm_exit_normally(struct vm *vm, uint64_t status)
{
    vserial_flush(vm);
    vm->state = VM_EXITED;
    vm->exit_status = status;
    ksnprintf(vm->reason, sizeof vm->reason, "exited, status %llu", (unsigned long long)status);
    hv_say("hvmm: VM %d '%s' exited with status %llu\n", vm->id, vm->name, (unsigned long long)status);
    sched_end_slice();
}
