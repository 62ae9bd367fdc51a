// The one predicate that answers "is this intercepted?" for every intercept,
// from the words VMRUN cached (state.ts), plus the two permission maps
// (APM Vol 2 §15.9-15.15, §15.10 I/O, §15.11 MSRs).
import type { Cpu } from '../cpu/cpu';
import { VMEXIT } from './exitcodes';
import { INTERCEPTS } from './intercepts';

const CR = 0, DR = 1, EXC = 2, MISC1 = 3, MISC2 = 4;

// For the exit codes 0x060..0x08F: which cached word and bit (-1: none).
const WORD = new Int8Array(0x90).fill(-1);
const BIT = new Int8Array(0x90);
for (const x of INTERCEPTS) {
  WORD[x.exit] = x.word === 0x00c ? MISC1 : MISC2;
  BIT[x.exit] = x.bit;
}

/** Would this exit code's intercept fire in the running guest? CRn/DRn/exceptions use their bitmaps. */
export function intercepted(c: Cpu, exitCode: number): boolean {
  const s = c.svm;
  if (!s.guest) return false;
  if (exitCode < 0x20) return ((s.icpt[CR]! >>> exitCode) & 1) !== 0; // CR reads 0-15, writes 16-31
  if (exitCode < 0x40) return ((s.icpt[DR]! >>> (exitCode - 0x20)) & 1) !== 0;
  if (exitCode < 0x60) return ((s.icpt[EXC]! >>> (exitCode - 0x40)) & 1) !== 0;
  if (exitCode < 0x90) {
    const w = WORD[exitCode]!;
    return w >= 0 && ((s.icpt[w]! >>> BIT[exitCode]!) & 1) !== 0;
  }
  return false;
}

/**
 * IOIO: intercepted when IOIO_PROT is set and the permission map has a bit set
 * for any byte of the access (ports port .. port+size-1; the map has 3 extra
 * bytes so an access at 0xFFFF still finds its bits).
 */
export function ioIntercepted(c: Cpu, port: number, size: number): boolean {
  if (!intercepted(c, VMEXIT.IOIO)) return false;
  const mem = c.mem;
  for (let k = 0; k < size; k++) {
    const p = port + k;
    if ((mem.read8(c.svm.iopm + (p >>> 3)) >> (p & 7)) & 1) return true;
  }
  return false;
}

/**
 * MSR: intercepted when MSR_PROT is set and the MSR's read (even) or write (odd)
 * bit is set in the map; MSRs outside the map's three ranges always exit.
 */
export function msrIntercepted(c: Cpu, msr: number, write: boolean): boolean {
  if (!intercepted(c, VMEXIT.MSR)) return false;
  msr >>>= 0;
  let base: number;
  if (msr <= 0x1fff) base = 0;
  else if (msr >= 0xc0000000 && msr <= 0xc0001fff) base = 0x800 * 8;
  else if (msr >= 0xc0010000 && msr <= 0xc0011fff) base = 0x1000 * 8;
  else return true;
  const bit = base + (msr & 0x1fff) * 2 + (write ? 1 : 0);
  return ((c.mem.read8(c.svm.msrpm + (bit >>> 3)) >> (bit & 7)) & 1) !== 0;
}
