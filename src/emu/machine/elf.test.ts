import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ElfError, EM_386, EM_X86_64, PT_LOAD, PF_R, PF_W, PF_X, SHT_NOBITS, STB_GLOBAL, STT_FUNC, STT_OBJECT,
  parseElf, type ElfImage,
} from './elf';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const imagesDir = join(root, 'public/images');
const benchImages = readdirSync(imagesDir).filter((f) => /^bench-.*\.elf$/.test(f)).sort();

function tool(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout;
}
const haveBinutils = tool('readelf', ['--version']) !== undefined && tool('nm', ['--version']) !== undefined;
const haveToolchain = haveBinutils && tool('gcc', ['--version']) !== undefined && tool('ld', ['--version']) !== undefined;

/** Entry point and program headers according to readelf. */
function readelfFacts(path: string) {
  const h = tool('readelf', ['-hlW', path])!;
  const entry = BigInt(/Entry point address:\s+(0x[0-9a-f]+)/.exec(h)![1]!);
  const machine = /Machine:\s+(.*)/.exec(h)![1]!.trim();
  const cls = /Class:\s+ELF(32|64)/.exec(h)![1]!;
  const loads = [...h.matchAll(/^\s+LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+([RWE ]+?)\s+0x/gm)]
    .map((m) => ({
      offset: Number(m[1]), vaddr: BigInt(m[2]!), paddr: BigInt(m[3]!), filesz: Number(m[4]), memsz: BigInt(m[5]!),
      flags: (m[6]!.includes('R') ? PF_R : 0) | (m[6]!.includes('W') ? PF_W : 0) | (m[6]!.includes('E') ? PF_X : 0),
    }));
  return { entry, machine, cls: Number(cls), loads };
}

/** Defined symbols according to nm: name -> [value, type letter]. */
function nmSymbols(path: string): Map<string, { value: bigint; letter: string }[]> {
  const out = tool('nm', ['--defined-only', path])!;
  const m = new Map<string, { value: bigint; letter: string }[]>();
  for (const line of out.split('\n')) {
    const p = /^([0-9a-f]+) (\S) (\S+)$/.exec(line);
    if (!p) continue;
    const list = m.get(p[3]!) ?? [];
    list.push({ value: BigInt('0x' + p[1]), letter: p[2]! });
    m.set(p[3]!, list);
  }
  return m;
}

function checkAgainstBinutils(path: string, img: ElfImage) {
  const f = readelfFacts(path);
  expect(img.entry).toBe(f.entry);
  expect(img.elfClass).toBe(f.cls);
  expect(img.machine).toBe(f.machine.includes('X86-64') ? EM_X86_64 : EM_386);
  expect(img.loadSegments.map(({ offset, vaddr, paddr, filesz, memsz, flags }) => ({ offset, vaddr, paddr, filesz, memsz, flags })))
    .toEqual(f.loads);
  const nm = nmSymbols(path);
  expect(nm.size).toBeGreaterThan(0);
  for (const [name, defs] of nm) {
    const s = img.lookup(name);
    expect(s, `symbol ${name}`).toBeDefined();
    expect(defs.map((d) => d.value), `value of ${name}`).toContain(s!.value);
    const d = defs.find((x) => x.value === s!.value)!;
    // nm: upper case = global, lower case = local.
    expect(d.letter === d.letter.toUpperCase(), `binding of ${name}`).toBe(s!.bind !== 0);
  }
}

describe('parseElf on the built bench images', () => {
  it('finds the bench images', () => {
    expect(benchImages).toEqual(['bench-checksum.elf', 'bench-format.elf', 'bench-sieve.elf', 'bench-sort.elf']);
  });

  for (const file of benchImages) {
    const path = join(imagesDir, file);
    const img = parseElf(new Uint8Array(readFileSync(path)));

    it(`${file}: header, segments and symbols`, () => {
      expect(img.elfClass).toBe(64);
      expect(img.machine).toBe(EM_X86_64);
      expect(img.entry).toBe(0x100000n);
      expect(img.entryLo).toBe(0x100000);
      expect(img.entryHi).toBe(0);
      expect(img.loadSegments.length).toBe(2);
      const text = img.loadSegments[0]!;
      expect(text.flags).toBe(PF_R | PF_X);
      expect(img.fileBytes(text).length).toBe(text.filesz);
      expect(img.section('.bss')!.type).toBe(SHT_NOBITS);
      expect(img.section('.text')!.addr).toBe(0x100000n);

      const start = img.lookup('_start')!;
      expect(start.value).toBe(img.entry);
      expect(start.type).toBe(STT_FUNC);
      expect(start.bind).toBe(STB_GLOBAL);
      const main = img.lookup('bench_main')!;
      expect(main.typeName).toBe('func');
      expect(main.bindName).toBe('global');
      expect(main.size).toBeGreaterThan(0n);
      const result = img.lookup('bench_result')!;
      expect(result.type).toBe(STT_OBJECT);
      expect(result.size).toBe(8n);
      expect(img.lookup('no_such_symbol')).toBeUndefined();

      // symbolAt: inside a function, at a label within _start, in .bss, and outside everything.
      expect(img.symbolAt(main.value + 3n)).toEqual({ symbol: main, offset: 3n });
      expect(img.symbolAt(Number(main.value))?.symbol.name).toBe('bench_main');
      const done = img.lookup('bench_done')!;
      // A label inside a sized function wins from the label on (like gdb); before it, the function.
      expect(img.symbolAt(done.value + 1n)).toEqual({ symbol: done, offset: 1n });
      expect(img.symbolAt(done.value - 1n)).toEqual({ symbol: start, offset: done.value - 1n - start.value });
      expect(img.symbolAt(result.value + 7n)?.symbol.name).toBe('bench_result');
      expect(img.symbolAt(result.value + 8n)).toBeUndefined(); // padding after the last .data object
      expect(img.symbolAt(0n)).toBeUndefined();
      expect(img.symbolAt(0xffff_ffff_ffff_0000n)).toBeUndefined();
      const stackBottom = img.lookup('stack_bottom')!;
      expect(img.symbolAt(stackBottom.value + 0x100n)).toEqual({ symbol: stackBottom, offset: 0x100n });

      // Sorted for lookup.
      for (let i = 1; i < img.symbols.length; i++) expect(img.symbols[i - 1]!.value <= img.symbols[i]!.value).toBe(true);
    });

    it.skipIf(!haveBinutils)(`${file}: agrees with readelf -h/-l and nm${haveBinutils ? '' : ' (skipped: readelf/nm not found)'}`, () => {
      checkAgainstBinutils(path, img);
    });
  }

  it('accepts a Uint8Array view at a non-zero offset', () => {
    const raw = readFileSync(join(imagesDir, benchImages[0]!));
    const buf = new Uint8Array(raw.length + 13);
    buf.set(raw, 13);
    const img = parseElf(buf.subarray(13));
    expect(img.entry).toBe(0x100000n);
    expect(img.lookup('bench_main')).toBeDefined();
  });
});

describe.skipIf(!haveToolchain)(`parseElf on an ELF32 image${haveToolchain ? '' : ' (skipped: gcc/ld/readelf/nm not found)'}`, () => {
  it('parses an i386 image built with gcc -m32 / ld -m elf_i386', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pacifica-elf32-'));
    try {
      writeFileSync(join(dir, 'a.S'), [
        '.code32', '.text', '.globl start', '.type start,@function', 'start:', '  movl $1, counter', 'spin: hlt', '  jmp spin',
        '.size start, . - start', '.local helper', '.type helper,@function', 'helper: ret', '.size helper, 1',
        '.data', '.globl counter', '.type counter,@object', 'counter: .long 0', '.size counter, 4',
        '.bss', '.globl buf', 'buf: .skip 4096', '.section .note.GNU-stack,"",@progbits', '',
      ].join('\n'));
      const cc = spawnSync('gcc', ['-m32', '-c', 'a.S', '-o', 'a.o'], { cwd: dir, encoding: 'utf8' });
      expect(cc.status, cc.stderr).toBe(0);
      const ld = spawnSync('ld', ['-m', 'elf_i386', '-Ttext=0x200000', '-e', 'start', '--build-id=none', '-o', 'a.elf', 'a.o'], { cwd: dir, encoding: 'utf8' });
      expect(ld.status, ld.stderr).toBe(0);
      const path = join(dir, 'a.elf');
      const img = parseElf(new Uint8Array(readFileSync(path)));
      expect(img.elfClass).toBe(32);
      expect(img.machine).toBe(EM_386);
      expect(img.entry).toBe(0x200000n);
      expect(img.loadSegments.some((p) => p.type === PT_LOAD && p.memsz > BigInt(p.filesz))).toBe(true);
      expect(img.lookup('helper')!.bindName).toBe('local');
      expect(img.lookup('counter')!.size).toBe(4n);
      expect(img.symbolAt(0x200000n + 7n)?.symbol.name).toBe('start');
      checkAgainstBinutils(path, img);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- malformed input ------------------------------------------------------------

const good = new Uint8Array(readFileSync(join(imagesDir, 'bench-sieve.elf')));
const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const ehdr = parseElf(good);
const phoff = Number(dv(good).getBigUint64(32, true));
const shoff = Number(dv(good).getBigUint64(40, true));

function expectElfError(bytes: Uint8Array, pattern: RegExp) {
  let err: unknown;
  try {
    parseElf(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ElfError);
  expect((err as Error).message).toMatch(pattern);
}

function patched(f: (b: Uint8Array, v: DataView) => void): Uint8Array {
  const b = good.slice();
  f(b, dv(b));
  return b;
}

describe('parseElf rejects malformed input with ElfError', () => {
  it('names what is wrong', () => {
    expectElfError(new Uint8Array(0), /too short/);
    expectElfError(good.subarray(0, 10), /too short/);
    expectElfError(patched((b) => { b[1] = 0x46; }), /bad magic/);
    expectElfError(patched((b) => { b[4] = 3; }), /unsupported class 3/);
    expectElfError(patched((b) => { b[5] = 2; }), /big-endian/);
    expectElfError(patched((b) => { b[6] = 0; }), /version/);
    expectElfError(good.subarray(0, 40), /truncated ELF header/);
    expectElfError(patched((_, v) => v.setUint16(18, 40, true)), /unsupported machine 40/);
    expectElfError(patched((_, v) => v.setUint16(18, EM_386, true)), /ELF64 class with machine EM_386/);
    expectElfError(patched((_, v) => v.setBigUint64(32, BigInt(good.length - 8), true)), /program header table .* out of file/);
    expectElfError(patched((_, v) => v.setBigUint64(phoff + 8, 0xffff_ffff_ffff_fff0n, true)), /program header 0 .* out of file/);
    expectElfError(patched((_, v) => v.setBigUint64(phoff + 56 + 32, 0x10_0000_0000n, true)), /program header 1 .*(out of file|filesz)/);
    expectElfError(patched((_, v) => v.setBigUint64(phoff + 40, 1n, true)), /program header 0 \(PT_LOAD\): filesz 0x[0-9a-f]+ > memsz 0x1/);
    expectElfError(patched((_, v) => v.setBigUint64(phoff + 16, 0xffff_ffff_ffff_ff00n, true)), /wraps the address space/);
    expectElfError(patched((_, v) => v.setUint16(54, 20, true)), /e_phentsize 20/);
    expectElfError(patched((_, v) => v.setBigUint64(40, BigInt(good.length - 16), true)), /section header .* out of file/);
    expectElfError(patched((_, v) => v.setUint16(58, 12, true)), /e_shentsize 12/);
    expectElfError(patched((_, v) => v.setUint16(62, 200, true)), /e_shstrndx 200 out of range/);
    const shstr = ehdr.sections.length - 1;
    // Section name offset beyond .shstrtab.
    expectElfError(patched((_, v) => v.setUint32(shoff + 64 * 1, 0xfffff, true)), /name of section 1: string offset .* out of range/);
    // .shstrtab without its terminating NUL.
    const shstrSec = ehdr.sections[shstr]!;
    expectElfError(patched((b) => b.fill(0x41, shstrSec.offset, shstrSec.offset + shstrSec.fileSize)), /not NUL-terminated/);
    // Symbol table linked to a non-string-table, to a missing section, symbol name out of .strtab.
    const symtab = ehdr.section('.symtab')!;
    expectElfError(patched((_, v) => v.setUint32(shoff + 64 * symtab.index + 40, 1, true)), /expected SHT_STRTAB/);
    expectElfError(patched((_, v) => v.setUint32(shoff + 64 * symtab.index + 40, 99, true)), /sh_link 99 is not a valid section/);
    expectElfError(patched((_, v) => v.setBigUint64(shoff + 64 * symtab.index + 56, 8n, true)), /sh_entsize 8/);
    expectElfError(patched((_, v) => v.setUint32(symtab.offset + 24 * 2, 0x7fffffff, true)), /name of symbol 2: string offset .* out of range/);
    // Section contents past the end of the file.
    expectElfError(good.subarray(0, shoff + 64 * ehdr.sections.length - 1), /section header table .* out of file/);
  });

  it('does not throw ElfError for anything else than wrong input', () => {
    expect(() => parseElf(good)).not.toThrow();
    expect(() => parseElf(good.slice())).not.toThrow();
  });
});

// ---- fuzzing ---------------------------------------------------------------------

/** Deterministic PRNG (xorshift32) so failures are reproducible. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return { next, below: (n: number) => next() % n, chance: (p: number) => next() / 0x1_0000_0000 < p };
}

function exercise(bytes: Uint8Array, what: string) {
  let img: ElfImage;
  try {
    img = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) {
      throw new Error(`${what}: threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    return 'error';
  }
  // A successful parse must be self-consistent and usable.
  for (const p of img.programHeaders) {
    if (p.offset + p.filesz > bytes.length && p.filesz > 0) throw new Error(`${what}: segment ${p.index} out of file`);
    if (p.type === PT_LOAD && BigInt(p.filesz) > p.memsz) throw new Error(`${what}: filesz > memsz accepted`);
    img.fileBytes(p);
  }
  for (const s of img.sections) {
    if (s.offset + s.fileSize > bytes.length) throw new Error(`${what}: section ${s.index} out of file`);
    img.fileBytes(s);
  }
  for (const s of img.symbols.slice(0, 50)) {
    img.lookup(s.name);
    img.symbolAt(s.value);
    img.symbolAt(s.value + 1n);
  }
  img.symbolAt(img.entry);
  img.symbolAt(-1);
  img.symbolAt(0.5);
  return 'ok';
}

const FIELD_VALUES = [0n, 1n, 0x7fn, 0x80n, 0xffn, 0xffffn, 0x7fffffffn, 0xffffffffn, 0x1_0000_0000n, 0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n];

function mutate(src: Uint8Array, r: ReturnType<typeof rng>): Uint8Array {
  let b = src.slice();
  const v = dv(b);
  const hot = () => {
    // Bias towards the structures: ELF header, program headers, section headers, symtab.
    switch (r.below(4)) {
      case 0: return r.below(64);
      case 1: return phoff + r.below(56 * 2);
      case 2: return shoff + r.below(Math.max(1, b.length - shoff));
      default: return r.below(b.length);
    }
  };
  const n = 1 + r.below(4);
  for (let k = 0; k < n; k++) {
    switch (r.below(6)) {
      case 0: { // flip bits
        const at = hot();
        if (at < b.length) b[at]! ^= 1 << r.below(8);
        break;
      }
      case 1: { // random byte
        const at = hot();
        if (at < b.length) b[at] = r.below(256);
        break;
      }
      case 2: { // extreme value in an aligned 16/32/64-bit field
        const width = [2, 4, 8][r.below(3)]!;
        const at = hot() & ~(width - 1);
        if (at + width > b.length) break;
        const val = FIELD_VALUES[r.below(FIELD_VALUES.length)]!;
        if (width === 2) v.setUint16(at, Number(val & 0xffffn), true);
        else if (width === 4) v.setUint32(at, Number(val & 0xffffffffn), true);
        else v.setBigUint64(at, val, true);
        break;
      }
      case 3: // truncate
        b = b.subarray(0, r.below(b.length + 1));
        return b;
      case 4: { // small arithmetic on a field
        const at = hot() & ~3;
        if (at + 4 > b.length) break;
        v.setUint32(at, (v.getUint32(at, true) + (r.below(64) - 32)) >>> 0, true);
        break;
      }
      default: { // e_ident / class / machine games
        b[4] = 1 + r.below(2);
        if (r.chance(0.3)) v.setUint16(18, r.chance(0.5) ? EM_386 : EM_X86_64, true);
        break;
      }
    }
  }
  return b;
}

describe('parseElf fuzzing: only ElfError is ever thrown', () => {
  it('5,000 mutated and truncated copies of real images', () => {
    const sources = benchImages.map((f) => new Uint8Array(readFileSync(join(imagesDir, f))));
    const r = rng(0xe1f5eed);
    const tally = { ok: 0, error: 0 };
    for (let i = 0; i < 5000; i++) {
      const src = sources[i % sources.length]!;
      tally[exercise(mutate(src, r), `mutant ${i}`)]++;
    }
    // Both outcomes should be well represented, or the fuzzer is not reaching deep.
    expect(tally.ok).toBeGreaterThan(500);
    expect(tally.error).toBeGreaterThan(500);
  });

  it('5,000 random buffers', () => {
    const r = rng(0xbadf00d);
    const tally = { ok: 0, error: 0 };
    for (let i = 0; i < 5000; i++) {
      const len = r.chance(0.5) ? r.below(128) : r.below(4096);
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = r.below(256);
      if (r.chance(0.6) && len >= 8) {
        // Plausible identification so parsing gets past the first checks.
        b.set([0x7f, 0x45, 0x4c, 0x46, 1 + r.below(2), 1, 1], 0);
        if (len >= 20 && r.chance(0.7)) dv(b).setUint16(18, r.chance(0.5) ? EM_386 : EM_X86_64, true);
        if (len >= 24 && r.chance(0.7)) dv(b).setUint32(20, 1, true);
      }
      tally[exercise(b, `random buffer ${i}`)]++;
    }
    expect(tally.error).toBeGreaterThan(0);
  });
});
