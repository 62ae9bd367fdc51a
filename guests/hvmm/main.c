/* main.c - the HVMM's entry and its core loop: paper Table 1, boxes HVMM and HYPERVISOR_CORE.
 *
 * Command line (multiboot cmdline of hvmm.elf, space-separated words):
 *   slice=MS        time slice in milliseconds (default 10)
 *   log=on|off|switches  print every #VMEXIT on the screen and serial port (default on);
 *                   switches: all but the IOIO, CPUID and MSR exits (slice ends, hypercalls, faults)
 *   screen=log|guest  the real VGA screen shows the HVMM's log (default) or the running
 *                   guest's private screen
 * Every multiboot module is a guest kernel (multiboot ELF32/ELF64); its string is its command
 * line, e.g. "g-dummy.elf name=dummy1 mem=8". The HVMM itself reads name= (the VM's name,
 * default: the file name) and mem=N (guest RAM in MiB, default 8) from it.
 *
 * The end: when no VM is active, a summary (per VM: name, exits, status) and debug-exit
 * HVMM_EXIT_OK (0x10) if every VM ended itself, HVMM_EXIT_VM_STOPPED (0x11) if the HVMM had to
 * stop one (nested page fault, triple fault, unexpected exit), HVMM_EXIT_NO_VMS (0x12) if no
 * VM could be created, HVMM_EXIT_NO_SVM (0x13) if the CPU cannot do SVM with nested paging. */
#include "hvmm.h"
#include "../lib/io.h"
#include "../lib/printf.h"
#include "../lib/serial.h"
#include "../lib/string.h"

struct hvmm_config config = { .log = true, .log_io = true, .screen_guest = false, .slice_ms = 10 };

__attribute__((noreturn)) void hvmm_exit(uint32_t value)
{
    hv_say("hvmm: debug-exit 0x%x\n", value);
    outl(DEBUG_EXIT_PORT, value);
    for (;;) {
        cli();
        hlt();
    }
}

static void parse_cmdline(const char *cmdline)
{
    char v[16];
    unsigned long n;
    if (cmdline_get(cmdline, "log", v, sizeof v))
    {
        config.log = strcmp(v, "off") != 0;
        config.log_io = strcmp(v, "switches") != 0;
    }
    if (cmdline_get(cmdline, "screen", v, sizeof v))
        config.screen_guest = strcmp(v, "guest") == 0;
    if (cmdline_get_ulong(cmdline, "slice", &n) && n >= 1 && n <= 10000)
        config.slice_ms = (unsigned)n;
}

/* The highest address used by the boot loader's structures: modules, their strings, the
 * MBI. Host memory above it (and above the HVMM's own image) is free for VMs. */
static uint64_t loader_end(const struct multiboot_info *mbi)
{
    extern char _end[];
    uint64_t end = (uintptr_t)_end;
    if (mbi->flags & MULTIBOOT_INFO_MODS) {
        const struct multiboot_mod_list *m = (const void *)(uintptr_t)mbi->mods_addr;
        for (uint32_t i = 0; i < mbi->mods_count; i++) {
            if (m[i].mod_end > end)
                end = m[i].mod_end;
            if (m[i].cmdline) {
                uint64_t s = m[i].cmdline + strlen((const char *)(uintptr_t)m[i].cmdline) + 1;
                if (s > end)
                    end = s;
            }
        }
    }
    return end;
}

/* Paper Table 1: HYPERVISOR_CORE() { for (each Guest OS gos) { vm = VM_CREATE(gos);
 * ADD_ACTIVE(vm); } while (1) { vm = GET_NEXT_VM(); if (no active vm) break; VM_BOOT(vm);
 * HANDLE_VMEXIT(vm); } } */
void hypervisor_core(const struct multiboot_info *mbi)
{
    uint32_t nmods = (mbi->flags & MULTIBOOT_INFO_MODS) ? mbi->mods_count : 0;
    const struct multiboot_mod_list *mods = (const void *)(uintptr_t)mbi->mods_addr;
    hv_say("hvmm: %u module(s), %llu KiB of host memory free for guests\n", nmods,
           (unsigned long long)(mem_free_bytes() >> 10));

    /* Paper Table 1: for (each Guest OS gos) { vm = VM_CREATE(gos); ADD_ACTIVE(vm); } */
    int id = 0;
    for (uint32_t i = 0; i < nmods; i++) {
        if (id >= MAX_VMS) {
            hv_say("hvmm: module %u skipped: at most %d VMs\n", i + 1, MAX_VMS);
            continue;
        }
        struct vm *vm = vm_create(id + 1, i + 1, &mods[i]);
        if (!vm)
            continue;
        id++;
        add_active(vm);
    }
    if (id == 0) {
        hv_say("hvmm: no guest to run\n");
        hvmm_exit(HVMM_EXIT_NO_VMS);
    }
    hv_say("hvmm: %d VM(s), slice %u ms, log=%s, screen=%s; round robin starts\n", id,
           config.slice_ms, !config.log ? "off" : config.log_io ? "on" : "switches", config.screen_guest ? "guest" : "log");

    /* Paper Table 1: while (1) { vm = GET_NEXT_VM(); if (no active vm) break;
     * VM_BOOT(vm); HANDLE_VMEXIT(vm); } */
    for (;;) {
        struct vm *vm = get_next_vm();
        if (!vm)
            break;
        vm_boot(vm);
        handle_vmexit(vm);
    }

    bool stopped = false;
    hv_say("hvmm: no active VM left. Summary:\n");
    for (unsigned i = 0; i < sched_vm_count(); i++) {
        const struct vm *vm = sched_vm(i);
        if (vm->state == VM_STOPPED)
            stopped = true;
        hv_say("hvmm:   VM %d %-10s asid %-3u %7lu exits  %s\n", vm->id, vm->name, vm->asid,
               vm->exits, vm->reason);
    }
    hvmm_exit(stopped ? HVMM_EXIT_VM_STOPPED : HVMM_EXIT_OK);
}

/* Paper Table 1: HVMM { INITIALIZE_SVM(); HYPERVISOR_CORE(); } */
void hvmm_main(uint32_t magic, uint32_t mbi_addr)
{
    serial_init();
    log_init();
    desc64_init(false, 0);          /* GDT, TSS (no ring 3: no RSP0), IDT */
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
        hv_say("hvmm: not started by a multiboot loader (eax=0x%x)\n", magic);
        hvmm_exit(HVMM_EXIT_NO_VMS);
    }
    const struct multiboot_info *mbi = (const void *)(uintptr_t)mbi_addr;
    const char *cmdline = (mbi->flags & MULTIBOOT_INFO_CMDLINE) ? (const char *)(uintptr_t)mbi->cmdline : 0;
    parse_cmdline(cmdline);
    hv_say("hvmm: Pacifica HVMM (Kalady et al.), cmdline '%s'\n", cmdline ? cmdline : "");
    if (!(mbi->flags & MULTIBOOT_INFO_MEMORY)) {
        hv_say("hvmm: the boot loader gave no memory size\n");
        hvmm_exit(HVMM_EXIT_NO_VMS);
    }
    mem_init(mbi, loader_end(mbi));

    initialize_svm();
    timer_init(config.slice_ms);
    hypervisor_core(mbi);
}
