// System instructions: descriptor tables, segment loads, far transfers,
// software interrupts, iret, cli/sti, syscall/sysret, swapgs, invlpg and the
// cache/monitor/counter instructions. Control registers are in sysregs.ts,
// MSRs in msrs.ts, port I/O in portio.ts.
import type { Cpu } from '../cpu';
import { LDTR, TR } from '../cpu';
import type { Insn } from '../insn';
import { CS, DS, ES, FS, GS, SS } from '../insn';
import { CpuFault, GP, UD, OF as OF_VEC, DB } from '../fault';
import { getFlags, materialize, getOF, IF, IOPL, RF, VM } from '../flags';
import { RAX, RCX, RDX, RSP, R11 } from '../regs';
import { EFER, CR4 } from '../msr';
import { PLAIN_SLOT } from '../plain-msrs';
import { deliverEvent, iret as iretImpl } from '../interrupts';
import { VMEXIT } from '../../svm/exitcodes';
import { guard } from '../../svm/guard';
import { A_L, checkCodeSegment, loadCodeSegment, loadDataSegment, loadLdt, loadTr, setSegment, attrDpl } from '../segments';
import { requireCpl0 } from './sysregs';
import { canonical } from '../canonical';

// ------------------------------------------------------------ descriptor tables

/** lgdt/lidt/sgdt/sidt: 0F 01 /0../3 with a memory operand (limit16, base 32 or 64). */
export function descTable(c: Cpu, i: Insn): void {
  const which = i.reg & 7;
  if (which >= 2) requireCpl0(c);
  if (c.svm.guest) guard(c, [VMEXIT.GDTR_READ, VMEXIT.IDTR_READ, VMEXIT.GDTR_WRITE, VMEXIT.IDTR_WRITE][which]!);
  c.ea(i);
  const lo = c.laLo, hi = c.laHi;
  const nlo = (lo + 2) | 0, nhi = nlo >>> 0 < 2 ? hi + 1 : hi;
  if (which >= 2) {
    requireCpl0(c);
    const limit = c.read16(lo, hi);
    let bLo: number, bHi = 0;
    if (c.mode === 64) { bLo = c.read64(nlo, nhi); bHi = c.hi; if (!canonical(bHi)) throw new CpuFault(GP, 0); }
    else bLo = c.read32(nlo, nhi) & (i.osize === 2 ? 0xffffff : -1);
    if (which === 2) { c.gdtrLimit = limit; c.gdtrBaseLo = bLo; c.gdtrBaseHi = bHi; }
    else { c.idtrLimit = limit; c.idtrBaseLo = bLo; c.idtrBaseHi = bHi; }
    return;
  }
  const limit = which === 0 ? c.gdtrLimit : c.idtrLimit;
  const bLo = which === 0 ? c.gdtrBaseLo : c.idtrBaseLo;
  const bHi = which === 0 ? c.gdtrBaseHi : c.idtrBaseHi;
  c.write16(lo, hi, limit);
  if (c.mode === 64) c.write64(nlo, nhi, bLo, bHi);
  else c.write32(nlo, nhi, bLo);
}

/** 0F 00 /0 sldt, /1 str: store a selector. */
export function storeSel(c: Cpu, i: Insn): void {
  if ((c.cr0 & 1) === 0) throw new CpuFault(UD);
  if (c.svm.guest) guard(c, (i.reg & 7) === 0 ? VMEXIT.LDTR_READ : VMEXIT.TR_READ);
  const sel = c.segSel[(i.reg & 7) === 0 ? LDTR : TR]! & 0xffff;
  if (i.mem) { c.ea(i); c.write16(c.laLo, c.laHi, sel); }
  else c.setR(i.osize === 2 ? 2 : i.osize, i.rm, sel, 0);
}

/** 0F 00 /2 lldt, /3 ltr. */
export function loadSysSel(c: Cpu, i: Insn): void {
  if ((c.cr0 & 1) === 0) throw new CpuFault(UD);
  requireCpl0(c);
  if (c.svm.guest) guard(c, (i.reg & 7) === 2 ? VMEXIT.LDTR_WRITE : VMEXIT.TR_WRITE);
  const sel = c.readE(i, 2) & 0xffff;
  if ((i.reg & 7) === 2) loadLdt(c, sel);
  else loadTr(c, sel);
}

export function invlpg(c: Cpu, i: Insn): void {
  requireCpl0(c);
  c.ea(i);
  // With decode assists EXITINFO1 is the linear address (APM §15.33).
  if (c.svm.guest) guard(c, VMEXIT.INVLPG, ...(c.model.svm.DecodeAssists ? [c.laLo, c.laHi] as const : [0, 0] as const));
  c.mmu.invalidate(c.laLo, c.laHi);
}

export function swapgs(c: Cpu, _i: Insn): void {
  if (c.mode !== 64) throw new CpuFault(UD);
  requireCpl0(c);
  const m = c.msrs, k = PLAIN_SLOT.KERNEL_GS_BASE;
  const lo = m.lo(k), hi = m.hi(k);
  m.put(k, c.segBaseLo[GS]!, c.segBaseHi[GS]!);
  c.segBaseLo[GS] = lo;
  c.segBaseHi[GS] = hi;
}

/** invd (0F 08), wbinvd (0F 09), wbnoinvd (F3 0F 09): caches are not modelled. */
export function privNop(c: Cpu, i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) guard(c, i.op === 0x08 ? VMEXIT.INVD : VMEXIT.WBINVD);
}

/** rdpmc: no performance counters are modelled; the four legacy ones read zero. */
export function rdpmc(c: Cpu, _i: Insn): void {
  if (c.cpl > 0 && !(c.cr4 & CR4.PCE)) throw new CpuFault(GP, 0);
  if (c.svm.guest) guard(c, VMEXIT.RDPMC);
  if ((c.r[RCX * 2]! >>> 0) > 3) throw new CpuFault(GP, 0);
  c.setR(4, RAX, 0, 0);
  c.setR(4, RDX, 0, 0);
}

/** monitor (0F 01 C8): arms the (unmodelled) monitor; CPL 0 only here. */
export function monitor(c: Cpu, _i: Insn): void {
  if (c.cpl !== 0) throw new CpuFault(UD);
  if (c.svm.guest) guard(c, VMEXIT.MONITOR);
  c.monitorArmed = true;
}

/** mwait (0F 01 C9): may return at once, which is what it does (nothing else writes the line). */
export function mwait(c: Cpu, _i: Insn): void {
  if (c.cpl !== 0) throw new CpuFault(UD);
  if (c.svm.guest) {
    guard(c, VMEXIT.MWAIT);
    if (c.monitorArmed) guard(c, VMEXIT.MWAIT_CONDITIONAL);
  }
  c.monitorArmed = false;
}

// ------------------------------------------------------------ segment registers

const SEG_OF_PUSH: Record<number, number> = { 0x06: ES, 0x0e: CS, 0x16: SS, 0x1e: DS, 0xa0: FS, 0xa8: GS };
const SEG_OF_POP: Record<number, number> = { 0x07: ES, 0x17: SS, 0x1f: DS, 0xa1: FS, 0xa9: GS };

export function pushSeg(c: Cpu, i: Insn): void {
  c.push(i.osize, c.segSel[SEG_OF_PUSH[i.op]!]! & 0xffff, 0);
}

export function popSeg(c: Cpu, i: Insn): void {
  const seg = SEG_OF_POP[i.op]!;
  const sel = c.peek(i.osize, 0) & 0xffff;
  loadDataSegment(c, seg, sel);
  c.adjustSp(i.osize);
  if (seg === SS) c.shadowAt = c.instructions + 1;
}

/** mov Sreg, r/m16 (8E): CS is not a valid destination (decoded as #UD). */
export function movSegFromE(c: Cpu, i: Insn): void {
  const s = i.reg & 7;
  const sel = c.readE(i, 2) & 0xffff;
  loadDataSegment(c, s, sel);
  if (s === SS) c.shadowAt = c.instructions + 1;
}

/** lss/lfs/lgs/lds/les: a far pointer (offset, then selector) from memory. */
export function loadFarPointer(c: Cpu, i: Insn): void {
  const seg = i.op === 0xb2 ? SS : i.op === 0xb4 ? FS : i.op === 0xb5 ? GS : i.op === 0xc4 ? ES : DS;
  c.ea(i);
  const lo = c.laLo, hi = c.laHi;
  const sz = i.osize;
  const off = c.readSz(sz, lo, hi), offH = c.hi;
  const t = (lo >>> 0) + sz;
  const sel = c.read16(t | 0, (hi + Math.floor(t / 4294967296)) | 0);
  loadDataSegment(c, seg, sel);
  c.setR(sz, i.reg, off, offH);
}

// ------------------------------------------------------------ far transfers

function farTarget(c: Cpu, sel: number, offLo: number, offHi: number, osize: number): { d: ReturnType<typeof checkCodeSegment>; newCpl: number } {
  const d = checkCodeSegment(c, sel);
  const dpl = attrDpl(d.attr);
  const rpl = sel & 3;
  const conforming = (d.attr & 4) !== 0;
  if (conforming ? dpl > c.cpl : rpl > c.cpl || dpl !== c.cpl) throw new CpuFault(GP, sel & 0xfffc);
  const long = (d.attr & A_L) !== 0 && (c.efer & 0x400) !== 0;
  const limit = d.limit >>> 0;
  if (!long && (offLo >>> 0) > limit) throw new CpuFault(GP, 0);
  if (long && !canonical(offHi)) throw new CpuFault(GP, 0);
  void osize;
  return { d, newCpl: c.cpl };
}

function readFarPtr(c: Cpu, i: Insn): [number, number, number] {
  c.ea(i);
  const sz = i.osize;
  const off = c.readSz(sz, c.laLo, c.laHi), offH = sz === 8 ? c.hi : 0;
  const t = (c.laLo >>> 0) + sz;
  const sel = c.read16(t | 0, (c.laHi + Math.floor(t / 4294967296)) | 0);
  return [sz === 2 ? off & 0xffff : off, offH, sel];
}

function doFarJump(c: Cpu, sel: number, lo: number, hi: number, osize: number): void {
  const { d, newCpl } = farTarget(c, sel, lo, hi, osize);
  loadCodeSegment(c, sel, d, newCpl);
  c.ripLo = lo;
  c.ripHi = c.mode === 64 ? hi : 0;
}

/** EA (ptr16:16/32) and FF /5 (m16:16/32/64). */
export function jmpFar(c: Cpu, i: Insn): void {
  if (i.mem) { const [lo, hi, sel] = readFarPtr(c, i); doFarJump(c, sel, lo, hi, i.osize); }
  else doFarJump(c, i.imm2 & 0xffff, i.osize === 2 ? i.immLo & 0xffff : i.immLo, 0, i.osize);
}

/** 9A and FF /3: push CS and the return address, then transfer. */
export function callFar(c: Cpu, i: Insn): void {
  let lo: number, hi: number, sel: number;
  if (i.mem) [lo, hi, sel] = readFarPtr(c, i);
  else { lo = i.osize === 2 ? i.immLo & 0xffff : i.immLo; hi = 0; sel = i.imm2 & 0xffff; }
  const { d, newCpl } = farTarget(c, sel, lo, hi, i.osize);
  const w = i.osize;
  c.push(w, c.segSel[CS]! & 0xffff, 0);
  c.push(w, c.ripLo, c.ripHi);
  loadCodeSegment(c, sel, d, newCpl);
  c.ripLo = lo;
  c.ripHi = c.mode === 64 ? hi : 0;
}

/** CB / CA imm16: far return, to an outer privilege level with SS:RSP. */
export function retFar(c: Cpu, i: Insn): void {
  const w = i.osize;
  const lo = c.peek(w, 0), hi = w === 8 ? c.hi : 0;
  const sel = c.peek(w, w) & 0xffff;
  const rpl = sel & 3;
  if (rpl < c.cpl) throw new CpuFault(GP, sel & 0xfffc);
  const d = checkCodeSegment(c, sel);
  const conforming = (d.attr & 4) !== 0;
  if (conforming ? attrDpl(d.attr) > rpl : attrDpl(d.attr) !== rpl) throw new CpuFault(GP, sel & 0xfffc);
  const extra = i.op === 0xca ? i.immLo & 0xffff : 0;
  if (rpl > c.cpl) {
    const spLo = c.peek(w, 2 * w + extra), spHi = w === 8 ? c.hi : 0;
    const ss = c.peek(w, 3 * w + extra) & 0xffff;
    const oldCpl = c.cpl;
    loadCodeSegment(c, sel, d, rpl);
    try { loadDataSegment(c, SS, ss); } catch (e) { c.cpl = oldCpl; throw e; }
    c.r[RSP * 2] = spLo;
    c.r[RSP * 2 + 1] = spHi;
    c.adjustSp(extra);
  } else {
    loadCodeSegment(c, sel, d, rpl);
    c.adjustSp(2 * w + extra);
  }
  c.ripLo = w === 2 ? lo & 0xffff : lo;
  c.ripHi = c.mode === 64 ? hi : 0;
}

// ------------------------------------------------------------ interrupts

/** CD ib: int n (a software interrupt: the gate's DPL is checked). */
export function intN(c: Cpu, i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.SWINT, c.model.svm.DecodeAssists ? i.immLo & 0xff : 0);
  deliverEvent(c, i.immLo & 0xff, -1, 'soft');
}
export function into(c: Cpu, _i: Insn): void {
  if (getOF(c)) throw new CpuFault(OF_VEC, -1, true);
}
/** F1: int1 / icebp, a trap-like #DB that ignores the gate DPL. */
export function int1(c: Cpu, _i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.ICEBP);
  throw new CpuFault(DB, -1, true);
}
export function iret(c: Cpu, i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.IRET);
  iretImpl(c, i.osize);
}

export function cli(c: Cpu, _i: Insn): void {
  if (c.cpl > ((c.flags & IOPL) >>> 12)) throw new CpuFault(GP, 0);
  c.flags &= ~IF;
}
export function sti(c: Cpu, _i: Insn): void {
  if (c.cpl > ((c.flags & IOPL) >>> 12)) throw new CpuFault(GP, 0);
  if ((c.flags & IF) === 0) c.shadowAt = c.instructions + 1; // the shadow: one more instruction first
  c.flags |= IF;
  c.irqCheck = true;
}

// ------------------------------------------------------------ syscall / sysret

function star(c: Cpu): [number, number] {
  return [c.msrs.lo(PLAIN_SLOT.STAR), c.msrs.hi(PLAIN_SLOT.STAR)];
}

/** syscall (APM Vol 3): flat CS/SS from STAR, RIP from LSTAR (64-bit) or CSTAR (compatibility). */
export function syscall(c: Cpu, _i: Insn): void {
  if (!(c.efer & EFER.SCE)) throw new CpuFault(UD);
  const sel = (star(c)[1] & 0xffff) & 0xfffc;
  const long = (c.efer & EFER.LMA) !== 0;
  const fl = getFlags(c) & ~RF;
  if (long) {
    c.setR(8, RCX, c.ripLo, c.ripHi);
    c.setR(8, R11, fl, 0);
    const ts = c.mode === 64 ? PLAIN_SLOT.LSTAR : PLAIN_SLOT.CSTAR;
    const target = [c.msrs.lo(ts), c.msrs.hi(ts)] as const;
    const mask = c.msrs.lo(PLAIN_SLOT.SFMASK);
    c.cpl = 0;
    setSegment(c, CS, sel, 0, 0, -1, 0xa9b); // 64-bit code, DPL 0
    setSegment(c, SS, sel + 8, 0, 0, -1, 0xc93);
    materialize(c);
    c.flags = (c.flags & ~mask & ~RF) | 2;
    c.ripLo = target[0];
    c.ripHi = target[1];
  } else {
    c.setR(4, RCX, c.ripLo, 0);
    c.cpl = 0;
    setSegment(c, CS, sel, 0, 0, -1, 0xc9b);
    setSegment(c, SS, sel + 8, 0, 0, -1, 0xc93);
    materialize(c);
    c.flags &= ~(VM | IF | RF);
    c.ripLo = star(c)[0];
    c.ripHi = 0;
  }
}

export function sysret(c: Cpu, i: Insn): void {
  if (!(c.efer & EFER.SCE)) throw new CpuFault(UD);
  if (c.cpl !== 0 || !(c.cr0 & 1)) throw new CpuFault(GP, 0);
  const base = (star(c)[1] >>> 16) & 0xffff;
  const long = (c.efer & EFER.LMA) !== 0;
  if (long) {
    const to64 = i.osize === 8;
    const rLo = c.r[RCX * 2]!, rHi = to64 ? c.r[RCX * 2 + 1]! : 0;
    if (to64 && !canonical(rHi)) throw new CpuFault(GP, 0);
    const fl = c.r[R11 * 2]!;
    c.cpl = 3;
    if (to64) setSegment(c, CS, (base + 16) | 3, 0, 0, -1, 0xafb);
    else setSegment(c, CS, base | 3, 0, 0, -1, 0xcfb);
    setSegment(c, SS, (base + 8) | 3, 0, 0, -1, 0xcf3);
    materialize(c);
    c.flags = (fl & ~(RF | VM)) | 2;
    c.ripLo = rLo;
    c.ripHi = rHi;
  } else {
    c.cpl = 3;
    setSegment(c, CS, base | 3, 0, 0, -1, 0xcfb);
    setSegment(c, SS, (base + 8) | 3, 0, 0, -1, 0xcf3);
    c.flags |= IF;
    c.ripLo = c.r[RCX * 2]!;
    c.ripHi = 0;
  }
  c.irqCheck = true;
}

