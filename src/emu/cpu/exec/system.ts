// System instructions: control/debug registers, MSRs, descriptor tables,
// segment loads, far transfers, software interrupts, iret, syscall/sysret,
// port I/O with the IOPL/bitmap check, cli/sti, swapgs, invlpg and friends.
import type { Cpu } from '../cpu';
import { LDTR, TR } from '../cpu';
import type { Insn } from '../insn';
import { CS, DS, ES, FS, GS, SS, REP_NONE } from '../insn';
import { CpuFault, GP, UD, BP, OF as OF_VEC, DB } from '../fault';
import { getFlags, materialize, getOF, IF, IOPL, RF, VM, DF } from '../flags';
import { RAX, RCX, RDX, RSI, RDI, RSP, R11 } from '../regs';
import { MSR, EFER, EFER_WRITABLE, CR0, CR4, CR4_SUPPORTED, VM_CR } from '../msr';
import { deliverEvent, iret as iretImpl } from '../interrupts';
import { advance, countIsZero, indexAddr } from './string';
import { VMEXIT } from '../../svm/exitcodes';
import { guard, movCrInfo } from '../../svm/guard';
import { intercepted, ioIntercepted, msrIntercepted } from '../../svm/intercept';
import { exitInstruction } from '../../svm/world';
import { A_L, A_DB, checkCodeSegment, loadCodeSegment, loadDataSegment, loadLdt, loadTr, setSegment, tssRead32, updateMode, attrDpl } from '../segments';

function requireCpl0(c: Cpu): void {
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
  const v = c.msrs.get(n >>> 0);
  if (v) return v;
  if (KNOWN_PLAIN.has(n >>> 0)) return [0, 0];
  throw new CpuFault(GP, 0);
}

const KNOWN_PLAIN = new Set<number>([
  MSR.SYSENTER_CS, MSR.SYSENTER_ESP, MSR.SYSENTER_EIP, MSR.STAR, MSR.LSTAR, MSR.CSTAR, MSR.SFMASK,
  MSR.KERNEL_GS_BASE, MSR.TSC_AUX, MSR.PAT, MSR.VM_CR, MSR.VM_HSAVE_PA,
].map((x) => x >>> 0));

const canonical = (hi: number) => ((hi << 15) >> 15) === hi;

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
      if (!KNOWN_PLAIN.has(n >>> 0)) throw new CpuFault(GP, 0);
  }
  c.msrs.set(n >>> 0, [lo, hi]);
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
  c.setR(4, RCX, (c.msrs.get(MSR.TSC_AUX >>> 0) ?? [0, 0])[0], 0);
}

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
  const k = c.msrs.get(MSR.KERNEL_GS_BASE >>> 0) ?? [0, 0];
  c.msrs.set(MSR.KERNEL_GS_BASE >>> 0, [c.segBaseLo[GS]!, c.segBaseHi[GS]!]);
  c.segBaseLo[GS] = k[0];
  c.segBaseHi[GS] = k[1];
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
  return c.msrs.get(MSR.STAR >>> 0) ?? [0, 0];
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
    const target = c.msrs.get((c.mode === 64 ? MSR.LSTAR : MSR.CSTAR) >>> 0) ?? [0, 0];
    const mask = (c.msrs.get(MSR.SFMASK >>> 0) ?? [0, 0])[0];
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

// ------------------------------------------------------------ port I/O

/** The I/O permission check: CPL <= IOPL, or the TSS bitmap allows every byte of the access. */
function checkIo(c: Cpu, port: number, size: number): void {
  if ((c.cr0 & 1) === 0 || c.cpl <= ((c.flags & IOPL) >>> 12)) return;
  const type = c.segAttr[TR]! & 0xf;
  if (type !== 0x9 && type !== 0xb) throw new CpuFault(GP, 0);
  const mapBase = tssRead32(c, 0x64) >>> 16;
  const off = mapBase + (port >>> 3);
  if (off + 1 > c.segLimit[TR]! >>> 0) throw new CpuFault(GP, 0);
  const bits = (tssRead32(c, off & ~3) >>> ((off & 3) * 8)) | (tssRead32(c, (off & ~3) + 4) << (32 - (off & 3) * 8));
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) throw new CpuFault(GP, 0);
}

function ioSize(i: Insn): number {
  return i.osize === 1 ? 1 : i.osize === 2 ? 2 : 4;
}

/**
 * IOIO intercept (APM §15.10.2), after the IOPL/TSS check: EXITINFO1 = port
 * (31:16), segment (12:10, OUTS), address size (9:7), operand size (6:4), REP
 * (3), string (2), IN (0); EXITINFO2 = the next instruction's RIP.
 */
function ioIntercept(c: Cpu, i: Insn, port: number, size: number, input: boolean, str: boolean): void {
  if (!ioIntercepted(c, port, size)) return;
  const info = (port << 16) | (str && !input ? (i.seg & 7) << 10 : 0) | ((i.asize === 2 ? 1 : i.asize === 4 ? 2 : 4) << 7) |
    ((size === 1 ? 1 : size === 2 ? 2 : 4) << 4) | (str && i.rep !== REP_NONE ? 8 : 0) | (str ? 4 : 0) | (input ? 1 : 0);
  exitInstruction(c, VMEXIT.IOIO, info, 0, c.ripLo, c.ripHi);
}

/** E4/E5 (imm8 port) and EC/ED (DX). */
export function inPort(c: Cpu, i: Insn): void {
  const port = i.op < 0xe8 ? i.immLo & 0xff : c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  if (c.svm.guest) ioIntercept(c, i, port, sz, true, false);
  c.setR(sz, RAX, c.io.in(port, sz), 0);
  c.irqCheck = true;
}
export function outPort(c: Cpu, i: Insn): void {
  const port = i.op < 0xe8 ? i.immLo & 0xff : c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  if (c.svm.guest) ioIntercept(c, i, port, sz, false, false);
  c.io.out(port, sz, c.getR(sz, RAX));
  c.irqCheck = true;
}

/** 6C/6D ins, 6E/6F outs, with rep. */
export function insOuts(c: Cpu, i: Insn): void {
  const port = c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  const input = i.op < 0x6e;
  if (c.svm.guest && (i.rep === REP_NONE || !countIsZero(c, i.asize))) ioIntercept(c, i, port, sz, input, true);
  const delta = c.flags & DF ? -sz : sz;
  const once = () => {
    if (input) {
      indexAddr(c, i.asize, RDI, ES);
      const v = c.io.in(port, sz);
      c.writeSz(sz, c.laLo, c.laHi, v, 0);
      advance(c, i.asize, RDI, delta);
    } else {
      indexAddr(c, i.asize, RSI, i.seg);
      const v = c.readSz(sz, c.laLo, c.laHi);
      c.io.out(port, sz, v);
      advance(c, i.asize, RSI, delta);
    }
  };
  if (i.rep === REP_NONE) { once(); return; }
  for (let n = 0; n < 4096 && !countIsZero(c, i.asize); n++) {
    once();
    advance(c, i.asize, RCX, -1);
  }
  if (!countIsZero(c, i.asize)) { c.ripLo = c.startLo; c.ripHi = c.startHi; }
  c.irqCheck = true;
}

export { BP, A_DB };
