// Multiboot v1 loader (Multiboot Specification 0.6.96) that plays GRUB: finds
// the multiboot header, loads the kernel (ELF32 i386 / ELF64 x86-64 by its
// program headers, or any file by the header's address fields), places the
// modules, and builds the multiboot information structure (MBI) with a BIOS-like
// memory map. Pure TypeScript, no DOM/Worker/Node APIs.
//
// Everything is validated before the first byte is written: a bad image throws a
// MultibootError naming what is wrong and leaves RAM untouched.
//
// Policy (where the specification leaves the loader a choice):
//
// - Header flags. Bits 0-15 are "required" features: the loader supports bit 0
//   (modules page aligned: always done), bit 1 (memory information: always
//   provided) and bit 2 (video mode: accepted and ignored, the console stays in
//   VGA text mode and the MBI carries no VBE/framebuffer information, flags bits
//   11 and 12 clear; the specification allows the loader to ignore the request).
//   Any of bits 3-15 set -> MultibootError, as GRUB ("unsupported flag").
//   Bit 16 selects the address fields; bits 17-31 are optional and ignored.
// - Address fields (bit 16) take precedence over an ELF container, as in GRUB:
//   the file is then loaded purely by header_addr/load_addr/load_end_addr/
//   bss_end_addr/entry_addr (spec section 3.1.3). Otherwise the kernel must be an
//   ELF32 EM_386 or ELF64 EM_X86_64 executable (ET_EXEC or ET_DYN, as GRUB 2);
//   each PT_LOAD is loaded at its p_paddr (p_filesz bytes, then zeros up to
//   p_memsz). The entry point is e_entry translated from the virtual to the
//   physical address through the PT_LOAD segment whose virtual range contains it
//   (GRUB 2 does the same: "entry point isn't in a segment" otherwise); for ELF64
//   e_entry must be below 4 GiB (GRUB 2: "invalid entry point for ELF64").
// - Where the kernel may go: everything it occupies (file bytes and bss) must lie
//   in [1 MiB, end of RAM) and below 4 GiB. Loading below 1 MiB is refused, like
//   GRUB Legacy ("Loading below 1MB is not supported"): low memory holds the
//   BIOS data area, the entry stack, the MBI, the EBDA at 0x9FC00, the VGA
//   buffer at 0xB8000 and the ROM area. Segments must not overlap each other.
// - Modules: in the order given, each at the next 4 KiB boundary after the
//   kernel's end (after the previous module's command line), each followed by its
//   NUL-terminated command line at the next 4-byte boundary after mod_end.
//   mod_end is exclusive (address of the first byte after the module), as GRUB.
// - The MBI lives in low memory at MBI_ADDR (0x10000), far from the kernel and
//   modules (both >= 1 MiB), below the EBDA and the VGA buffer, above the entry
//   stack. Layout, every item 4-byte aligned:
//     0x10000  multiboot_info (116 bytes, all fields of spec 0.6.96; unused ones 0)
//     0x10074  memory map: 4 entries of 24 bytes {size = 20, base_addr u64,
//              length u64, type}
//     0x100D4  module list: mods_count entries of 16 bytes {mod_start, mod_end,
//              string, reserved = 0}
//     ...      kernel command line (NUL-terminated, UTF-8), 4-aligned
//     ...      boot loader name ("Pacifica" by default), 4-aligned
//   It must fit below 0x9FC00 (only very long command lines could exceed that).
// - MBI flags: bit 0 (mem_lower = 639, mem_upper = (RAM - 1 MiB) / 1024 KiB),
//   bit 2 (cmdline, always; '' when none is given, GRUB always passes one), bit 3
//   (modules, always, as GRUB Legacy and QEMU do: with no module mods_count and
//   mods_addr are 0, so a kernel prints the same under QEMU and here), bit 6 (memory map), bit 9 (boot loader name). Not
//   provided: bit 1 boot_device, bits 4/5 symbols, 7 drives, 8 config table,
//   10 APM, 11 VBE, 12 framebuffer.
// - Memory map (as SeaBIOS reports it under QEMU):
//     [0,        0x9FC00)  type 1 available
//     [0x9FC00,  0xA0000)  type 2 reserved (EBDA)
//     [0xF0000,  0x100000) type 2 reserved (BIOS ROM)
//     [0x100000, RAM end)  type 1 available
//   The VGA window / option ROM hole [0xA0000, 0xF0000) is not listed. RAM is one
//   contiguous region from 0 (DESIGN.md), so there is a single upper entry.
import { ElfError, EM_386, EM_X86_64, ET_DYN, ET_EXEC, parseElf, PT_LOAD, type ElfImage } from './elf';
import { PAGE_SHIFT, type PhysMem } from '../mem/phys';
import { BIOS_ROM_START, DEFAULT_BOOT_LOADER_NAME, EBDA_END, EBDA_START, FOUR_GIB, KERNEL_MIN_ADDR, MBI_ADDR, MBI_LIMIT, MBI_SIZE, MULTIBOOT_AOUT_KLUDGE, MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT_ENTRY_ESP, MULTIBOOT_HEADER_ALIGN, MULTIBOOT_HEADER_MAGIC, MULTIBOOT_INFO_BOOT_LOADER_NAME, MULTIBOOT_INFO_CMDLINE, MULTIBOOT_INFO_MEMORY, MULTIBOOT_INFO_MEM_MAP, MULTIBOOT_INFO_MODS, MULTIBOOT_MEMORY_AVAILABLE, MULTIBOOT_MEMORY_RESERVED, MULTIBOOT_SEARCH, MULTIBOOT_UNSUPPORTED, MULTIBOOT_VIDEO_MODE, MultibootAddressFields, MultibootBoot, MultibootError, MultibootHeader, MultibootInfo, MultibootMmapEntry, MultibootOptions, MultibootSegment, ONE_MIB, PAGE, Write, alignUp, cString, hex, range } from './multiboot-defs';
export * from './multiboot-defs';
export { decodeMbi } from './mbi-reader';

// ---- header --------------------------------------------------------------------------

/** Finds and checks the multiboot header (throws MultibootError). */
export function findMultibootHeader(kernel: Uint8Array): MultibootHeader {
  if (!(kernel instanceof Uint8Array)) throw new MultibootError('kernel image is not a Uint8Array');
  if (kernel.length < 12) {
    throw new MultibootError(`kernel image is too short (${kernel.length} bytes) to contain a multiboot header`);
  }
  const dv = new DataView(kernel.buffer, kernel.byteOffset, kernel.byteLength);
  const len = Math.min(kernel.length, MULTIBOOT_SEARCH);
  let badChecksum: { offset: number; flags: number; checksum: number } | undefined;
  let found = -1;
  for (let off = 0; off + 12 <= len; off += MULTIBOOT_HEADER_ALIGN) {
    if (dv.getUint32(off, true) !== MULTIBOOT_HEADER_MAGIC) continue;
    const flags = dv.getUint32(off + 4, true);
    const checksum = dv.getUint32(off + 8, true);
    if (((MULTIBOOT_HEADER_MAGIC + flags + checksum) >>> 0) === 0) {
      found = off;
      break;
    }
    // GRUB keeps searching after a magic with a bad checksum.
    badChecksum ??= { offset: off, flags, checksum };
  }
  if (found < 0) {
    if (badChecksum) {
      const sum = (MULTIBOOT_HEADER_MAGIC + badChecksum.flags + badChecksum.checksum) >>> 0;
      throw new MultibootError(
        `bad header checksum at file offset ${hex(badChecksum.offset)}: magic + flags (${hex(badChecksum.flags)}) + checksum ` +
          `(${hex(badChecksum.checksum)}) = ${hex(sum)} mod 2^32, must be 0 (expected checksum ${hex((-(MULTIBOOT_HEADER_MAGIC + badChecksum.flags)) >>> 0)})`,
      );
    }
    throw new MultibootError(
      `no multiboot header found: magic ${hex(MULTIBOOT_HEADER_MAGIC)} must be at a 4-byte aligned offset within the first ${MULTIBOOT_SEARCH} bytes`,
    );
  }
  const flags = dv.getUint32(found + 4, true);
  const header: MultibootHeader = { offset: found, magic: MULTIBOOT_HEADER_MAGIC, flags, checksum: dv.getUint32(found + 8, true) };
  const unsupported = flags & MULTIBOOT_UNSUPPORTED;
  if (unsupported !== 0) {
    throw new MultibootError(
      `unsupported required feature flags ${hex(unsupported)} in header flags ${hex(flags)}: this loader supports bits 0 ` +
        `(page-aligned modules), 1 (memory information) and 2 (video mode, ignored); bits 3-15 are refused as GRUB does`,
    );
  }
  if (flags & MULTIBOOT_AOUT_KLUDGE) {
    if (found + 32 > kernel.length) {
      throw new MultibootError(
        `header at file offset ${hex(found)} has flags bit 16 (address fields) but the file ends before them ` +
          `(needs ${found + 32} bytes, file has ${kernel.length})`,
      );
    }
    header.address = {
      headerAddr: dv.getUint32(found + 12, true),
      loadAddr: dv.getUint32(found + 16, true),
      loadEndAddr: dv.getUint32(found + 20, true),
      bssEndAddr: dv.getUint32(found + 24, true),
      entryAddr: dv.getUint32(found + 28, true),
    };
  }
  if ((flags & MULTIBOOT_VIDEO_MODE) && found + 48 <= kernel.length) {
    header.video = {
      modeType: dv.getUint32(found + 32, true),
      width: dv.getUint32(found + 36, true),
      height: dv.getUint32(found + 40, true),
      depth: dv.getUint32(found + 44, true),
    };
  }
  return header;
}

// ---- kernel placement ------------------------------------------------------------------

interface KernelPlan {
  format: MultibootBoot['format'];
  segments: MultibootSegment[];
  entry: number;
  elf?: ElfImage;
}

function checkPlacement(what: string, start: number, end: number, limit: number, ramSize: number, hint = ''): void {
  if (start < KERNEL_MIN_ADDR) {
    throw new MultibootError(
      `${what} ${range(start, end)} starts below 1 MiB: loading below ${hex(KERNEL_MIN_ADDR)} is not supported ` +
        `(low memory holds the BIOS data area, the MBI, the EBDA at 0x9fc00, the VGA buffer at 0xb8000 and ROM; GRUB Legacy refuses it too)${hint}`,
    );
  }
  if (end > FOUR_GIB) throw new MultibootError(`${what} ${range(start, end)} extends beyond 4 GiB`);
  if (end > limit) {
    throw new MultibootError(`${what} ${range(start, end)} extends beyond the end of RAM (${hex(ramSize)}, ${ramSize / ONE_MIB} MiB)`);
  }
}

function planAddressFields(kernel: Uint8Array, header: MultibootHeader, a: MultibootAddressFields, limit: number, ramSize: number): KernelPlan {
  const f = (n: number) => hex(n);
  if (a.loadAddr > a.headerAddr) {
    throw new MultibootError(`address fields: load_addr ${f(a.loadAddr)} is above header_addr ${f(a.headerAddr)} (the header must be inside the loaded image)`);
  }
  const loadOffset = header.offset - (a.headerAddr - a.loadAddr);
  if (loadOffset < 0) {
    throw new MultibootError(
      `address fields: load_addr ${f(a.loadAddr)} is ${f(a.headerAddr - a.loadAddr)} bytes below header_addr ${f(a.headerAddr)}, ` +
        `but the header is only ${f(header.offset)} bytes into the file (the load would start before the file)`,
    );
  }
  let loadSize: number;
  if (a.loadEndAddr === 0) {
    loadSize = kernel.length - loadOffset;
  } else {
    if (a.loadEndAddr < a.loadAddr) {
      throw new MultibootError(`address fields: load_end_addr ${f(a.loadEndAddr)} is below load_addr ${f(a.loadAddr)}`);
    }
    loadSize = a.loadEndAddr - a.loadAddr;
    if (loadOffset + loadSize > kernel.length) {
      throw new MultibootError(
        `address fields: load_end_addr ${f(a.loadEndAddr)} is beyond the end of the file: ${f(loadSize)} bytes from file offset ` +
          `${f(loadOffset)} need ${loadOffset + loadSize} bytes, the file has ${kernel.length}`,
      );
    }
  }
  const loadEnd = a.loadAddr + loadSize;
  if (a.headerAddr + 12 > loadEnd) {
    throw new MultibootError(`address fields: header_addr ${f(a.headerAddr)} is outside the loaded range ${range(a.loadAddr, loadEnd)}`);
  }
  let bssEnd = loadEnd;
  if (a.bssEndAddr !== 0) {
    if (a.bssEndAddr < loadEnd) {
      throw new MultibootError(`address fields: bss_end_addr ${f(a.bssEndAddr)} is below the end of the loaded data ${f(loadEnd)}`);
    }
    bssEnd = a.bssEndAddr;
  }
  checkPlacement('kernel image (address fields)', a.loadAddr, bssEnd, limit, ramSize);
  if (a.entryAddr < a.loadAddr || a.entryAddr >= bssEnd) {
    throw new MultibootError(`address fields: entry_addr ${f(a.entryAddr)} is outside the loaded image ${range(a.loadAddr, bssEnd)}`);
  }
  let elf: ElfImage | undefined;
  try {
    elf = parseElf(kernel);
  } catch {
    elf = undefined; // not an ELF: fine, the address fields say everything.
  }
  return {
    format: 'address-fields',
    segments: [{ start: a.loadAddr, fileSize: loadSize, memSize: bssEnd - a.loadAddr, fileOffset: loadOffset }],
    entry: a.entryAddr,
    ...(elf ? { elf } : {}),
  };
}

function planElf(kernel: Uint8Array, limit: number, ramSize: number): KernelPlan {
  let elf: ElfImage;
  try {
    elf = parseElf(kernel);
  } catch (e) {
    if (e instanceof ElfError) {
      throw new MultibootError(`kernel has no address fields (header flags bit 16 clear), so it must be an ELF executable: ${e.message}`);
    }
    throw e;
  }
  if (elf.elfClass === 32 && elf.machine !== EM_386) {
    throw new MultibootError(`ELF32 kernel has machine ${elf.machine}, expected 3 (EM_386)`);
  }
  if (elf.elfClass === 64 && elf.machine !== EM_X86_64) {
    throw new MultibootError(`ELF64 kernel has machine ${elf.machine}, expected 62 (EM_X86_64)`);
  }
  if (elf.type !== ET_EXEC && elf.type !== ET_DYN) {
    throw new MultibootError(`ELF kernel has type ${elf.type}, expected 2 (ET_EXEC) or 3 (ET_DYN)`);
  }
  if (elf.elfClass === 64 && elf.entryHi !== 0) {
    throw new MultibootError(`ELF64 kernel entry point ${hex(elf.entry)} is not below 4 GiB (it is entered in 32-bit protected mode)`);
  }
  const segments: MultibootSegment[] = [];
  for (const ph of elf.loadSegments) {
    if (ph.memsz === 0n) continue;
    const what = `ELF segment ${ph.index} (PT_LOAD, p_paddr ${hex(ph.paddr)}, p_memsz ${hex(ph.memsz)})`;
    if (ph.paddr + ph.memsz > BigInt(FOUR_GIB)) throw new MultibootError(`${what} extends beyond 4 GiB`);
    const start = Number(ph.paddr);
    const memSize = Number(ph.memsz);
    const hint = ph.offset === 0
      ? '; this segment starts at file offset 0, so it holds the ELF headers: `ld -Ttext 0x100000` without a linker script ' +
        'puts them one page below the text; link with a linker script (. = 1M) or -Ttext-segment=0x100000'
      : '';
    checkPlacement(what, start, start + memSize, limit, ramSize, hint);
    segments.push({ start, fileSize: ph.filesz, memSize, fileOffset: ph.offset });
  }
  if (segments.length === 0) throw new MultibootError('ELF kernel has no loadable (PT_LOAD, p_memsz > 0) segments');
  const sorted = [...segments].sort((x, y) => x.start - y.start);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    const s = sorted[i]!;
    if (s.start < p.start + p.memSize) {
      throw new MultibootError(`ELF segments overlap in physical memory: ${range(p.start, p.start + p.memSize)} and ${range(s.start, s.start + s.memSize)}`);
    }
  }
  let entry = -1;
  for (const ph of elf.loadSegments) {
    if (ph.memsz === 0n) continue;
    if (ph.vaddr <= elf.entry && elf.entry < ph.vaddr + ph.memsz) {
      entry = Number(elf.entry - ph.vaddr + ph.paddr);
      break;
    }
  }
  if (entry < 0) {
    throw new MultibootError(`ELF entry point ${hex(elf.entry)} is not inside any loadable segment`);
  }
  return { format: elf.elfClass === 64 ? 'elf64' : 'elf32', segments, entry, elf };
}

// ---- loader ------------------------------------------------------------------------------

/**
 * Loads a multiboot kernel and its modules into RAM and builds the MBI, as GRUB
 * would. Validates everything first; on any problem throws a MultibootError and
 * writes nothing.
 */
export function loadMultiboot(mem: PhysMem, kernel: Uint8Array, opts: MultibootOptions = {}): MultibootBoot {
  const ramSize = mem.size;
  const limit = Math.min(ramSize, FOUR_GIB);
  if (ramSize <= ONE_MIB) throw new MultibootError(`RAM (${hex(ramSize)} bytes) is too small: a multiboot kernel loads above 1 MiB`);

  const header = findMultibootHeader(kernel);
  const plan = header.address
    ? planAddressFields(kernel, header, header.address, limit, ramSize)
    : planElf(kernel, limit, ramSize);

  const writes: Write[] = [];
  let kernelStart = Infinity;
  let kernelEnd = 0;
  for (const s of plan.segments) {
    writes.push({ pa: s.start, bytes: kernel.subarray(s.fileOffset, s.fileOffset + s.fileSize), zero: s.memSize - s.fileSize });
    kernelStart = Math.min(kernelStart, s.start);
    kernelEnd = Math.max(kernelEnd, s.start + s.memSize);
  }

  // Modules, page aligned after the kernel, each followed by its command line.
  const modInputs = opts.modules ?? [];
  if (!Array.isArray(modInputs)) throw new MultibootError('modules is not an array');
  const modules: MultibootBoot['modules'] = [];
  let cur = alignUp(kernelEnd, PAGE);
  modInputs.forEach((m, i) => {
    if (!m || !(m.bytes instanceof Uint8Array)) throw new MultibootError(`module ${i}: bytes is not a Uint8Array`);
    const str = cString(m.cmdline, `module ${i} command line`);
    const start = cur;
    const end = start + m.bytes.length;
    const strAddr = alignUp(end, 4);
    const strEnd = strAddr + str.length;
    if (strEnd > limit) {
      throw new MultibootError(
        `module ${i} (${JSON.stringify(m.cmdline)}, ${m.bytes.length} bytes) does not fit: it and its command line need ` +
          `${range(start, strEnd)} but RAM ends at ${hex(limit)}`,
      );
    }
    writes.push({ pa: start, bytes: m.bytes, zero: 0 });
    writes.push({ pa: strAddr, bytes: str, zero: 0 });
    modules.push({ start, end, cmdline: m.cmdline, cmdlineAddr: strAddr });
    cur = alignUp(strEnd, PAGE);
  });

  // The MBI area in low memory.
  const cmdlineStr = cString(opts.cmdline ?? '', 'kernel command line');
  const nameStr = cString(opts.bootLoaderName ?? DEFAULT_BOOT_LOADER_NAME, 'boot loader name');
  const mmapEntries: MultibootMmapEntry[] = [
    { size: 20, base: 0, length: EBDA_START, type: MULTIBOOT_MEMORY_AVAILABLE },
    { size: 20, base: EBDA_START, length: EBDA_END - EBDA_START, type: MULTIBOOT_MEMORY_RESERVED },
    { size: 20, base: BIOS_ROM_START, length: ONE_MIB - BIOS_ROM_START, type: MULTIBOOT_MEMORY_RESERVED },
    { size: 20, base: ONE_MIB, length: ramSize - ONE_MIB, type: MULTIBOOT_MEMORY_AVAILABLE },
  ];
  const mbiAddr = MBI_ADDR;
  const mmapAddr = mbiAddr + MBI_SIZE;
  const mmapLength = mmapEntries.length * 24;
  const modsAddr = mmapAddr + mmapLength;
  const cmdlineAddr = modsAddr + modules.length * 16;
  const nameAddr = alignUp(cmdlineAddr + cmdlineStr.length, 4);
  const areaEnd = alignUp(nameAddr + nameStr.length, 4);
  if (areaEnd > MBI_LIMIT) {
    throw new MultibootError(
      `multiboot information (MBI, memory map, module list, command line, loader name: ${areaEnd - mbiAddr} bytes) ` +
        `does not fit in low memory ${range(mbiAddr, MBI_LIMIT)}`,
    );
  }

  const flags =
    MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE | MULTIBOOT_INFO_MEM_MAP | MULTIBOOT_INFO_BOOT_LOADER_NAME |
    MULTIBOOT_INFO_MODS;
  const memLower = EBDA_START / 1024;
  const memUpper = Math.min(Math.floor((ramSize - ONE_MIB) / 1024), 0xffffffff);

  const area = new Uint8Array(areaEnd - mbiAddr);
  const dv = new DataView(area.buffer);
  const at = (pa: number) => pa - mbiAddr;
  dv.setUint32(at(mbiAddr) + 0, flags, true);
  dv.setUint32(at(mbiAddr) + 4, memLower, true);
  dv.setUint32(at(mbiAddr) + 8, memUpper, true);
  dv.setUint32(at(mbiAddr) + 16, cmdlineAddr, true);
  dv.setUint32(at(mbiAddr) + 20, modules.length, true);
  dv.setUint32(at(mbiAddr) + 24, modules.length > 0 ? modsAddr : 0, true);
  dv.setUint32(at(mbiAddr) + 44, mmapLength, true);
  dv.setUint32(at(mbiAddr) + 48, mmapAddr, true);
  dv.setUint32(at(mbiAddr) + 64, nameAddr, true);
  mmapEntries.forEach((e, i) => {
    const o = at(mmapAddr) + i * 24;
    dv.setUint32(o, e.size, true);
    dv.setUint32(o + 4, e.base % FOUR_GIB, true);
    dv.setUint32(o + 8, Math.floor(e.base / FOUR_GIB), true);
    dv.setUint32(o + 12, e.length % FOUR_GIB, true);
    dv.setUint32(o + 16, Math.floor(e.length / FOUR_GIB), true);
    dv.setUint32(o + 20, e.type, true);
  });
  modules.forEach((m, i) => {
    const o = at(modsAddr) + i * 16;
    dv.setUint32(o, m.start, true);
    dv.setUint32(o + 4, m.end, true);
    dv.setUint32(o + 8, m.cmdlineAddr, true);
    dv.setUint32(o + 12, 0, true);
  });
  area.set(cmdlineStr, at(cmdlineAddr));
  area.set(nameStr, at(nameAddr));
  writes.push({ pa: mbiAddr, bytes: area, zero: 0 });

  const mbi: MultibootInfo = {
    addr: mbiAddr,
    flags,
    memLower,
    memUpper,
    cmdline: opts.cmdline ?? '',
    cmdlineAddr,
    mods: { count: modules.length, addr: modules.length > 0 ? modsAddr : 0, list: modules.map((m) => ({ start: m.start, end: m.end, cmdline: m.cmdline, cmdlineAddr: m.cmdlineAddr, reserved: 0 })) },
    mmap: { addr: mmapAddr, length: mmapLength, entries: mmapEntries },
    bootLoaderName: opts.bootLoaderName ?? DEFAULT_BOOT_LOADER_NAME,
    bootLoaderNameAddr: nameAddr,
  };

  // Everything is valid: write.
  for (const w of writes) {
    mem.load(w.pa, w.bytes);
    if (w.zero > 0) zeroFill(mem, w.pa + w.bytes.length, w.zero);
  }

  return {
    entry: plan.entry,
    eax: MULTIBOOT_BOOTLOADER_MAGIC,
    ebx: mbiAddr,
    esp: MULTIBOOT_ENTRY_ESP,
    kernelStart,
    kernelEnd,
    format: plan.format,
    segments: plan.segments,
    modules,
    mbi,
    mbiRegion: { start: mbiAddr, end: areaEnd },
    header,
    ...(plan.elf ? { elf: plan.elf } : {}),
  };
}

function zeroFill(mem: PhysMem, pa: number, n: number): void {
  mem.u8.fill(0, pa, pa + n);
  const last = (pa + n - 1) >>> PAGE_SHIFT;
  for (let p = pa >>> PAGE_SHIFT; p <= last; p++) if (mem.codePage[p]) mem.onCodeWrite(p);
}

