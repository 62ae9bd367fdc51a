// Control and debug registers: MOV to/from CRn and DRn, CLTS, SMSW, LMSW, with
// their SVM intercepts (CR read/write, selective CR0 write, DR read/write) and
// CR8 as the virtual TPR under V_INTR_MASKING.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { CS } from '../insn';
import { CpuFault, GP, UD } from '../fault';
import { EFER, CR0, CR4, CR4_SUPPORTED } from '../msr';
import { VMEXIT } from '../../svm/exitcodes';
import { guard, movCrInfo } from '../../svm/guard';
import { A_L, updateMode } from '../segments';

/** #GP(0) unless at CPL 0 (the privileged instructions' first check). */
export function requireCpl0(c: Cpu): void {
  if (c.cpl !== 0) throw new CpuFault(GP, 0);
}

// ------------------------------------------------------------ control registers

/** The value written to CR0..CR4/CR8; #GP for reserved or inconsistent values. */
export function writeCr(c: Cpu, n: number, lo: number, hi: number): void {
  switch (n) {
    case 0: {
      if (hi !== 0) throw new CpuFault(GP, 0);
      const v = lo | CR0.ET;
      if ((v & CR0.PG) && !(v & CR0.PE)) throw new CpuFault(GP, 0);
      if ((v & CR0.NW) && !(v & CR0.CD)) throw new CpuFault(GP, 0);
      const enablingPaging = (v & CR0.PG) !== 0 && (c.cr0 & CR0.PG) === 0;
      if (enablingPaging && (c.efer & EFER.LME)) {
        if (!(c.cr4 & CR4.PAE)) throw new CpuFault(GP, 0);
        if (c.segAttr[CS]! & A_L) throw new CpuFault(GP, 0);
      }
      const changed = (c.cr0 ^ v) & (CR0.PG | CR0.WP | CR0.PE);
      c.cr0 = v;
      // EFER.LMA follows LME and PG (APM §14.6).
      if ((v & CR0.PG) && (c.efer & EFER.LME)) c.efer |= EFER.LMA;
      else if (!(v & CR0.PG)) c.efer &= ~EFER.LMA;
      c.paging = (v & CR0.PG) !== 0 || c.mmu.np;
      if (changed) c.mmu.flushAll();
      updateMode(c);
      return;
    }
    case 2: c.cr2Lo = lo; c.cr2Hi = hi; return;
    case 3:
      c.cr3Lo = lo; c.cr3Hi = hi & 0xfffff;
      c.mmu.flushAll(true);
      return;
    case 4: {
      if (hi !== 0 || (lo & ~CR4_SUPPORTED)) throw new CpuFault(GP, 0);
      if ((c.efer & EFER.LMA) && !(lo & CR4.PAE)) throw new CpuFault(GP, 0);
      const changed = (c.cr4 ^ lo) & (CR4.PAE | CR4.PSE | CR4.PGE);
      c.cr4 = lo;
      if (changed) c.mmu.flushAll();
      return;
    }
    case 8:
      if (hi !== 0 || (lo >>> 4) !== 0) throw new CpuFault(GP, 0);
      // V_INTR_MASKING: the guest's TPR is V_TPR (APM §15.21.3); a held V_IRQ may now pass.
      if (c.svm.guest && c.svm.vIntrMasking) { c.svm.vTpr = lo; c.irqCheck = true; return; }
      c.cr8 = lo;
      return;
    default: throw new CpuFault(UD);
  }
}

export function readCr(c: Cpu, n: number): [number, number] {
  switch (n) {
    case 0: return [c.cr0, 0];
    case 2: return [c.cr2Lo, c.cr2Hi];
    case 3: return [c.cr3Lo, c.cr3Hi];
    case 4: return [c.cr4, 0];
    case 8: return [c.svm.guest && c.svm.vIntrMasking ? c.svm.vTpr : c.cr8, 0];
    default: throw new CpuFault(UD);
  }
}

/** 0F 20 / 0F 22: mov reg, CRn / mov CRn, reg (always register operands, 64-bit in long mode). */
export function movFromCr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) guard(c, VMEXIT.CR0_READ + i.reg, ...movCrInfo(c, i.rm));
  const [lo, hi] = readCr(c, i.reg);
  if (c.mode === 64) c.setR(8, i.rm, lo, hi);
  else c.setR(4, i.rm, lo, 0);
}
export function movToCr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  const lo = c.r[i.rm << 1]!, hi = c.mode === 64 ? c.r[(i.rm << 1) + 1]! : 0;
  if (c.svm.guest) crWriteIntercept(c, i.reg, lo, ...movCrInfo(c, i.rm));
  writeCr(c, i.reg, lo, hi);
}

/**
 * A guest's write to CRn: the CRn write intercept, then for CR0 the selective
 * write intercept, which fires only when bits other than CR0.TS and CR0.MP change.
 */
function crWriteIntercept(c: Cpu, n: number, lo: number, infoLo: number, infoHi: number): void {
  guard(c, VMEXIT.CR0_WRITE + n, infoLo, infoHi);
  if (n === 0 && ((lo ^ c.cr0) & ~(CR0.TS | CR0.MP)) !== 0) guard(c, VMEXIT.CR0_SEL_WRITE, infoLo, infoHi);
}

/** 0F 21 / 0F 23: debug registers are stored; DR4/DR5 alias DR6/DR7 without CR4.DE. */
function drIndex(c: Cpu, n: number): number {
  if (n === 4 || n === 5) {
    if (c.cr4 & CR4.DE) throw new CpuFault(UD);
    return n + 2;
  }
  if (n > 7) throw new CpuFault(UD);
  return n;
}
export function movFromDr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) guard(c, VMEXIT.DR0_READ + i.reg, ...movCrInfo(c, i.rm));
  const v = c.dr[drIndex(c, i.reg)]!;
  c.setR(c.mode === 64 ? 8 : 4, i.rm, v % 4294967296 | 0, Math.floor(v / 4294967296) | 0);
}
export function movToDr(c: Cpu, i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) guard(c, VMEXIT.DR0_WRITE + i.reg, ...movCrInfo(c, i.rm));
  const n = drIndex(c, i.reg);
  const lo = c.r[i.rm << 1]! >>> 0, hi = c.mode === 64 ? c.r[(i.rm << 1) + 1]! >>> 0 : 0;
  if ((n === 6 || n === 7) && hi !== 0) throw new CpuFault(GP, 0);
  c.dr[n] = hi * 4294967296 + lo;
}

export function clts(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) crWriteIntercept(c, 0, c.cr0 & ~CR0.TS, 0, 0);
  c.cr0 &= ~CR0.TS;
}

export function smsw(c: Cpu, i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.CR0_READ);
  if (i.mem) { c.ea(i); c.write16(c.laLo, c.laHi, c.cr0 & 0xffff); }
  else c.setR(i.osize === 2 ? 2 : i.osize, i.rm, c.cr0, 0);
}

/** lmsw: loads PE, MP, EM, TS; cannot clear PE. */
export function lmsw(c: Cpu, i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest) guard(c, VMEXIT.CR0_WRITE); // before the memory operand is read
  const v = c.readE(i, 2) & 0xf;
  const nv = (c.cr0 & ~0xe) | v | (c.cr0 & 1);
  if (c.svm.guest) crWriteIntercept(c, 0, nv, 0, 0);
  writeCr(c, 0, nv, 0);
}

