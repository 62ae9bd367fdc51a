/* multiboot.h - Multiboot specification version 0.6.96 (multiboot v1): the OS image
 * header, the information structure the boot loader passes in EBX, and its module and
 * memory-map entries. The constants are usable from assembly (.S) too. */
#ifndef PACIFICA_LIB_MULTIBOOT_H
#define PACIFICA_LIB_MULTIBOOT_H

/* Header (in the first 8192 bytes of the image, 4-byte aligned). */
#define MULTIBOOT_HEADER_MAGIC     0x1BADB002
#define MULTIBOOT_SEARCH           8192
#define MULTIBOOT_HEADER_ALIGN     4
/* Header flags. */
#define MULTIBOOT_PAGE_ALIGN       0x00000001 /* modules on 4 KiB boundaries */
#define MULTIBOOT_MEMORY_INFO      0x00000002 /* mem_lower/mem_upper (and mmap) wanted */
#define MULTIBOOT_VIDEO_MODE       0x00000004 /* video mode fields valid */
#define MULTIBOOT_AOUT_KLUDGE      0x00010000 /* address fields valid: load as a flat image */

/* EAX at entry. */
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

/* Information structure flags (which fields are valid). */
#define MULTIBOOT_INFO_MEMORY          0x00000001
#define MULTIBOOT_INFO_BOOTDEV         0x00000002
#define MULTIBOOT_INFO_CMDLINE         0x00000004
#define MULTIBOOT_INFO_MODS            0x00000008
#define MULTIBOOT_INFO_AOUT_SYMS       0x00000010
#define MULTIBOOT_INFO_ELF_SHDR        0x00000020
#define MULTIBOOT_INFO_MEM_MAP         0x00000040
#define MULTIBOOT_INFO_DRIVE_INFO      0x00000080
#define MULTIBOOT_INFO_CONFIG_TABLE    0x00000100
#define MULTIBOOT_INFO_BOOT_LOADER_NAME 0x00000200
#define MULTIBOOT_INFO_APM_TABLE       0x00000400
#define MULTIBOOT_INFO_VBE_INFO        0x00000800
#define MULTIBOOT_INFO_FRAMEBUFFER_INFO 0x00001000

/* Memory map entry types. */
#define MULTIBOOT_MEMORY_AVAILABLE        1
#define MULTIBOOT_MEMORY_RESERVED         2
#define MULTIBOOT_MEMORY_ACPI_RECLAIMABLE 3
#define MULTIBOOT_MEMORY_NVS              4
#define MULTIBOOT_MEMORY_BADRAM           5

#ifndef __ASSEMBLER__
#include <stdint.h>

struct multiboot_header {
    uint32_t magic;
    uint32_t flags;
    uint32_t checksum;      /* magic + flags + checksum == 0 */
    /* valid if MULTIBOOT_AOUT_KLUDGE */
    uint32_t header_addr;   /* address this header is loaded at */
    uint32_t load_addr;     /* start of the text segment (file offset: header offset - (header_addr - load_addr)) */
    uint32_t load_end_addr; /* end of data loaded from the file (0: up to end of file) */
    uint32_t bss_end_addr;  /* end of bss, zeroed by the loader (0: no bss) */
    uint32_t entry_addr;
    /* valid if MULTIBOOT_VIDEO_MODE */
    uint32_t mode_type;
    uint32_t width;
    uint32_t height;
    uint32_t depth;
};

struct multiboot_aout_symbol_table {
    uint32_t tabsize, strsize, addr, reserved;
};

struct multiboot_elf_section_header_table {
    uint32_t num, size, addr, shndx;
};

struct multiboot_info {
    uint32_t flags;
    uint32_t mem_lower;     /* KiB of memory from 0 (up to 640) */
    uint32_t mem_upper;     /* KiB of memory from 1 MiB up to the first hole */
    uint32_t boot_device;
    uint32_t cmdline;       /* physical address of a NUL-terminated string */
    uint32_t mods_count;
    uint32_t mods_addr;     /* physical address of mods_count struct multiboot_mod_list */
    union {
        struct multiboot_aout_symbol_table aout_sym;
        struct multiboot_elf_section_header_table elf_sec;
    } u;
    uint32_t mmap_length;   /* bytes of memory map */
    uint32_t mmap_addr;     /* physical address of the first struct multiboot_mmap_entry */
    uint32_t drives_length;
    uint32_t drives_addr;
    uint32_t config_table;
    uint32_t boot_loader_name;
    uint32_t apm_table;
    uint32_t vbe_control_info;
    uint32_t vbe_mode_info;
    uint16_t vbe_mode;
    uint16_t vbe_interface_seg;
    uint16_t vbe_interface_off;
    uint16_t vbe_interface_len;
    uint64_t framebuffer_addr;
    uint32_t framebuffer_pitch;
    uint32_t framebuffer_width;
    uint32_t framebuffer_height;
    uint8_t framebuffer_bpp;
    uint8_t framebuffer_type;
    uint8_t color_info[6];
} __attribute__((packed));

struct multiboot_mod_list {
    uint32_t mod_start;     /* physical start of the module */
    uint32_t mod_end;       /* one past its last byte */
    uint32_t cmdline;       /* physical address of the module's string */
    uint32_t pad;
};

/* 'size' is the size of the rest of the entry: the next entry is at (char *)e + e->size + 4. */
struct multiboot_mmap_entry {
    uint32_t size;
    uint64_t addr;
    uint64_t len;
    uint32_t type;
} __attribute__((packed));

#endif /* __ASSEMBLER__ */
#endif
