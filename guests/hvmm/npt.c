/* npt.c - a VM's nested page table (APM Vol 2 §15.25): host long-mode format, 4 levels
 * (PML4 -> PDPT -> PD -> PT), 4 KiB pages, mapping guest-physical [0, size) onto
 * host-physical [host_base, host_base + size) and nothing else: any other guest-physical
 * access is a #VMEXIT(NPF).
 *
 *   guest-physical address:  47..39   38..30   29..21   20..12   11..0
 *                            PML4     PDPT     PD       PT       offset
 *
 * Nested walks are user-mode accesses (APM §15.25.5), so every level has U/S set. */
#include "hvmm.h"

#define NPT_P  0x1ull
#define NPT_RW 0x2ull
#define NPT_US 0x4ull
#define NPT_FLAGS (NPT_P | NPT_RW | NPT_US)
#define NPT_ADDR 0x000FFFFFFFFFF000ull

/* The page-table (level 1) entry for gpa; allocates missing tables on the way down. */
static uint64_t *npt_slot(uint64_t *pml4, uint64_t gpa)
{
    uint64_t *table = pml4;
    for (int level = 3; level > 0; level--) {
        uint64_t *e = &table[(gpa >> (12 + 9 * level)) & 511];
        if (!(*e & NPT_P)) {
            uint64_t *t = alloc_pages(1, PAGE_SIZE);
            if (!t)
                return 0;
            *e = (uintptr_t)t | NPT_FLAGS;
        }
        table = (uint64_t *)(uintptr_t)(*e & NPT_ADDR);
    }
    return &table[(gpa >> 12) & 511];
}

uint64_t *npt_build(uint64_t guest_size, uint64_t host_base)
{
    uint64_t *pml4 = alloc_pages(1, PAGE_SIZE);
    if (!pml4)
        return 0;
    for (uint64_t gpa = 0; gpa < guest_size; gpa += PAGE_SIZE) {
        uint64_t *e = npt_slot(pml4, gpa);
        if (!e)
            return 0;
        *e = (host_base + gpa) | NPT_FLAGS;
    }
    return pml4;
}
