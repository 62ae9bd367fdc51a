// Integer arithmetic and logic: the ALU block (add..cmp), test, not, neg,
// inc, dec, xadd, cmpxchg, cmpxchg8b/16b. Flags are recorded lazily (flags.ts).
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { Lazy, getCF, materialize, ZF } from '../flags';
import { CpuFault, GP } from '../fault';
import { RAX, RBX, RCX, RDX } from '../regs';

const ADD = 0, OR = 1, ADC = 2, SBB = 3, AND = 4, SUB = 5, XOR = 6, CMP = 7;

function lazy(c: Cpu, op: Lazy, sz: number, r: number, d: number, s: number): void {
  c.lop = op;
  c.lsz = sz;
  c.lres = r;
  c.ldst = d;
  c.lsrc = s;
}

function lazy64(c: Cpu, op: Lazy, r: number, rH: number, d: number, dH: number, s: number, sH: number): void {
  c.lop = op;
  c.lsz = 8;
  c.lres = r;
  c.lresH = rH;
  c.ldst = d;
  c.ldstH = dH;
  c.lsrc = s;
  c.lsrcH = sH;
}

export const MASK = [0, 0xff, 0xffff, 0, -1, 0, 0, 0, -1];

/** One of the eight ALU operations; returns the low result, high half in c.hi. */
export function alu(c: Cpu, op: number, sz: number, d: number, dH: number, s: number, sH: number): number {
  if (sz === 8) return alu64(c, op, d, dH, s, sH);
  const m = MASK[sz]!;
  d &= m;
  s &= m;
  let r: number;
  switch (op) {
    case ADD: r = (d + s) & m; lazy(c, Lazy.Add, sz, r, d, s); break;
    case OR: r = (d | s) & m; lazy(c, Lazy.Logic, sz, r, d, s); break;
    case ADC: { const cin = getCF(c); r = (d + s + cin) & m; lazy(c, Lazy.Adc, sz, r, d, s); c.lcf = cin; break; }
    case SBB: { const cin = getCF(c); r = (d - s - cin) & m; lazy(c, Lazy.Sbb, sz, r, d, s); c.lcf = cin; break; }
    case AND: r = d & s & m; lazy(c, Lazy.Logic, sz, r, d, s); break;
    case XOR: r = (d ^ s) & m; lazy(c, Lazy.Logic, sz, r, d, s); break;
    default: r = (d - s) & m; lazy(c, Lazy.Sub, sz, r, d, s); break; // SUB, CMP
  }
  c.hi = 0;
  return r;
}

function alu64(c: Cpu, op: number, d: number, dH: number, s: number, sH: number): number {
  let r: number, rH: number;
  switch (op) {
    case ADD: case ADC: {
      const cin = op === ADC ? getCF(c) : 0;
      const t = (d >>> 0) + (s >>> 0) + cin;
      r = t | 0;
      rH = (dH + sH + (t > 0xffffffff ? 1 : 0)) | 0;
      lazy64(c, op === ADC ? Lazy.Adc : Lazy.Add, r, rH, d, dH, s, sH);
      c.lcf = cin;
      break;
    }
    case SUB: case SBB: case CMP: {
      const cin = op === SBB ? getCF(c) : 0;
      const t = (d >>> 0) - (s >>> 0) - cin;
      r = t | 0;
      rH = (dH - sH - (t < 0 ? 1 : 0)) | 0;
      lazy64(c, op === SBB ? Lazy.Sbb : Lazy.Sub, r, rH, d, dH, s, sH);
      c.lcf = cin;
      break;
    }
    case OR: r = d | s; rH = dH | sH; lazy64(c, Lazy.Logic, r, rH, d, dH, s, sH); break;
    case AND: r = d & s; rH = dH & sH; lazy64(c, Lazy.Logic, r, rH, d, dH, s, sH); break;
    default: r = d ^ s; rH = dH ^ sH; lazy64(c, Lazy.Logic, r, rH, d, dH, s, sH); break;
  }
  c.hi = rH;
  return r;
}

/** 00..3D: op E, G (and 80..83 below). */
export function aluEG(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const op = i.op >> 3;
  const s = c.getR(sz, i.reg), sH = c.hi;
  const d = c.readE(i, sz), dH = c.hi;
  const r = alu(c, op, sz, d, dH, s, sH);
  if (op !== CMP) c.writeE(i, sz, r, c.hi);
}

export function aluGE(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const op = i.op >> 3;
  const s = c.readE(i, sz), sH = c.hi;
  const d = c.getR(sz, i.reg), dH = c.hi;
  const r = alu(c, op, sz, d, dH, s, sH);
  if (op !== CMP) c.setR(sz, i.reg, r, c.hi);
}

export function aluAI(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const op = i.op >> 3;
  const d = c.getR(sz, RAX), dH = c.hi;
  const r = alu(c, op, sz, d, dH, i.immLo, i.immHi);
  if (op !== CMP) c.setR(sz, RAX, r, c.hi);
}

export function aluEI(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const op = i.reg & 7;
  const d = c.readE(i, sz), dH = c.hi;
  const r = alu(c, op, sz, d, dH, i.immLo, i.immHi);
  if (op !== CMP) c.writeE(i, sz, r, c.hi);
}

export function testEG(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.getR(sz, i.reg), sH = c.hi;
  const d = c.readE(i, sz), dH = c.hi;
  alu(c, AND, sz, d, dH, s, sH);
}

export function testAI(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.getR(sz, RAX), dH = c.hi;
  alu(c, AND, sz, d, dH, i.immLo, i.immHi);
}

export function testEI(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  alu(c, AND, sz, d, dH, i.immLo, i.immHi);
}

export function not(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  c.writeE(i, sz, ~d, ~dH);
}

export function neg(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  const r = alu(c, SUB, sz, 0, 0, d, dH);
  c.writeE(i, sz, r, c.hi);
}

function incdec(c: Cpu, sz: number, d: number, dH: number, dec: boolean): number {
  const cf = getCF(c);
  const r = alu(c, dec ? SUB : ADD, sz, d, dH, 1, 0);
  c.lop = dec ? Lazy.Dec : Lazy.Inc;
  c.lcf = cf;
  return r;
}

export function inc(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  const r = incdec(c, sz, d, dH, false);
  c.writeE(i, sz, r, c.hi);
}

export function dec(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  const r = incdec(c, sz, d, dH, true);
  c.writeE(i, sz, r, c.hi);
}

/** 40+r / 48+r (32-bit mode only). */
export function incZ(c: Cpu, i: Insn): void {
  const d = c.getR(i.osize, i.reg), dH = c.hi;
  const r = incdec(c, i.osize, d, dH, false);
  c.setR(i.osize, i.reg, r, c.hi);
}
export function decZ(c: Cpu, i: Insn): void {
  const d = c.getR(i.osize, i.reg), dH = c.hi;
  const r = incdec(c, i.osize, d, dH, true);
  c.setR(i.osize, i.reg, r, c.hi);
}

export function xadd(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const s = c.getR(sz, i.reg), sH = c.hi;
  const d = c.readE(i, sz), dH = c.hi;
  const r = alu(c, ADD, sz, d, dH, s, sH);
  const rH = c.hi;
  if (i.mem) {
    c.writeE(i, sz, r, rH);
    c.setR(sz, i.reg, d, dH);
  } else {
    c.setR(sz, i.reg, d, dH);
    c.setR(sz, i.rm, r, rH);
  }
}

export function cmpxchg(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const d = c.readE(i, sz), dH = c.hi;
  const a = c.getR(sz, RAX), aH = c.hi;
  alu(c, CMP, sz, a, aH, d, dH);
  const equal = (a & MASK[sz]!) === (d & MASK[sz]!) && (sz !== 8 || aH === dH);
  if (equal) {
    const s = c.getR(sz, i.reg), sH = c.hi;
    c.writeE(i, sz, s, sH);
  } else {
    // A memory destination is written back even when the comparison fails (a locked
    // read-modify-write); a register destination is left alone (checked on AMD hardware).
    if (i.mem) c.writeE(i, sz, d, dH);
    c.setR(sz, RAX, d, dH);
  }
}

/** cmpxchg8b m64 / cmpxchg16b m128 (REX.W): compare rDX:rAX, store rCX:rBX. */
export function cmpxchg8b(c: Cpu, i: Insn): void {
  c.ea(i);
  const lo = c.laLo, hi = c.laHi;
  if (i.osize === 8) {
    if ((lo & 15) !== 0) throw new CpuFault(GP, 0);
    const m0 = c.read64(lo, hi), m0H = c.hi;
    const nlo = (lo + 8) | 0;
    const nhi = nlo >>> 0 < 8 ? hi + 1 : hi;
    const m1 = c.read64(nlo, nhi), m1H = c.hi;
    const r = c.r;
    const eq = m0 === r[RAX * 2] && m0H === r[RAX * 2 + 1] && m1 === r[RDX * 2] && m1H === r[RDX * 2 + 1];
    materialize(c);
    if (eq) {
      c.write64(lo, hi, r[RBX * 2]!, r[RBX * 2 + 1]!);
      c.write64(nlo, nhi, r[RCX * 2]!, r[RCX * 2 + 1]!);
      c.flags |= ZF;
    } else {
      c.write64(lo, hi, m0, m0H);
      c.write64(nlo, nhi, m1, m1H);
      c.setR(8, RAX, m0, m0H);
      c.setR(8, RDX, m1, m1H);
      c.flags &= ~ZF;
    }
    return;
  }
  const m0 = c.read64(lo, hi), m1 = c.hi;
  const r = c.r;
  const eq = m0 === r[RAX * 2] && m1 === r[RDX * 2];
  materialize(c);
  if (eq) {
    c.write64(lo, hi, r[RBX * 2]!, r[RCX * 2]!);
    c.flags |= ZF;
  } else {
    c.write64(lo, hi, m0, m1);
    c.setR(4, RAX, m0, 0);
    c.setR(4, RDX, m1, 0);
    c.flags &= ~ZF;
  }
}
