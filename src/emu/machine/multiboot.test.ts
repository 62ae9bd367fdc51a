import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysMem } from '../mem/phys';
import {
  MULTIBOOT_ENTRY_STATE, MultibootError, decodeMbi, findMultibootHeader, loadMultiboot,
  type MultibootBoot, type MultibootOptions,
} from './multiboot';

// ---- toolchain and fixtures ---------------------------------------------------------------

function tool(cmd: string, args: string[], cwd?: string): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout;
}
function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stderr}`);
  return r.stdout;
}
const haveToolchain = ['as', 'ld', 'readelf', 'nm', 'objcopy'].every((t) => tool(t, ['--version']) !== undefined);

const K32_S = `
.section .multiboot
.align 4
mb_header:
  .long 0x1BADB002
  .long 0x00000003
  .long -(0x1BADB002 + 0x00000003)
.section .text
.globl _start
_start:
  mov $stack_top, %esp
  push %ebx
  push %eax
  hlt
  jmp _start
.section .rodata
.globl ro_pattern
ro_pattern:
  .ascii "read-only pattern"
.section .data
.globl data_pattern
data_pattern:
  .ascii "Pacifica data segment pattern"
  .long 0xdeadbeef, 0x12345678
.section .bss
.align 16
  .skip 0x5000
.globl stack_top
stack_top:
`;

// Linked like the HVMM: a linker script at 1 MiB, multiboot header first.
const K32_LD = `
ENTRY(_start)
SECTIONS {
  . = 1M;
  .text : { *(.multiboot) *(.text*) }
  .rodata ALIGN(4K) : { *(.rodata*) }
  .data ALIGN(4K) : { *(.data*) }
  .bss ALIGN(4K) : { *(COMMON) *(.bss*) }
  _end = .;
}
`;

// Higher half: virtual 0xC0100000, physical 1 MiB; e_entry is virtual.
const KHH_LD = `
ENTRY(_start)
SECTIONS {
  . = 0xC0100000;
  .text : AT(0x100000) { *(.multiboot) *(.text*) }
  .rodata ALIGN(4K) : AT(ADDR(.rodata) - 0xC0000000) { *(.rodata*) }
  .data ALIGN(4K) : AT(ADDR(.data) - 0xC0000000) { *(.data*) }
  .bss ALIGN(4K) : AT(ADDR(.bss) - 0xC0000000) { *(COMMON) *(.bss*) }
  _end = .;
}
`;

// ELF64 x86-64, header with flags 0x7 (video mode requested: accepted and ignored).
const K64_S = `
.section .text
.align 4
mb_header:
  .long 0x1BADB002
  .long 0x00000007
  .long -(0x1BADB002 + 0x00000007)
  .long 0, 0, 0, 0, 0
  .long 1, 80, 25, 0
.code32
.globl _start
_start:
  mov $0x107000, %esp
  hlt
  jmp _start
.section .data
.globl data_pattern
data_pattern:
  .ascii "sixty-four bit data"
.section .bss
.align 16
  .skip 0x3000
`;

// Address fields (flags bit 16), loaded at 2 MiB, header 64 bytes into the image.
const KAOUT_S = `
.section .text
.globl _load_start
_load_start:
  .ascii "bytes before the multiboot header"
  .balign 64, 0x90
.globl mb_header
mb_header:
  .long 0x1BADB002
  .long 0x00010003
  .long -(0x1BADB002 + 0x00010003)
  .long mb_header
  .long _load_start
  .long _edata
  .long _end
  .long _start
.globl _start
_start:
  mov $_end, %esp
  hlt
  jmp _start
.section .data
.globl data_pattern
data_pattern:
  .ascii "address-fields data"
.section .bss
  .skip 0x2345
`;
const KAOUT_LD = `
ENTRY(_start)
SECTIONS {
  . = 0x200000;
  .text : { *(.text*) }
  .data ALIGN(16) : { *(.data*) }
  _edata = .;
  .bss ALIGN(16) : { *(.bss*) }
  _end = .;
}
`;

interface Fixture {
  name: string;
  path: string;
  bytes: Uint8Array;
}

let dir: string | undefined;
const fixtures = new Map<string, Fixture>();

function buildFixtures(): void {
  if (dir) return;
  dir = mkdtempSync(join(tmpdir(), 'pacifica-multiboot-'));
  const d = dir;
  const w = (f: string, s: string) => writeFileSync(join(d, f), s);
  w('k32.S', K32_S); w('kttext.S', K32_S.replace('.section .multiboot', '.section .text')); w('k32.ld', K32_LD); w('khh.ld', KHH_LD); w('k64.S', K64_S); w('aout.S', KAOUT_S); w('aout.ld', KAOUT_LD);
  run('as', ['--32', '-o', 'k32.o', 'k32.S'], d);
  run('ld', ['-m', 'elf_i386', '-T', 'k32.ld', '-o', 'k32.elf', 'k32.o'], d);
  run('ld', ['-m', 'elf_i386', '-T', 'khh.ld', '-o', 'khh.elf', 'k32.o'], d);
  // Plain -Ttext without a linker script: binutils adds a read-only segment holding the ELF
  // headers one page below the text (0xff000): refused (below 1 MiB, in the BIOS ROM area).
  run('as', ['--32', '-o', 'kttext.o', 'kttext.S'], d);
  run('ld', ['-m', 'elf_i386', '-Ttext', '0x100000', '-e', '_start', '-o', 'kttext.elf', 'kttext.o'], d);
  run('as', ['--64', '-o', 'k64.o', 'k64.S'], d);
  run('ld', ['-m', 'elf_x86_64', '-Ttext-segment=0x100000', '-e', '_start', '-o', 'k64.elf', 'k64.o'], d);
  run('as', ['--32', '-o', 'aout.o', 'aout.S'], d);
  run('ld', ['-m', 'elf_i386', '-T', 'aout.ld', '-o', 'aout.elf', 'aout.o'], d);
  run('objcopy', ['-O', 'binary', 'aout.elf', 'aout.bin'], d);
  for (const name of ['k32.elf', 'khh.elf', 'kttext.elf', 'k64.elf', 'aout.elf', 'aout.bin']) {
    const path = join(d, name);
    fixtures.set(name, { name, path, bytes: new Uint8Array(readFileSync(path)) });
  }
}
function fx(name: string): Fixture {
  buildFixtures();
  return fixtures.get(name)!;
}

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// ---- independent expectations ---------------------------------------------------------------

/** Entry and PT_LOAD program headers according to readelf. */
function readelfFacts(path: string) {
  const h = run('readelf', ['-hlW', path], '/');
  const entry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(h)![1]!);
  const loads = [...h.matchAll(/^\s+LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)].map((m) => ({
    offset: Number(m[1]), vaddr: BigInt(m[2]!), paddr: Number(m[3]), filesz: Number(m[4]), memsz: Number(m[5]),
  }));
  return { entry, loads };
}

/** Defined symbols according to nm. */
function nm(path: string): Map<string, number> {
  const out = run('nm', ['--defined-only', path], '/');
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const p = /^([0-9a-f]+) (\S) (\S+)$/.exec(line);
    if (p) m.set(p[3]!, Number(BigInt('0x' + p[1])));
  }
  return m;
}

const RAM = 16 * 1024 * 1024;
const FILL = 0xa5;

function freshMem(size = RAM): PhysMem {
  const mem = new PhysMem(size);
  mem.u8.fill(FILL);
  return mem;
}
function hash(mem: PhysMem): string {
  return createHash('sha256').update(mem.u8).digest('hex');
}
const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;
const rd32 = (mem: PhysMem, pa: number) => Buffer.from(mem.u8.buffer, pa, 4).readUInt32LE(0);
const rd64 = (mem: PhysMem, pa: number) => Number(Buffer.from(mem.u8.buffer, pa, 8).readBigUInt64LE(0));
function rdStr(mem: PhysMem, pa: number): string {
  let e = pa;
  while (mem.u8[e] !== 0) e++;
  return Buffer.from(mem.u8.subarray(pa, e)).toString('utf8');
}
function expectZero(mem: PhysMem, start: number, end: number, what: string) {
  const nz = mem.u8.subarray(start, end).findIndex((b) => b !== 0);
  expect(nz, `${what}: first non-zero byte`).toBe(-1);
}
function expectBytes(mem: PhysMem, pa: number, bytes: Uint8Array, what: string) {
  expect(Buffer.from(mem.u8.subarray(pa, pa + bytes.length)).equals(Buffer.from(bytes)), what).toBe(true);
}

const MODULES = [
  { bytes: new Uint8Array(5000).map((_, i) => (i * 7 + 3) & 0xff), cmdline: 'guest0 console=ttyS0' },
  { bytes: new Uint8Array(0), cmdline: '' },
  { bytes: new Uint8Array(4096).map((_, i) => (i ^ 0x5a) & 0xff), cmdline: 'gäst ünïcode ✓' },
];
const CMDLINE = '/boot/hvmm.elf quantum=10ms verbose';

/** Checks the MBI, memory map and modules written for `boot` against the spec, by raw reads. */
function checkMbi(mem: PhysMem, boot: MultibootBoot, opts: MultibootOptions, kernelEnd: number) {
  const mods = opts.modules ?? [];
  expect(boot.eax).toBe(0x2badb002);
  const b = boot.ebx;
  expect(b).toBe(0x10000);
  expect(b % 4).toBe(0);
  // flags: 0 mem, 2 cmdline, 3 mods (if any), 6 mmap, 9 boot loader name.
  const flags = 0x1 | 0x4 | 0x8 | 0x40 | 0x200; // bit 3 always, as QEMU and GRUB Legacy
  expect(rd32(mem, b)).toBe(flags);
  expect(rd32(mem, b + 4)).toBe(639);
  expect(rd32(mem, b + 8)).toBe((mem.size - 0x100000) / 1024);
  expect(rd32(mem, b + 12)).toBe(0); // boot_device not provided
  expect(rdStr(mem, rd32(mem, b + 16))).toBe(opts.cmdline ?? '');
  expect(rd32(mem, b + 20)).toBe(mods.length);
  for (let o = 28; o < 44; o += 4) expect(rd32(mem, b + o), `syms @${o}`).toBe(0);
  for (let o = 52; o < 64; o += 4) expect(rd32(mem, b + o), `@${o}`).toBe(0);
  for (let o = 68; o < 116; o += 4) expect(rd32(mem, b + o), `@${o}`).toBe(0);
  expect(rdStr(mem, rd32(mem, b + 64))).toBe(opts.bootLoaderName ?? 'Pacifica');

  // Memory map: walk by the size fields.
  const mmapLen = rd32(mem, b + 44);
  const mmapAddr = rd32(mem, b + 48);
  expect(mmapAddr % 4).toBe(0);
  const entries: [number, number, number, number][] = [];
  for (let p = mmapAddr; p < mmapAddr + mmapLen; p += rd32(mem, p) + 4) {
    entries.push([rd32(mem, p), rd64(mem, p + 4), rd64(mem, p + 12), rd32(mem, p + 20)]);
  }
  expect(entries).toEqual([
    [20, 0, 0x9fc00, 1],
    [20, 0x9fc00, 0x400, 2],
    [20, 0xf0000, 0x10000, 2],
    [20, 0x100000, mem.size - 0x100000, 1],
  ]);

  // Modules: page aligned after the kernel, each followed by its command line.
  const modsAddr = rd32(mem, b + 24);
  if (mods.length === 0) expect(modsAddr).toBe(0);
  else expect(modsAddr % 4).toBe(0);
  let next = alignUp(kernelEnd, 4096);
  mods.forEach((m, i) => {
    const e = modsAddr + 16 * i;
    const start = rd32(mem, e);
    const end = rd32(mem, e + 4);
    const str = rd32(mem, e + 8);
    expect(start, `module ${i} start`).toBe(next);
    expect(start % 4096).toBe(0);
    expect(end - start).toBe(m.bytes.length);
    expect(str).toBe(alignUp(end, 4));
    expect(rd32(mem, e + 12)).toBe(0);
    expectBytes(mem, start, m.bytes, `module ${i} contents`);
    expect(rdStr(mem, str)).toBe(m.cmdline);
    next = alignUp(str + Buffer.byteLength(m.cmdline) + 1, 4096);
    expect(boot.modules[i]).toEqual({ start, end, cmdline: m.cmdline, cmdlineAddr: str });
  });

  // Every MBI structure and string in low memory, 4-byte aligned, clear of kernel, modules, VGA.
  const pieces = [b, mmapAddr, rd32(mem, b + 16), rd32(mem, b + 64), ...(mods.length ? [modsAddr] : [])];
  for (const p of pieces) {
    expect(p % 4).toBe(0);
    expect(p).toBeGreaterThanOrEqual(boot.mbiRegion.start);
    expect(p).toBeLessThan(boot.mbiRegion.end);
  }
  expect(boot.mbiRegion.end).toBeLessThanOrEqual(0x9fc00);
  expect(boot.mbiRegion.end).toBeLessThanOrEqual(0xb8000);
  expect(boot.mbiRegion.start).toBeGreaterThan(MULTIBOOT_ENTRY_STATE.esp);
  for (let p = 0xb8000; p < 0xc0000; p++) if (mem.u8[p] !== FILL) throw new Error(`VGA buffer touched at ${p.toString(16)}`);

  // The independent reader agrees with the writer's own description.
  const decoded = decodeMbi(mem, b);
  expect(decoded).toEqual(boot.mbi);
  expect(decoded.flags).toBe(flags);
  expect(decoded.cmdline).toBe(opts.cmdline ?? '');
  expect(decoded.mods?.list.map((m) => m.cmdline) ?? []).toEqual(mods.map((m) => m.cmdline));
}

/** Bytes and bss of every PT_LOAD (per readelf) are in RAM; entry per readelf, translated vaddr -> paddr. */
function checkElfLoad(mem: PhysMem, f: Fixture, boot: MultibootBoot) {
  const facts = readelfFacts(f.path);
  const loads = facts.loads.filter((l) => l.memsz > 0);
  expect(loads.length).toBeGreaterThan(0);
  for (const l of loads) {
    expectBytes(mem, l.paddr, f.bytes.subarray(l.offset, l.offset + l.filesz), `segment at ${l.paddr.toString(16)}`);
    expectZero(mem, l.paddr + l.filesz, l.paddr + l.memsz, `bss of segment at ${l.paddr.toString(16)}`);
  }
  expect(boot.kernelStart).toBe(Math.min(...loads.map((l) => l.paddr)));
  expect(boot.kernelEnd).toBe(Math.max(...loads.map((l) => l.paddr + l.memsz)));
  const seg = loads.find((l) => l.vaddr <= facts.entry && facts.entry < l.vaddr + BigInt(l.memsz))!;
  expect(boot.entry).toBe(Number(facts.entry - seg.vaddr) + seg.paddr);
}

// ---- tests --------------------------------------------------------------------------------------

describe('MULTIBOOT_ENTRY_STATE', () => {
  it('documents the GRUB entry state', () => {
    const s = MULTIBOOT_ENTRY_STATE;
    expect(s.eax).toBe(0x2badb002);
    expect(s.cs).toMatchObject({ base: 0, limit: 0xffffffff, db: 1, l: 0, p: 1 });
    expect(s.cs.type & 0x8).toBe(0x8); // code
    expect(s.cs.type & 0x2).toBe(0x2); // readable
    expect(s.data).toMatchObject({ base: 0, limit: 0xffffffff, db: 1, p: 1 });
    expect(s.data.type & 0xa).toBe(0x2); // data, writable
    expect(s.cr0 & 1).toBe(1);
    expect(s.cr0 >>> 31).toBe(0);
    expect(s.eflags & (1 << 17)).toBe(0);
    expect(s.eflags & (1 << 9)).toBe(0);
    expect(s.a20).toBe(true);
    expect(s.esp).toBe(0x7000);
  });
});

describe.skipIf(!haveToolchain)('loadMultiboot with kernels built by as/ld', () => {
  it('ELF32 i386 kernel (linker script at 1 MiB), modules and a command line', () => {
    const f = fx('k32.elf');
    const mem = freshMem();
    const opts = { cmdline: CMDLINE, modules: MODULES };
    const boot = loadMultiboot(mem, f.bytes, opts);
    const syms = nm(f.path);
    expect(boot.format).toBe('elf32');
    expect(boot.entry).toBe(syms.get('_start'));
    expect(boot.kernelStart).toBe(0x100000);
    expect(boot.kernelEnd).toBe(syms.get('_end'));
    expect(boot.header).toMatchObject({ offset: 0x1000, magic: 0x1badb002, flags: 3 });
    expect(boot.header.address).toBeUndefined();
    checkElfLoad(mem, f, boot);
    // The data and stack are where nm says.
    expect(Buffer.from(mem.u8.subarray(syms.get('data_pattern')!, syms.get('data_pattern')! + 29)).toString()).toBe('Pacifica data segment pattern');
    expect(Buffer.from(mem.u8.subarray(syms.get('ro_pattern')!, syms.get('ro_pattern')! + 17)).toString()).toBe('read-only pattern');
    expectZero(mem, syms.get('stack_top')! - 0x5000, syms.get('stack_top')!, 'bss');
    checkMbi(mem, boot, opts, syms.get('_end')!);
    // Symbols for the debugger.
    expect(boot.elf?.lookup('_start')?.value).toBe(BigInt(syms.get('_start')!));
  });

  it('ELF32 higher-half kernel: loaded at p_paddr, entry translated from virtual to physical', () => {
    const f = fx('khh.elf');
    const mem = freshMem();
    const boot = loadMultiboot(mem, f.bytes, { cmdline: 'hh' });
    const syms = nm(f.path);
    expect(syms.get('_start')).toBeGreaterThanOrEqual(0xc0100000);
    expect(boot.entry).toBe(syms.get('_start')! - 0xc0000000);
    expect(boot.kernelStart).toBe(0x100000);
    expect(boot.kernelEnd).toBe(syms.get('_end')! - 0xc0000000);
    checkElfLoad(mem, f, boot);
    checkMbi(mem, boot, { cmdline: 'hh' }, boot.kernelEnd);
  });

  it('ELF64 x86-64 kernel, video mode flag accepted and ignored, no modules', () => {
    const f = fx('k64.elf');
    const mem = freshMem(32 * 1024 * 1024);
    const boot = loadMultiboot(mem, f.bytes, { bootLoaderName: 'GRUB 2.12' });
    const syms = nm(f.path);
    expect(boot.format).toBe('elf64');
    expect(boot.entry).toBe(syms.get('_start'));
    expect(boot.header.flags).toBe(7);
    expect(boot.header.video).toEqual({ modeType: 1, width: 80, height: 25, depth: 0 });
    expect(boot.kernelEnd).toBe(syms.get('_end'));
    checkElfLoad(mem, f, boot);
    checkMbi(mem, boot, { bootLoaderName: 'GRUB 2.12' }, syms.get('_end')!);
    expect(boot.mbi.flags & (1 << 11 | 1 << 12)).toBe(0); // no VBE / framebuffer info
    expect(boot.mbi.mods).toEqual({ count: 0, addr: 0, list: [] });
  });

  for (const name of ['aout.elf', 'aout.bin']) {
    it(`address fields (${name}): load_addr/load_end_addr/bss_end_addr/entry_addr per spec 3.1.3`, () => {
      const f = fx(name);
      const syms = nm(fx('aout.elf').path);
      const mem = freshMem();
      const opts = { cmdline: CMDLINE, modules: MODULES.slice(0, 2) };
      const boot = loadMultiboot(mem, f.bytes, opts);
      const headerAddr = syms.get('mb_header')!;
      const loadAddr = syms.get('_load_start')!;
      const loadEnd = syms.get('_edata')!;
      const bssEnd = syms.get('_end')!;
      expect(boot.format).toBe('address-fields');
      expect(boot.header.address).toEqual({ headerAddr, loadAddr, loadEndAddr: loadEnd, bssEndAddr: bssEnd, entryAddr: syms.get('_start') });
      // The header's file offset: search the file for the magic (flat: 0x40; ELF: 0x40 into .text).
      const hdrOff = Buffer.from(f.bytes).indexOf(Buffer.from([0x02, 0xb0, 0xad, 0x1b]));
      expect(boot.header.offset).toBe(hdrOff);
      const loadOff = hdrOff - (headerAddr - loadAddr);
      expect(loadOff).toBe(name === 'aout.bin' ? 0 : 0x1000);
      expectBytes(mem, loadAddr, f.bytes.subarray(loadOff, loadOff + (loadEnd - loadAddr)), 'loaded image');
      expectZero(mem, loadEnd, bssEnd, 'bss');
      expect(mem.u8[bssEnd]).toBe(FILL);
      expect(mem.u8[loadAddr - 1]).toBe(FILL);
      expect(Buffer.from(mem.u8.subarray(syms.get('data_pattern')!, syms.get('data_pattern')! + 19)).toString()).toBe('address-fields data');
      expect(boot.entry).toBe(syms.get('_start'));
      expect(boot.kernelStart).toBe(loadAddr);
      expect(boot.kernelEnd).toBe(bssEnd);
      checkMbi(mem, boot, opts, bssEnd);
      if (name === 'aout.elf') expect(boot.elf?.lookup('mb_header')).toBeDefined();
      else expect(boot.elf).toBeUndefined();
    });
  }

  it('findMultibootHeader agrees with the assembled headers', () => {
    expect(findMultibootHeader(fx('k32.elf').bytes)).toEqual({ offset: 0x1000, magic: 0x1badb002, flags: 3, checksum: (-(0x1badb002 + 3)) >>> 0 });
    expect(findMultibootHeader(fx('aout.bin').bytes).offset).toBe(0x40);
  });

  it('refuses an ld -Ttext 0x100000 image whose ELF-header segment lands at 0xff000', () => {
    const f = fx('kttext.elf');
    const loads = readelfFacts(f.path).loads;
    expect(loads.some((l) => l.paddr < 0x100000)).toBe(true);
    const mem = freshMem();
    const before = hash(mem);
    expect(() => loadMultiboot(mem, f.bytes, {})).toThrow(/segment 0 .*\[0xff000, 0xff0.*\) starts below 1 MiB.*holds the ELF headers/);
    expect(hash(mem)).toBe(before);
  });
});

// ---- malformed inputs -------------------------------------------------------------------------

function patch(bytes: Uint8Array, edits: Array<[number, number, 1 | 2 | 4 | 8]>): Uint8Array {
  const out = bytes.slice();
  const dv = new DataView(out.buffer);
  for (const [off, v, n] of edits) {
    if (n === 1) dv.setUint8(off, v);
    else if (n === 2) dv.setUint16(off, v, true);
    else if (n === 4) dv.setUint32(off, v >>> 0, true);
    else dv.setBigUint64(off, BigInt(v), true);
  }
  return out;
}

/** A flat address-fields kernel: header at `hdrOff`, given fields, file of `size` bytes. */
function aoutImage(f: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number }, size = 0x100, hdrOff = 0, flags = 0x10003): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(hdrOff, 0x1badb002, true);
  dv.setUint32(hdrOff + 4, flags, true);
  dv.setUint32(hdrOff + 8, (-(0x1badb002 + flags)) >>> 0, true);
  [f.headerAddr, f.loadAddr, f.loadEndAddr, f.bssEndAddr, f.entryAddr].forEach((v, i) => dv.setUint32(hdrOff + 12 + 4 * i, v >>> 0, true));
  return out;
}
const A = { headerAddr: 0x100000, loadAddr: 0x100000, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0x100020 };

function expectRefused(kernel: Uint8Array, re: RegExp, opts: MultibootOptions = {}, size = RAM) {
  const mem = freshMem(size);
  let calls = 0;
  mem.codePage.fill(1);
  mem.onCodeWrite = () => { calls++; };
  const before = hash(mem);
  let err: unknown;
  try {
    loadMultiboot(mem, kernel, opts);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MultibootError);
  expect((err as Error).name).toBe('MultibootError');
  expect((err as Error).message).toMatch(re);
  expect(hash(mem)).toBe(before);
  expect(calls).toBe(0);
}

describe('loadMultiboot refuses malformed images and leaves RAM unchanged', () => {
  it('address-fields image built by hand loads (baseline for the cases below)', () => {
    const mem = freshMem();
    const img = aoutImage({ ...A, bssEndAddr: 0x101000 });
    const boot = loadMultiboot(mem, img, {});
    expect(boot.entry).toBe(0x100020);
    expectBytes(mem, 0x100000, img, 'image');
    expectZero(mem, 0x100100, 0x101000, 'bss');
  });

  it('no header', () => {
    expectRefused(new Uint8Array(0), /too short/);
    expectRefused(new Uint8Array(11), /too short/);
    expectRefused(new Uint8Array(9000), /no multiboot header found/);
    // Magic beyond the first 8192 bytes, or misaligned.
    expectRefused(aoutImage(A, 0x3000, 8192), /no multiboot header found/);
    expectRefused(new Uint8Array([0, 0x02, 0xb0, 0xad, 0x1b, 3, 0, 0, 0, 0xfb, 0x4f, 0x52, 0xe4, 0, 0, 0]), /no multiboot header found/);
  });

  it('bad checksum', () => {
    expectRefused(patch(aoutImage(A), [[8, 0x12345678, 4]]), /bad header checksum at file offset 0x0/);
  });

  it('unsupported required flags (bits 3-15)', () => {
    expectRefused(aoutImage(A, 0x100, 0, 0x10003 | 1 << 3), /unsupported required feature flags 0x8/);
    expectRefused(aoutImage(A, 0x100, 0, 0x10003 | 1 << 15), /unsupported required feature flags 0x8000/);
  });

  it('impossible address fields', () => {
    expectRefused(aoutImage(A).slice(0, 24), /address fields.*file ends before them/);
    expectRefused(aoutImage({ ...A, loadAddr: 0x100010 }), /load_addr 0x100010 is above header_addr/);
    expectRefused(aoutImage({ ...A, loadAddr: 0xfff00 }), /load would start before the file/);
    expectRefused(aoutImage({ ...A, headerAddr: 0x100040, loadEndAddr: 0x100010 }, 0x100, 0x40), /header_addr 0x100040 is outside the loaded range/);
    expectRefused(aoutImage({ ...A, loadEndAddr: 0xfffff }), /load_end_addr 0xfffff is below load_addr/);
    expectRefused(aoutImage({ ...A, loadEndAddr: 0x100200 }), /load_end_addr 0x100200 is beyond the end of the file/);
    expectRefused(aoutImage({ ...A, bssEndAddr: 0x100080 }), /bss_end_addr 0x100080 is below the end of the loaded data 0x100100/);
    expectRefused(aoutImage({ ...A, entryAddr: 0x100100 }), /entry_addr 0x100100 is outside the loaded image/);
    expectRefused(aoutImage({ ...A, entryAddr: 0xfffff }), /entry_addr 0xfffff is outside/);
    expectRefused(aoutImage({ ...A, headerAddr: 0x8000, loadAddr: 0x8000, entryAddr: 0x8020 }), /below 1 MiB/);
    expectRefused(aoutImage({ ...A, headerAddr: 0xfffffff0, loadAddr: 0xfffffff0, entryAddr: 0xfffffff4 }), /beyond 4 GiB|beyond the end of RAM/);
  });

  it('kernel too big for RAM', () => {
    expectRefused(aoutImage({ ...A, bssEndAddr: 0x1200000 }), /extends beyond the end of RAM \(0x1000000, 16 MiB\)/);
    expectRefused(aoutImage(A), /RAM .* is too small/, {}, 0x100000);
  });

  it('module does not fit, bad module and command-line inputs', () => {
    const img = aoutImage(A);
    expectRefused(img, /module 1 \("big"\, 16777216 bytes\) does not fit/, { modules: [{ bytes: new Uint8Array(8), cmdline: 'a' }, { bytes: new Uint8Array(RAM), cmdline: 'big' }] });
    // Exactly at the end: module fills the rest of RAM except for its string.
    const mem = freshMem(0x200000);
    const boot = loadMultiboot(mem, img, { modules: [{ bytes: new Uint8Array(0x100000 - 0x1000 - 4), cmdline: 'abc' }] });
    expect(boot.modules[0]).toEqual({ start: 0x101000, end: 0x1ffffc, cmdline: 'abc', cmdlineAddr: 0x1ffffc });
    expect(rdStr(mem, 0x1ffffc)).toBe('abc');
    expectRefused(img, /does not fit/, { modules: [{ bytes: new Uint8Array(0x100000 - 0x1000 - 4), cmdline: 'abcd' }] }, 0x200000);
    expectRefused(img, /module 0 command line contains a NUL/, { modules: [{ bytes: new Uint8Array(1), cmdline: 'a\0b' }] });
    expectRefused(img, /kernel command line contains a NUL/, { cmdline: 'x\0' });
    expectRefused(img, /does not fit in low memory/, { cmdline: 'x'.repeat(0x90000) });
    expectRefused(img, /module 0: bytes is not a Uint8Array/, { modules: [{ bytes: [1, 2] as unknown as Uint8Array, cmdline: '' }] });
  });

  it.skipIf(!haveToolchain)('ELF problems: truncated, non-x86, bad type, entry outside, ELF64 entry above 4 GiB, overlap', () => {
    const k32 = fx('k32.elf').bytes;
    const k64 = fx('k64.elf').bytes;
    expectRefused(k32.slice(0, 0x1010), /must be an ELF executable: ELF: .*out of file|truncated/);
    expectRefused(k32.slice(0, 0x1800), /must be an ELF executable/);
    expectRefused(patch(k32, [[18, 40, 2]]), /must be an ELF executable: ELF: unsupported machine 40/); // EM_ARM
    expectRefused(patch(k32, [[18, 62, 2]]), /ELF32 kernel has machine 62, expected 3/);
    expectRefused(patch(k32, [[16, 1, 2]]), /type 1, expected 2 \(ET_EXEC\) or 3/);
    expectRefused(patch(k32, [[24, 0x200000, 4]]), /entry point 0x200000 is not inside any loadable segment/);
    expectRefused(patch(k64, [[24, 0x1_0010_1030, 8]]), /ELF64 kernel entry point 0x100101030 is not below 4 GiB/);
    // Not an ELF at all, no address fields.
    const h = new Uint8Array(64);
    h.set(new Uint8Array(new Uint32Array([0x1badb002, 2, (-(0x1badb002 + 2)) >>> 0]).buffer), 16); // flags 2, no address fields
    expectRefused(h, /must be an ELF executable: ELF: bad magic/);
    // Second PT_LOAD (.rodata) moved onto the first, beyond RAM, into the VGA buffer.
    const facts = readelfFacts(fx('k32.elf').path);
    expect(facts.loads.length).toBe(3);
    const phoff = new DataView(k32.buffer, k32.byteOffset).getUint32(28, true);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0x100008, 4]]), /ELF segments overlap/);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0xfffff8, 4]]), /beyond the end of RAM/);
    expectRefused(patch(k32, [[phoff + 32 + 12, 0xb8000, 4]]), /below 1 MiB/);
  });

  it('random bytes (with and without a planted header)', () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 0x1000000;
    for (let i = 0; i < 200; i++) {
      const buf = new Uint8Array(Math.floor(rnd() * 10000)).map(() => Math.floor(rnd() * 256));
      if (i % 2 === 1 && buf.length >= 64) {
        const off = Math.floor(rnd() * Math.min(buf.length - 48, 8180) / 4) * 4;
        const flags = [0, 2, 3, 7, 0x10003, 0x10000][i % 6]!;
        new DataView(buf.buffer).setUint32(off, 0x1badb002, true);
        new DataView(buf.buffer).setUint32(off + 4, flags, true);
        new DataView(buf.buffer).setUint32(off + 8, (-(0x1badb002 + flags)) >>> 0, true);
      }
      const mem = freshMem(0x200000);
      const before = hash(mem);
      try {
        loadMultiboot(mem, buf, { modules: [{ bytes: new Uint8Array(3), cmdline: 'm' }] });
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(MultibootError);
        expect(hash(mem)).toBe(before);
      }
    }
  });
});

describe.skipIf(!haveToolchain)('fuzzing valid kernels', () => {
  it('2,000 mutations: only MultibootError, RAM unchanged on failure, consistent on success', () => {
    const bases = [fx('k32.elf').bytes, fx('k64.elf').bytes, fx('aout.bin').bytes, fx('aout.elf').bytes, fx('khh.elf').bytes];
    let seed = 0xc0ffee;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 0x100000000);
    const ri = (n: number) => Math.floor(rnd() * n);
    const size = 4 * 1024 * 1024;
    const mem = new PhysMem(size);
    mem.u8.fill(FILL);
    const snapshot = Buffer.from(mem.u8);
    const ram = Buffer.from(mem.u8.buffer, 0, size);
    let calls = 0;
    mem.onCodeWrite = () => { calls++; };
    mem.codePage.fill(1);
    let ok = 0;
    let failed = 0;
    const messages = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const base = bases[i % bases.length]!;
      let k = base.slice();
      const n = 1 + ri(8);
      for (let j = 0; j < n; j++) {
        // Mostly the headers (ELF header, program headers, multiboot header), sometimes anywhere.
        const off = rnd() < 0.8 ? ri(Math.min(k.length, 0x1080)) : ri(k.length);
        const r = rnd();
        if (r < 0.5) k[off] = ri(256);
        else if (r < 0.7) k[off] ^= 1 << ri(8);
        else if (r < 0.85) k[off] = [0, 0xff, 0x7f, 0x80][ri(4)]!;
        else k[off & ~3] = k[(off & ~3) + 1] = k[(off & ~3) + 2] = k[(off & ~3) + 3] = 0xff;
      }
      if (rnd() < 0.1) k = k.slice(0, ri(k.length + 1));
      const mods = rnd() < 0.5 ? [{ bytes: new Uint8Array(ri(20000)), cmdline: `mod ${i}` }] : [];
      calls = 0;
      let boot: MultibootBoot | undefined;
      try {
        boot = loadMultiboot(mem, k, { cmdline: `fuzz ${i}`, modules: mods });
      } catch (e) {
        if (!(e instanceof MultibootError)) throw new Error(`mutation ${i}: non-MultibootError thrown: ${String(e)}`);
        messages.add(e.message.replace(/0x[0-9a-f]+|\d+/g, 'N'));
        failed++;
        if (calls !== 0 || !ram.equals(snapshot)) throw new Error(`mutation ${i}: RAM changed by a failed load (${e.message})`);
        continue;
      }
      ok++;
      // A successful load is self-consistent.
      expect(boot.entry).toBeGreaterThanOrEqual(boot.kernelStart);
      expect(boot.entry).toBeLessThan(boot.kernelEnd);
      expect(boot.kernelStart).toBeGreaterThanOrEqual(0x100000);
      expect(boot.kernelEnd).toBeLessThanOrEqual(size);
      expect(decodeMbi(mem, boot.ebx)).toEqual(boot.mbi);
      for (const s of boot.segments) {
        expectBytes(mem, s.start, k.subarray(s.fileOffset, s.fileOffset + s.fileSize), `mutation ${i} segment`);
      }
      mem.u8.set(snapshot);
    }
    expect(ok).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(500);
    expect(messages.size).toBeGreaterThan(15);
  });
});

describe('decodeMbi', () => {
  it('rejects structures pointing outside RAM or unterminated strings', () => {
    const mem = new PhysMem(0x20000);
    expect(() => decodeMbi(mem, 0x1ffff)).toThrow(MultibootError);
    mem.dv.setUint32(0x1000, 0x4, true); // cmdline
    mem.dv.setUint32(0x1010, 0x30000, true);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/cmdline at 0x30000/);
    mem.dv.setUint32(0x1010, 0x2000, true);
    mem.u8.fill(0x41, 0x2000);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/not NUL-terminated/);
    mem.u8[0x2003] = 0;
    expect(decodeMbi(mem, 0x1000)).toEqual({ addr: 0x1000, flags: 4, cmdline: 'AAA', cmdlineAddr: 0x2000 });
    mem.dv.setUint32(0x1000, 0x40, true); // mmap with a bad entry size
    mem.dv.setUint32(0x1000 + 44, 24, true);
    mem.dv.setUint32(0x1000 + 48, 0x3000, true);
    mem.dv.setUint32(0x3000, 4, true);
    expect(() => decodeMbi(mem, 0x1000)).toThrow(/bad size 4/);
  });
});
