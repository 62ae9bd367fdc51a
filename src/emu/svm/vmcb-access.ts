// Reading and writing VMCB fields in physical memory, by the names of the one
// VMCB table (vmcb.ts). The CPU touches VMCBs only through these.
import type { PhysMem } from '../mem/phys';
import { VMCB_FIELDS } from './vmcb';

/** Field offsets by name, resolved once (a typo fails at load time, not at VMRUN). */
export const OFF: Readonly<Record<string, number>> = Object.fromEntries(VMCB_FIELDS.map((f) => [f.name, f.offset]));

export function off(name: string): number {
  const o = OFF[name];
  if (o === undefined) throw new Error(`no VMCB field '${name}'`);
  return o;
}

/** A 64-bit field as two halves. */
export function rd64(mem: PhysMem, pa: number): [number, number] {
  return [mem.read32(pa), mem.read32(pa + 4)];
}
export function wr64(mem: PhysMem, pa: number, lo: number, hi: number): void {
  mem.write32(pa, lo);
  mem.write32(pa + 4, hi);
}
/** A 64-bit field as a number (exact below 2^53; used for addresses). */
export function rdAddr(mem: PhysMem, pa: number): number {
  return (mem.read32(pa + 4) >>> 0) * 4294967296 + (mem.read32(pa) >>> 0);
}
