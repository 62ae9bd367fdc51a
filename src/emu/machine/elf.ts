// ELF parser for the images the machine loads (bench workloads, hvmm, guest
// kernels). Pure TypeScript, no Node APIs: runs in the browser worker too.
//
// Handles little-endian ELF32 and ELF64 for x86 (EM_386, EM_X86_64): header,
// program headers, section headers and the static symbol table (.symtab with
// its linked string table). Every malformed input throws an ElfError whose
// message names what is wrong; nothing else is ever thrown.

export class ElfError extends Error {
  constructor(message: string) {
    super(`ELF: ${message}`);
    this.name = 'ElfError';
  }
}

// ---- constants -----------------------------------------------------------------

export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;

export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const EM_386 = 3;
export const EM_X86_64 = 62;

export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_NOBITS = 8;
export const SHT_DYNSYM = 11;

export const SHF_WRITE = 1n;
export const SHF_ALLOC = 2n;
export const SHF_EXECINSTR = 4n;

export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;
export const PN_XNUM = 0xffff;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

// ---- public types ------------------------------------------------------------------

export type ElfClass = 32 | 64;

export interface ElfProgramHeader {
  /** Index in the program header table. */
  index: number;
  /** PT_* */
  type: number;
  /** PF_R | PF_W | PF_X */
  flags: number;
  /** File offset of the segment's bytes; offset + filesz <= file length is guaranteed. */
  offset: number;
  vaddr: bigint;
  paddr: bigint;
  /** Bytes present in the file. For PT_LOAD, filesz <= memsz is guaranteed. */
  filesz: number;
  /** Bytes in memory (the tail beyond filesz is zero-filled). */
  memsz: bigint;
  align: bigint;
}

export interface ElfSection {
  index: number;
  /** From the section header string table ('' if the file has none). */
  name: string;
  /** SHT_* */
  type: number;
  /** SHF_* */
  flags: bigint;
  addr: bigint;
  /** File offset; for SHT_NOBITS meaningless (fileSize is 0). */
  offset: number;
  /** Size in memory / in the file. */
  size: bigint;
  /** Bytes the section occupies in the file (0 for SHT_NOBITS); offset + fileSize <= file length. */
  fileSize: number;
  link: number;
  info: number;
  addralign: bigint;
  entsize: bigint;
}

export type ElfSymbolType = 'notype' | 'object' | 'func' | 'section' | 'file' | 'common' | 'tls' | 'other';
export type ElfSymbolBinding = 'local' | 'global' | 'weak' | 'other';

export interface ElfSymbol {
  name: string;
  value: bigint;
  size: bigint;
  /** STT_* */
  type: number;
  /** STB_* */
  bind: number;
  typeName: ElfSymbolType;
  bindName: ElfSymbolBinding;
  /** st_other (visibility in the low 2 bits). */
  other: number;
  /** Section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON / other reserved value. */
  shndx: number;
  /** Index in .symtab. */
  index: number;
}

export interface ElfSymbolMatch {
  symbol: ElfSymbol;
  /** addr - symbol.value */
  offset: bigint;
}

export interface ElfImage {
  /** The parsed bytes (not copied). */
  readonly bytes: Uint8Array;
  readonly elfClass: ElfClass;
  /** EM_386 or EM_X86_64. */
  readonly machine: number;
  /** ET_* */
  readonly type: number;
  readonly flags: number;
  readonly entry: bigint;
  /** Low / high 32 bits of entry, as unsigned numbers. */
  readonly entryLo: number;
  readonly entryHi: number;
  /** All program headers, in table order. */
  readonly programHeaders: readonly ElfProgramHeader[];
  /** The PT_LOAD program headers, in table order. */
  readonly loadSegments: readonly ElfProgramHeader[];
  /** All section headers, in table order (index 0 is the null section). */
  readonly sections: readonly ElfSection[];
  /** .symtab entries (without the null entry 0), sorted by value, then name. */
  readonly symbols: readonly ElfSymbol[];
  /** The file bytes of a segment (filesz bytes) or a non-NOBITS section. */
  fileBytes(part: ElfProgramHeader | ElfSection): Uint8Array;
  /** First section with this name. */
  section(name: string): ElfSection | undefined;
  /** Symbol by name, preferring global over weak over local bindings. */
  lookup(name: string): ElfSymbol | undefined;
  /**
   * The symbol addr belongs to, as a debugger's `name+offset`. Walking back
   * from the nearest symbol at or below addr, the first one that either is
   * sized and contains addr (value <= addr < value + size), or is an unsized
   * label whose allocated section still contains addr and that is not cut off
   * by the end of a sized symbol lying between it and addr. So a label inside
   * a function wins over the function (like gdb); at one address a sized
   * func/object wins over a label, global over weak over local. Section,
   * file, undefined, absolute and common symbols are never returned.
   */
  symbolAt(addr: bigint | number): ElfSymbolMatch | undefined;
}

// ---- reader --------------------------------------------------------------------

class Reader {
  readonly view: DataView;
  readonly length: number;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }
  private check(off: number, n: number, what: string): void {
    if (!Number.isSafeInteger(off) || off < 0 || off + n > this.length) {
      throw new ElfError(`${what} at offset ${off} is truncated (file is ${this.length} bytes)`);
    }
  }
  u8(off: number, what: string): number {
    this.check(off, 1, what);
    return this.view.getUint8(off);
  }
  u16(off: number, what: string): number {
    this.check(off, 2, what);
    return this.view.getUint16(off, true);
  }
  u32(off: number, what: string): number {
    this.check(off, 4, what);
    return this.view.getUint32(off, true);
  }
  u64(off: number, what: string): bigint {
    this.check(off, 8, what);
    return this.view.getBigUint64(off, true);
  }
  /** A word of the file's class: 4 bytes for ELF32, 8 for ELF64. */
  word(off: number, is64: boolean, what: string): bigint {
    return is64 ? this.u64(off, what) : BigInt(this.u32(off, what));
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Checks that [off, off+size) lies in a file of `length` bytes; returns off as a number. */
function inFile(off: bigint, size: bigint, length: number, what: string): number {
  if (off > BigInt(length) || off + size > BigInt(length)) {
    throw new ElfError(`${what} out of file: offset ${hex(off)} + size ${hex(size)} > file length ${hex(BigInt(length))}`);
  }
  return Number(off);
}

function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}

function readCString(bytes: Uint8Array, base: number, size: number, off: number, what: string): string {
  if (off < 0 || off >= size) {
    throw new ElfError(`${what}: string offset ${off} out of range of string table (size ${size})`);
  }
  let end = base + off;
  const limit = base + size;
  while (end < limit && bytes[end] !== 0) end++;
  if (end >= limit) {
    throw new ElfError(`${what}: string at offset ${off} is not NUL-terminated within its string table`);
  }
  return decoder.decode(bytes.subarray(base + off, end));
}

function typeName(t: number): ElfSymbolType {
  switch (t) {
    case STT_NOTYPE: return 'notype';
    case STT_OBJECT: return 'object';
    case STT_FUNC: return 'func';
    case STT_SECTION: return 'section';
    case STT_FILE: return 'file';
    case STT_COMMON: return 'common';
    case STT_TLS: return 'tls';
    default: return 'other';
  }
}

function bindName(b: number): ElfSymbolBinding {
  switch (b) {
    case STB_LOCAL: return 'local';
    case STB_GLOBAL: return 'global';
    case STB_WEAK: return 'weak';
    default: return 'other';
  }
}

// ---- parser ----------------------------------------------------------------------

export function parseElf(bytes: Uint8Array): ElfImage {
  if (!(bytes instanceof Uint8Array)) throw new ElfError('input is not a Uint8Array');
  const r = new Reader(bytes);

  // e_ident
  if (r.length < 16) throw new ElfError(`file too short for an ELF identification (${r.length} bytes, need 16)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('bad magic (expected 7f 45 4c 46 "\\x7fELF")');
  }
  const cls = bytes[4]!;
  if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError(`unsupported class ${cls} (expected 1 = ELF32 or 2 = ELF64)`);
  const is64 = cls === ELFCLASS64;
  const data = bytes[5]!;
  if (data !== ELFDATA2LSB) {
    throw new ElfError(`unsupported data encoding ${data} (${data === 2 ? 'big-endian' : 'invalid'}); only little-endian is supported`);
  }
  if (bytes[6] !== 1) throw new ElfError(`unsupported ELF identification version ${bytes[6]} (expected 1)`);

  const ehsize = is64 ? 64 : 52;
  if (r.length < ehsize) throw new ElfError(`truncated ELF header: file is ${r.length} bytes, ELF${is64 ? 64 : 32} header needs ${ehsize}`);

  const type = r.u16(16, 'e_type');
  const machine = r.u16(18, 'e_machine');
  if (machine !== EM_386 && machine !== EM_X86_64) {
    throw new ElfError(`unsupported machine ${machine} (expected 3 = EM_386 or 62 = EM_X86_64)`);
  }
  if (is64 && machine === EM_386) throw new ElfError('unsupported combination: ELF64 class with machine EM_386');
  const version = r.u32(20, 'e_version');
  if (version !== 1) throw new ElfError(`unsupported e_version ${version} (expected 1)`);

  let o = 24;
  const entry = r.word(o, is64, 'e_entry'); o += is64 ? 8 : 4;
  const phoff = r.word(o, is64, 'e_phoff'); o += is64 ? 8 : 4;
  const shoff = r.word(o, is64, 'e_shoff'); o += is64 ? 8 : 4;
  const flags = r.u32(o, 'e_flags'); o += 4;
  const eEhsize = r.u16(o, 'e_ehsize'); o += 2;
  const phentsize = r.u16(o, 'e_phentsize'); o += 2;
  let phnum = r.u16(o, 'e_phnum'); o += 2;
  const shentsize = r.u16(o, 'e_shentsize'); o += 2;
  let shnum = r.u16(o, 'e_shnum'); o += 2;
  let shstrndx = r.u16(o, 'e_shstrndx');
  if (eEhsize < ehsize) throw new ElfError(`e_ehsize ${eEhsize} is smaller than the ELF${is64 ? 64 : 32} header (${ehsize})`);

  // ---- section header table (read first: extended numbering lives in section 0)
  const stdShent = is64 ? 64 : 40;
  const sections: ElfSection[] = [];
  if (shoff !== 0n) {
    if (shentsize < stdShent) throw new ElfError(`e_shentsize ${shentsize} is smaller than a section header (${stdShent})`);
    const base0 = inFile(shoff, BigInt(stdShent), r.length, 'section header 0');
    if (shnum === 0) {
      // Extended numbering: the real count is in section 0's sh_size.
      const n = is64 ? r.u64(base0 + 32, 'section 0 sh_size') : BigInt(r.u32(base0 + 20, 'section 0 sh_size'));
      if (n > 0xffffffn) throw new ElfError(`extended section count ${n} is implausibly large`);
      shnum = Number(n);
    }
    if (shstrndx === SHN_XINDEX) {
      shstrndx = r.u32(base0 + (is64 ? 40 : 24), 'section 0 sh_link');
    }
    if (phnum === PN_XNUM) {
      phnum = r.u32(base0 + (is64 ? 44 : 28), 'section 0 sh_info');
    }
    inFile(shoff, BigInt(shnum) * BigInt(shentsize), r.length, `section header table (${shnum} entries of ${shentsize} bytes)`);
    const shbase = Number(shoff);
    for (let i = 0; i < shnum; i++) {
      const b = shbase + i * shentsize;
      const what = `section header ${i}`;
      let s: Omit<ElfSection, 'fileSize' | 'offset'> & { offset: bigint };
      if (is64) {
        s = {
          index: i,
          name: '',
          type: r.u32(b + 4, what),
          flags: r.u64(b + 8, what),
          addr: r.u64(b + 16, what),
          offset: r.u64(b + 24, what),
          size: r.u64(b + 32, what),
          link: r.u32(b + 40, what),
          info: r.u32(b + 44, what),
          addralign: r.u64(b + 48, what),
          entsize: r.u64(b + 56, what),
        };
      } else {
        s = {
          index: i,
          name: '',
          type: r.u32(b + 4, what),
          flags: BigInt(r.u32(b + 8, what)),
          addr: BigInt(r.u32(b + 12, what)),
          offset: BigInt(r.u32(b + 16, what)),
          size: BigInt(r.u32(b + 20, what)),
          link: r.u32(b + 24, what),
          info: r.u32(b + 28, what),
          addralign: BigInt(r.u32(b + 32, what)),
          entsize: BigInt(r.u32(b + 36, what)),
        };
      }
      let fileSize = 0;
      let offset = 0;
      if (s.type !== SHT_NOBITS && s.type !== SHT_NULL && s.size > 0n) {
        offset = inFile(s.offset, s.size, r.length, `section ${i} contents`);
        fileSize = Number(s.size);
      } else if (s.offset <= BigInt(r.length)) {
        offset = Number(s.offset);
      }
      sections.push({ ...s, offset, fileSize });
    }
  } else if (shnum !== 0) {
    throw new ElfError(`e_shnum is ${shnum} but e_shoff is 0`);
  }

  // Section names.
  if (shstrndx !== SHN_UNDEF && sections.length > 0) {
    const strsec = sections[shstrndx];
    if (!strsec) throw new ElfError(`e_shstrndx ${shstrndx} out of range (${sections.length} sections)`);
    if (strsec.type === SHT_NOBITS || strsec.fileSize === 0) {
      throw new ElfError(`section name string table (section ${shstrndx}) has no contents in the file`);
    }
    for (const s of sections) {
      const nameOff = r.u32(Number(shoff) + s.index * shentsize, `section header ${s.index} sh_name`);
      if (s.index === 0 && nameOff === 0) continue;
      s.name = readCString(bytes, strsec.offset, strsec.fileSize, nameOff, `name of section ${s.index}`);
    }
  }

  // ---- program headers
  const stdPhent = is64 ? 56 : 32;
  const programHeaders: ElfProgramHeader[] = [];
  if (phnum > 0) {
    if (phoff === 0n) throw new ElfError(`e_phnum is ${phnum} but e_phoff is 0`);
    if (phentsize < stdPhent) throw new ElfError(`e_phentsize ${phentsize} is smaller than a program header (${stdPhent})`);
    inFile(phoff, BigInt(phnum) * BigInt(phentsize), r.length, `program header table (${phnum} entries of ${phentsize} bytes)`);
    const phbase = Number(phoff);
    const addrLimit = is64 ? 1n << 64n : 1n << 32n;
    for (let i = 0; i < phnum; i++) {
      const b = phbase + i * phentsize;
      const what = `program header ${i}`;
      let ptype: number, pflags: number, poff: bigint, vaddr: bigint, paddr: bigint, filesz: bigint, memsz: bigint, align: bigint;
      if (is64) {
        ptype = r.u32(b, what);
        pflags = r.u32(b + 4, what);
        poff = r.u64(b + 8, what);
        vaddr = r.u64(b + 16, what);
        paddr = r.u64(b + 24, what);
        filesz = r.u64(b + 32, what);
        memsz = r.u64(b + 40, what);
        align = r.u64(b + 48, what);
      } else {
        ptype = r.u32(b, what);
        poff = BigInt(r.u32(b + 4, what));
        vaddr = BigInt(r.u32(b + 8, what));
        paddr = BigInt(r.u32(b + 12, what));
        filesz = BigInt(r.u32(b + 16, what));
        memsz = BigInt(r.u32(b + 20, what));
        pflags = r.u32(b + 24, what);
        align = BigInt(r.u32(b + 28, what));
      }
      let offset = 0;
      if (filesz > 0n) {
        offset = inFile(poff, filesz, r.length, `program header ${i} (type ${hex(ptype)}) contents`);
      } else if (poff <= BigInt(r.length)) {
        offset = Number(poff);
      }
      if (ptype === PT_LOAD) {
        if (filesz > memsz) {
          throw new ElfError(`program header ${i} (PT_LOAD): filesz ${hex(filesz)} > memsz ${hex(memsz)}`);
        }
        if (vaddr + memsz > addrLimit) {
          throw new ElfError(`program header ${i} (PT_LOAD): vaddr ${hex(vaddr)} + memsz ${hex(memsz)} wraps the address space`);
        }
        if (paddr + memsz > addrLimit) {
          throw new ElfError(`program header ${i} (PT_LOAD): paddr ${hex(paddr)} + memsz ${hex(memsz)} wraps the address space`);
        }
      }
      programHeaders.push({ index: i, type: ptype, flags: pflags, offset, vaddr, paddr, filesz: Number(filesz), memsz, align });
    }
  }

  // ---- symbol table (.symtab)
  const symbols: ElfSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab) {
    const stdSym = is64 ? 24 : 16;
    if (symtab.entsize < BigInt(stdSym)) {
      throw new ElfError(`symbol table (section ${symtab.index}) sh_entsize ${symtab.entsize} is smaller than a symbol (${stdSym})`);
    }
    const strsec = sections[symtab.link];
    if (!strsec) throw new ElfError(`symbol table sh_link ${symtab.link} is not a valid section index (${sections.length} sections)`);
    if (strsec.type !== SHT_STRTAB) {
      throw new ElfError(`symbol string table (section ${symtab.link}) has type ${strsec.type}, expected SHT_STRTAB (3)`);
    }
    const entsize = Number(symtab.entsize);
    const count = Math.floor(symtab.fileSize / entsize);
    for (let i = 1; i < count; i++) {
      const b = symtab.offset + i * entsize;
      const what = `symbol ${i}`;
      let nameOff: number, value: bigint, size: bigint, info: number, other: number, shndx: number;
      if (is64) {
        nameOff = r.u32(b, what);
        info = r.u8(b + 4, what);
        other = r.u8(b + 5, what);
        shndx = r.u16(b + 6, what);
        value = r.u64(b + 8, what);
        size = r.u64(b + 16, what);
      } else {
        nameOff = r.u32(b, what);
        value = BigInt(r.u32(b + 4, what));
        size = BigInt(r.u32(b + 8, what));
        info = r.u8(b + 12, what);
        other = r.u8(b + 13, what);
        shndx = r.u16(b + 14, what);
      }
      const name = nameOff === 0 ? '' : readCString(bytes, strsec.offset, strsec.fileSize, nameOff, `name of symbol ${i}`);
      const stype = info & 0xf;
      const sbind = info >> 4;
      symbols.push({
        name, value, size, type: stype, bind: sbind,
        typeName: typeName(stype), bindName: bindName(sbind),
        other, shndx, index: i,
      });
    }
    symbols.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : a.index - b.index));
  }

  return new Image(bytes, is64 ? 64 : 32, machine, type, flags, entry, programHeaders, sections, symbols);
}

// ---- the image ---------------------------------------------------------------------

/** Priority among symbols at the same address for symbolAt: higher wins. */
function rank(s: ElfSymbol): number {
  let p = 0;
  if (s.size > 0n) p += 8;
  if (s.type === STT_FUNC || s.type === STT_OBJECT) p += 4;
  if (s.bind === STB_GLOBAL) p += 2;
  else if (s.bind === STB_WEAK) p += 1;
  return p;
}

const MAX_WALK_BACK = 256;

class Image implements ElfImage {
  readonly entryLo: number;
  readonly entryHi: number;
  readonly loadSegments: readonly ElfProgramHeader[];
  /** Symbols usable for address lookup, sorted by value then rank (best last). */
  private readonly addrSyms: ElfSymbol[];
  private readonly byName = new Map<string, ElfSymbol>();

  constructor(
    readonly bytes: Uint8Array,
    readonly elfClass: ElfClass,
    readonly machine: number,
    readonly type: number,
    readonly flags: number,
    readonly entry: bigint,
    readonly programHeaders: readonly ElfProgramHeader[],
    readonly sections: readonly ElfSection[],
    readonly symbols: readonly ElfSymbol[],
  ) {
    this.entryLo = Number(entry & 0xffffffffn);
    this.entryHi = Number((entry >> 32n) & 0xffffffffn);
    this.loadSegments = programHeaders.filter((p) => p.type === PT_LOAD);
    this.addrSyms = symbols
      .filter((s) => s.type !== STT_SECTION && s.type !== STT_FILE && s.name !== '' &&
        s.shndx !== SHN_UNDEF && s.shndx !== SHN_ABS && s.shndx !== SHN_COMMON)
      .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : rank(a) - rank(b) || b.index - a.index));
    const bindRank = (s: ElfSymbol) => (s.bind === STB_GLOBAL ? 3 : s.bind === STB_WEAK ? 2 : s.bind === STB_LOCAL ? 1 : 0);
    const byIndex = [...symbols].sort((a, b) => a.index - b.index);
    for (const s of byIndex) {
      if (s.name === '' || s.type === STT_FILE || s.type === STT_SECTION) continue;
      const prev = this.byName.get(s.name);
      if (!prev || bindRank(s) > bindRank(prev)) this.byName.set(s.name, s);
    }
  }

  fileBytes(part: ElfProgramHeader | ElfSection): Uint8Array {
    const n = 'filesz' in part ? part.filesz : part.fileSize;
    return this.bytes.subarray(part.offset, part.offset + n);
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  lookup(name: string): ElfSymbol | undefined {
    return this.byName.get(name);
  }

  symbolAt(addr: bigint | number): ElfSymbolMatch | undefined {
    let a: bigint;
    if (typeof addr === 'number') {
      if (!Number.isSafeInteger(addr) || addr < 0) return undefined;
      a = BigInt(addr);
    } else {
      a = addr;
    }
    const syms = this.addrSyms;
    // Upper bound: first index with value > a.
    let lo = 0;
    let hi = syms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (syms[mid]!.value <= a) lo = mid + 1;
      else hi = mid;
    }
    let blocked = false;
    for (let i = lo - 1, steps = 0; i >= 0 && steps < MAX_WALK_BACK; i--, steps++) {
      const s = syms[i]!;
      if (s.size > 0n) {
        if (a < s.value + s.size) return { symbol: s, offset: a - s.value };
        blocked = true;
      } else if (!blocked) {
        if (s.value === a) return { symbol: s, offset: 0n };
        const sec = this.sections[s.shndx];
        if (sec && (sec.flags & SHF_ALLOC) !== 0n && s.value >= sec.addr && a < sec.addr + sec.size) {
          return { symbol: s, offset: a - s.value };
        }
        // An unsized label outside any section covers only its own address.
      }
    }
    return undefined;
  }
}
