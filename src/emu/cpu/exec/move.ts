// Data movement: mov forms, movzx/movsx/movsxd, lea, xchg, push/pop, bswap,
// cbw/cwd families, xlat, setcc, cmovcc.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { cond } from '../flags';
import { RAX, RBX, RDX, RSP } from '../regs';
import { REP_E } from '../insn';
import { VMEXIT } from '../../svm/exitcodes';
import { guard } from '../../svm/guard';

export function movEG(c: Cpu, i: Insn): void {
  const v = c.getR(i.osize, i.reg), h = c.hi;
  if (i.mem) c.ea(i);
  c.writeE(i, i.osize, v, h);
}

export function movGE(c: Cpu, i: Insn): void {
  const v = c.readE(i, i.osize);
  c.setR(i.osize, i.reg, v, c.hi);
}

export function movEI(c: Cpu, i: Insn): void {
  if (i.mem) c.ea(i);
  c.writeE(i, i.osize, i.immLo, i.immHi);
}

export function movZI(c: Cpu, i: Insn): void {
  c.setR(i.osize, i.reg, i.immLo, i.immHi);
}

/** A0/A1: mov AL/rAX, [moffs]. */
export function movAO(c: Cpu, i: Insn): void {
  const v = c.readE(i, i.osize);
  c.setR(i.osize, RAX, v, c.hi);
}

/** A2/A3: mov [moffs], AL/rAX. */
export function movOA(c: Cpu, i: Insn): void {
  const v = c.getR(i.osize, RAX), h = c.hi;
  c.ea(i);
  c.writeE(i, i.osize, v, h);
}

/** mov r/m, Sreg: a register gets the zero-extended selector, memory gets 16 bits. */
export function movESeg(c: Cpu, i: Insn): void {
  const s = i.reg & 7;
  if (s > 5) c.ud();
  const sel = c.segSel[s]! & 0xffff;
  if (i.mem) {
    c.ea(i);
    c.write16(c.laLo, c.laHi, sel);
  } else {
    c.setR(i.osize === 2 ? 2 : i.osize, i.rm, sel, 0);
  }
}

export function lea(c: Cpu, i: Insn): void {
  c.eaOffset(i);
  c.setR(i.osize, i.reg, c.laLo, c.laHi);
}

export function movzx(c: Cpu, i: Insn): void {
  const src = (i.op & 1) === 0 ? 1 : 2;
  const v = c.readE(i, src);
  c.setR(i.osize, i.reg, v, 0);
}

export function movsx(c: Cpu, i: Insn): void {
  const src = (i.op & 1) === 0 ? 1 : 2;
  let v = c.readE(i, src);
  v = src === 1 ? (v << 24) >> 24 : (v << 16) >> 16;
  c.setR(i.osize, i.reg, v, v >> 31);
}

export function movsxd(c: Cpu, i: Insn): void {
  const v = c.readE(i, 4);
  c.setR(i.osize, i.reg, v, v >> 31);
}

export function xchg(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const a = c.getR(sz, i.reg), aH = c.hi;
  const b = c.readE(i, sz), bH = c.hi;
  c.writeE(i, sz, a, aH);
  c.setR(sz, i.reg, b, bH);
}

/** 90+r: xchg r, rAX. 90 itself (no REX.B) is NOP, and F3 90 is PAUSE. */
export function xchgA(c: Cpu, i: Insn): void {
  if (i.reg === RAX) {
    // 90 is NOP; F3 90 is PAUSE, which a guest may have intercepted.
    if (i.rep === REP_E && c.svm.guest) guard(c, VMEXIT.PAUSE);
    return;
  }
  const sz = i.osize;
  const a = c.getR(sz, i.reg), aH = c.hi;
  const b = c.getR(sz, RAX), bH = c.hi;
  c.setR(sz, i.reg, b, bH);
  c.setR(sz, RAX, a, aH);
}

export function pushZ(c: Cpu, i: Insn): void {
  const v = c.getR(i.osize, i.reg);
  c.push(i.osize, v, c.hi);
}

export function popZ(c: Cpu, i: Insn): void {
  const v = c.pop(i.osize);
  c.setR(i.osize, i.reg, v, c.hi);
}

export function pushI(c: Cpu, i: Insn): void {
  c.push(i.osize, i.immLo, i.immHi);
}

export function pushE(c: Cpu, i: Insn): void {
  const v = c.readE(i, i.osize);
  c.push(i.osize, v, c.hi);
}

/** pop r/m: a memory operand's address is computed with RSP already incremented. */
export function popE(c: Cpu, i: Insn): void {
  const sz = i.osize;
  const v = c.peek(sz, 0), h = c.hi;
  if (!i.mem) {
    c.adjustSp(sz);
    c.setR(sz, i.rm, v, h);
    return;
  }
  const oldLo = c.r[RSP * 2]!, oldHi = c.r[RSP * 2 + 1]!;
  c.adjustSp(sz);
  try {
    c.ea(i);
    c.writeE(i, sz, v, h);
  } catch (e) {
    c.r[RSP * 2] = oldLo;
    c.r[RSP * 2 + 1] = oldHi;
    throw e;
  }
}

function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

export function bswap(c: Cpu, i: Insn): void {
  const k = i.reg << 1;
  if (i.osize === 8) {
    const lo = c.r[k]!, hi = c.r[k + 1]!;
    c.r[k] = bswap32(hi);
    c.r[k + 1] = bswap32(lo);
  } else if (i.osize === 4) {
    c.setR(4, i.reg, bswap32(c.r[k]!), 0);
  } else {
    c.setR(2, i.reg, 0, 0); // BSWAP r16 is undefined; AMD and Intel parts give zero
  }
}

/** 98: cbw / cwde / cdqe. */
export function cbw(c: Cpu, i: Insn): void {
  const a = c.r[RAX * 2]!;
  if (i.osize === 2) c.setR(2, RAX, (a << 24) >> 24, 0);
  else if (i.osize === 4) c.setR(4, RAX, (a << 16) >> 16, 0);
  else c.setR(8, RAX, a, a >> 31);
}

/** 99: cwd / cdq / cqo. */
export function cwd(c: Cpu, i: Insn): void {
  if (i.osize === 2) c.setR(2, RDX, (c.r[RAX * 2]! << 16) >> 31, 0);
  else if (i.osize === 4) c.setR(4, RDX, c.r[RAX * 2]! >> 31, 0);
  else { const s = c.r[RAX * 2 + 1]! >> 31; c.setR(8, RDX, s, s); }
}

/** D7: AL = [seg: rBX + AL]. */
export function xlat(c: Cpu, i: Insn): void {
  const al = c.r[RAX * 2]! & 0xff;
  const r = c.r;
  if (i.asize === 8) {
    const t = (r[RBX * 2]! >>> 0) + al;
    const hi = (r[RBX * 2 + 1]! + (t > 0xffffffff ? 1 : 0)) | 0;
    c.laLo = t | 0;
    c.laHi = hi;
    if (i.seg >= 4) c.linear(i.seg, 0); // FS/GS: base + offset via ea path below
  }
  const off = i.asize === 2 ? (r[RBX * 2]! + al) & 0xffff : (r[RBX * 2]! + al) | 0;
  if (i.asize !== 8) c.linear(i.seg, off);
  else if (i.seg >= 4) {
    // Offset is 64-bit here; add the FS/GS base.
    const t = (r[RBX * 2]! >>> 0) + al + (c.segBaseLo[i.seg]! >>> 0);
    c.laLo = t | 0;
    c.laHi = (r[RBX * 2 + 1]! + c.segBaseHi[i.seg]! + Math.floor(t / 4294967296)) | 0;
  }
  c.setR(1, RAX, c.read8(c.laLo, c.laHi), 0);
}

export function setcc(c: Cpu, i: Insn): void {
  const v = cond(c, i.cc) ? 1 : 0;
  if (i.mem) c.ea(i);
  c.writeE(i, 1, v, 0);
}

/** cmovcc reads its source even when the condition is false, and a 32-bit form always zero-extends. */
export function cmovcc(c: Cpu, i: Insn): void {
  const v = c.readE(i, i.osize), h = c.hi;
  if (cond(c, i.cc)) c.setR(i.osize, i.reg, v, h);
  else if (i.osize === 4) c.setR(4, i.reg, c.r[i.reg << 1]!, 0);
}
