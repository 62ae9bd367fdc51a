// Model-specific registers: RDMSR/WRMSR (with the MSR permission map's
// intercepts), the MSRs the core implements (EFER, TSC, FS/GS base, APIC base,
// the syscall and SYSENTER MSRs, VM_CR, VM_HSAVE_PA), and RDTSCP.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { FS, GS } from '../insn';
import { CpuFault, GP } from '../fault';
import { RAX, RCX, RDX } from '../regs';
import { MSR, EFER, EFER_WRITABLE, CR0, CR4, VM_CR } from '../msr';
import { VMEXIT } from '../../svm/exitcodes';
import { guard } from '../../svm/guard';
import { msrIntercepted } from '../../svm/intercept';
import { exitInstruction } from '../../svm/world';
import { updateMode } from '../segments';
import { requireCpl0 } from './sysregs';
import { canonical } from '../canonical';
import { PLAIN_SLOT, plainSlot } from '../plain-msrs';

// ------------------------------------------------------------ MSRs

export function readMsr(c: Cpu, n: number): [number, number] {
  n >>>= 0;
  switch (n) {
    case MSR.EFER: return [c.efer, 0];
    case MSR.TSC: { const t = c.cycles + c.tscOffset + (c.svm.guest ? c.svm.tscOffset : 0); return [t % 4294967296 | 0, Math.floor(t / 4294967296) | 0]; }
    case MSR.FS_BASE: return [c.segBaseLo[FS]!, c.segBaseHi[FS]!];
    case MSR.GS_BASE: return [c.segBaseLo[GS]!, c.segBaseHi[GS]!];
    case MSR.APIC_BASE: return c.apicBase ? [c.apicBase.read(), 0] : [0, 0];
  }
  const v = c.msrs.get(n);
  if (v) return v;
  throw new CpuFault(GP, 0);
}

export function writeMsr(c: Cpu, n: number, lo: number, hi: number): void {
  switch (n >>> 0) {
    case MSR.EFER: {
      if (hi !== 0 || (lo & ~(EFER_WRITABLE | EFER.LMA))) throw new CpuFault(GP, 0);
      // LME cannot change while paging is on; LMA is the CPU's.
      if ((c.cr0 & CR0.PG) && ((lo ^ c.efer) & EFER.LME)) throw new CpuFault(GP, 0);
      // VM_CR.SVMDIS: SVM is disabled (by firmware); EFER.SVME cannot be set (APM §15.30.1).
      if ((lo & EFER.SVME) && !(c.efer & EFER.SVME) && (readMsr(c, MSR.VM_CR)[0] & VM_CR.SVMDIS)) throw new CpuFault(GP, 0);
      const nxChanged = ((lo ^ c.efer) & EFER.NXE) !== 0;
      c.efer = (lo & EFER_WRITABLE) | (c.efer & EFER.LMA);
      if (nxChanged) c.mmu.flushAll();
      updateMode(c);
      return;
    }
    case MSR.TSC: c.tscOffset = ((hi >>> 0) * 4294967296 + (lo >>> 0)) - c.cycles; return;
    case MSR.FS_BASE: if (!canonical(hi)) throw new CpuFault(GP, 0); c.segBaseLo[FS] = lo; c.segBaseHi[FS] = hi; return;
    case MSR.GS_BASE: if (!canonical(hi)) throw new CpuFault(GP, 0); c.segBaseLo[GS] = lo; c.segBaseHi[GS] = hi; return;
    case MSR.APIC_BASE:
      if (!c.apicBase || !c.apicBase.write(lo, hi)) throw new CpuFault(GP, 0);
      return;
    case MSR.LSTAR: case MSR.CSTAR: case MSR.KERNEL_GS_BASE: case MSR.SYSENTER_ESP: case MSR.SYSENTER_EIP:
      if (!canonical(hi)) throw new CpuFault(GP, 0);
      break;
    case MSR.VM_HSAVE_PA:
      if ((lo & 0xfff) || (hi >>> 16) !== 0) throw new CpuFault(GP, 0); // page aligned, below 2^48
      break;
    case MSR.VM_CR: {
      // DPD, R_INIT, DIS_A20M, LOCK, SVMDIS; with LOCK set, SVMDIS is read-only.
      const old = readMsr(c, MSR.VM_CR)[0];
      if (hi !== 0 || (lo & ~0x1f)) throw new CpuFault(GP, 0);
      if ((old & VM_CR.LOCK) && ((lo ^ old) & (VM_CR.SVMDIS | VM_CR.LOCK))) throw new CpuFault(GP, 0);
      break;
    }
    default:
      if (plainSlot(n) < 0) throw new CpuFault(GP, 0);
  }
  c.msrs.put(plainSlot(n), lo, hi);
}

export function rdmsr(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest && msrIntercepted(c, c.r[RCX * 2]!, false)) exitInstruction(c, VMEXIT.MSR, 0);
  const [lo, hi] = readMsr(c, c.r[RCX * 2]!);
  c.setR(4, RAX, lo, 0);
  c.setR(4, RDX, hi, 0);
}
export function wrmsr(c: Cpu, _i: Insn): void {
  requireCpl0(c);
  if (c.svm.guest && msrIntercepted(c, c.r[RCX * 2]!, true)) exitInstruction(c, VMEXIT.MSR, 1);
  writeMsr(c, c.r[RCX * 2]!, c.r[RAX * 2]!, c.r[RDX * 2]!);
}

export function rdtscp(c: Cpu, _i: Insn): void {
  if ((c.cr4 & CR4.TSD) && c.cpl > 0) throw new CpuFault(GP, 0);
  if (c.svm.guest) guard(c, VMEXIT.RDTSCP);
  const t = c.cycles + c.tscOffset + (c.svm.guest ? c.svm.tscOffset : 0);
  c.setR(4, RAX, t % 4294967296, 0);
  c.setR(4, RDX, Math.floor(t / 4294967296), 0);
  c.setR(4, RCX, c.msrs.lo(PLAIN_SLOT.TSC_AUX), 0);
}

