// Memory access for the CPU: linear-to-physical translation (the MMU, #PF),
// the pages kept outside the TLB for 32- and 64-bit accesses, reads and writes
// of every size (page-crossing ones fault before changing anything), r/m
// operands and the stack.
import { CpuFault, PF, SS_FAULT } from './fault';
import { Mmu, READ, WRITE } from '../mem/paging';
import { type Insn, SS } from './insn';
import { RSP } from './regs';
import type { PhysMem } from '../mem/phys';
import { CpuState } from './cpu-state';
import { canonical } from './canonical';

export abstract class CpuMemory extends CpuState {
  readonly mmu: Mmu;
  /** RAM as int32 words (mem.i32) and bytes (mem.u8): accesses on the kept pages. */
  private readonly ram32: Int32Array;
  private readonly ram8: Uint8Array;
  /** mem.codePage: a write to a page flagged there goes through PhysMem (decoded code, watchpoints). */
  private readonly codePage: Uint8Array;

  constructor(readonly mem: PhysMem) {
    super();
    this.mmu = new Mmu(mem, this);
    this.ram32 = mem.i32;
    this.ram8 = mem.u8;
    this.codePage = mem.codePage;
  }

  // ---------------------------------------------------------------- memory

  /** Linear -> physical for a read (0), write (1) or fetch (2); raises #PF. */
  translate(lo: number, hi: number, access: number): number {
    if (!this.paging) return hi === 0 ? lo >>> 0 : 2 ** 52; // beyond any RAM: reads all ones
    const pa = this.mmu.translate(lo, hi, access, this.cpl === 3 && !this.sysAccess);
    if (pa < 0) {
      if (this.mmu.npf) this.nestedPageFault();
      this.pfLo = lo;
      this.pfHi = hi;
      this.pfPending = true;
      throw new CpuFault(PF, this.mmu.faultCode);
    }
    return pa;
  }

  /** #VMEXIT(NPF) for a nested page fault translate() found (the world switch is the Cpu's: svm/world.ts). */
  protected abstract nestedPageFault(): never;

  /*
   * The last page read and the last page written by read8/32/64 and write8/32/64 (linear page,
   * 4 GiB, base in RAM as an int32), kept while the MMU's epoch (no walk, flush or world switch
   * since; turning paging on or off flushes) and the access's user/supervisor kind are those it was
   * translated with: the TLB probe is skipped for them, and the physical address stays an integer.
   * Page, 4 GiB and base take any int32: CpuState's int32 layout (int32-state.ts) holds them.
   */
  declare rmPage: number;
  declare rmHi: number;
  declare rmBase: number;
  private rmEpoch = -1; // none kept yet (the MMU's epoch starts at 0)
  private rmUser = false;
  declare wmPage: number;
  declare wmHi: number;
  declare wmBase: number;
  private wmEpoch = -1;
  private wmUser = false;

  /**
   * The kept read page holds lo, hi: the same linear page and 4 GiB, and nothing since that changes
   * its translation. Callers then make the access at rmBase | offset, an int32 (RAM is under
   * 2 GiB), so that V8 keeps the physical address in an integer register rather than a double.
   */
  private rmHolds(lo: number, hi: number): boolean {
    return (lo & ~0xfff) === this.rmPage && hi === this.rmHi && this.mmu.epoch === this.rmEpoch &&
      this.rmUser === (this.cpl === 3 && !this.sysAccess);
  }

  /** The same for the kept write page. */
  private wmHolds(lo: number, hi: number): boolean {
    return (lo & ~0xfff) === this.wmPage && hi === this.wmHi && this.mmu.epoch === this.wmEpoch &&
      this.wmUser === (this.cpl === 3 && !this.sysAccess);
  }

  /** translate() for a read or write that missed the kept page: keeps this one if it is in RAM (rm* or wm*). */
  private keepPage(lo: number, hi: number, access: number): number {
    const pa = this.translate(lo, hi, access);
    const base = pa - (lo & 0xfff);
    if (base + 4096 <= this.mem.size) {
      const page = lo & ~0xfff, b = base | 0, epoch = this.mmu.epoch, user = this.cpl === 3 && !this.sysAccess;
      if (access === READ) {
        this.rmPage = page; this.rmHi = hi; this.rmBase = b; this.rmEpoch = epoch; this.rmUser = user;
      } else {
        this.wmPage = page; this.wmHi = hi; this.wmBase = b; this.wmEpoch = epoch; this.wmUser = user;
      }
    }
    return pa;
  }

  read8(lo: number, hi: number): number {
    if (this.rmHolds(lo, hi)) return this.ram8[this.rmBase | (lo & 0xfff)]!;
    return this.mem.read8(this.keepPage(lo, hi, READ));
  }
  read16(lo: number, hi: number): number {
    if ((lo & 0xfff) > 0xffe) return this.read8(lo, hi) | (this.read8(lo + 1, hi) << 8);
    return this.mem.read16(this.translate(lo, hi, READ));
  }
  read32(lo: number, hi: number): number {
    const o = lo & 0xfff;
    if (o > 0xffc) return this.read16(lo, hi) | (this.read16(lo + 2, hi) << 16);
    if (this.rmHolds(lo, hi)) {
      const pa = this.rmBase | o;
      return (pa & 3) === 0 ? this.ram32[pa >>> 2]! : this.mem.dv.getInt32(pa, true);
    }
    return this.mem.read32(this.keepPage(lo, hi, READ));
  }
  /** 64-bit read: returns the low half, high half in this.hi. */
  read64(lo: number, hi: number): number {
    const o = lo & 0xfff;
    if (o <= 0xff8) {
      // Within one page: one translation for both halves.
      if (this.rmHolds(lo, hi)) {
        const pa = this.rmBase | o;
        if ((pa & 3) === 0) {
          const w = pa >>> 2, ram = this.ram32;
          this.hi = ram[w + 1]!;
          return ram[w]!;
        }
        const dv = this.mem.dv;
        this.hi = dv.getInt32(pa + 4, true);
        return dv.getInt32(pa, true);
      }
      const pa = this.keepPage(lo, hi, READ);
      this.hi = this.mem.read32(pa + 4);
      return this.mem.read32(pa);
    }
    const l = this.read32(lo, hi);
    const nlo = (lo + 4) | 0;
    this.hi = this.read32(nlo, nlo >>> 0 < 4 ? hi + 1 : hi);
    return l;
  }
  readSz(sz: number, lo: number, hi: number): number {
    switch (sz) {
      case 1: return this.read8(lo, hi);
      case 2: return this.read16(lo, hi);
      case 4: return this.read32(lo, hi);
      default: return this.read64(lo, hi);
    }
  }

  write8(lo: number, hi: number, v: number): void {
    if (this.wmHolds(lo, hi)) {
      const pa = this.wmBase | (lo & 0xfff);
      if (this.codePage[pa >>> 12] === 0) this.ram8[pa] = v;
      else this.mem.write8(pa, v & 0xff);
      return;
    }
    this.mem.write8(this.keepPage(lo, hi, WRITE), v & 0xff);
  }
  write16(lo: number, hi: number, v: number): void {
    if ((lo & 0xfff) > 0xffe) {
      // Check both pages before writing either, so a fault leaves memory untouched.
      const a = this.translate(lo, hi, WRITE);
      const b = this.translate(lo + 1, hi, WRITE);
      this.mem.write8(a, v & 0xff);
      this.mem.write8(b, (v >> 8) & 0xff);
      return;
    }
    this.mem.write16(this.translate(lo, hi, WRITE), v & 0xffff);
  }
  write32(lo: number, hi: number, v: number): void {
    if ((lo & 0xfff) > 0xffc) {
      const pa: number[] = [];
      for (let k = 0; k < 4; k++) pa.push(this.translate(lo + k, hi, WRITE));
      for (let k = 0; k < 4; k++) this.mem.write8(pa[k]!, (v >> (8 * k)) & 0xff);
      return;
    }
    if (this.wmHolds(lo, hi)) {
      const pa = this.wmBase | (lo & 0xfff);
      // Straight into RAM when aligned on a page with no decoded code and no watchpoint (PhysMem.codeWrite's cases).
      if ((pa & 3) === 0 && this.codePage[pa >>> 12] === 0) this.ram32[pa >>> 2] = v;
      else this.mem.write32(pa, v);
      return;
    }
    this.mem.write32(this.keepPage(lo, hi, WRITE), v);
  }
  write64(lo: number, hi: number, vlo: number, vhi: number): void {
    if ((lo & 0xfff) <= 0xff8) {
      // Within one page: one translation for both halves.
      if (this.wmHolds(lo, hi)) {
        const pa = this.wmBase | (lo & 0xfff);
        if ((pa & 3) === 0 && this.codePage[pa >>> 12] === 0) {
          const w = pa >>> 2, ram = this.ram32;
          ram[w] = vlo;
          ram[w + 1] = vhi;
          return;
        }
        this.mem.write32(pa, vlo);
        this.mem.write32(pa + 4, vhi);
        return;
      }
      const pa = this.keepPage(lo, hi, WRITE);
      this.mem.write32(pa, vlo);
      this.mem.write32(pa + 4, vhi);
      return;
    }
    const nlo = (lo + 4) | 0;
    const nhi = nlo >>> 0 < 4 ? hi + 1 : hi;
    // Crossing a page: probe the second half first so a fault changes nothing.
    this.translate(nlo, nhi, WRITE);
    this.write32(lo, hi, vlo);
    this.write32(nlo, nhi, vhi);
  }
  writeSz(sz: number, lo: number, hi: number, vlo: number, vhi: number): void {
    switch (sz) {
      case 1: this.write8(lo, hi, vlo); return;
      case 2: this.write16(lo, hi, vlo); return;
      case 4: this.write32(lo, hi, vlo); return;
      default: this.write64(lo, hi, vlo, vhi);
    }
  }

  // ---------------------------------------------------------------- operands

  /** Read the r/m operand (register or memory; memory leaves its address in laLo/laHi). */
  readE(i: Insn, sz: number): number {
    if (!i.mem) return this.getR(sz, i.rm);
    this.ea(i);
    return this.readSz(sz, this.laLo, this.laHi);
  }
  /** Write the r/m operand; for memory, at the address readE or ea computed. */
  writeE(i: Insn, sz: number, lo: number, hi: number): void {
    if (!i.mem) this.setR(sz, i.rm, lo, hi);
    else this.writeSz(sz, this.laLo, this.laHi, lo, hi);
  }

  // ---------------------------------------------------------------- stack

  private stackAddr(offLo: number, offHi: number): void {
    if (this.stackSize === 8) {
      if (!canonical(offHi)) throw new CpuFault(SS_FAULT, 0);
      this.laLo = offLo;
      this.laHi = offHi;
    } else {
      this.linear(SS, this.stackSize === 4 ? offLo : offLo & 0xffff);
    }
  }

  push(sz: number, lo: number, hi: number): void {
    const r = this.r;
    const k = RSP << 1;
    let nlo = (r[k]! - sz) | 0;
    let nhi = r[k + 1]!;
    if (this.stackSize === 8) { if (nlo >>> 0 > r[k]! >>> 0) nhi = (nhi - 1) | 0; }
    else if (this.stackSize === 2) { nlo = (r[k]! & ~0xffff) | (nlo & 0xffff); }
    this.stackAddr(nlo, nhi);
    this.writeSz(sz, this.laLo, this.laHi, lo, hi);
    if (this.stackSize === 4) nhi = 0;
    r[k] = nlo;
    r[k + 1] = this.stackSize === 8 ? nhi : this.stackSize === 4 ? 0 : r[k + 1]!;
  }

  /** Pop sz bytes; returns the low half (high half in this.hi). */
  pop(sz: number): number {
    const v = this.peek(sz, 0);
    const h = this.hi;
    this.adjustSp(sz);
    this.hi = h;
    return v;
  }

  /** Read sz bytes at RSP + off without popping. */
  peek(sz: number, off: number): number {
    const r = this.r;
    const k = RSP << 1;
    let lo = r[k]!;
    let hi = r[k + 1]!;
    if (off !== 0) {
      const s = (lo >>> 0) + off;
      lo = s | 0;
      if (this.stackSize === 8) hi = (hi + (s > 0xffffffff ? 1 : 0)) | 0;
    }
    this.stackAddr(lo, hi);
    return this.readSz(sz, this.laLo, this.laHi);
  }

  adjustSp(n: number): void {
    const r = this.r;
    const k = RSP << 1;
    if (this.stackSize === 8) {
      const s = (r[k]! >>> 0) + n;
      r[k] = s | 0;
      r[k + 1] = (r[k + 1]! + Math.floor(s / 4294967296)) | 0;
    } else if (this.stackSize === 4) {
      r[k] = (r[k]! + n) | 0;
      r[k + 1] = 0;
    } else {
      r[k] = (r[k]! & ~0xffff) | ((r[k]! + n) & 0xffff);
    }
  }
}
