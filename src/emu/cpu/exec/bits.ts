// Bit operations: bt/bts/btr/btc (register and immediate offsets), bsf, bsr,
// tzcnt, lzcnt, popcnt.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { materialize, setArith, CF, ZF } from '../flags';

const BT = 4, BTS = 5, BTR = 6, BTC = 7;

/** Which bt variant: from ModRM.reg for 0F BA, from the opcode for A3/AB/B3/BB. */
function btKind(i: Insn): number {
  if (i.op === 0xba) return i.reg & 7;
  switch (i.op) {
    case 0xab: return BTS;
    case 0xb3: return BTR;
    case 0xbb: return BTC;
    default: return BT;
  }
}

function btApply(kind: number, v: number, vH: number, bit: number): [number, number, number] {
  let cf: number;
  if (bit < 32) {
    cf = (v >>> bit) & 1;
    const m = 1 << bit;
    if (kind === BTS) v |= m; else if (kind === BTR) v &= ~m; else if (kind === BTC) v ^= m;
  } else {
    const b = bit - 32;
    cf = (vH >>> b) & 1;
    const m = 1 << b;
    if (kind === BTS) vH |= m; else if (kind === BTR) vH &= ~m; else if (kind === BTC) vH ^= m;
  }
  return [cf, v, vH];
}

function finish(c: Cpu, cf: number): void {
  materialize(c);
  c.flags = (c.flags & ~CF) | cf;
}

/** bt* Ev, Gv: a memory operand's bit offset is signed and may reach outside the operand. */
export function btG(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const bits = sz * 8;
  const kind = btKind(i);
  const off = c.getR(sz, i.reg), offH = c.hi;
  if (!i.mem) {
    const bit = off & (bits - 1);
    const v = c.getR(sz, i.rm), vH = c.hi;
    const [cf, r, rH] = btApply(kind, v, vH, bit);
    if (kind !== BT) c.setR(sz, i.rm, r, rH);
    finish(c, cf);
    return;
  }
  // Signed bit offset of the operand size.
  let signed: number;
  if (sz === 8) signed = offH * 4294967296 + (off >>> 0);
  else if (sz === 4) signed = off;
  else signed = (off << 16) >> 16;
  const unitIndex = Math.floor(signed / bits);
  const bit = signed - unitIndex * bits;
  c.ea(i);
  // Address of the unit holding the bit: ea + unitIndex * sz (64-bit arithmetic).
  const delta = unitIndex * sz;
  if (i.asize === 8) {
    const t = (c.laLo >>> 0) + delta;
    const carry = Math.floor(t / 4294967296);
    c.laLo = t | 0;
    c.laHi = (c.laHi + carry) | 0;
  } else {
    c.laLo = (c.laLo + delta) | 0;
  }
  const v = c.readSz(sz, c.laLo, c.laHi), vH = c.hi;
  const [cf, r, rH] = btApply(kind, v, vH, bit);
  if (kind !== BT) c.writeSz(sz, c.laLo, c.laHi, r, rH);
  finish(c, cf);
}

/** bt* Ev, Ib: the offset is taken modulo the operand size, even for memory. */
export function btI(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const kind = i.reg & 7;
  const bit = i.immLo & (sz * 8 - 1);
  const v = c.readE(i, sz), vH = c.hi;
  const [cf, r, rH] = btApply(kind, v, vH, bit);
  if (kind !== BT) c.writeE(i, sz, r, rH);
  finish(c, cf);
}

function ctz32(v: number): number {
  return v === 0 ? 32 : 31 - Math.clz32(v & -v);
}

/** Trailing zeros of an sz-byte value (sz * 8 when zero). */
function tz(sz: number, v: number, vH: number): number {
  if (sz === 8) return v !== 0 ? ctz32(v) : 32 + ctz32(vH);
  const m = sz === 4 ? v : v & (sz === 2 ? 0xffff : 0xff);
  return m === 0 ? sz * 8 : ctz32(m);
}

/** Leading zeros of an sz-byte value (sz * 8 when zero). */
function lz(sz: number, v: number, vH: number): number {
  if (sz === 8) return vH !== 0 ? Math.clz32(vH) : 32 + Math.clz32(v);
  if (sz === 4) return Math.clz32(v);
  return Math.clz32(v & 0xffff) - 16;
}

function isZero(sz: number, v: number, vH: number): boolean {
  if (sz === 8) return (v | vH) === 0;
  return (sz === 4 ? v : v & 0xffff) === 0;
}

/** bsf/bsr: a zero source sets ZF and leaves the destination unchanged (AMD documents this). */
export function bsf(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.readE(i, sz), vH = c.hi;
  materialize(c);
  if (isZero(sz, v, vH)) { c.flags |= ZF; return; }
  c.flags &= ~ZF;
  c.setR(sz, i.reg, tz(sz, v, vH), 0);
}

export function bsr(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.readE(i, sz), vH = c.hi;
  materialize(c);
  if (isZero(sz, v, vH)) { c.flags |= ZF; return; }
  c.flags &= ~ZF;
  c.setR(sz, i.reg, sz * 8 - 1 - lz(sz, v, vH), 0);
}

export function tzcnt(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.readE(i, sz), vH = c.hi;
  const n = tz(sz, v, vH);
  c.setR(sz, i.reg, n, 0);
  materialize(c);
  c.flags = (c.flags & ~(CF | ZF)) | (n === sz * 8 ? CF : 0) | (n === 0 ? ZF : 0);
}

export function lzcnt(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.readE(i, sz), vH = c.hi;
  const n = lz(sz, v, vH);
  c.setR(sz, i.reg, n, 0);
  materialize(c);
  c.flags = (c.flags & ~(CF | ZF)) | (n === sz * 8 ? CF : 0) | (n === 0 ? ZF : 0);
}

function pop32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** popcnt: ZF when the source is zero; CF, OF, SF, AF, PF cleared. */
export function popcnt(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.readE(i, sz), vH = c.hi;
  const n = sz === 8 ? pop32(v) + pop32(vH) : pop32(sz === 4 ? v : v & 0xffff);
  c.setR(sz, i.reg, n, 0);
  setArith(c, n === 0 ? ZF : 0);
}
