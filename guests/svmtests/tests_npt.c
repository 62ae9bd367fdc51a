/* tests_npt.c - nested paging (APM Vol 2 sec. 15.25: NPF EXITINFO1 = #PF-style error code plus
 * bit 32 "fault on the final guest-physical address" / bit 33 "fault on a guest page-table
 * access", EXITINFO2 = the faulting guest-physical address; nested accesses are user accesses)
 * and TLB control (sec. 15.16: TLB_CONTROL, ASIDs, INVLPGA). Only architecturally guaranteed
 * outcomes are checked: after a flush or an INVLPGA the new mapping must be seen. */
#include "harness.h"
#include "../lib/io.h"
#include "../lib/string.h"

G(end); G(read_rbx); G(write_rbx); G(jmp_rbx);
extern uint64_t boot_pdpt[512]; /* lib/boot64.S: the host's PDPT (PML4[0]) */

#define MAGIC(n) (0x5A5A000000000000ull | (n))
#define NPF_MASK (NPF_P | NPF_RW | NPF_US | NPF_ID | NPF_FINAL | NPF_WALK)
#define GVA_HI 0x40000000ull /* 1 GiB: above the host's identity map */

static void fill(uint64_t page, uint64_t magic)
{
    uint64_t *p = (uint64_t *)(uintptr_t)page;
    for (int i = 0; i < 512; i++)
        p[i] = magic + (uint64_t)i;
}

static void np_guest(uint8_t *v, const void *rip, int which)
{
    vmcb_reset(v, rip);
    vmcb_enable_np(v, which);
}

/* The guest's own page tables in the test region: 0-1 GiB identity (2 MiB pages), and
 * GVA_HI + x -> TEST_REGION + x. */
static uint64_t guest_tables(void)
{
    uint64_t *pml4 = (uint64_t *)(uintptr_t)TEST_PAGE(0x10), *pdpt = (uint64_t *)(uintptr_t)TEST_PAGE(0x11);
    uint64_t *pd = (uint64_t *)(uintptr_t)TEST_PAGE(0x12), *pdh = (uint64_t *)(uintptr_t)TEST_PAGE(0x13);
    memset(pml4, 0, 4096);
    memset(pdpt, 0, 4096);
    memset(pdh, 0, 4096);
    pml4[0] = TEST_PAGE(0x11) | 3;
    pdpt[0] = TEST_PAGE(0x12) | 3;
    pdpt[1] = TEST_PAGE(0x13) | 3;
    for (uint64_t i = 0; i < 512; i++)
        pd[i] = (i << 21) | 0x83;
    pdh[0] = TEST_REGION | 0x83;
    return TEST_PAGE(0x10);
}

enum { N_RUNS, N_NP_READ_EI1, N_NP_READ_EI2, N_RO_WRITE, N_RO_READ, N_NX_FETCH, N_FETCH_OK, N_WALK_EI1, N_WALK_EI2,
       N_OWN_CR3, N_REMAP, N_EVENT };

static void t_np(const struct test *t)
{
    uint64_t page = TEST_PAGE(3);
    fill(page, MAGIC(0x300));
    fill(ALT_REGION + 0x6000, MAGIC(0x600));
    switch (t->a) {
    case N_RUNS:
        np_guest(vmcb, g_end, 0);
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_VMMCALL);
        break;
    case N_NP_READ_EI1:
    case N_NP_READ_EI2:
        *npt_pte(0, page) = 0;
        np_guest(vmcb, g_read_rbx, 0);
        guest_regs.rbx = page + 8;
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_NPF);
        if (t->a == N_NP_READ_EI1) {
            expect_eq("EXITINFO1 (P, RW, US, ID, bit 32, bit 33)", vr64(vmcb, VMCB_EXITINFO1) & NPF_MASK, NPF_US | NPF_FINAL);
        } else {
            expect_eq("EXITINFO2 (guest-physical address)", vr64(vmcb, VMCB_EXITINFO2), page + 8);
            expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), (uintptr_t)g_read_rbx_i);
        }
        break;
    case N_RO_WRITE:
        *npt_pte(0, page) &= ~NPT_RW;
        np_guest(vmcb, g_write_rbx, 0);
        guest_regs.rbx = page + 16;
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_NPF);
        expect_eq("EXITINFO1", vr64(vmcb, VMCB_EXITINFO1) & NPF_MASK, NPF_P | NPF_RW | NPF_US | NPF_FINAL);
        expect_eq("EXITINFO2", vr64(vmcb, VMCB_EXITINFO2), page + 16);
        break;
    case N_RO_READ:
        *npt_pte(0, page) &= ~NPT_RW;
        np_guest(vmcb, g_read_rbx, 0);
        guest_regs.rbx = page + 16;
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_VMMCALL);
        expect_eq("value read", guest_regs.rbx, MAGIC(0x302));
        break;
    case N_NX_FETCH:
    case N_FETCH_OK: {
        static const uint8_t code[] = { 0x0F, 0x01, 0xD9, 0xEB, 0xFB }; /* 1: vmmcall; jmp 1b */
        memcpy((void *)(uintptr_t)page, code, sizeof code);
        if (t->a == N_NX_FETCH)
            *npt_pte(0, page) |= NPT_NX;
        np_guest(vmcb, g_jmp_rbx, 0);
        guest_regs.rbx = page;
        run_guest(vmcb);
        if (t->a == N_FETCH_OK) {
            expect_exit(vmcb, VMEXIT_VMMCALL);
            expect_eq("VMCB RIP", vr64(vmcb, VMCB_RIP), page);
            break;
        }
        expect_exit(vmcb, VMEXIT_NPF);
        expect_eq("EXITINFO1", vr64(vmcb, VMCB_EXITINFO1) & NPF_MASK, NPF_P | NPF_US | NPF_ID | NPF_FINAL);
        expect_eq("EXITINFO2", vr64(vmcb, VMCB_EXITINFO2), page);
        break;
    }
    case N_WALK_EI1:
    case N_WALK_EI2: {
        uint64_t cr3 = guest_tables();
        *npt_pte(0, TEST_PAGE(0x12)) = 0;
        np_guest(vmcb, g_end, 0);
        vw64(vmcb, VMCB_CR3, cr3);
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_NPF);
        if (t->a == N_WALK_EI1)
            expect_eq("EXITINFO1 (P, US, bit 32, bit 33)", vr64(vmcb, VMCB_EXITINFO1) & (NPF_P | NPF_US | NPF_FINAL | NPF_WALK),
                      NPF_US | NPF_WALK);
        else
            expect_eq("EXITINFO2 (the guest PDE's address)", vr64(vmcb, VMCB_EXITINFO2),
                      TEST_PAGE(0x12) + 8 * (((uintptr_t)g_end >> 21) & 511));
        break;
    }
    case N_OWN_CR3: {
        uint64_t cr3 = guest_tables();
        fill(TEST_PAGE(5), MAGIC(0x500));
        np_guest(vmcb, g_read_rbx, 0);
        vw64(vmcb, VMCB_CR3, cr3);
        guest_regs.rbx = GVA_HI + 0x5000 + 24;
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_VMMCALL);
        expect_eq("value read through the guest's own CR3", guest_regs.rbx, MAGIC(0x503));
        break;
    }
    case N_REMAP:
        *npt_pte(0, page) = (ALT_REGION + 0x6000) | NPT_P | NPT_RW | NPT_US;
        np_guest(vmcb, g_read_rbx, 0);
        guest_regs.rbx = page + 32;
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_VMMCALL);
        expect_eq("value read at the remapped guest-physical page", guest_regs.rbx, MAGIC(0x604));
        break;
    case N_EVENT: {
        uint64_t idt = TEST_PAGE(0x20);
        memcpy((void *)(uintptr_t)idt, (const void *)(uintptr_t)guest_idt_base(), 4096);
        *npt_pte(0, idt) = 0;
        np_guest(vmcb, g_end, 0);
        vw64(vmcb, VMCB_IDTR + SEG_BASE, idt);
        vw64(vmcb, VMCB_EVENTINJ, EVT_VALID | EVT_TYPE_INTR | 0x41);
        run_guest(vmcb);
        expect_exit(vmcb, VMEXIT_NPF);
        expect_eq("EXITINTINFO", vr64(vmcb, VMCB_EXITINTINFO), EVT_VALID | EVT_TYPE_INTR | 0x41);
        expect_eq("EXITINFO2 (the IDT gate)", vr64(vmcb, VMCB_EXITINFO2), idt + 0x41 * 16);
        break;
    }
    }
}

/* ---- TLB control ---- */
enum { T_FLUSH_ALL, T_FLUSH_ASID, T_TWO_ASIDS, T_INVLPGA };

static uint64_t read_once(uint8_t *v, uint64_t addr)
{
    vw64(v, VMCB_RIP, (uintptr_t)g_read_rbx);
    guest_regs.rbx = addr;
    run_guest(v);
    expect_exit(v, VMEXIT_VMMCALL);
    return guest_regs.rbx;
}

static uint64_t hpd[512] __attribute__((aligned(4096)));
static uint64_t hpt[512] __attribute__((aligned(4096)));

static void t_tlb(const struct test *t)
{
    uint64_t page = TEST_PAGE(7);
    fill(page, MAGIC(0x700));
    fill(ALT_REGION + 0x7000, MAGIC(0x770));
    fill(ALT_REGION + 0x8000, MAGIC(0x780));
    switch (t->a) {
    case T_FLUSH_ALL:
    case T_FLUSH_ASID:
        np_guest(vmcb, g_read_rbx, 0);
        vw32(vmcb, VMCB_ASID, 3);
        expect_eq("first read", read_once(vmcb, page), MAGIC(0x700));
        *npt_pte(0, page) = (ALT_REGION + 0x7000) | NPT_P | NPT_RW | NPT_US;
        vw8(vmcb, VMCB_TLB_CONTROL, t->a == T_FLUSH_ALL ? 1 : 3);
        expect_eq("read after the nested-table change and the flush", read_once(vmcb, page), MAGIC(0x770));
        break;
    case T_TWO_ASIDS:
        *npt_pte(1, page) = (ALT_REGION + 0x7000) | NPT_P | NPT_RW | NPT_US;
        np_guest(vmcb, g_read_rbx, 0);
        vw32(vmcb, VMCB_ASID, 4);
        np_guest(vmcb2, g_read_rbx, 1);
        vw32(vmcb2, VMCB_ASID, 5);
        vw8(vmcb2, VMCB_TLB_CONTROL, 0);    /* ASID 5 is used nowhere else */
        expect_eq("ASID 4 read", read_once(vmcb, page), MAGIC(0x700));
        vw8(vmcb, VMCB_TLB_CONTROL, 0);
        expect_eq("ASID 5 read (its own nested table)", read_once(vmcb2, page), MAGIC(0x770));
        expect_eq("ASID 4 read again", read_once(vmcb, page), MAGIC(0x700));
        break;
    case T_INVLPGA:
        /* no NP: GVA_HI -> one of two host pages through the host's own tables */
        boot_pdpt[1] = pa(hpd) | 7;
        hpd[0] = pa(hpt) | 7;
        hpt[0] = (ALT_REGION + 0x7000) | 7;
        __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
        vmcb_reset(vmcb, g_read_rbx);
        vw32(vmcb, VMCB_ASID, 6);
        expect_eq("first read", read_once(vmcb, GVA_HI + 8), MAGIC(0x771));
        hpt[0] = (ALT_REGION + 0x8000) | 7;
        __asm__ volatile("invlpga %%rax, %%ecx" : : "a"(GVA_HI), "c"(6) : "memory");
        vw8(vmcb, VMCB_TLB_CONTROL, 0);
        expect_eq("read after INVLPGA", read_once(vmcb, GVA_HI + 8), MAGIC(0x781));
        boot_pdpt[1] = 0;
        __asm__ volatile("mov %%cr3, %%rax; mov %%rax, %%cr3" : : : "rax", "memory");
        break;
    }
}

const struct test tests_npt[] = {
    { .name = "np_guest_runs", .fn = t_np, .a = N_RUNS, .flags = NEED_NP },
    { .name = "npf_not_present_exitinfo1", .fn = t_np, .a = N_NP_READ_EI1, .flags = NEED_NP },
    { .name = "npf_not_present_exitinfo2_gpa", .fn = t_np, .a = N_NP_READ_EI2, .flags = NEED_NP },
    { .name = "npf_write_to_read_only", .fn = t_np, .a = N_RO_WRITE, .flags = NEED_NP },
    { .name = "np_read_of_read_only_ok", .fn = t_np, .a = N_RO_READ, .flags = NEED_NP },
    { .name = "np_fetch_from_test_page_ok", .fn = t_np, .a = N_FETCH_OK, .flags = NEED_NP },
    { .name = "npf_nx_fetch", .fn = t_np, .a = N_NX_FETCH, .flags = NEED_NP },
    { .name = "npf_guest_walk_exitinfo1_bit33", .fn = t_np, .a = N_WALK_EI1, .flags = NEED_NP },
    { .name = "npf_guest_walk_exitinfo2", .fn = t_np, .a = N_WALK_EI2, .flags = NEED_NP },
    { .name = "np_guest_paging_own_cr3", .fn = t_np, .a = N_OWN_CR3, .flags = NEED_NP },
    { .name = "np_remapped_gpa", .fn = t_np, .a = N_REMAP, .flags = NEED_NP },
    { .name = "npf_during_injection_exitintinfo", .fn = t_np, .a = N_EVENT, .flags = NEED_NP },
    { .name = "tlb_control_flush_all", .fn = t_tlb, .a = T_FLUSH_ALL, .flags = NEED_NP },
    { .name = "tlb_control_flush_asid", .fn = t_tlb, .a = T_FLUSH_ASID, .flags = NEED_NP | NEED_FLUSHASID },
    { .name = "two_asids_own_nested_tables", .fn = t_tlb, .a = T_TWO_ASIDS, .flags = NEED_NP },
    { .name = "invlpga_invalidates_guest_mapping", .fn = t_tlb, .a = T_INVLPGA },
    { 0 },
};
