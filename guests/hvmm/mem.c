/* mem.c - host physical memory for VMs: a bump allocator over the RAM above the HVMM image
 * and the boot loader's modules, up to the end of multiboot's mem_upper. Host virtual ==
 * host physical (boot.S: lib/boot64.S identity-maps 4 GiB). Nothing is ever freed except by mem_release
 * when a VM cannot be created. */
#include "hvmm.h"
#include "../lib/string.h"

static uint64_t next, top;

void mem_init(const struct multiboot_info *mbi, uint64_t reserved_end)
{
    top = (0x100000ull + (uint64_t)mbi->mem_upper * 1024) & ~(PAGE_SIZE - 1);
    next = (reserved_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    hv_say("hvmm: host RAM %llu KiB (mem_upper %u KiB); free for VMs: 0x%llx-0x%llx\n",
           (unsigned long long)(top >> 10), mbi->mem_upper, (unsigned long long)next,
           (unsigned long long)top);
}

void *alloc_pages(uint64_t n, uint64_t align)
{
    uint64_t start = (next + align - 1) & ~(align - 1);
    if (start > top || n * PAGE_SIZE > top - start)
        return 0;
    next = start + n * PAGE_SIZE;
    memset((void *)(uintptr_t)start, 0, n * PAGE_SIZE);
    return (void *)(uintptr_t)start;
}

uint64_t mem_free_bytes(void) { return top > next ? top - next : 0; }
uint64_t mem_mark(void) { return next; }
void mem_release(uint64_t mark) { next = mark; }
