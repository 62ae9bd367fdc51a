// Shifts and rotates (rol ror rcl rcr shl shr sal sar) and the double shifts
// shld/shrd. Flags are computed eagerly: only CF and OF (rotates) or CF, OF,
// SF, ZF, PF (shifts) change, and nothing changes when the masked count is 0.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { materialize, setArith, szp, getCF, ARITH, CF, OF, SF, ZF, PF, AF } from '../flags';
import { RCX } from '../regs';
import { MASK } from './alu';

const ROL = 0, ROR = 1, RCL = 2, RCR = 3, SHL = 4, SHR = 5, SAL = 6, SAR = 7;

// 64-bit helpers; results in lo (return) and hiOut.
export let hiOut = 0;
function shl64(lo: number, hi: number, n: number): number {
  if (n === 0) { hiOut = hi; return lo; }
  if (n < 32) { hiOut = (hi << n) | (lo >>> (32 - n)); return lo << n; }
  hiOut = n < 64 ? lo << (n - 32) : 0;
  return 0;
}
function shr64(lo: number, hi: number, n: number): number {
  if (n === 0) { hiOut = hi; return lo; }
  if (n < 32) { hiOut = hi >>> n; return (lo >>> n) | (hi << (32 - n)); }
  hiOut = 0;
  return n < 64 ? hi >>> (n - 32) : 0;
}
function sar64(lo: number, hi: number, n: number): number {
  if (n === 0) { hiOut = hi; return lo; }
  if (n < 32) { hiOut = hi >> n; return (lo >>> n) | (hi << (32 - n)); }
  hiOut = hi >> 31;
  return hi >> (n - 32);
}
function bit64(lo: number, hi: number, n: number): number {
  return n < 32 ? (lo >>> n) & 1 : (hi >>> (n - 32)) & 1;
}

function setFlags(c: Cpu, mask: number, bits: number): void {
  // All six arithmetic flags given (shifts): the earlier lazy ones need not be computed first.
  if (mask === ARITH) { setArith(c, bits); return; }
  materialize(c);
  c.flags = (c.flags & ~mask) | (bits & mask);
}

/** CF and OF of the last shiftValue. */
export let cfOut = 0, ofOut = 0;

/**
 * shl/sal, shr or sar of a sz-byte value by a masked count of at least 1: the result (its high
 * half in hiOut for 64-bit values, 0 otherwise), CF and OF in cfOut, ofOut. Shared by shiftOp and
 * the register fast path (fast.ts shiftRegImm).
 */
export function shiftValue(op: number, sz: number, d: number, dH: number, count: number): number {
  if (sz === 8) {
    let r: number;
    if (op === SHL || op === SAL) {
      r = shl64(d, dH, count); cfOut = bit64(d, dH, 64 - count); ofOut = (hiOut >>> 31) ^ cfOut;
    } else if (op === SHR) {
      r = shr64(d, dH, count); cfOut = bit64(d, dH, count - 1); ofOut = dH >>> 31;
    } else {
      r = sar64(d, dH, count); cfOut = bit64(d, dH, count - 1); ofOut = 0;
    }
    return r;
  }
  const m = MASK[sz]!;
  const bits = sz * 8;
  const top = bits - 1;
  const u = d & m;
  hiOut = 0;
  if (op === SHL || op === SAL) {
    const r = count < 32 ? (u << count) & m : 0;
    cfOut = count <= bits ? (u >>> (bits - count)) & 1 : 0;
    ofOut = ((r >>> top) & 1) ^ cfOut;
    return r;
  }
  if (op === SHR) {
    cfOut = (u >>> (count - 1)) & 1;
    ofOut = (u >>> top) & 1;
    return count < 32 ? (u >>> count) & m : 0;
  }
  const sx = (u << (32 - bits)) >> (32 - bits);
  cfOut = (sx >> Math.min(count - 1, 31)) & 1;
  ofOut = 0;
  return (sx >> Math.min(count, 31)) & m;
}

function shiftOp(c: Cpu, i: Insn, rawCount: number): void {
  const sz = i.osize;
  const op = i.reg & 7;
  const bits = sz * 8;
  let count = rawCount & (sz === 8 ? 63 : 31);
  const d = c.readE(i, sz), dH = c.hi;
  if (count === 0) {
    // Nothing changes, but a 32-bit register destination is still written (zero-extended).
    if (!i.mem && sz === 4) c.writeE(i, sz, d, 0);
    return;
  }
  let r = 0, rH = 0, cf = 0, of = 0;
  let rotate = false;
  if (sz === 8) {
    switch (op) {
      case SHL: case SAL: case SHR: case SAR:
        r = shiftValue(op, sz, d, dH, count); rH = hiOut; cf = cfOut; of = ofOut; break;
      case ROL: {
        const a = shl64(d, dH, count), aH = hiOut;
        const b = shr64(d, dH, 64 - count), bH = hiOut;
        r = a | b; rH = aH | bH; cf = r & 1; of = (rH >>> 31) ^ cf; rotate = true; break;
      }
      case ROR: {
        const a = shr64(d, dH, count), aH = hiOut;
        const b = shl64(d, dH, 64 - count), bH = hiOut;
        r = a | b; rH = aH | bH; cf = rH >>> 31; of = cf ^ ((rH >>> 30) & 1); rotate = true; break;
      }
      default: { // RCL, RCR: one bit at a time through CF
        let lo = d, hi = dH;
        cf = getCF(c);
        const ocf = cf;
        for (let k = 0; k < count; k++) {
          if (op === RCL) {
            const out = hi >>> 31;
            hi = (hi << 1) | (lo >>> 31);
            lo = (lo << 1) | cf;
            cf = out;
          } else {
            const out = lo & 1;
            lo = (lo >>> 1) | (hi << 31);
            hi = (hi >>> 1) | (cf << 31);
            cf = out;
          }
        }
        r = lo; rH = hi;
        of = op === RCL ? (rH >>> 31) ^ cf : (dH >>> 31) ^ ocf;
        rotate = true;
      }
    }
  } else {
    const m = MASK[sz]!;
    const top = bits - 1;
    const u = d & m;
    switch (op) {
      case SHL: case SAL: case SHR: case SAR:
        r = shiftValue(op, sz, d, dH, count); cf = cfOut; of = ofOut; break;
      case ROL: {
        const n = count % bits;
        r = n === 0 ? u : ((u << n) | (u >>> (bits - n))) & m;
        cf = r & 1; of = ((r >>> top) & 1) ^ cf; rotate = true; break;
      }
      case ROR: {
        const n = count % bits;
        r = n === 0 ? u : ((u >>> n) | (u << (bits - n))) & m;
        cf = (r >>> top) & 1; of = cf ^ ((r >>> (top - 1)) & 1); rotate = true; break;
      }
      default: { // RCL, RCR through CF; 8/16-bit counts rotate modulo size + 1
        const n = sz === 4 ? count : count % (bits + 1);
        let v = u;
        cf = getCF(c);
        const ocf = cf;
        for (let k = 0; k < n; k++) {
          if (op === RCL) {
            const out = (v >>> top) & 1;
            v = ((v << 1) | cf) & m;
            cf = out;
          } else {
            const out = v & 1;
            v = (v >>> 1) | (cf << top);
            cf = out;
          }
        }
        r = v;
        of = op === RCL ? ((r >>> top) & 1) ^ cf : ((u >>> top) & 1) ^ ocf;
        rotate = true;
        if (n === 0) { // count was a multiple of size + 1: value unchanged, flags untouched
          c.writeE(i, sz, r, 0);
          return;
        }
      }
    }
  }
  c.writeE(i, sz, r, rH);
  if (rotate) setFlags(c, CF | OF, cf | (of << 11));
  else setFlags(c, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(sz, r, rH));
}

export function shiftI(c: Cpu, i: Insn): void {
  shiftOp(c, i, i.immLo & 0xff);
}
export function shift1(c: Cpu, i: Insn): void {
  shiftOp(c, i, 1);
}
export function shiftCL(c: Cpu, i: Insn): void {
  shiftOp(c, i, c.r[RCX * 2]! & 0xff);
}

function doubleShift(c: Cpu, i: Insn, rawCount: number, left: boolean): void {
  const sz = i.osize;
  const bits = sz * 8;
  const count = rawCount & (sz === 8 ? 63 : 31);
  const s = c.getR(sz, i.reg), sH = c.hi;
  const d = c.readE(i, sz), dH = c.hi;
  if (count === 0) {
    if (!i.mem && sz === 4) c.writeE(i, sz, d, 0);
    return;
  }
  let r: number, rH = 0, cf: number;
  if (sz === 8) {
    if (left) {
      const a = shl64(d, dH, count), aH = hiOut;
      const b = shr64(s, sH, 64 - count), bH = hiOut;
      r = a | b; rH = aH | bH; cf = bit64(d, dH, 64 - count);
    } else {
      const a = shr64(d, dH, count), aH = hiOut;
      const b = shl64(s, sH, 64 - count), bH = hiOut;
      r = a | b; rH = aH | bH; cf = bit64(d, dH, count - 1);
    }
  } else if (sz === 4) {
    if (left) { r = (d << count) | (s >>> (32 - count)); cf = (d >>> (32 - count)) & 1; }
    else { r = (d >>> count) | (s << (32 - count)); cf = (d >>> (count - 1)) & 1; }
  } else {
    // 16-bit: shift the 32-bit concatenation (counts above 16 leave an undefined result).
    const u = d & 0xffff, v = s & 0xffff;
    if (left) {
      const cat = ((u << 16) | v) >>> 0;
      r = count < 32 ? ((cat << count) >>> 16) & 0xffff : 0;
      cf = (cat >>> (32 - count)) & 1;
    } else {
      const cat = ((v << 16) | u) >>> 0;
      r = (cat >>> count) & 0xffff;
      cf = (cat >>> (count - 1)) & 1;
    }
  }
  const top = bits - 1;
  const msb = sz === 8 ? rH >>> 31 : (r >>> top) & 1;
  const dmsb = sz === 8 ? dH >>> 31 : (d >>> top) & 1;
  const of = msb ^ dmsb;
  c.writeE(i, sz, r, rH);
  setFlags(c, CF | OF | SF | ZF | PF | AF, cf | (of << 11) | szp(sz, sz === 8 ? r : r & MASK[sz]!, rH));
}

export function shldI(c: Cpu, i: Insn): void { doubleShift(c, i, i.immLo & 0xff, true); }
export function shldCL(c: Cpu, i: Insn): void { doubleShift(c, i, c.r[RCX * 2]! & 0xff, true); }
export function shrdI(c: Cpu, i: Insn): void { doubleShift(c, i, i.immLo & 0xff, false); }
export function shrdCL(c: Cpu, i: Insn): void { doubleShift(c, i, c.r[RCX * 2]! & 0xff, false); }
