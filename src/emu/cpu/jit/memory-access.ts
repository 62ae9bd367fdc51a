// Memory operands in compiled blocks: 64-bit effective addresses summed in int32 halves, and the
// direct RAM access a block makes when paging is off or the TLB holds the page (paStmts), with
// the CPU's own read/write functions for everything else (inline.ts uses these).
import { type Insn, BASE_RIP, FS } from '../insn';
import { TLB_MASK } from '../../mem/paging';
import { canonicalSrc } from '../canonical';

/**
 * cpu.eaOffset then cpu.ea for a 64-bit address with the operands known, as
 * statements declaring the locals lo, hi. FS/GS
 * (a segment base) and other address sizes call c.ea itself; a non-canonical
 * address calls c.ea, which raises the fault.
 */
export function ea64Stmts(i: Insn, k: number): string {
  if (i.asize !== 8 || i.seg >= FS) return `c.ea(I${k}); const lo = c.laLo, hi = c.laHi;`;
  // Not into c.laLo/laHi (cpu.ea's way of returning the address): the slow paths take lo, hi.
  const p: string[] = [addr64Stmts(i)];
  p.push(`if (!(${canonicalSrc('hi')})) c.ea(I${k});`); // non-canonical: ea() raises the fault
  return p.join(' ');
}

/**
 * cpu.eaOffset for a 64-bit address: statements declaring the int32 halves lo, hi of
 * disp + base + index * scale (each carry out of the low half an unsigned wrap-around).
 */
export function addr64Stmts(i: Insn): string {
  const p: string[] = [`let lo = ${i.dispLo | 0}, hi = ${i.dispHi | 0};`];
  const add = (l: string, h: string) => `{ const t = (lo + ${l}) | 0; hi = (hi + ${h} + ((t >>> 0) < (lo >>> 0) ? 1 : 0)) | 0; lo = t; }`;
  if (i.base === BASE_RIP) p.push(add('c.ripLo', 'c.ripHi'));
  else if (i.base >= 0) p.push(add(`r[${i.base << 1}]`, `r[${(i.base << 1) + 1}]`));
  if (i.index >= 0) {
    const x = i.index << 1, s = i.scale;
    p.push(s === 0 ? add(`r[${x}]`, `r[${x + 1}]`)
      : add(`(r[${x}] << ${s})`, `((r[${x + 1}] << ${s}) | (r[${x}] >>> ${32 - s}))`));
  }
  return p.join(' ');
}

/**
 * Statements setting `pa` to the RAM address of an access of `n` bytes at
 * lo, hi when it can be made directly, or -1 (then the CPU's own read/write
 * functions run, which walk, fault and reach MMIO). Direct means: inside one
 * page, and either paging off below 4 GiB, or a TLB hit (paging.ts, the same
 * index, tag and permission test as Mmu.translate) whose page is in RAM.
 * The block remembers the last page it read and the last it wrote this way (RL/RH/RB,
 * WL/WH/WB: linear page, 4 GiB, physical base) and skips the TLB for them: the block leaves
 * (or its loop stops) after any walk or TLB flush, and nothing else in a block changes the
 * TLB, the CPL or paging, so what the TLB said for the page stays true while the block runs.
 * pa is an int32 on every path (RAM is under 2 GiB: PhysMem's Int32Array view), so that V8 keeps it
 * in an integer register rather than a double.
 */
export function paStmts(n: number, write: boolean): string {
  // Mmu's permission bits: R_S 1, W_S 2, R_U 4, W_U 8 (user: CPL 3 outside implicit supervisor accesses).
  const need = write ? '(c.cpl === 3 && !c.sysAccess ? 8 : 2)' : '(c.cpl === 3 && !c.sysAccess ? 4 : 1)';
  const m = write ? 'W' : 'R';
  return `let pa = -1; if ((lo & 0xfff) <= ${4096 - n}) { if ((lo & ~0xfff) === ${m}L && hi === ${m}H) pa = ${m}B | (lo & 0xfff);` +
    ` else if (!c.paging) { if (hi === 0 && (lo >>> 0) + ${n - 1} < SZ) pa = lo; }` +
    ` else { const x = ((lo >>> 12) ^ T.asidSalt) & ${TLB_MASK}; if (TL[x] === (lo & ~0xfff) && TH[x] === ((hi & 0x1ffff) | T.asidTag)` +
    ` && (TP[x] & ${need}) !== 0) { const b = PH[x]; if (b + 4096 <= SZ) { const bi = b | 0; pa = bi | (lo & 0xfff); ${m}L = lo & ~0xfff; ${m}H = hi; ${m}B = bi; } } } }`;
}
/** What a block using paStmts declares first (the remembered pages start as none: 1 is no page's address). */
export const TLB_PRELUDE = 'const T = c.mmu, TL = T.tagLo, TH = T.tagHi, TP = T.perm, PH = T.phys; let RL = 1, RH = 0, RB = 0, WL = 1, WH = 0, WB = 0;';
/** A little-endian int32 read of RAM at pa (aligned: the Int32Array view; else the DataView). */
export const rd32 = (pa: string) => `((${pa} & 3) === 0 ? U32[${pa} >>> 2] : DV.getInt32(${pa}, true))`;

/** What slow() puts before the call: a block whose code contains it declares X. */
export const SLOW_MARK = '(X = 1, ';

/**
 * A call from a block's inline code out to the CPU (a memory access it cannot make directly, or
 * the instruction's handler) as an expression that first sets the block's local X: the call may
 * walk page tables, fault, stop the CPU or write code, so the block's checks after the instruction
 * are due (block-source.ts, inline.ts marksSlowPaths).
 */
export const slow = (call: string): string => `${SLOW_MARK}${call})`;
