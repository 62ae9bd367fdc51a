// Reads a multiboot information structure back from RAM, independently of the
// writer in multiboot.ts (the debugger shows it; the tests compare both).
import type { PhysMem } from '../mem/phys';
import { FOUR_GIB, MBI_SIZE, MULTIBOOT_INFO_BOOTDEV, MULTIBOOT_INFO_BOOT_LOADER_NAME, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_MEMORY, MULTIBOOT_INFO_MEM_MAP, MULTIBOOT_INFO_MODS, MultibootError, MultibootInfo, MultibootMmapEntry, MultibootModuleInfo, decoder, hex, range } from './multiboot-defs';

// ---- reader (for the debugger and the tests) ----------------------------------------------

export const MAX_STRING = 1 << 20;
export const MAX_MODS = 4096;
export const MAX_MMAP_ENTRIES = 4096;

/**
 * Reads a multiboot information structure back from RAM. Independent of the
 * writer: it follows the pointers as a kernel would. Fields are present per the
 * flags. Throws MultibootError if the structure points outside RAM or a string is
 * not terminated.
 */
export function decodeMbi(mem: PhysMem, addr: number): MultibootInfo {
  const size = mem.size;
  const need = (pa: number, n: number, what: string) => {
    if (!Number.isSafeInteger(pa) || pa < 0 || pa + n > size) {
      throw new MultibootError(`MBI ${what} at ${hex(pa)} (+${n} bytes) is outside RAM (${hex(size)} bytes)`);
    }
  };
  const u32 = (pa: number, what: string) => {
    need(pa, 4, what);
    return (mem.u8[pa]! | (mem.u8[pa + 1]! << 8) | (mem.u8[pa + 2]! << 16) | (mem.u8[pa + 3]! << 24)) >>> 0;
  };
  const u64 = (pa: number, what: string) => u32(pa, what) + u32(pa + 4, what) * FOUR_GIB;
  const str = (pa: number, what: string) => {
    need(pa, 1, what);
    let end = pa;
    const stop = Math.min(size, pa + MAX_STRING);
    while (end < stop && mem.u8[end] !== 0) end++;
    if (end >= stop) throw new MultibootError(`MBI ${what} at ${hex(pa)} is not NUL-terminated`);
    return decoder.decode(mem.u8.subarray(pa, end));
  };

  need(addr, MBI_SIZE, 'structure');
  const flags = u32(addr, 'flags');
  const info: MultibootInfo = { addr, flags };
  if (flags & MULTIBOOT_INFO_MEMORY) {
    info.memLower = u32(addr + 4, 'mem_lower');
    info.memUpper = u32(addr + 8, 'mem_upper');
  }
  if (flags & MULTIBOOT_INFO_BOOTDEV) info.bootDevice = u32(addr + 12, 'boot_device');
  if (flags & MULTIBOOT_INFO_CMDLINE) {
    info.cmdlineAddr = u32(addr + 16, 'cmdline');
    info.cmdline = str(info.cmdlineAddr, 'cmdline');
  }
  if (flags & MULTIBOOT_INFO_MODS) {
    const count = u32(addr + 20, 'mods_count');
    const modsAddr = u32(addr + 24, 'mods_addr');
    if (count > MAX_MODS) throw new MultibootError(`MBI mods_count ${count} is implausibly large`);
    need(modsAddr, count * 16, 'module list');
    const list: MultibootModuleInfo[] = [];
    for (let i = 0; i < count; i++) {
      const e = modsAddr + i * 16;
      const cmdlineAddr = u32(e + 8, `module ${i} string`);
      list.push({
        start: u32(e, `module ${i} mod_start`),
        end: u32(e + 4, `module ${i} mod_end`),
        cmdline: str(cmdlineAddr, `module ${i} string`),
        cmdlineAddr,
        reserved: u32(e + 12, `module ${i} reserved`),
      });
    }
    info.mods = { count, addr: modsAddr, list };
  }
  if (flags & MULTIBOOT_INFO_MEM_MAP) {
    const length = u32(addr + 44, 'mmap_length');
    const mmapAddr = u32(addr + 48, 'mmap_addr');
    need(mmapAddr, length, 'memory map');
    const entries: MultibootMmapEntry[] = [];
    // Entries are walked by their size field, which excludes itself.
    for (let p = mmapAddr; p < mmapAddr + length; ) {
      if (entries.length >= MAX_MMAP_ENTRIES) throw new MultibootError('MBI memory map has too many entries');
      const esize = u32(p, 'memory map entry size');
      if (esize < 20 || p + 4 + esize > mmapAddr + length) {
        throw new MultibootError(`MBI memory map entry at ${hex(p)} has bad size ${esize} (map is ${range(mmapAddr, mmapAddr + length)})`);
      }
      entries.push({ size: esize, base: u64(p + 4, 'memory map base_addr'), length: u64(p + 12, 'memory map length'), type: u32(p + 20, 'memory map type') });
      p += esize + 4;
    }
    info.mmap = { addr: mmapAddr, length, entries };
  }
  if (flags & MULTIBOOT_INFO_BOOT_LOADER_NAME) {
    info.bootLoaderNameAddr = u32(addr + 64, 'boot_loader_name');
    info.bootLoaderName = str(info.bootLoaderNameAddr, 'boot_loader_name');
  }
  return info;
}
