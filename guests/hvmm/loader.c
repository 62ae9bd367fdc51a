/* loader.c - paper Table 2, box LOAD_GUEST_IMAGE: put a guest kernel into its VM the way
 * GRUB would boot it on a bare PC.
 *
 * The module must be an ELF executable for x86 (ELF32 EM_386 or ELF64 EM_X86_64); its
 * PT_LOAD segments are copied to guest-physical p_paddr (bss zeroed), all inside the guest's
 * RAM. A multiboot information structure is built inside the guest (guest-physical
 * MBI_BASE): mem_lower/mem_upper, the module's string as command line, a memory map of the
 * guest's RAM, the boot loader name. Then the VMCB gets the multiboot entry state:
 * RIP = e_entry, RAX = 0x2BADB002, RBX = MBI (setup_state_area did the rest). */
#include "hvmm.h"
#include "../lib/printf.h"
#include "../lib/string.h"

#define EM_386    3
#define EM_X86_64 62
#define ET_EXEC   2
#define PT_LOAD   1

/* Guest-physical layout of the boot information (below the 640 KiB line, like GRUB). */
#define MBI_BASE      0x9000ull
#define MBI_MMAP      (MBI_BASE + 0x100)
#define MBI_LOADER    (MBI_BASE + 0x200)
#define MBI_CMDLINE   (MBI_BASE + 0x300)
#define MBI_END       (MBI_BASE + 0x1000)
#define LOW_MEM_END   0x9FC00ull

struct elf_phdr_info { uint32_t type; uint64_t offset, paddr, filesz, memsz; };

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void *gpa_ptr(const struct vm *vm, uint64_t gpa) { return (void *)(uintptr_t)(vm->mem_base + gpa); }

/* Program header i of an ELF32 or ELF64 image (already bounds-checked). */
static struct elf_phdr_info phdr(const uint8_t *ph, bool is64)
{
    if (is64)
        return (struct elf_phdr_info){ rd32(ph), rd64(ph + 8), rd64(ph + 24), rd64(ph + 32), rd64(ph + 40) };
    return (struct elf_phdr_info){ rd32(ph), rd32(ph + 4), rd32(ph + 12), rd32(ph + 16), rd32(ph + 20) };
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a < b + blen && b < a + alen;
}

static void build_mbi(struct vm *vm)
{
    struct multiboot_info *mbi = gpa_ptr(vm, MBI_BASE);
    memset(mbi, 0, MBI_END - MBI_BASE);
    mbi->flags = MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP |
                 MULTIBOOT_INFO_BOOT_LOADER_NAME;
    mbi->mem_lower = LOW_MEM_END >> 10;                       /* 639 KiB */
    mbi->mem_upper = (uint32_t)((vm->mem_size - 0x100000) >> 10);

    const struct { uint64_t base, len; uint32_t type; } map[] = {
        { 0, LOW_MEM_END, MULTIBOOT_MEMORY_AVAILABLE },
        { LOW_MEM_END, 0xA0000 - LOW_MEM_END, MULTIBOOT_MEMORY_RESERVED },
        { 0xF0000, 0x10000, MULTIBOOT_MEMORY_RESERVED },
        { 0x100000, vm->mem_size - 0x100000, MULTIBOOT_MEMORY_AVAILABLE },
    };
    struct multiboot_mmap_entry *e = gpa_ptr(vm, MBI_MMAP);
    for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
        e[i] = (struct multiboot_mmap_entry){ sizeof e[i] - 4, map[i].base, map[i].len, map[i].type };
    mbi->mmap_addr = MBI_MMAP;
    mbi->mmap_length = sizeof map / sizeof map[0] * sizeof e[0];

    strncpy(gpa_ptr(vm, MBI_LOADER), "Pacifica HVMM", 0x100 - 1);
    mbi->boot_loader_name = MBI_LOADER;
    strncpy(gpa_ptr(vm, MBI_CMDLINE), vm->cmdline, MBI_END - MBI_CMDLINE - 1);
    mbi->cmdline = MBI_CMDLINE;
}

/* Paper Table 2: LOAD_GUEST_IMAGE(gos) { Load the image of the guest OS gos into memory }.
 * On failure writes the reason to why and returns false. */
bool load_guest_image(struct vm *vm, const uint8_t *img, uint64_t size, char *why, unsigned why_len)
{
    if (size < 52 || img[0] != 0x7F || img[1] != 'E' || img[2] != 'L' || img[3] != 'F') {
        ksnprintf(why, why_len, "not an ELF file");
        return false;
    }
    bool is64 = img[4] == 2;
    uint16_t machine = rd16(img + 18);
    if ((img[4] != 1 && img[4] != 2) || img[5] != 1) {
        ksnprintf(why, why_len, "not a little-endian ELF32/ELF64 file");
        return false;
    }
    if ((is64 && machine != EM_X86_64) || (!is64 && machine != EM_386)) {
        ksnprintf(why, why_len, "wrong machine: e_machine %u, want %u (EM_386) or %u (EM_X86_64)",
                  machine, EM_386, EM_X86_64);
        return false;
    }
    if (rd16(img + 16) != ET_EXEC || (is64 && size < 64)) {
        ksnprintf(why, why_len, "not an ELF executable");
        return false;
    }
    uint64_t entry = is64 ? rd64(img + 24) : rd32(img + 24);
    uint64_t phoff = is64 ? rd64(img + 32) : rd32(img + 28);
    uint16_t phentsize = rd16(img + (is64 ? 54 : 42)), phnum = rd16(img + (is64 ? 56 : 44));
    if (phentsize < (is64 ? 56 : 32) || phoff > size || (uint64_t)phnum * phentsize > size - phoff) {
        ksnprintf(why, why_len, "program headers outside the file");
        return false;
    }

    /* Check every segment before copying any. */
    unsigned loads = 0;
    for (unsigned i = 0; i < phnum; i++) {
        struct elf_phdr_info p = phdr(img + phoff + (uint64_t)i * phentsize, is64);
        if (p.type != PT_LOAD || p.memsz == 0)
            continue;
        loads++;
        if (p.filesz > p.memsz || p.offset > size || p.filesz > size - p.offset) {
            ksnprintf(why, why_len, "segment %u lies outside the file", i);
            return false;
        }
        if (p.paddr >= vm->mem_size || p.memsz > vm->mem_size - p.paddr) {
            ksnprintf(why, why_len, "too big: segment %u at 0x%llx..0x%llx does not fit in its %llu MiB",
                      i, (unsigned long long)p.paddr, (unsigned long long)(p.paddr + p.memsz),
                      (unsigned long long)(vm->mem_size >> 20));
            return false;
        }
        if (overlaps(p.paddr, p.memsz, MBI_BASE, MBI_END - MBI_BASE)) {
            ksnprintf(why, why_len, "segment %u overlaps the boot information at 0x%llx", i,
                      (unsigned long long)MBI_BASE);
            return false;
        }
    }
    if (!loads) {
        ksnprintf(why, why_len, "no loadable segment");
        return false;
    }
    if (entry >= vm->mem_size) {
        ksnprintf(why, why_len, "entry point 0x%llx outside its RAM", (unsigned long long)entry);
        return false;
    }

    for (unsigned i = 0; i < phnum; i++) {
        struct elf_phdr_info p = phdr(img + phoff + (uint64_t)i * phentsize, is64);
        if (p.type != PT_LOAD || p.memsz == 0)
            continue;
        memcpy(gpa_ptr(vm, p.paddr), img + p.offset, p.filesz);
        memset((uint8_t *)gpa_ptr(vm, p.paddr) + p.filesz, 0, p.memsz - p.filesz);
    }
    build_mbi(vm);

    vm->vmcb->save.rip = entry;
    vm->vmcb->save.rax = MULTIBOOT_BOOTLOADER_MAGIC;
    vm->regs.rbx = MBI_BASE;
    return true;
}
