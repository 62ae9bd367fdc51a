// RFLAGS with lazy arithmetic flags.
//
// Arithmetic instructions record what they computed (operation, size, operands,
// result) instead of six flag bits; a flag is derived only when something reads
// it. Most results are never tested, and a jcc after cmp reads one or two flags.
// 64-bit operands are kept as 32-bit halves (lo, hi) like every register.
import type { CpuState } from './cpu-state';
import { out, mulS64 } from './arith64';

export const CF = 1 << 0, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7;
export const TF = 1 << 8, IF = 1 << 9, DF = 1 << 10, OF = 1 << 11;
export const IOPL = 3 << 12, NT = 1 << 14, RF = 1 << 16, VM = 1 << 17, AC = 1 << 18;
export const VIF = 1 << 19, VIP = 1 << 20, ID = 1 << 21;
export const ARITH = CF | PF | AF | ZF | SF | OF;

/** Lazy flag operations: what the last flag-setting instruction was. */
export const enum Lazy {
  None = 0, // cpu.flags holds the arithmetic flags
  Add = 1,
  Adc = 2,
  Sub = 3,
  Sbb = 4,
  Logic = 5,
  Inc = 6,
  Dec = 7,
  /**
   * A 64-bit imul that keeps only the low half (2- and 3-operand forms): lres/lresH the product,
   * ldst/ldstH and lsrc/lsrcH the factors. CF = OF (the signed product did not fit) is worked out
   * only if read; SF, ZF and PF come from the result, AF is 0 (as mulFlags sets them).
   */
  Imul = 8,
  /**
   * A 64-bit mul (rDX:rAX = rAX * r/m64): lres/lresH the low half of the product, lcf = CF = OF
   * (the high half is not zero); SF, ZF and PF from the low half, AF 0 (as mulFlags sets them).
   */
  Mul = 9,
}

/** Did the signed 128-bit product of the recorded factors overflow 64 bits (Lazy.Imul)? */
function imulOverflow(c: CpuState): number {
  mulS64(c.ldst, c.ldstH, c.lsrc, c.lsrcH);
  const sign = out[1]! >> 31;
  return out[2] !== sign || out[3] !== sign ? 1 : 0;
}

export const PARITY = new Uint8Array(256);
for (let v = 0; v < 256; v++) {
  let b = v;
  b ^= b >> 4;
  b ^= b >> 2;
  b ^= b >> 1;
  PARITY[v] = (b & 1) ^ 1;
}

/** Unsigned a < b for values of the lazy size (64-bit: halves). */
function ltu(sz: number, a: number, aH: number, b: number, bH: number): boolean {
  if (sz === 8) return aH === bH ? a >>> 0 < b >>> 0 : aH >>> 0 < bH >>> 0;
  return a >>> 0 < b >>> 0;
}
function eq(sz: number, a: number, aH: number, b: number, bH: number): boolean {
  return a === b && (sz !== 8 || aH === bH);
}

export function getCF(c: CpuState): number {
  switch (c.lop) {
    case Lazy.None: return c.flags & CF;
    case Lazy.Add: return ltu(c.lsz, c.lres, c.lresH, c.ldst, c.ldstH) ? 1 : 0;
    case Lazy.Adc:
      return ltu(c.lsz, c.lres, c.lresH, c.ldst, c.ldstH) || (c.lcf !== 0 && eq(c.lsz, c.lres, c.lresH, c.ldst, c.ldstH)) ? 1 : 0;
    case Lazy.Sub: return ltu(c.lsz, c.ldst, c.ldstH, c.lsrc, c.lsrcH) ? 1 : 0;
    case Lazy.Sbb:
      return ltu(c.lsz, c.ldst, c.ldstH, c.lsrc, c.lsrcH) || (c.lcf !== 0 && eq(c.lsz, c.ldst, c.ldstH, c.lsrc, c.lsrcH)) ? 1 : 0;
    case Lazy.Logic: return 0;
    case Lazy.Imul: return imulOverflow(c);
    default: return c.lcf; // inc, dec keep CF
  }
}

export function getZF(c: CpuState): number {
  if (c.lop === Lazy.None) return (c.flags >> 6) & 1;
  return c.lres === 0 && (c.lsz !== 8 || c.lresH === 0) ? 1 : 0;
}

export function getSF(c: CpuState): number {
  if (c.lop === Lazy.None) return (c.flags >> 7) & 1;
  switch (c.lsz) {
    case 8: return c.lresH >>> 31;
    case 4: return c.lres >>> 31;
    case 2: return (c.lres >> 15) & 1;
    default: return (c.lres >> 7) & 1;
  }
}

function topBit(sz: number, lo: number, hi: number): number {
  switch (sz) {
    case 8: return hi >>> 31;
    case 4: return lo >>> 31;
    case 2: return (lo >> 15) & 1;
    default: return (lo >> 7) & 1;
  }
}

export function getOF(c: CpuState): number {
  switch (c.lop) {
    case Lazy.None: return (c.flags >> 11) & 1;
    case Lazy.Add: case Lazy.Adc: case Lazy.Inc:
      return topBit(c.lsz, (c.ldst ^ c.lres) & (c.lsrc ^ c.lres), (c.ldstH ^ c.lresH) & (c.lsrcH ^ c.lresH));
    case Lazy.Sub: case Lazy.Sbb: case Lazy.Dec:
      return topBit(c.lsz, (c.ldst ^ c.lsrc) & (c.ldst ^ c.lres), (c.ldstH ^ c.lsrcH) & (c.ldstH ^ c.lresH));
    case Lazy.Imul: return imulOverflow(c);
    case Lazy.Mul: return c.lcf;
    default: return 0;
  }
}

export function getPF(c: CpuState): number {
  if (c.lop === Lazy.None) return (c.flags >> 2) & 1;
  return PARITY[c.lres & 0xff]!;
}

export function getAF(c: CpuState): number {
  if (c.lop === Lazy.None) return (c.flags >> 4) & 1;
  if (c.lop === Lazy.Logic || c.lop === Lazy.Imul || c.lop === Lazy.Mul) return 0;
  return ((c.ldst ^ c.lsrc ^ c.lres) >> 4) & 1;
}

/** The whole RFLAGS value (arithmetic flags materialized). */
export function getFlags(c: CpuState): number {
  if (c.lop === Lazy.None) return c.flags;
  return (c.flags & ~ARITH) | getCF(c) | (getPF(c) << 2) | (getAF(c) << 4) | (getZF(c) << 6) | (getSF(c) << 7) | (getOF(c) << 11);
}

/** Materialize the lazy flags into cpu.flags (before an instruction changes some of them). */
export function materialize(c: CpuState): void {
  if (c.lop !== Lazy.None) {
    c.flags = getFlags(c);
    c.lop = Lazy.None;
  }
}

/** Replace the arithmetic flags with explicit values (eagerly computed instructions). */
export function setArith(c: CpuState, bits: number): void {
  c.flags = (c.flags & ~ARITH) | (bits & ARITH);
  c.lop = Lazy.None;
}

/** Flags from a result alone (SF, ZF, PF), for eagerly computed instructions. */
export function szp(sz: number, lo: number, hi: number): number {
  const zero = sz === 8 ? (lo | hi) === 0 : lo === 0;
  return (zero ? ZF : 0) | (topBit(sz, lo, hi) ? SF : 0) | (PARITY[lo & 0xff]! ? PF : 0);
}

/** Condition codes 0..15 (o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g). */
export function cond(c: CpuState, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0: r = getOF(c) !== 0; break;
    case 1: r = getCF(c) !== 0; break;
    case 2: r = getZF(c) !== 0; break;
    case 3: r = getCF(c) !== 0 || getZF(c) !== 0; break;
    case 4: r = getSF(c) !== 0; break;
    case 5: r = getPF(c) !== 0; break;
    case 6: r = getSF(c) !== getOF(c); break;
    default: r = getZF(c) !== 0 || getSF(c) !== getOF(c); break;
  }
  return (cc & 1) !== 0 ? !r : r;
}
