// Test support for the multiboot loader's tests: kernels built by as/ld (fixtures),
// independent expectations (readelf, nm), RAM helpers and the MBI checks, and
// hand-made and patched images for the malformed-input cases.
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PhysMem } from '../mem/phys';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { MULTIBOOT_ENTRY_STATE, MultibootError, decodeMbi, loadMultiboot, type MultibootBoot, type MultibootOptions } from './multiboot';

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
export const haveToolchain = ['as', 'ld', 'readelf', 'nm', 'objcopy'].every((t) => tool(t, ['--version']) !== undefined);

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
export function fx(name: string): Fixture {
  buildFixtures();
  return fixtures.get(name)!;
}

/** Remove the fixtures' directory (each test file calls it from afterAll). */
export function cleanupFixtures(): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  fixtures.clear();
}

// ---- independent expectations ---------------------------------------------------------------

/** Entry and PT_LOAD program headers according to readelf. */
export function readelfFacts(path: string) {
  const h = run('readelf', ['-hlW', path], '/');
  const entry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(h)![1]!);
  const loads = [...h.matchAll(/^\s+LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)/gm)].map((m) => ({
    offset: Number(m[1]), vaddr: BigInt(m[2]!), paddr: Number(m[3]), filesz: Number(m[4]), memsz: Number(m[5]),
  }));
  return { entry, loads };
}

/** Defined symbols according to nm. */
export function nm(path: string): Map<string, number> {
  const out = run('nm', ['--defined-only', path], '/');
  const m = new Map<string, number>();
  for (const line of out.split('\n')) {
    const p = /^([0-9a-f]+) (\S) (\S+)$/.exec(line);
    if (p) m.set(p[3]!, Number(BigInt('0x' + p[1])));
  }
  return m;
}

export const RAM = 16 * 1024 * 1024;
export const FILL = 0xa5;

export function freshMem(size = RAM): PhysMem {
  const mem = new PhysMem(size);
  mem.u8.fill(FILL);
  return mem;
}
export function hash(mem: PhysMem): string {
  return createHash('sha256').update(mem.u8).digest('hex');
}
const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;
const rd32 = (mem: PhysMem, pa: number) => Buffer.from(mem.u8.buffer, pa, 4).readUInt32LE(0);
const rd64 = (mem: PhysMem, pa: number) => Number(Buffer.from(mem.u8.buffer, pa, 8).readBigUInt64LE(0));
export function rdStr(mem: PhysMem, pa: number): string {
  let e = pa;
  while (mem.u8[e] !== 0) e++;
  return Buffer.from(mem.u8.subarray(pa, e)).toString('utf8');
}
export function expectZero(mem: PhysMem, start: number, end: number, what: string) {
  const nz = mem.u8.subarray(start, end).findIndex((b) => b !== 0);
  expect(nz, `${what}: first non-zero byte`).toBe(-1);
}
export function expectBytes(mem: PhysMem, pa: number, bytes: Uint8Array, what: string) {
  expect(Buffer.from(mem.u8.subarray(pa, pa + bytes.length)).equals(Buffer.from(bytes)), what).toBe(true);
}

export const MODULES = [
  { bytes: new Uint8Array(5000).map((_, i) => (i * 7 + 3) & 0xff), cmdline: 'guest0 console=ttyS0' },
  { bytes: new Uint8Array(0), cmdline: '' },
  { bytes: new Uint8Array(4096).map((_, i) => (i ^ 0x5a) & 0xff), cmdline: 'gäst ünïcode ✓' },
];
export const CMDLINE = '/boot/hvmm.elf quantum=10ms verbose';

/** Checks the MBI, memory map and modules written for `boot` against the spec, by raw reads. */
export function checkMbi(mem: PhysMem, boot: MultibootBoot, opts: MultibootOptions, kernelEnd: number) {
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
export function checkElfLoad(mem: PhysMem, f: Fixture, boot: MultibootBoot) {
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

// ---- malformed inputs -------------------------------------------------------------------------

export function patch(bytes: Uint8Array, edits: Array<[number, number, 1 | 2 | 4 | 8]>): Uint8Array {
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
export function aoutImage(f: { headerAddr: number; loadAddr: number; loadEndAddr: number; bssEndAddr: number; entryAddr: number }, size = 0x100, hdrOff = 0, flags = 0x10003): Uint8Array {
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(hdrOff, 0x1badb002, true);
  dv.setUint32(hdrOff + 4, flags, true);
  dv.setUint32(hdrOff + 8, (-(0x1badb002 + flags)) >>> 0, true);
  [f.headerAddr, f.loadAddr, f.loadEndAddr, f.bssEndAddr, f.entryAddr].forEach((v, i) => dv.setUint32(hdrOff + 12 + 4 * i, v >>> 0, true));
  return out;
}
export const A = { headerAddr: 0x100000, loadAddr: 0x100000, loadEndAddr: 0, bssEndAddr: 0, entryAddr: 0x100020 };

export function expectRefused(kernel: Uint8Array, re: RegExp, opts: MultibootOptions = {}, size = RAM) {
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
