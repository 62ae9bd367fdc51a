// Multiboot v1 definitions shared by the loader (multiboot.ts) and the MBI
// reader (mbi-reader.ts): the error type, constants, public types, small helpers.
import type { ElfImage } from './elf';

export class MultibootError extends Error {
  constructor(message: string) {
    super(`multiboot: ${message}`);
    this.name = 'MultibootError';
  }
}

// ---- constants -----------------------------------------------------------------

export const MULTIBOOT_HEADER_MAGIC = 0x1badb002;
export const MULTIBOOT_BOOTLOADER_MAGIC = 0x2badb002;
/** The header must lie (its first 12 bytes) within this many bytes of the file start. */
export const MULTIBOOT_SEARCH = 8192;
export const MULTIBOOT_HEADER_ALIGN = 4;

/** Header flags. */
export const MULTIBOOT_PAGE_ALIGN = 1 << 0;
export const MULTIBOOT_MEMORY_INFO = 1 << 1;
export const MULTIBOOT_VIDEO_MODE = 1 << 2;
export const MULTIBOOT_AOUT_KLUDGE = 1 << 16;
/** Required-feature bits this loader does not support (bits 3-15), as GRUB's MULTIBOOT_UNSUPPORTED. */
export const MULTIBOOT_UNSUPPORTED = 0x0000fff8;

/** MBI flags. */
export const MULTIBOOT_INFO_MEMORY = 1 << 0;
export const MULTIBOOT_INFO_BOOTDEV = 1 << 1;
export const MULTIBOOT_INFO_CMDLINE = 1 << 2;
export const MULTIBOOT_INFO_MODS = 1 << 3;
export const MULTIBOOT_INFO_AOUT_SYMS = 1 << 4;
export const MULTIBOOT_INFO_ELF_SHDR = 1 << 5;
export const MULTIBOOT_INFO_MEM_MAP = 1 << 6;
export const MULTIBOOT_INFO_DRIVE_INFO = 1 << 7;
export const MULTIBOOT_INFO_CONFIG_TABLE = 1 << 8;
export const MULTIBOOT_INFO_BOOT_LOADER_NAME = 1 << 9;
export const MULTIBOOT_INFO_APM_TABLE = 1 << 10;
export const MULTIBOOT_INFO_VBE_INFO = 1 << 11;
export const MULTIBOOT_INFO_FRAMEBUFFER_INFO = 1 << 12;

export const MULTIBOOT_MEMORY_AVAILABLE = 1;
export const MULTIBOOT_MEMORY_RESERVED = 2;

/** Size of struct multiboot_info (spec 0.6.96, up to color_info). */
export const MBI_SIZE = 116;
/** Where the loader puts the MBI and everything it points to (except module strings). */
export const MBI_ADDR = 0x10000;
/** End (exclusive) of the region available to the MBI: the EBDA starts here. */
export const MBI_LIMIT = 0x9fc00;
/** Kernels must load at or above this address. */
export const KERNEL_MIN_ADDR = 0x100000;
/** Stack pointer the machine sets at entry (the spec leaves ESP undefined). */
export const MULTIBOOT_ENTRY_ESP = 0x7000;
export const DEFAULT_BOOT_LOADER_NAME = 'Pacifica';

export const EBDA_START = 0x9fc00;
export const EBDA_END = 0xa0000;
export const BIOS_ROM_START = 0xf0000;
export const ONE_MIB = 0x100000;
export const FOUR_GIB = 0x1_0000_0000;
export const PAGE = 4096;

/**
 * CPU state at the kernel's entry, as a GRUB-like loader guarantees it (spec
 * section 3.2 "Machine state") plus the values this machine picks where the spec
 * says "undefined". The machine applies this when it starts a multiboot kernel.
 */
export const MULTIBOOT_ENTRY_STATE = {
  /** The boot loader magic: tells the kernel it was loaded by a multiboot loader. */
  eax: MULTIBOOT_BOOTLOADER_MAGIC,
  /** EBX = 32-bit physical address of the MBI (MultibootBoot.ebx). */
  ebx: 'physical address of the multiboot information structure (MultibootBoot.ebx)',
  /** EIP = MultibootBoot.entry. */
  eip: 'MultibootBoot.entry',
  /**
   * CS: 32-bit read/execute code segment, offset 0, limit 0xFFFFFFFF. The
   * selector value is undefined by the spec; GRUB uses 0x08, so do we.
   */
  cs: { selector: 0x08, base: 0, limit: 0xffffffff, type: 0xb /* execute/read, accessed */, s: 1, dpl: 0, p: 1, db: 1, l: 0, g: 1 },
  /** DS, ES, FS, GS, SS: 32-bit read/write data segments, offset 0, limit 0xFFFFFFFF (selector 0x10, as GRUB). */
  data: { selector: 0x10, base: 0, limit: 0xffffffff, type: 0x3 /* read/write, accessed */, s: 1, dpl: 0, p: 1, db: 1, l: 0, g: 1 },
  /** CR0: PE = 1, PG = 0 (ET = 1 as on real hardware, everything else 0): 0x00000011. */
  cr0: 0x00000011,
  /** CR3, CR4, EFER: 0 (no paging, no PAE, not in long mode). */
  cr3: 0,
  cr4: 0,
  efer: 0,
  /** EFLAGS: VM = 0, IF = 0 (only the always-one bit 1 set). */
  eflags: 0x00000002,
  /** Gate A20 is enabled. */
  a20: true,
  /**
   * ESP: undefined by the spec, the kernel must set up its own stack. We set
   * 0x7000 (free low memory below the MBI at 0x10000) so a push before that works.
   */
  esp: MULTIBOOT_ENTRY_ESP,
  /**
   * GDTR and IDTR: undefined by the spec: the kernel must load its own before
   * reloading a segment register or enabling interrupts. The machine leaves
   * GDTR = { base: 0, limit: 0 } and IDTR = { base: 0, limit: 0x3FF } (reset values).
   */
  gdtr: { base: 0, limit: 0 },
  idtr: { base: 0, limit: 0x3ff },
} as const;

// ---- public types ----------------------------------------------------------------

export interface MultibootAddressFields {
  headerAddr: number;
  loadAddr: number;
  /** 0: load to the end of the file. */
  loadEndAddr: number;
  /** 0: no bss. */
  bssEndAddr: number;
  entryAddr: number;
}

export interface MultibootVideoFields {
  modeType: number;
  width: number;
  height: number;
  depth: number;
}

export interface MultibootHeader {
  /** File offset of the magic. */
  offset: number;
  magic: number;
  flags: number;
  checksum: number;
  /** Present iff flags bit 16 is set. */
  address?: MultibootAddressFields;
  /** Present iff flags bit 2 is set and the fields are in the file (recorded, ignored). */
  video?: MultibootVideoFields;
}

export interface MultibootModuleInput {
  bytes: Uint8Array;
  cmdline: string;
}

export interface MultibootOptions {
  /** Kernel command line (MBI bit 2; '' if absent). */
  cmdline?: string;
  /** Boot modules, placed in this order. */
  modules?: MultibootModuleInput[];
  /** MBI boot_loader_name; default "Pacifica". */
  bootLoaderName?: string;
}

export interface MultibootMmapEntry {
  /** Size of the entry minus this field (20 for the entries we write). */
  size: number;
  /** Physical start address (64-bit, as a number). */
  base: number;
  /** Length in bytes (64-bit, as a number). */
  length: number;
  /** 1 = available, 2 = reserved, ... */
  type: number;
}

export interface MultibootModuleInfo {
  /** mod_start */
  start: number;
  /** mod_end (exclusive) */
  end: number;
  /** The string field's target. */
  cmdline: string;
  /** The string field (physical address of the command line). */
  cmdlineAddr: number;
  reserved: number;
}

/** The multiboot information structure, decoded (fields present per flags). */
export interface MultibootInfo {
  /** Physical address of the structure. */
  addr: number;
  flags: number;
  /** Bit 0: KiB of lower / upper memory. */
  memLower?: number;
  memUpper?: number;
  /** Bit 1. */
  bootDevice?: number;
  /** Bit 2. */
  cmdline?: string;
  cmdlineAddr?: number;
  /** Bit 3. */
  mods?: { count: number; addr: number; list: MultibootModuleInfo[] };
  /** Bit 6. */
  mmap?: { addr: number; length: number; entries: MultibootMmapEntry[] };
  /** Bit 9. */
  bootLoaderName?: string;
  bootLoaderNameAddr?: number;
}

export interface MultibootSegment {
  /** Physical address. */
  start: number;
  /** Bytes copied from the file. */
  fileSize: number;
  /** Bytes occupied in memory (the tail beyond fileSize is zeroed). */
  memSize: number;
  /** File offset of the copied bytes. */
  fileOffset: number;
}

export interface MultibootBoot {
  /** Physical address to jump to (EIP). */
  entry: number;
  eax: typeof MULTIBOOT_BOOTLOADER_MAGIC;
  /** Physical address of the MBI. */
  ebx: number;
  /** Stack pointer the machine sets (MULTIBOOT_ENTRY_ESP; undefined by the spec). */
  esp: number;
  /** Lowest physical address the kernel occupies. */
  kernelStart: number;
  /** First physical address after the kernel (including bss). */
  kernelEnd: number;
  /** How the kernel was loaded. */
  format: 'elf32' | 'elf64' | 'address-fields';
  /** What was written for the kernel. */
  segments: MultibootSegment[];
  modules: Array<{ start: number; end: number; cmdline: string; cmdlineAddr: number }>;
  /** The MBI as written. decodeMbi(mem, ebx) reads back the same thing. */
  mbi: MultibootInfo;
  /** [start, end) of the low-memory area holding the MBI, memory map, module list and strings. */
  mbiRegion: { start: number; end: number };
  header: MultibootHeader;
  /**
   * The parsed ELF: the image the kernel was loaded from, or with address fields,
   * the file parsed as ELF if it is one (for the debugger's symbols only).
   */
  elf?: ElfImage;
}

// ---- helpers -----------------------------------------------------------------------

export function hex(v: number | bigint): string {
  return '0x' + v.toString(16);
}

export function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

export function range(start: number, end: number): string {
  return `[${hex(start)}, ${hex(end)})`;
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder('utf-8', { fatal: false });

export function cString(s: unknown, what: string): Uint8Array {
  if (typeof s !== 'string') throw new MultibootError(`${what} is not a string`);
  const b = encoder.encode(s);
  if (b.includes(0)) throw new MultibootError(`${what} contains a NUL character`);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export interface Write {
  pa: number;
  bytes: Uint8Array;
  /** Zero bytes following `bytes`. */
  zero: number;
}

