// Generates instruction snippets and initial states for the native oracle.
//
// Each generator is one instruction form (an opcode with its operand shapes);
// it picks operand sizes, registers (including r8..r15 and the legacy high-byte
// registers), register or memory operands, immediates and initial values (edge
// values around 0, sign boundaries and the 32-bit halves, plus random ones),
// and says which flags the manuals leave undefined for that case so the
// comparison can ignore exactly those.
import { CODE_BASE, DATA_BASE, DEFAULT_RSP, type OracleCase } from './native';
import { CF, PF, AF, ZF, SF, OF } from '../flags';

export interface GenCase extends OracleCase {
  name: string;
  /** Flags whose value is undefined for this case (ignored in the comparison). */
  undef: number;
  /** Registers whose final value is undefined (ignored), as a bit mask over RAX..R15. */
  undefRegs?: number;
}

export class Rng {
  constructor(private s: number) {
    if (this.s === 0) this.s = 0x9e3779b9;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  bool(p = 0.5): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}

const EDGE32 = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];
const EDGE_HI = [0, 0, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff];

export function val64(r: Rng): bigint {
  const k = r.int(10);
  let lo: number, hi: number;
  if (k < 3) { lo = r.pick(EDGE32); hi = r.pick(EDGE_HI); }
  else if (k < 6) { lo = r.u32(); hi = r.u32(); }
  else if (k < 8) { lo = r.int(70); hi = r.bool(0.2) ? 0xffffffff : 0; if (hi) lo = (0x100000000 - lo) >>> 0; }
  else { lo = r.u32(); hi = r.bool() ? 0 : (lo & 0x80000000 ? 0xffffffff : 0); }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

function imm(r: Rng, n: number): number[] {
  const out: number[] = [];
  const edge = r.bool(0.3);
  const v = edge ? r.pick(EDGE32) : r.u32();
  for (let k = 0; k < n; k++) out.push(k < 4 ? (v >>> (8 * k)) & 0xff : r.bool(0.5) ? 0xff : r.int(256));
  return out;
}

function randomFlags(r: Rng): number {
  return (r.u32() & (CF | PF | AF | ZF | SF | OF)) | 2;
}

/** A fresh state: random GPRs, RSP in the stack page. */
function baseState(r: Rng): { regs: bigint[]; rflags: number; memSeed: number } {
  const regs: bigint[] = [];
  for (let k = 0; k < 16; k++) regs.push(val64(r));
  regs[4] = BigInt(DEFAULT_RSP);
  return { regs, rflags: randomFlags(r), memSeed: r.u32() || 1 };
}

export type Size = 1 | 2 | 4 | 8;

interface ModrmForm {
  /** Opcode bytes after prefixes/REX (e.g. [0x01] or [0x0f, 0xaf]). */
  op: number[];
  /** Operand size: 1 means a byte form (no 66/REX.W choice). */
  size: Size;
  ext?: number; // ModRM.reg extension
  memOnly?: boolean;
  regOnly?: boolean;
  /** Extra legacy prefix before 66/REX (e.g. F3 for popcnt). */
  pre?: number[];
}

/** Build prefix + REX + opcode + ModRM (+SIB +disp) with random registers and a valid memory operand. */
function encodeModrm(r: Rng, f: ModrmForm, regs: bigint[], opts: { mem?: boolean; avoid?: number[] } = {}): { bytes: number[]; reg: number; rm: number; mem: boolean; addr: number } {
  const bytes: number[] = [...(f.pre ?? [])];
  if (f.size === 2) bytes.push(0x66);
  const useMem = f.memOnly ? true : f.regOnly ? false : opts.mem ?? r.bool(0.4);
  let reg = f.ext ?? r.int(16);
  let rex = f.size === 8 ? 0x48 : 0;
  let modrm: number;
  const tail: number[] = [];
  let rm = 0;
  let addr = 0;
  if (useMem) {
    // base + optional index*scale + disp8, all inside the data page.
    const bases = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14, 15].filter((b) => !opts.avoid?.includes(b));
    const base = r.pick(bases);
    const disp = r.int(128) - 64;
    const useSib = r.bool(0.3);
    let idx = -1, scale = 0, idxVal = 0;
    if (useSib) {
      do idx = r.pick(bases); while (idx === base);
      scale = r.int(4);
      idxVal = r.int(32);
    }
    addr = DATA_BASE + 256 + r.int(3300);
    const baseVal = addr - disp - (idxVal << scale);
    if (f.ext === undefined && reg === base) reg = (reg + 1) & 15; // keep the address register intact
    if (f.ext === undefined && reg === idx) reg = (reg + 2) & 15;
    if (f.ext === undefined && (reg === base || reg === idx)) reg = 12;
    regs[base] = BigInt(baseVal);
    if (idx >= 0) regs[idx] = BigInt(idxVal);
    rm = base;
    if (useSib) {
      modrm = 0x40 | ((reg & 7) << 3) | 4;
      tail.push((scale << 6) | ((idx & 7) << 3) | (base & 7));
      if (idx & 8) rex |= 0x42;
    } else {
      modrm = 0x40 | ((reg & 7) << 3) | (base & 7);
    }
    tail.push(disp & 0xff);
    if (base & 8) rex |= 0x41;
  } else {
    do rm = r.int(16); while (opts.avoid?.includes(rm));
    modrm = 0xc0 | ((reg & 7) << 3) | (rm & 7);
    if (rm & 8) rex |= 0x41;
  }
  if (reg & 8) rex |= 0x44;
  // Byte forms without REX address AH..BH for 4..7; with any REX, SPL..DIL.
  if (f.size === 1 && rex === 0 && r.bool(0.3)) rex = 0x40;
  if (rex) bytes.push(rex);
  bytes.push(...f.op, modrm, ...tail);
  return { bytes, reg, rm, mem: useMem, addr };
}

const ALL = CF | PF | AF | ZF | SF | OF;
const SIZES: Size[] = [1, 2, 4, 8];
const WSIZES: Size[] = [2, 4, 8];

type Gen = (r: Rng) => GenCase;

function mk(name: string, bytes: number[], st: ReturnType<typeof baseState>, undef = 0, undefRegs = 0): GenCase {
  return { name, code: Uint8Array.from(bytes), regs: st.regs, rflags: st.rflags, memSeed: st.memSeed, undef, undefRegs };
}

/** Operand-size prefix bytes for a non-ModRM opcode (+r forms, accumulator forms). */
function sizePrefix(sz: Size, rexExtra = 0): number[] {
  const out: number[] = [];
  if (sz === 2) out.push(0x66);
  const rex = (sz === 8 ? 0x48 : 0) | rexExtra;
  if (rex) out.push(rex | 0x40);
  return out;
}

function immBytes(sz: Size): number {
  return sz === 1 ? 1 : sz === 2 ? 2 : 4;
}

const gens: Array<[string, Gen]> = [];
const add = (name: string, g: Gen) => gens.push([name, g]);

// ALU block 00..3D and groups 80/81/83.
const ALU_NAMES = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
ALU_NAMES.forEach((n, op) => {
  const logic = op === 1 || op === 4 || op === 6;
  const undef = logic ? AF : 0;
  add(`${n} E,G / G,E`, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const dir = r.int(2);
    const e = encodeModrm(r, { op: [op * 8 + dir * 2 + (sz === 1 ? 0 : 1)], size: sz }, st.regs);
    return mk(`${n}${sz * 8} ${dir ? 'G,E' : 'E,G'}`, e.bytes, st, undef);
  });
  add(`${n} acc,imm`, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    return mk(`${n}${sz * 8} acc,imm`, [...sizePrefix(sz), op * 8 + (sz === 1 ? 4 : 5), ...imm(r, immBytes(sz))], st, undef);
  });
  add(`${n} E,imm`, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const opc = sz === 1 ? 0x80 : r.bool() ? 0x81 : 0x83;
    const e = encodeModrm(r, { op: [opc], size: sz, ext: op }, st.regs);
    return mk(`${n}${sz * 8} E,imm`, [...e.bytes, ...imm(r, opc === 0x81 ? immBytes(sz) : 1)], st, undef);
  });
  if (op !== 7) {
    add(`lock ${n} M,G`, (r) => {
      const st = baseState(r);
      const sz = r.pick(SIZES);
      const e = encodeModrm(r, { op: [op * 8 + (sz === 1 ? 0 : 1)], size: sz, memOnly: true }, st.regs);
      return mk(`lock ${n}${sz * 8}`, [0xf0, ...e.bytes], st, undef);
    });
  }
});

// test, not, neg, inc, dec.
add('test', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const k = r.int(3);
  if (k === 0) {
    const e = encodeModrm(r, { op: [sz === 1 ? 0x84 : 0x85], size: sz }, st.regs);
    return mk(`test${sz * 8} E,G`, e.bytes, st, AF);
  }
  if (k === 1) return mk(`test${sz * 8} acc,imm`, [...sizePrefix(sz), sz === 1 ? 0xa8 : 0xa9, ...imm(r, immBytes(sz))], st, AF);
  const e = encodeModrm(r, { op: [sz === 1 ? 0xf6 : 0xf7], size: sz, ext: 0 }, st.regs);
  return mk(`test${sz * 8} E,imm`, [...e.bytes, ...imm(r, immBytes(sz))], st, AF);
});
for (const [n, ext, grp] of [['not', 2, 0xf6], ['neg', 3, 0xf6], ['inc', 0, 0xfe], ['dec', 1, 0xfe]] as const) {
  add(n, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [sz === 1 ? grp : grp + 1], size: sz, ext }, st.regs);
    return mk(`${n}${sz * 8}`, e.bytes, st);
  });
}

// mul, imul, div, idiv.
for (const [n, ext] of [['mul', 4], ['imul', 5], ['div', 6], ['idiv', 7]] as const) {
  add(n, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const e = encodeModrm(r, { op: [sz === 1 ? 0xf6 : 0xf7], size: sz, ext }, st.regs);
    const isDiv = ext >= 6;
    if (isDiv && !e.mem && r.bool(0.7)) {
      // Mostly divisions that do not overflow: a small high half of the dividend.
      st.regs[2] = r.bool() ? 0n : r.bool() ? BigInt(r.int(4)) : 0xffffffffffffffffn;
      if (!e.mem && r.bool(0.8) && e.rm !== 0 && e.rm !== 2) st.regs[e.rm] = val64(r) | 0x1000000n;
    }
    const undef = isDiv ? ALL : SF | ZF | AF | PF;
    return mk(`${n}${sz * 8}`, e.bytes, st, undef);
  });
}
add('imul G,E', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const e = encodeModrm(r, { op: [0x0f, 0xaf], size: sz }, st.regs);
  return mk(`imul${sz * 8} G,E`, e.bytes, st, SF | ZF | AF | PF);
});
add('imul G,E,imm', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const wide = r.bool();
  const e = encodeModrm(r, { op: [wide ? 0x69 : 0x6b], size: sz }, st.regs);
  return mk(`imul${sz * 8} G,E,imm`, [...e.bytes, ...imm(r, wide ? immBytes(sz) : 1)], st, SF | ZF | AF | PF);
});

// Shifts and rotates.
const SHIFT_NAMES = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
const COUNTS = [0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255];
SHIFT_NAMES.forEach((n, ext) => {
  add(n, (r) => {
    const st = baseState(r);
    const sz = r.pick(SIZES);
    const kind = r.int(3); // imm, 1, CL
    const base = kind === 0 ? 0xc0 : kind === 1 ? 0xd0 : 0xd2;
    const e = encodeModrm(r, { op: [sz === 1 ? base : base + 1], size: sz, ext }, st.regs, { avoid: kind === 2 ? [1] : [] });
    let count = 1;
    const bytes = [...e.bytes];
    if (kind === 0) { count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256); bytes.push(count); }
    if (kind === 2) {
      count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256);
      st.regs[1] = (st.regs[1]! & ~0xffn) | BigInt(count);
      if (!e.mem && e.rm === 1) count = Number(st.regs[1]! & 0xffn);
      if (e.mem && (e.rm === 1)) count = Number(st.regs[1]! & 0xffn);
    }
    const masked = count & (sz === 8 ? 63 : 31);
    let undef = 0;
    if (masked !== 0) {
      const rotate = ext < 4;
      if (!rotate) undef |= AF;
      if (masked > 1) undef |= OF;
      if (!rotate && masked >= sz * 8 && sz < 4) undef |= CF | OF;
    }
    // CL might be the shifted register itself or hold part of the address: recompute nothing;
    // the case is still well defined because both sides see the same bytes and state.
    return mk(`${n}${sz * 8} count=${count}`, bytes, st, undef);
  });
});

// shld / shrd.
for (const [n, op] of [['shld', 0xa4], ['shrd', 0xac]] as const) {
  add(n, (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const byCl = r.bool();
    const e = encodeModrm(r, { op: [0x0f, byCl ? op + 1 : op], size: sz }, st.regs, { avoid: byCl ? [1] : [] });
    let count = r.bool(0.6) ? r.pick(COUNTS) : r.int(256);
    if (sz === 2) count = r.int(17) | (r.bool(0.2) ? 0x20 : 0); // counts above 16 are undefined for 16-bit
    const bytes = [...e.bytes];
    if (byCl) {
      st.regs[1] = (st.regs[1]! & ~0xffn) | BigInt(count);
      if (e.reg === 1 || (!e.mem && e.rm === 1)) return mk(`${n} cl-aliased`, [0x90], st); // avoid CL aliasing the operands
    } else bytes.push(count);
    const masked = count & (sz === 8 ? 63 : 31);
    let undef = 0;
    if (masked !== 0) {
      undef |= AF;
      if (masked > 1) undef |= OF;
    }
    return mk(`${n}${sz * 8} count=${count}`, bytes, st, undef);
  });
}

// Bit operations.
add('bt* E,G', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const op = r.pick([0xa3, 0xab, 0xb3, 0xbb]);
  const e = encodeModrm(r, { op: [0x0f, op], size: sz }, st.regs);
  if (e.mem) {
    // Keep the addressed unit inside the data page: offsets within +-512 bits.
    const off = BigInt(r.int(1024) - 512);
    st.regs[e.reg] = BigInt.asUintN(64, off);
  }
  return mk(`bt${op.toString(16)}${sz * 8} E,G`, e.bytes, st, OF | SF | AF | PF);
});
add('bt* E,imm', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const e = encodeModrm(r, { op: [0x0f, 0xba], size: sz, ext: 4 + r.int(4) }, st.regs);
  return mk(`bt${sz * 8} E,imm`, [...e.bytes, r.int(256)], st, OF | SF | AF | PF);
});
for (const [n, pre, op, undef] of [
  ['bsf', [], 0xbc, CF | OF | SF | AF | PF],
  ['bsr', [], 0xbd, CF | OF | SF | AF | PF],
  ['tzcnt', [0xf3], 0xbc, OF | SF | AF | PF],
  ['lzcnt', [0xf3], 0xbd, OF | SF | AF | PF],
  ['popcnt', [0xf3], 0xb8, 0],
] as const) {
  add(n, (r) => {
    const st = baseState(r);
    const sz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x0f, op], size: sz, pre: [...pre] }, st.regs);
    if (!e.mem && r.bool(0.2)) st.regs[e.rm] = 0n;
    return mk(`${n}${sz * 8}`, e.bytes, st, undef);
  });
}

// Data movement.
add('mov E,G / G,E', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const dir = r.int(2);
  const e = encodeModrm(r, { op: [0x88 + dir * 2 + (sz === 1 ? 0 : 1)], size: sz }, st.regs);
  return mk(`mov${sz * 8}`, e.bytes, st);
});
add('mov E,imm', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const e = encodeModrm(r, { op: [sz === 1 ? 0xc6 : 0xc7], size: sz, ext: 0 }, st.regs);
  return mk(`mov${sz * 8} E,imm`, [...e.bytes, ...imm(r, immBytes(sz))], st);
});
// The byte memory forms the block compiler inlines (mov M,r8 with AH-BH too, mov M,imm8, cmp M,imm8),
// on their own so each oracle run has hundreds of them, not the few the general forms give.
add('byte M forms', (r) => {
  const st = baseState(r);
  const k = r.int(3);
  // reg 4-7: AH-BH without a REX prefix, SPL-DIL with one (a base register r8-r15 brings it)
  if (k === 0) return mk('mov8 M,G', encodeModrm(r, { op: [0x88], size: 1, memOnly: true, ext: r.bool() ? 4 + r.int(4) : undefined }, st.regs).bytes, st);
  if (k === 1) return mk('mov8 M,imm', [...encodeModrm(r, { op: [0xc6], size: 1, ext: 0, memOnly: true }, st.regs).bytes, ...imm(r, 1)], st);
  return mk('cmp8 M,imm', [...encodeModrm(r, { op: [0x80], size: 1, ext: 7, memOnly: true }, st.regs).bytes, ...imm(r, 1)], st);
});
add('mov Z,imm', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const reg = r.int(16);
  const pfx = sizePrefix(sz, reg & 8 ? 1 : 0);
  if (sz === 1 && !pfx.length && r.bool(0.3)) pfx.push(0x40);
  return mk(`mov${sz * 8} Z,imm`, [...pfx, (sz === 1 ? 0xb0 : 0xb8) + (reg & 7), ...imm(r, sz)], st);
});
add('mov moffs', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const store = r.bool();
  const addr = DATA_BASE + r.int(4000);
  const a: number[] = [];
  for (let k = 0; k < 8; k++) a.push(k < 4 ? (addr >>> (8 * k)) & 0xff : 0);
  return mk(`mov${sz * 8} moffs`, [...sizePrefix(sz), (store ? 0xa2 : 0xa0) + (sz === 1 ? 0 : 1), ...a], st);
});
for (const [n, op, sz] of [['movzx8', 0xb6, 1], ['movzx16', 0xb7, 2], ['movsx8', 0xbe, 1], ['movsx16', 0xbf, 2]] as const) {
  add(n, (r) => {
    const st = baseState(r);
    const dsz = r.pick(WSIZES);
    const e = encodeModrm(r, { op: [0x0f, op], size: dsz }, st.regs);
    // A byte source without REX addresses AH..BH; the generator may emit REX for r8+.
    void sz;
    return mk(`${n} to ${dsz * 8}`, e.bytes, st);
  });
}
add('movsxd', (r) => {
  const st = baseState(r);
  const e = encodeModrm(r, { op: [0x63], size: r.pick([4, 8] as Size[]) }, st.regs);
  return mk('movsxd', e.bytes, st);
});
add('lea', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const e = encodeModrm(r, { op: [0x8d], size: sz, memOnly: true }, st.regs);
  // lea does not touch memory: random base values exercise 64-bit address arithmetic.
  if (r.bool(0.5)) st.regs[e.rm] = val64(r);
  const bytes = r.bool(0.2) ? [0x67, ...e.bytes] : e.bytes;
  return mk(`lea${sz * 8}`, bytes, st);
});
add('xchg', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  if (sz !== 1 && r.bool(0.3)) {
    const reg = r.int(16);
    return mk(`xchg${sz * 8} Z,rAX`, [...sizePrefix(sz, reg & 8 ? 1 : 0), 0x90 + (reg & 7)], st);
  }
  const e = encodeModrm(r, { op: [sz === 1 ? 0x86 : 0x87], size: sz }, st.regs);
  return mk(`xchg${sz * 8}`, e.bytes, st);
});
add('bswap', (r) => {
  const st = baseState(r);
  const sz = r.pick([4, 8] as Size[]);
  const reg = r.int(16);
  return mk(`bswap${sz * 8}`, [...sizePrefix(sz, reg & 8 ? 1 : 0), 0x0f, 0xc8 + (reg & 7)], st);
});
add('cbw/cwd', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  return mk(`cbw/cwd${sz * 8}`, [...sizePrefix(sz), r.bool() ? 0x98 : 0x99], st);
});
add('xlat', (r) => {
  const st = baseState(r);
  st.regs[3] = BigInt(DATA_BASE + r.int(3800));
  return mk('xlat', [0x48, 0xd7], st);
});
add('setcc', (r) => {
  const st = baseState(r);
  const e = encodeModrm(r, { op: [0x0f, 0x90 + r.int(16)], size: 1, ext: r.int(8) }, st.regs);
  return mk('setcc', e.bytes, st);
});
add('cmovcc', (r) => {
  const st = baseState(r);
  const sz = r.pick(WSIZES);
  const e = encodeModrm(r, { op: [0x0f, 0x40 + r.int(16)], size: sz }, st.regs);
  return mk(`cmov${sz * 8}`, e.bytes, st);
});

// Stack.
add('push/pop reg', (r) => {
  const st = baseState(r);
  const reg = r.int(16);
  const sz = r.bool(0.8) ? 8 : 2;
  const pfx = [...(sz === 2 ? [0x66] : []), ...(reg & 8 ? [0x41] : [])];
  const a = r.int(16);
  const pfx2 = [...(sz === 2 ? [0x66] : []), ...(a & 8 ? [0x41] : [])];
  return mk(`push/pop${sz * 8}`, [...pfx, 0x50 + (reg & 7), ...pfx2, 0x58 + (a & 7)], st);
});
add('push imm / push E / pop E', (r) => {
  const st = baseState(r);
  const k = r.int(3);
  if (k === 0) return mk('push imm', r.bool() ? [0x6a, r.int(256)] : [0x68, ...imm(r, 4)], st);
  if (k === 1) {
    const e = encodeModrm(r, { op: [0xff], size: 4, ext: 6 }, st.regs);
    return mk('push E', e.bytes, st);
  }
  const e = encodeModrm(r, { op: [0x8f], size: 4, ext: 0 }, st.regs);
  return mk('pop E', e.bytes, st);
});
add('pushf/popf', (r) => {
  const st = baseState(r);
  // Push a controlled flags image and pop it: arithmetic flags and DF only.
  const f = (r.u32() & (CF | PF | AF | ZF | SF | OF | 0x400)) | 2;
  return mk('pushf/popf', [0x68, f & 0xff, (f >> 8) & 0xff, 0, 0, 0x9d, 0x9c, 0x58 + r.int(4), 0xfc], st);
});
add('enter/leave', (r) => {
  const st = baseState(r);
  st.regs[5] = BigInt(0x310900 + r.int(64) * 8);
  const size = r.int(64) * 4;
  const level = r.pick([0, 0, 1, 2, 3]);
  return mk(`enter ${size},${level}`, [0xc8, size & 0xff, size >> 8, level, ...(r.bool() ? [0xc9] : [])], st);
});

// Flags.
add('flag ops', (r) => {
  const st = baseState(r);
  const ops = [0xf5, 0xf8, 0xf9, 0xfc, 0xfd, 0x9e, 0x9f];
  const n = 1 + r.int(3);
  const bytes: number[] = [];
  for (let k = 0; k < n; k++) bytes.push(r.pick(ops));
  bytes.push(0xfc); // leave DF clear
  return mk('flag ops', bytes, st);
});
add('alu then lahf', (r) => {
  // Materialize lazily computed flags of every ALU op through lahf/pushf.
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const op = r.int(8);
  // RSP must stay valid for the pushf.
  const e = encodeModrm(r, { op: [op * 8 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs, { avoid: [4] });
  const logic = op === 1 || op === 4 || op === 6;
  return mk(`alu${op} then pushf`, [...e.bytes, 0x9c, 0x41, 0x58 + r.int(8)], st, logic ? AF : 0, 0);
});

// Control flow.
add('jcc', (r) => {
  const st = baseState(r);
  const cc = r.int(16);
  // Set flags with a compare first, then branch over an increment.
  const sz = r.pick(SIZES);
  const e = encodeModrm(r, { op: [0x38 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs);
  const near = r.bool(0.3);
  const br = near ? [0x0f, 0x80 + cc, 3, 0, 0, 0] : [0x70 + cc, 3];
  return mk(`cmp+j${cc}`, [...e.bytes, ...br, 0x48, 0xff, 0xc0 /* inc rax */], st);
});
add('alu+jcc', (r) => {
  // A logic, subtract or compare instruction (register, E,imm8 and accumulator forms), then a
  // conditional branch: compiled blocks test the first one's operands and result directly in the
  // branch (jit/inline.ts emitFusedJcc). Equal registers (cmp r,r; test r,r) a third of the time.
  const st = baseState(r);
  const cc = r.int(16);
  const sz = r.pick(SIZES);
  const op = r.pick([1, 4, 5, 6, 7, 8]); // or, and, sub, xor, cmp; 8: test
  const form = op === 8 ? 0 : r.int(3);
  let bytes: number[];
  if (form === 0) {
    const e = encodeModrm(r, { op: [op === 8 ? (sz === 1 ? 0x84 : 0x85) : op * 8 + (sz === 1 ? 0 : 1)], size: sz, regOnly: true }, st.regs, { avoid: [4] });
    if (r.bool(0.5)) st.regs[e.rm] = st.regs[e.reg]!;
    bytes = e.bytes;
  } else {
    // Half the time the register holds the immediate (sign-extended): equal operands, zero results.
    const e = form === 1 ? encodeModrm(r, { op: [sz === 1 ? 0x80 : 0x83], size: sz, ext: op, regOnly: true }, st.regs, { avoid: [4] }) : null;
    const ib = imm(r, e !== null ? 1 : immBytes(sz));
    let v = 0n;
    for (let k = ib.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(ib[k]!);
    v = BigInt.asUintN(64, BigInt.asIntN(ib.length * 8, v));
    const reg = e !== null ? e.rm : 0;
    if (r.bool(0.5)) st.regs[reg] = r.bool() ? v : (st.regs[reg]! & ~((1n << BigInt(sz * 8)) - 1n)) | (v & ((1n << BigInt(sz * 8)) - 1n));
    bytes = e !== null ? [...e.bytes, ...ib] : [...sizePrefix(sz), op * 8 + (sz === 1 ? 4 : 5), ...ib];
  }
  const near = r.bool(0.3);
  const br = near ? [0x0f, 0x80 + cc, 3, 0, 0, 0] : [0x70 + cc, 3];
  return mk(`alu${op}+j${cc}`, [...bytes, ...br, 0x48, 0xff, 0xc0 /* inc rax */], st, op === 5 || op === 7 ? 0 : AF);
});
add('loop/jrcxz', (r) => {
  const st = baseState(r);
  const op = r.pick([0xe0, 0xe1, 0xe2, 0xe3]);
  st.regs[1] = r.pick([0n, 1n, 2n, 0x100000000n, 0x100000001n, 0xffffffffn, 0x10000n, 0x10001n]);
  const a67 = r.bool(0.3) ? [0x67] : [];
  return mk(`loop ${op.toString(16)}`, [...a67, op, 3, 0x48, 0xff, 0xc0], st);
});
add('call/ret', (r) => {
  const st = baseState(r);
  const k = r.int(4);
  if (k === 0) return mk('call+pop', [0xe8, 0, 0, 0, 0, 0x58 + r.int(8)], st);
  if (k === 1) return mk('lea+push+ret', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0x50, 0xc3], st);
  if (k === 2) return mk('ret imm', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0x50, 0xc2, 8, 0], st);
  // Indirect call through a register, then discard the return address.
  return mk('call reg', [0x48, 0x8d, 0x05, 2, 0, 0, 0, 0xff, 0xd0, 0x59], st);
});
add('jmp', (r) => {
  const st = baseState(r);
  return mk('jmp', r.bool() ? [0xeb, 3, 0x48, 0xff, 0xc0] : [0xe9, 3, 0, 0, 0, 0x48, 0xff, 0xc0], st);
});

// String instructions.
add('string', (r) => {
  const st = baseState(r);
  const op = r.pick([0xa4, 0xa5, 0xa6, 0xa7, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf]);
  const sz = (op & 1) === 0 ? 1 : r.pick(WSIZES);
  const rep = r.pick([[], [0xf3], [0xf2]]);
  const down = r.bool(0.3);
  st.regs[6] = BigInt(DATA_BASE + 1024 + r.int(2048));
  st.regs[7] = r.bool(0.2) ? st.regs[6]! : BigInt(DATA_BASE + 1024 + r.int(2048));
  st.regs[1] = BigInt(r.int(40));
  if (r.bool(0.2) && (op === 0xae || op === 0xaf)) st.regs[0] = 0n;
  const pfx = sz === 2 ? [0x66] : [];
  const rex = sz === 8 ? [0x48] : [];
  return mk(`${rep.length ? 'rep ' : ''}str ${op.toString(16)} ${sz * 8}${down ? ' std' : ''}`,
    [...(down ? [0xfd] : []), ...rep, ...pfx, ...rex, op, 0xfc], st);
});

// Long REP STOS / REP MOVS over the data page (the page-at-a-time path of
// exec/string-bulk.ts): unaligned starts, runs to the page's last bytes,
// overlapping copies either way. (The harness maps one data page.)
add('string bulk', (r) => {
  const st = baseState(r);
  const op = r.pick([0xa4, 0xa5, 0xaa, 0xab]);
  const sz = (op & 1) === 0 ? 1 : r.pick(WSIZES);
  const down = r.bool(0.2);
  const span = 4096;
  const count = 1 + r.int(Math.floor(span / 2 / sz));
  const lo = down ? count * sz : 0, hi = down ? 0 : count * sz; // room below (std) or above the start
  const start = () => DATA_BASE + lo + r.int(span - lo - hi);
  st.regs[6] = BigInt(start());
  st.regs[7] = r.bool(0.2) ? st.regs[6]! + BigInt(r.int(16) - 8) : BigInt(start());
  if (st.regs[7]! < BigInt(DATA_BASE + lo) || st.regs[7]! > BigInt(DATA_BASE + span - hi)) st.regs[7] = st.regs[6]!;
  st.regs[1] = BigInt(count);
  const pfx = sz === 2 ? [0x66] : [];
  const rex = sz === 8 ? [0x48] : [];
  return mk(`rep str bulk ${op.toString(16)} ${sz * 8}${down ? ' std' : ''}`,
    [...(down ? [0xfd] : []), 0xf3, ...pfx, ...rex, op, 0xfc], st);
});

// Atomics.
add('xadd', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const e = encodeModrm(r, { op: [0x0f, sz === 1 ? 0xc0 : 0xc1], size: sz }, st.regs);
  return mk(`xadd${sz * 8}`, [...(e.mem && r.bool() ? [0xf0] : []), ...e.bytes], st);
});
add('cmpxchg', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const e = encodeModrm(r, { op: [0x0f, sz === 1 ? 0xb0 : 0xb1], size: sz }, st.regs);
  if (r.bool(0.5) && !e.mem) st.regs[0] = st.regs[e.rm]!;
  return mk(`cmpxchg${sz * 8}`, [...(e.mem && r.bool() ? [0xf0] : []), ...e.bytes], st);
});
add('cmpxchg8b/16b', (r) => {
  const st = baseState(r);
  const wide = r.bool();
  const e = encodeModrm(r, { op: [0x0f, 0xc7], size: wide ? 8 : 4, ext: 1, memOnly: true }, st.regs);
  return mk(`cmpxchg${wide ? 16 : 8}b`, e.bytes, st);
});

// Exceptions.
add('undefined opcodes', (r) => {
  const st = baseState(r);
  const bytes = r.pick([[0x0f, 0x0b], [0x0f, 0xff], [0x0f, 0xb9, 0xc0], [0x06], [0x07], [0x27], [0x37], [0x60], [0xd4, 0x0a], [0xf0, 0x90], [0xf0, 0x01, 0xc0], [0x8f, 0xc8]]);
  return mk(`ud ${bytes.map((b) => b.toString(16)).join(' ')}`, bytes, st);
});
add('divide error', (r) => {
  const st = baseState(r);
  const sz = r.pick(SIZES);
  const reg = 1 + r.int(7);
  if (reg === 2 || reg === 4) return mk('nop', [0x90], st);
  st.regs[reg] = 0n;
  return mk(`div0 ${sz * 8}`, [...sizePrefix(sz), sz === 1 ? 0xf6 : 0xf7, 0xf0 | reg], st, ALL);
});
add('int3', (r) => mk('int3', [0xcc], baseState(r)));

// Multi-byte NOPs and hints.
add('nops', (r) => {
  const st = baseState(r);
  const bytes = r.pick([[0x0f, 0x1f, 0x00], [0x0f, 0x1f, 0x44, 0x00, 0x00], [0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0], [0xf3, 0x0f, 0x1e, 0xfa], [0xf3, 0x90], [0x66, 0x90], [0x0f, 0x18, 0x08], [0x0f, 0xae, 0xf0], [0x0f, 0xae, 0xe8]]);
  return mk('nop', bytes, st);
});

export const GENERATORS: ReadonlyArray<readonly [string, Gen]> = gens;

/** n cases spread round-robin over all generators, reproducible from the seed. */
export function generateCases(n: number, seed: number): GenCase[] {
  const r = new Rng(seed);
  const out: GenCase[] = [];
  for (let k = 0; k < n; k++) {
    const [, g] = gens[k % gens.length]!;
    out.push(g(r));
  }
  return out;
}

export { CODE_BASE };
