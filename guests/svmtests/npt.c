/* npt.c - nested page tables: two tables (0 and 1) that identity-map guest-physical
 * 0-1 GiB with 2 MiB pages, except TEST_REGION (32-34 MiB), which goes through a 4 KiB
 * page table so tests can unmap, write-protect, NX-mark or remap single pages. Every
 * entry is present, writable and user (nested-table accesses are user accesses,
 * APM sec. 15.25.5). */
#include "harness.h"
#include "../lib/string.h"

#define PS 0x80ull
static uint64_t pml4[2][512] __attribute__((aligned(4096)));
static uint64_t pdpt[2][512] __attribute__((aligned(4096)));
static uint64_t pd[2][512] __attribute__((aligned(4096)));
static uint64_t pt[2][512] __attribute__((aligned(4096)));

void npt_reset(void)
{
    for (int w = 0; w < 2; w++) {
        memset(pml4[w], 0, 4096);
        memset(pdpt[w], 0, 4096);
        pml4[w][0] = pa(pdpt[w]) | NPT_P | NPT_RW | NPT_US;
        pdpt[w][0] = pa(pd[w]) | NPT_P | NPT_RW | NPT_US;
        for (uint64_t i = 0; i < 512; i++)
            pd[w][i] = (i << 21) | NPT_P | NPT_RW | NPT_US | PS;
        pd[w][TEST_REGION >> 21] = pa(pt[w]) | NPT_P | NPT_RW | NPT_US;
        for (uint64_t i = 0; i < 512; i++)
            pt[w][i] = (TEST_REGION + (i << 12)) | NPT_P | NPT_RW | NPT_US;
    }
}

void npt_init(void) { npt_reset(); }

uint64_t npt_root(int which) { return pa(pml4[which]); }

uint64_t *npt_pte(int which, uint64_t gpa)
{
    return &pt[which][(gpa - TEST_REGION) >> 12];
}

void vmcb_enable_np(uint8_t *v, int which)
{
    vw64(v, VMCB_NP_ENABLE, 1);
    vw64(v, VMCB_N_CR3, npt_root(which));
}
