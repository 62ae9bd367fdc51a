// REP STOS and REP MOVS forward (DF = 0), a page at a time: memset and memcpy
// in every kernel (the HVMM zeroes each guest's memory with REP STOSQ) would
// otherwise cost a translation, a bounds check and three register updates per
// element. Each page run translates once (faulting, as the element loop would,
// before anything of that page is written), then fills or copies RAM in bulk.
// Architecturally nothing changes: RCX/RSI/RDI, the cycle count (one per
// element) and the chunk boundaries where interrupts are taken are exactly
// those of the element loop in string.ts, which runs whatever this declines
// (pages holding decoded code or watchpoints, MMIO, overlapping copies, a
// 16-bit address size, an element crossing a page).
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { ES } from '../insn';
import { RAX, RCX, RSI, RDI } from '../regs';
import { READ, WRITE } from '../../mem/paging';
import { indexAddr, advance } from './string';

/**
 * Elements left in RCX, capped at `cap`. */
function countUpTo(c: Cpu, asize: number, cap: number): number {
  const r = c.r;
  if (asize === 8 && r[RCX * 2 + 1] !== 0) return cap;
  return Math.min(cap, r[RCX * 2]! >>> 0);
}

/** Elements of `osize` bytes from linear offset `lo` to the end of its page (and of a 32-bit index register). */
function inPage(lo: number, osize: number, asize: number, index: number): number {
  let bytes = 4096 - (lo & 0xfff);
  if (asize === 4) bytes = Math.min(bytes, 4294967296 - (index >>> 0));
  return Math.floor(bytes / osize);
}

/**
 * Up to `cap` elements of REP STOS in bulk; returns how many were stored (0:
 * the caller's element loop must do the next one).
 */
export function stosBulk(c: Cpu, i: Insn, cap: number): number {
  const osize = i.osize, asize = i.asize;
  const want = countUpTo(c, asize, cap);
  if (want === 0) return 0;
  indexAddr(c, asize, RDI, ES);
  const k = Math.min(want, inPage(c.laLo, osize, asize, c.r[RDI * 2]!));
  if (k === 0) return 0;
  const mem = c.mem;
  const pa = c.translate(c.laLo, c.laHi, WRITE);
  const bytes = k * osize;
  if (pa + bytes > mem.size || mem.codePage[pa >>> 12] !== 0) return 0;
  const lo = c.r[RAX * 2]!, hi = c.r[RAX * 2 + 1]!;
  if (osize === 1) mem.u8.fill(lo & 0xff, pa, pa + bytes);
  else if (osize === 4 && (pa & 3) === 0) mem.i32.fill(lo, pa >>> 2, (pa + bytes) >>> 2);
  else if (osize === 8 && (pa & 3) === 0 && lo === hi) mem.i32.fill(lo, pa >>> 2, (pa + bytes) >>> 2);
  else {
    const dv = mem.dv;
    for (let a = pa, end = pa + bytes; a < end; a += osize) {
      if (osize === 2) dv.setUint16(a, lo & 0xffff, true);
      else { dv.setInt32(a, lo, true); if (osize === 8) dv.setInt32(a + 4, hi, true); }
    }
  }
  advance(c, asize, RDI, bytes);
  advance(c, asize, RCX, -k);
  c.cycles += k;
  return k;
}

/** Up to `cap` elements of REP MOVS in bulk (see stosBulk). */
export function movsBulk(c: Cpu, i: Insn, cap: number): number {
  const osize = i.osize, asize = i.asize;
  const want = countUpTo(c, asize, cap);
  if (want === 0) return 0;
  indexAddr(c, asize, RSI, i.seg);
  const sLo = c.laLo, sHi = c.laHi;
  indexAddr(c, asize, RDI, ES);
  const dLo = c.laLo, dHi = c.laHi;
  const k = Math.min(want, inPage(sLo, osize, asize, c.r[RSI * 2]!), inPage(dLo, osize, asize, c.r[RDI * 2]!));
  if (k === 0) return 0;
  const mem = c.mem;
  // The element loop reads the source before writing the destination: so do the translations.
  const src = c.translate(sLo, sHi, READ);
  const dst = c.translate(dLo, dHi, WRITE);
  const bytes = k * osize;
  if (src + bytes > mem.size || dst + bytes > mem.size || mem.codePage[dst >>> 12] !== 0) return 0;
  // An overlap where the destination starts inside the source repeats a pattern element by element.
  if (dst > src && dst < src + bytes) return 0;
  mem.u8.copyWithin(dst, src, src + bytes);
  advance(c, asize, RSI, bytes);
  advance(c, asize, RDI, bytes);
  advance(c, asize, RCX, -k);
  c.cycles += k;
  return k;
}
