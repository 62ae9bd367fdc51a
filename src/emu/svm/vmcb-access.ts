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

/**
 * One VMCB page (or the host save area, laid out like one) for the world switch, which moves ~60
 * of its fields each way. When at() finds the page in RAM with no decoded instructions and no
 * watched bytes in it, fields are read and written straight in RAM's Int32Array; otherwise each
 * access goes through PhysMem, which invalidates code and reports watched writes, as does an
 * access not aligned to its size. Offsets are those of OFF; the page is 4 KiB aligned (VMRUN,
 * VMLOAD and VMSAVE #GP otherwise; VM_HSAVE_PA's low bits are ignored). Bind it again (at) for
 * each use: nothing is kept between switches.
 */
export class VmcbPage {
  private mem: PhysMem | null = null;
  private pa = 0;
  /** pa / 4: the page's first word in mem.i32. */
  private word = 0;
  private direct = false;

  at(mem: PhysMem, pa: number): this {
    this.mem = mem;
    this.pa = pa;
    this.word = pa / 4;
    this.direct = pa + 4096 <= mem.size && mem.codePage[pa / 4096] === 0;
    return this;
  }

  r32(off: number): number {
    const m = this.mem!;
    return this.direct && (off & 3) === 0 ? m.i32[this.word + (off >> 2)]! : m.read32(this.pa + off);
  }
  w32(off: number, v: number): void {
    const m = this.mem!;
    if (this.direct && (off & 3) === 0) m.i32[this.word + (off >> 2)] = v;
    else m.write32(this.pa + off, v);
  }
  r16(off: number): number {
    const m = this.mem!;
    return this.direct && (off & 1) === 0 ? (m.i32[this.word + (off >> 2)]! >>> ((off & 2) << 3)) & 0xffff : m.read16(this.pa + off);
  }
  w16(off: number, v: number): void {
    const m = this.mem!;
    if (this.direct && (off & 1) === 0) {
      const k = this.word + (off >> 2), sh = (off & 2) << 3;
      m.i32[k] = (m.i32[k]! & ~(0xffff << sh)) | ((v & 0xffff) << sh);
    } else m.write16(this.pa + off, v);
  }
  r8(off: number): number {
    const m = this.mem!;
    return this.direct ? m.u8[this.pa + off]! : m.read8(this.pa + off);
  }
  w8(off: number, v: number): void {
    const m = this.mem!;
    if (this.direct) m.u8[this.pa + off] = v;
    else m.write8(this.pa + off, v);
  }
  /** A 64-bit field as two halves. */
  w64(off: number, lo: number, hi: number): void {
    this.w32(off, lo);
    this.w32(off + 4, hi);
  }
  /** A 64-bit field as a number (exact below 2^53; used for addresses). */
  rAddr(off: number): number {
    return (this.r32(off + 4) >>> 0) * 4294967296 + (this.r32(off) >>> 0);
  }
}
