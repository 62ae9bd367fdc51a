// Segmentation in protected and long mode: descriptor reads, the checks of a
// segment-register load, and the CPU mode that follows from CS, CR0 and EFER.
// APM Vol 2 §4 (segmented virtual memory) and §4.8 (long-mode segments).
import type { Cpu } from './cpu';
import { LDTR, TR } from './cpu';
import { CpuFault, GP, NP, SS_FAULT, TS } from './fault';
import { CS, SS, FS, GS } from './insn';

// Attribute bits in the VMCB's 12-bit format.
export const A_TYPE = 0xf, A_S = 1 << 4, A_P = 1 << 7, A_L = 1 << 9, A_DB = 1 << 10, A_G = 1 << 11;
export const attrDpl = (a: number) => (a >> 5) & 3;

/** A descriptor as read from a table: the two 32-bit words (and the upper 8 bytes for 16-byte system descriptors). */
export interface Descriptor {
  lo: number;
  hi: number;
  baseLo: number;
  baseHi: number;
  limit: number;
  attr: number;
  addrLo: number; // linear address of the descriptor (to set the accessed/busy bit)
  addrHi: number;
}

function sysRead32(c: Cpu, lo: number, hi: number): number {
  const prev = c.sysAccess;
  c.sysAccess = true;
  try {
    return c.read32(lo, hi);
  } finally {
    c.sysAccess = prev;
  }
}

function sysWrite32(c: Cpu, lo: number, hi: number, v: number): void {
  const prev = c.sysAccess;
  c.sysAccess = true;
  try {
    c.write32(lo, hi, v);
  } finally {
    c.sysAccess = prev;
  }
}

/** Linear address + offset as halves. */
function addr(baseLo: number, baseHi: number, off: number): [number, number] {
  const t = (baseLo >>> 0) + off;
  return [t | 0, (baseHi + Math.floor(t / 4294967296)) | 0];
}

export function parseDescriptor(lo: number, hi: number): { baseLo: number; limit: number; attr: number } {
  const baseLo = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
  let limit = (lo & 0xffff) | (hi & 0xf0000);
  const attr = ((hi >> 8) & 0xff) | ((hi >> 12) & 0xf00);
  if (attr & A_G) limit = ((limit << 12) | 0xfff) | 0;
  return { baseLo, limit, attr };
}

/**
 * Read the descriptor a selector names (GDT or LDT). wide: a 16-byte system
 * descriptor in long mode. A selector beyond the table limit raises #GP(selector)
 * (or the given vector, e.g. #TS for task-state checks).
 */
export function readDescriptor(c: Cpu, sel: number, wide = false, vector = GP): Descriptor {
  const ldt = (sel & 4) !== 0;
  const index = sel & 0xfff8;
  const tLo = ldt ? c.segBaseLo[LDTR]! : c.gdtrBaseLo;
  const tHi = ldt ? c.segBaseHi[LDTR]! : c.gdtrBaseHi;
  const tLimit = ldt ? c.segLimit[LDTR]! >>> 0 : c.gdtrLimit;
  if (ldt && (c.segSel[LDTR]! & 0xfffc) === 0) throw new CpuFault(vector, sel & 0xfffc);
  if (index + (wide ? 15 : 7) > tLimit) throw new CpuFault(vector, sel & 0xfffc);
  const [aLo, aHi] = addr(tLo, tHi, index);
  const lo = sysRead32(c, aLo, aHi);
  const hi = sysRead32(c, (aLo + 4) | 0, aHi);
  const d = parseDescriptor(lo, hi);
  let baseHi = 0;
  if (wide) {
    const [uLo, uHi] = addr(aLo, aHi, 8);
    baseHi = sysRead32(c, uLo, uHi);
  }
  return { lo, hi, baseLo: d.baseLo, baseHi, limit: d.limit, attr: d.attr, addrLo: aLo, addrHi: aHi };
}

/** Set the accessed bit (type bit 0) of a code/data descriptor, as the CPU does on a load. */
function markAccessed(c: Cpu, d: Descriptor): void {
  if ((d.hi & 0x100) === 0) {
    sysWrite32(c, (d.addrLo + 4) | 0, d.addrHi, d.hi | 0x100);
    d.attr |= 1;
  }
}

export function setSegment(c: Cpu, seg: number, sel: number, baseLo: number, baseHi: number, limit: number, attr: number): void {
  c.segSel[seg] = sel & 0xffff;
  c.segBaseLo[seg] = baseLo;
  c.segBaseHi[seg] = baseHi;
  c.segLimit[seg] = limit;
  c.segAttr[seg] = attr;
  if (seg === CS || seg === SS) updateMode(c);
}

/** Mode and stack size from CR0.PE, EFER.LMA, CS.L/D and SS.B. */
export function updateMode(c: Cpu): void {
  const lma = (c.efer & 0x400) !== 0;
  const a = c.segAttr[CS]!;
  if ((c.cr0 & 1) === 0) c.mode = 16;
  else if (lma && (a & A_L)) c.mode = 64;
  else c.mode = a & A_DB ? 32 : 16;
  c.stackSize = c.mode === 64 ? 8 : c.segAttr[SS]! & A_DB ? 4 : 2;
}

/** mov/pop/lds..: load DS, ES, FS, GS or SS with the protected-mode checks. */
export function loadDataSegment(c: Cpu, seg: number, sel: number): void {
  sel &= 0xffff;
  if ((c.cr0 & 1) === 0) {
    // Real mode (not otherwise modelled): base = selector * 16.
    setSegment(c, seg, sel, sel << 4, 0, 0xffff, c.segAttr[seg]! || 0x93);
    return;
  }
  const rpl = sel & 3;
  if ((sel & 0xfffc) === 0) {
    if (seg === SS && !(c.mode === 64 && c.cpl < 3 && rpl === c.cpl)) throw new CpuFault(GP, 0);
    // A null selector: the segment is unusable (64-bit mode keeps FS/GS bases).
    const keepBase = c.mode === 64 && (seg === FS || seg === GS);
    setSegment(c, seg, sel, keepBase ? c.segBaseLo[seg]! : 0, keepBase ? c.segBaseHi[seg]! : 0, 0, seg === SS ? (c.segAttr[SS]! & A_DB) | (c.cpl << 5) : 0);
    return;
  }
  const d = readDescriptor(c, sel);
  const type = d.attr & A_TYPE;
  const dpl = attrDpl(d.attr);
  const code = (type & 8) !== 0;
  if ((d.attr & A_S) === 0) throw new CpuFault(GP, sel & 0xfffc);
  if (seg === SS) {
    if (rpl !== c.cpl || dpl !== c.cpl || code || (type & 2) === 0) throw new CpuFault(GP, sel & 0xfffc);
    if ((d.attr & A_P) === 0) throw new CpuFault(SS_FAULT, sel & 0xfffc);
  } else {
    if (code && (type & 2) === 0) throw new CpuFault(GP, sel & 0xfffc); // execute-only code
    const conforming = code && (type & 4) !== 0;
    if (!conforming && (rpl > dpl || c.cpl > dpl)) throw new CpuFault(GP, sel & 0xfffc);
    if ((d.attr & A_P) === 0) throw new CpuFault(NP, sel & 0xfffc);
  }
  markAccessed(c, d);
  setSegment(c, seg, sel, d.baseLo, 0, d.limit, d.attr);
}

/**
 * Load CS for a far jump/call/return or an interrupt: a code segment, present,
 * with the privilege rules of the transfer; newCpl becomes CPL.
 */
export function checkCodeSegment(c: Cpu, sel: number, vector = GP): Descriptor {
  if ((sel & 0xfffc) === 0) throw new CpuFault(vector, 0);
  const d = readDescriptor(c, sel, false, vector);
  if ((d.attr & A_S) === 0 || (d.attr & 8) === 0) throw new CpuFault(vector, sel & 0xfffc);
  if ((d.attr & A_P) === 0) throw new CpuFault(NP, sel & 0xfffc);
  if ((c.efer & 0x400) !== 0 && (d.attr & A_L) && (d.attr & A_DB)) throw new CpuFault(vector, sel & 0xfffc);
  return d;
}

export function loadCodeSegment(c: Cpu, sel: number, d: Descriptor, newCpl: number): void {
  markAccessed(c, d);
  c.cpl = newCpl;
  setSegment(c, CS, (sel & 0xfffc) | newCpl, d.baseLo, 0, d.limit, d.attr);
}

/** lldt: an LDT descriptor (system type 2), 16 bytes in long mode. */
export function loadLdt(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0) {
    setSegment(c, LDTR, sel, 0, 0, 0, 0);
    return;
  }
  if (sel & 4) throw new CpuFault(GP, sel & 0xfffc);
  const long = (c.efer & 0x400) !== 0;
  const d = readDescriptor(c, sel, long);
  if ((d.attr & A_S) !== 0 || (d.attr & A_TYPE) !== 2) throw new CpuFault(GP, sel & 0xfffc);
  if ((d.attr & A_P) === 0) throw new CpuFault(NP, sel & 0xfffc);
  setSegment(c, LDTR, sel, d.baseLo, d.baseHi, d.limit, d.attr);
}

/** ltr: an available TSS (type 9, or 1 for a 16-bit TSS outside long mode); marks it busy. */
export function loadTr(c: Cpu, sel: number): void {
  if ((sel & 0xfffc) === 0 || (sel & 4)) throw new CpuFault(GP, sel & 0xfffc);
  const long = (c.efer & 0x400) !== 0;
  const d = readDescriptor(c, sel, long);
  const type = d.attr & A_TYPE;
  if ((d.attr & A_S) !== 0 || !(type === 9 || (!long && type === 1))) throw new CpuFault(GP, sel & 0xfffc);
  if ((d.attr & A_P) === 0) throw new CpuFault(NP, sel & 0xfffc);
  sysWrite32(c, (d.addrLo + 4) | 0, d.addrHi, d.hi | 0x200); // busy
  setSegment(c, TR, sel, d.baseLo, d.baseHi, d.limit, d.attr | 2);
}

/** Read a 32-bit field of the current TSS (ring stacks, IST, I/O map base). */
export function tssRead32(c: Cpu, off: number): number {
  if (off + 3 > c.segLimit[TR]! >>> 0) throw new CpuFault(TS, c.segSel[TR]! & 0xfffc);
  const [lo, hi] = addr(c.segBaseLo[TR]!, c.segBaseHi[TR]!, off);
  return sysRead32(c, lo, hi);
}

export { sysRead32, sysWrite32 };
