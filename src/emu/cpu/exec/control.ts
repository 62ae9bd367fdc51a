// Near control transfer: jcc, jmp, call, ret, loop family, jrcxz, enter, leave.
// Targets are checked (canonical, CS limit) before anything is pushed, so a
// faulting branch leaves no trace.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { cond, getZF } from '../flags';
import { RBP, RCX, RSP } from '../regs';

export function jcc(c: Cpu, i: Insn): void {
  if (cond(c, i.cc)) c.jumpRel(i.immLo, i.osize);
}

export function jmp(c: Cpu, i: Insn): void {
  c.jumpRel(i.immLo, i.osize);
}

/** Zero-extend a near target of the operand size. */
function target(sz: number, lo: number, hi: number, c: Cpu): void {
  if (sz === 8) c.setRip(lo, hi);
  else c.setRip(sz === 2 ? lo & 0xffff : lo, 0);
}

export function jmpE(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const lo = c.readE(i, sz);
  target(sz, lo, sz === 8 ? c.hi : 0, c);
}

/**
 * The second half of a near call: RIP is already on the (validated) target and the return
 * address is pushed. If the push faults, RIP is back on the return address and the step loop
 * rewinds it to the call, so nothing is left half done. (No closure for the jump: a call
 * allocated one every time, in the interpreter and in compiled blocks alike.)
 */
function pushReturn(c: Cpu, sz: number, retLo: number, retHi: number): void {
  const tLo = c.ripLo, tHi = c.ripHi;
  c.ripLo = retLo;
  c.ripHi = retHi;
  c.push(sz, retLo, retHi);
  c.ripLo = tLo;
  c.ripHi = tHi;
}

export function call(c: Cpu, i: Insn): void {
  const retLo = c.ripLo, retHi = c.ripHi;
  c.jumpRel(i.immLo, i.osize);
  pushReturn(c, i.osize, retLo, retHi);
}

export function callE(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const lo = c.readE(i, sz);
  const hi = sz === 8 ? c.hi : 0;
  const retLo = c.ripLo, retHi = c.ripHi;
  target(sz, lo, hi, c);
  pushReturn(c, sz, retLo, retHi);
}

/** ret / ret imm16. */
export function ret(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const lo = c.peek(sz, 0);
  const hi = sz === 8 ? c.hi : 0;
  target(sz, lo, hi, c);
  c.adjustSp(sz + (i.op === 0xc2 ? i.immLo & 0xffff : 0));
}

/** The count register of the address size, decremented; returns whether it is now non-zero. */
function decCount(c: Cpu, asize: number): boolean {
  const r = c.r;
  const k = RCX << 1;
  if (asize === 8) {
    const lo = r[k]!;
    r[k] = (lo - 1) | 0;
    if (lo === 0) r[k + 1] = (r[k + 1]! - 1) | 0;
    return (r[k]! | r[k + 1]!) !== 0;
  }
  if (asize === 4) {
    r[k] = (r[k]! - 1) | 0;
    r[k + 1] = 0;
    return r[k] !== 0;
  }
  r[k] = (r[k]! & ~0xffff) | ((r[k]! - 1) & 0xffff);
  return (r[k]! & 0xffff) !== 0;
}

/** E0 loopne, E1 loope, E2 loop. */
export function loop(c: Cpu, i: Insn): void {
  // Compute the branch target first: a #GP leaves RCX untouched.
  const nz = countAfterDec(c, i.asize);
  let take = nz;
  if (i.op === 0xe0) take = nz && getZF(c) === 0;
  else if (i.op === 0xe1) take = nz && getZF(c) !== 0;
  if (take) c.jumpRel(i.immLo, i.osize);
  decCount(c, i.asize);
}

function countAfterDec(c: Cpu, asize: number): boolean {
  const r = c.r;
  const k = RCX << 1;
  if (asize === 8) return !(r[k] === 1 && r[k + 1] === 0);
  if (asize === 4) return r[k] !== 1;
  return (r[k]! & 0xffff) !== 1;
}

export function jrcxz(c: Cpu, i: Insn): void {
  const r = c.r;
  const k = RCX << 1;
  const zero = i.asize === 8 ? (r[k]! | r[k + 1]!) === 0 : i.asize === 4 ? r[k] === 0 : (r[k]! & 0xffff) === 0;
  if (zero) c.jumpRel(i.immLo, i.osize);
}

/** enter imm16, imm8: push rBP, copy nesting-level frame pointers, allocate locals. */
export function enter(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const size = i.immLo & 0xffff;
  const level = i.imm2 & 31;
  const r = c.r;
  const saveSp = [r[RSP * 2]!, r[RSP * 2 + 1]!];
  const saveBp = [r[RBP * 2]!, r[RBP * 2 + 1]!];
  try {
    const bp = c.getR(sz, RBP), bpH = c.hi;
    c.push(sz, bp, bpH);
    const frameLo = r[RSP * 2]!, frameHi = r[RSP * 2 + 1]!;
    if (level > 0) {
      let pLo = bp, pHi = bpH;
      for (let k = 1; k < level; k++) {
        // rBP -= sz; push [rBP]
        const t = (pLo >>> 0) - sz;
        pLo = t | 0;
        if (sz === 8 && t < 0) pHi = (pHi - 1) | 0;
        if (sz === 8) { c.laLo = pLo; c.laHi = pHi; } else c.linear(2, sz === 2 ? pLo & 0xffff : pLo);
        const v = c.readSz(sz, c.laLo, c.laHi);
        c.push(sz, v, c.hi);
      }
      c.push(sz, frameLo, frameHi);
    }
    c.setR(sz === 8 ? 8 : c.stackSize === 8 ? 8 : sz, RBP, frameLo, frameHi);
    c.adjustSp(-size);
  } catch (e) {
    r[RSP * 2] = saveSp[0]!; r[RSP * 2 + 1] = saveSp[1]!;
    r[RBP * 2] = saveBp[0]!; r[RBP * 2 + 1] = saveBp[1]!;
    throw e;
  }
}

/** leave: rSP = rBP, then pop rBP. */
export function leave(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const r = c.r;
  const oldLo = r[RSP * 2]!, oldHi = r[RSP * 2 + 1]!;
  if (c.stackSize === 8) { r[RSP * 2] = r[RBP * 2]!; r[RSP * 2 + 1] = r[RBP * 2 + 1]!; }
  else if (c.stackSize === 4) { r[RSP * 2] = r[RBP * 2]!; r[RSP * 2 + 1] = 0; }
  else r[RSP * 2] = (r[RSP * 2]! & ~0xffff) | (r[RBP * 2]! & 0xffff);
  try {
    const v = c.pop(sz);
    c.setR(sz, RBP, v, c.hi);
  } catch (e) {
    r[RSP * 2] = oldLo;
    r[RSP * 2 + 1] = oldHi;
    throw e;
  }
}
