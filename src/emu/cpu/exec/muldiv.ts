// mul, imul (one-, two- and three-operand), div, idiv (#DE on a zero divisor
// or a quotient that does not fit).
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { setArith, szp, CF, OF, Lazy } from '../flags';
import { out, mulU64, mulS64, mulU32, divU128 } from '../arith64';
import { CpuFault, DE } from '../fault';
import { RAX, RDX } from '../regs';

/** CF = OF = overflow; SF, ZF, PF from the low result (the manuals leave them undefined). */
function mulFlags(c: Cpu, sz: number, lo: number, hi: number, overflow: boolean): void {
  setArith(c, (overflow ? CF | OF : 0) | szp(sz, lo, hi));
}

export function mul(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const r = c.r;
  switch (sz) {
    case 1: {
      const p = (r[0]! & 0xff) * s;
      c.setR(2, RAX, p, 0);
      mulFlags(c, 1, p & 0xff, 0, p > 0xff);
      break;
    }
    case 2: {
      const p = (r[0]! & 0xffff) * s;
      c.setR(2, RAX, p, 0);
      c.setR(2, RDX, p >>> 16, 0);
      mulFlags(c, 2, p & 0xffff, 0, p > 0xffff);
      break;
    }
    case 4: {
      mulU32(r[0]!, s);
      const lo = out[0]!, hi = out[1]!;
      c.setR(4, RAX, lo, 0);
      c.setR(4, RDX, hi, 0);
      mulFlags(c, 4, lo, 0, hi !== 0);
      break;
    }
    default: mul64(c, s, sH);
  }
}

/** RDX:RAX = RAX * s:sH, unsigned, with the flags (mul r/m64; fast.ts mulReg64 too). */
export function mul64(c: Cpu, s: number, sH: number): void {
  const r = c.r;
  mulU64(r[0]!, r[1]!, s, sH);
  const a = out[0]!, b = out[1]!, d = out[2]!, e = out[3]!;
  r[RAX * 2] = a; r[RAX * 2 + 1] = b;
  r[RDX * 2] = d; r[RDX * 2 + 1] = e;
  // The flags stay lazy (Lazy.Mul): gcc's divisions by a constant never read them.
  c.lop = Lazy.Mul; c.lsz = 8; c.lres = a; c.lresH = b; c.lcf = (d | e) !== 0 ? 1 : 0;
}

/** Signed product of the accumulator-sized operands; writes the full result. */
export function imul1(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const r = c.r;
  switch (sz) {
    case 1: {
      const p = ((r[0]! << 24) >> 24) * ((s << 24) >> 24);
      c.setR(2, RAX, p, 0);
      mulFlags(c, 1, p & 0xff, 0, p !== (p << 24) >> 24);
      break;
    }
    case 2: {
      const p = ((r[0]! << 16) >> 16) * ((s << 16) >> 16);
      c.setR(2, RAX, p, 0);
      c.setR(2, RDX, p >> 16, 0);
      mulFlags(c, 2, p & 0xffff, 0, p !== (p << 16) >> 16);
      break;
    }
    case 4: {
      mulS64(r[0]!, r[0]! >> 31, s, s >> 31);
      const lo = out[0]!, hi = out[1]!;
      c.setR(4, RAX, lo, 0);
      c.setR(4, RDX, hi, 0);
      mulFlags(c, 4, lo, 0, hi !== lo >> 31);
      break;
    }
    default: {
      mulS64(r[0]!, r[1]!, s, sH);
      const a = out[0]!, b = out[1]!, d = out[2]!, e = out[3]!;
      c.setR(8, RAX, a, b);
      c.setR(8, RDX, d, e);
      const sign = b >> 31;
      mulFlags(c, 8, a, b, d !== sign || e !== sign);
    }
  }
}

/** Truncated signed product of two operands; sets CF = OF when it did not fit (high half in c.hi). */
export function imulTrunc(c: Cpu, sz: number, a: number, aH: number, b: number, bH: number): number {
  switch (sz) {
    case 2: {
      const p = ((a << 16) >> 16) * ((b << 16) >> 16);
      mulFlags(c, 2, p & 0xffff, 0, p !== (p << 16) >> 16);
      c.hi = 0;
      return p;
    }
    case 4: {
      // A product that fits int32 is exact in a double; one that does not is at least 2^31 away.
      const lo = Math.imul(a, b);
      mulFlags(c, 4, lo, 0, a * b !== lo);
      c.hi = 0;
      return lo;
    }
    default: {
      // The low 64 bits of the product only (the same signed or unsigned); whether the signed
      // product fit, for CF and OF, is left to the lazy flags (Lazy.Imul), since code that
      // multiplies (hashes, address arithmetic) rarely reads them before the next ALU result.
      mulU32(a, b);
      const lo = out[0]!, hi = (out[1]! + Math.imul(a, bH) + Math.imul(aH, b)) | 0;
      c.lop = Lazy.Imul; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = a; c.ldstH = aH; c.lsrc = b; c.lsrcH = bH;
      c.hi = hi;
      return lo;
    }
  }
}

export function imul2(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const d = c.getR(sz, i.reg), dH = c.hi;
  const p = imulTrunc(c, sz, d, dH, s, sH);
  c.setR(sz, i.reg, p, c.hi);
}

export function imul3(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const p = imulTrunc(c, sz, s, sH, i.immLo, i.immHi);
  c.setR(sz, i.reg, p, c.hi);
}

function divideError(): never {
  throw new CpuFault(DE);
}

export function div(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const r = c.r;
  if (s === 0 && (sz !== 8 || sH === 0)) divideError();
  switch (sz) {
    case 1: {
      const n = r[0]! & 0xffff;
      const q = Math.floor(n / s);
      if (q > 0xff) divideError();
      c.setR(2, RAX, q | ((n - q * s) << 8), 0);
      break;
    }
    case 2: {
      const n = ((r[RDX * 2]! & 0xffff) << 16 | (r[0]! & 0xffff)) >>> 0;
      const q = Math.floor(n / s);
      if (q > 0xffff) divideError();
      c.setR(2, RAX, q, 0);
      c.setR(2, RDX, n - q * s, 0);
      break;
    }
    case 4: {
      if (!divU128(r[0]!, r[RDX * 2]!, 0, 0, s, 0) || out[1] !== 0) divideError();
      c.setR(4, RAX, out[0]!, 0);
      c.setR(4, RDX, out[2]!, 0);
      break;
    }
    default: {
      if (!divU128(r[0]!, r[1]!, r[RDX * 2]!, r[RDX * 2 + 1]!, s, sH)) divideError();
      c.setR(8, RAX, out[0]!, out[1]!);
      c.setR(8, RDX, out[2]!, out[3]!);
    }
  }
}

/** Negate a 128-bit value held in w[0..3] (two's complement). */
function neg128(w: number[]): void {
  let carry = 1;
  for (let k = 0; k < 4; k++) {
    const t = (~w[k]! >>> 0) + carry;
    w[k] = t | 0;
    carry = t > 0xffffffff ? 1 : 0;
  }
}

export function idiv(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.readE(i, sz), sH = c.hi;
  const r = c.r;
  if (s === 0 && (sz !== 8 || sH === 0)) divideError();
  if (sz === 1 || sz === 2) {
    const n = sz === 1 ? (r[0]! << 16) >> 16 : ((r[RDX * 2]! << 16) | (r[0]! & 0xffff));
    const d = sz === 1 ? (s << 24) >> 24 : (s << 16) >> 16;
    const q = Math.trunc(n / d);
    const lim = sz === 1 ? 0x80 : 0x8000;
    if (q >= lim || q < -lim) divideError();
    const rem = n - q * d;
    if (sz === 1) c.setR(2, RAX, (q & 0xff) | ((rem & 0xff) << 8), 0);
    else {
      c.setR(2, RAX, q, 0);
      c.setR(2, RDX, rem, 0);
    }
    return;
  }
  // 32- and 64-bit: divide magnitudes with the unsigned routine, then apply signs.
  const w = sz === 4
    ? [r[0]!, r[RDX * 2]!, r[RDX * 2]! >> 31, r[RDX * 2]! >> 31]
    : [r[0]!, r[1]!, r[RDX * 2]!, r[RDX * 2 + 1]!];
  const nNeg = w[3]! < 0;
  if (nNeg) neg128(w);
  let dLo = s, dHi = sz === 4 ? s >> 31 : sH;
  const dNeg = dHi < 0;
  if (dNeg) {
    const t = (~dLo >>> 0) + 1;
    dLo = t | 0;
    dHi = (~dHi + (t > 0xffffffff ? 1 : 0)) | 0;
  }
  if (!divU128(w[0]!, w[1]!, w[2]!, w[3]!, dLo, dHi)) divideError();
  let qLo = out[0]!, qHi = out[1]!, rLo = out[2]!, rHi = out[3]!;
  const qNeg = nNeg !== dNeg;
  // Range check on the magnitude: |q| <= 2^(n-1) - 1, or 2^(n-1) when negative.
  if (sz === 4) {
    if (qHi !== 0 || (qLo >>> 0) > (qNeg ? 0x80000000 : 0x7fffffff)) divideError();
  } else if ((qHi >>> 0) > 0x80000000 || ((qHi >>> 0) === 0x80000000 && (!qNeg || qLo !== 0))) {
    divideError();
  }
  if (qNeg) {
    const t = (~qLo >>> 0) + 1;
    qLo = t | 0;
    qHi = (~qHi + (t > 0xffffffff ? 1 : 0)) | 0;
  }
  if (nNeg) {
    const t = (~rLo >>> 0) + 1;
    rLo = t | 0;
    rHi = (~rHi + (t > 0xffffffff ? 1 : 0)) | 0;
  }
  if (sz === 4) {
    c.setR(4, RAX, qLo, 0);
    c.setR(4, RDX, rLo, 0);
  } else {
    c.setR(8, RAX, qLo, qHi);
    c.setR(8, RDX, rLo, rHi);
  }
}
