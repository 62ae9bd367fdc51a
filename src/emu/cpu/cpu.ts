// The CPU: architectural state, operand access, and the fetch-decode-execute step.
//
// Every 64-bit value is two 32-bit halves (r[2n] low, r[2n+1] high); functions
// that produce a 64-bit value return the low half and leave the high half in
// cpu.hi. That keeps BigInt and allocation out of the hot path.
import { decode, type ByteSource } from './decode';
import { DecodedCache } from './icache';
import { CpuFault, GP, SS_FAULT, UD, PF } from './fault';
import { Mmu, READ, WRITE, EXEC } from '../mem/paging';
import { deliverEvent } from './interrupts';
import { type Insn, BASE_RIP, SS, CS, DS, FS, GS, ES, LDTR, TR } from './insn';
import { Lazy, getFlags } from './flags';
import { RSP } from './regs';
import { bindHandler } from './exec/table';
import { setSegment } from './segments';
import type { PhysMem } from '../mem/phys';
import type { CpuModel } from './cpuid';
import { PACIFICA_MODEL } from './models';
import { SvmState, WorldSwitch } from '../svm/state';
import { guestInterrupt, guestWakeable } from '../svm/events';
import { intercepted } from '../svm/intercept';
import { vmexit } from '../svm/world';
import { VMEXIT } from '../svm/exitcodes';
import { BlockCache } from './jit/blocks'; // block compiler (src/emu/cpu/jit)

export enum StopReason {
  None = 0,
  Halt = 1, // hlt: waiting for an interrupt (the machine advances time to the next device event)
  Exception = 2, // an exception with nowhere to go (the flat setup has no IDT)
  Limit = 3, // the instruction or cycle budget ran out
  Internal = 4, // an emulator bug; reported, never thrown to the caller
  Shutdown = 5, // triple fault: the machine shuts down
  DebugExit = 6, // the guest wrote to the debug-exit port
  Breakpoint = 7, // a debugger hook asked to stop (src/emu/debug)
}

/** The CPU's I/O port space (the machine's bus). */
export interface PortIo {
  in(port: number, size: number): number;
  out(port: number, size: number, value: number): void;
}

/** The INTR line: an interrupt controller that can supply a vector. */
export interface InterruptSource {
  hasInterrupt(): boolean;
  acknowledge(): number;
  /** The NMI line (optional: sources without one never raise it). */
  hasNmi?(): boolean;
  acknowledgeNmi?(): void;
}

const NO_IO: PortIo = { in: (_p, size) => (size === 1 ? 0xff : size === 2 ? 0xffff : -1), out: () => {} };
const NO_INTR: InterruptSource = { hasInterrupt: () => false, acknowledge: () => 0 };
/** Cpu.run executes its budget in chunks of this many instructions at most (under 2^30: a small integer in V8, 31-bit ones included). */
const RUN_CHUNK = 0x3fffffff;

/** Segment register slots: the six data/code registers, then LDTR and TR. */
export { LDTR, TR } from './insn';

export class Cpu {
  /** General-purpose registers as 32-bit halves: r[2n] = low, r[2n+1] = high. */
  readonly r = new Int32Array(32);
  ripLo = 0;
  ripHi = 0;
  /** RFLAGS: the non-arithmetic bits always; the arithmetic ones when lop = None. */
  flags = 0x2;
  // Lazy flags (flags.ts).
  lop: Lazy = Lazy.None;
  lsz = 4;
  lres = 0;
  lresH = 0;
  ldst = 0;
  ldstH = 0;
  lsrc = 0;
  lsrcH = 0;
  lcf = 0;

  /**
   * Segment registers with their hidden parts (ES, CS, SS, DS, FS, GS, LDTR, TR).
   * Attributes use the VMCB's 12-bit format: type(0-3) S(4) DPL(5-6) P(7) AVL(8) L(9) DB(10) G(11).
   */
  readonly segSel = new Int32Array(8);
  readonly segBaseLo = new Int32Array(8);
  readonly segBaseHi = new Int32Array(8);
  readonly segLimit = new Int32Array(8).fill(-1);
  readonly segAttr = new Int32Array(8);
  gdtrBaseLo = 0;
  gdtrBaseHi = 0;
  gdtrLimit = 0xffff;
  idtrBaseLo = 0;
  idtrBaseHi = 0;
  idtrLimit = 0xffff;

  /** Code size (16, 32, 64) from CS.D/CS.L and EFER.LMA. */
  mode = 64;
  /** Stack address size in bytes (8 in 64-bit mode; SS.B otherwise). */
  stackSize = 8;
  cpl = 0;
  cr0 = 0;
  cr2Lo = 0;
  cr2Hi = 0;
  cr3Lo = 0;
  cr3Hi = 0;
  cr4 = 0;
  cr8 = 0;
  efer = 0;
  paging = false;
  /** Debug registers DR0..DR7, stored (breakpoints are the debugger's, not DR7's). */
  readonly dr = new Float64Array(8);
  /** Plain MSRs (STAR, LSTAR, ...) as 64-bit values in two halves, by MSR number. */
  readonly msrs = new Map<number, [number, number]>();
  /** Added to the cycle count to give the TSC (wrmsr TSC sets it). */
  tscOffset = 0;

  /** IA32_APIC_BASE, provided by the machine's local APIC (write returns false for #GP). */
  apicBase: { read(): number; write(lo: number, hi: number): boolean } | null = null;
  /** Port I/O and the INTR line, wired by the machine. */
  io: PortIo = NO_IO;
  intr: InterruptSource = NO_INTR;
  /** Set when an interrupt may be deliverable (device line raised, IF set): checked between instructions. */
  irqCheck = false;
  /** Interrupts are inhibited for the instruction after sti / mov ss / pop ss (the shadow). */
  shadowAt = -1;
  /** Flat setup: an exception stops the run instead of going through the IDT. */
  exceptionsStop = true;
  /** Descriptor-table and TSS reads are supervisor accesses even at CPL 3. */
  sysAccess = false;
  /** Why the machine shut down (triple fault), for the user. */
  shutdownReason = '';
  readonly mmu: Mmu;

  /** Second return value: the high half of a 64-bit result. */
  hi = 0;
  /** Linear address of the last memory operand (laLo, laHi). */
  laLo = 0;
  laHi = 0;
  /** RIP of the instruction being executed (for faults), and its length. */
  startLo = 0;
  startHi = 0;

  instructions = 0;
  cycles = 0;
  halted = false;
  stop: StopReason = StopReason.None;
  lastFault: CpuFault | null = null;
  internalError = '';

  /** The CPUID table this CPU answers from (models.ts); its SVM features are what the CPU implements. */
  model: CpuModel = PACIFICA_MODEL;
  /**
   * Debugger hook, called before each instruction while set (the breakpoint
   * check): returning true stops the run before the instruction, with RIP on it.
   */
  insnHook: ((c: Cpu) => boolean) | null = null;
  /** SVM: GIF, guest mode and what VMRUN cached (src/emu/svm). */
  readonly svm = new SvmState();
  /** An NMI handler runs: further NMIs are held until the next IRET (APM §8.2.3). */
  nmiBlocked = false;
  /** A #PF's address, written to CR2 when the #PF is delivered (not when it is intercepted). */
  pfPending = false;
  /** MONITOR armed (MWAIT's conditional intercept). */
  monitorArmed = false;
  pfLo = 0;
  pfHi = 0;

  readonly icache: DecodedCache;
  private fetchBase = 0;
  private readonly fetchSrc: ByteSource = { byte: (off) => this.fetchByte(off) };

  constructor(readonly mem: PhysMem) {
    this.icache = new DecodedCache(mem);
    this.mmu = new Mmu(mem, this);
  }

  // ---------------------------------------------------------------- registers

  getR(sz: number, id: number): number {
    switch (sz) {
      case 4: return this.r[id << 1]!;
      case 8: this.hi = this.r[(id << 1) + 1]!; return this.r[id << 1]!;
      case 2: return this.r[id << 1]! & 0xffff;
      default: return id < 16 ? this.r[id << 1]! & 0xff : (this.r[(id - 16) << 1]! >> 8) & 0xff;
    }
  }

  setR(sz: number, id: number, lo: number, hi: number): void {
    const k = id << 1;
    switch (sz) {
      case 4: this.r[k] = lo; this.r[k + 1] = 0; return;
      case 8: this.r[k] = lo; this.r[k + 1] = hi; return;
      case 2: this.r[k] = (this.r[k]! & ~0xffff) | (lo & 0xffff); return;
      default:
        if (id < 16) this.r[k] = (this.r[k]! & ~0xff) | (lo & 0xff);
        else this.r[(id - 16) << 1] = (this.r[(id - 16) << 1]! & ~0xff00) | ((lo & 0xff) << 8);
    }
  }

  getFlags(): number {
    return getFlags(this);
  }

  // ---------------------------------------------------------------- addresses

  /** Compute the memory operand's effective address (offset, no segment) into laLo/laHi. */
  eaOffset(i: Insn): void {
    const r = this.r;
    if (i.asize === 8) {
      // 64-bit sums in int32 halves; a carry out of the low half is an unsigned wrap-around.
      let lo = i.dispLo | 0;
      let hi = i.dispHi | 0;
      const b = i.base;
      if (b >= 0) {
        const bl = b === BASE_RIP ? this.ripLo : r[b << 1]!;
        const bh = b === BASE_RIP ? this.ripHi : r[(b << 1) + 1]!;
        const t = (lo + bl) | 0;
        hi = (hi + bh + ((t >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
        lo = t;
      }
      const x = i.index;
      if (x >= 0) {
        const s = i.scale;
        let xl = r[x << 1]!, xh = r[(x << 1) + 1]!;
        if (s !== 0) { xh = (xh << s) | (xl >>> (32 - s)); xl <<= s; }
        const t = (lo + xl) | 0;
        hi = (hi + xh + ((t >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
        lo = t;
      }
      this.laLo = lo;
      this.laHi = hi;
      return;
    }
    let off = i.dispLo;
    if (i.asize === 4) {
      if (i.base >= 0) off += r[i.base << 1]!;
      if (i.index >= 0) off += r[i.index << 1]! << i.scale;
      off |= 0;
    } else {
      if (i.base >= 0) off += r[i.base << 1]!;
      if (i.index >= 0) off += r[i.index << 1]!;
      off &= 0xffff;
    }
    this.laLo = off;
    this.laHi = 0;
  }

  /** Compute the memory operand's linear address into laLo/laHi (segment base, canonical check). */
  ea(i: Insn): void {
    this.eaOffset(i);
    if (i.asize === 8) {
      let lo = this.laLo;
      let hi = this.laHi;
      const seg = i.seg;
      if (seg >= FS) {
        const blo = (lo >>> 0) + (this.segBaseLo[seg]! >>> 0);
        hi = (hi + this.segBaseHi[seg]! + (blo > 0xffffffff ? 1 : 0)) | 0;
        lo = blo | 0;
        this.laLo = lo;
        this.laHi = hi;
      }
      if (((hi << 15) >> 15) !== hi) this.nonCanonical(seg);
      return;
    }
    this.linear(i.seg, this.laLo);
  }

  /** Segment base + 32-bit (or 16-bit) offset -> laLo/laHi. */
  linear(seg: number, off: number): void {
    if (this.mode === 64) {
      if (seg >= FS) {
        const blo = (off >>> 0) + (this.segBaseLo[seg]! >>> 0);
        const hi = (this.segBaseHi[seg]! + (blo > 0xffffffff ? 1 : 0)) | 0;
        if (((hi << 15) >> 15) !== hi) this.nonCanonical(seg);
        this.laLo = blo | 0;
        this.laHi = hi;
      } else {
        this.laLo = off;
        this.laHi = 0;
      }
      return;
    }
    this.laLo = (off + this.segBaseLo[seg]!) | 0;
    this.laHi = 0;
  }

  private nonCanonical(seg: number): never {
    throw new CpuFault(seg === SS ? SS_FAULT : GP, 0);
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

  /**
   * #VMEXIT(NPF), fault-like: the guest restarts the instruction (or, during an
   * event's delivery, the delivery: EXITINTINFO holds the event).
   */
  private nestedPageFault(): never {
    const m = this.mmu;
    if (!this.svm.evValid) {
      this.ripLo = this.startLo;
      this.ripHi = this.startHi;
    }
    const g = m.npfGpa;
    return vmexit(this, VMEXIT.NPF, m.npfInfoLo, m.npfInfoHi, g % 4294967296 | 0, Math.floor(g / 4294967296) | 0);
  }

  /*
   * The last page read and the last page written by read32/read64/write32/write64 (linear page,
   * 4 GiB, base in RAM as an int32), kept while the MMU's epoch (no walk, flush or world switch
   * since; turning paging on or off flushes) and the access's user/supervisor kind are those it was
   * translated with: the TLB probe is skipped for them, and the physical address stays an integer.
   */
  private rmPage = -1;
  private rmHi = 0;
  private rmBase = 0;
  private rmEpoch = -1;
  private rmUser = false;
  private wmPage = -1;
  private wmHi = 0;
  private wmBase = 0;
  private wmEpoch = -1;
  private wmUser = false;

  /** The physical address of a read within one page: from the kept read page, or translated (and kept). */
  private readPa(lo: number, hi: number): number {
    return (lo & ~0xfff) === this.rmPage && hi === this.rmHi && this.mmu.epoch === this.rmEpoch &&
      this.rmUser === (this.cpl === 3 && !this.sysAccess) ? this.rmBase | (lo & 0xfff) : this.keepPage(lo, hi, READ);
  }

  /** The same for a write within one page (the kept write page). */
  private writePa(lo: number, hi: number): number {
    return (lo & ~0xfff) === this.wmPage && hi === this.wmHi && this.mmu.epoch === this.wmEpoch &&
      this.wmUser === (this.cpl === 3 && !this.sysAccess) ? this.wmBase | (lo & 0xfff) : this.keepPage(lo, hi, WRITE);
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
    return this.mem.read8(this.translate(lo, hi, READ));
  }
  read16(lo: number, hi: number): number {
    if ((lo & 0xfff) > 0xffe) return this.read8(lo, hi) | (this.read8(lo + 1, hi) << 8);
    return this.mem.read16(this.translate(lo, hi, READ));
  }
  read32(lo: number, hi: number): number {
    if ((lo & 0xfff) > 0xffc) return this.read16(lo, hi) | (this.read16(lo + 2, hi) << 16);
    return this.mem.read32(this.readPa(lo, hi));
  }
  /** 64-bit read: returns the low half, high half in this.hi. */
  read64(lo: number, hi: number): number {
    if ((lo & 0xfff) <= 0xff8) {
      // Within one page: one translation for both halves.
      const pa = this.readPa(lo, hi);
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
    this.mem.write8(this.translate(lo, hi, WRITE), v & 0xff);
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
    this.mem.write32(this.writePa(lo, hi), v);
  }
  write64(lo: number, hi: number, vlo: number, vhi: number): void {
    if ((lo & 0xfff) <= 0xff8) {
      // Within one page: one translation for both halves.
      const pa = this.writePa(lo, hi);
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
      if (((offHi << 15) >> 15) !== offHi) throw new CpuFault(SS_FAULT, 0);
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

  // ---------------------------------------------------------------- control flow

  /** Jump to RIP + rel (rel sign-extended 32-bit), truncated to the operand size. */
  jumpRel(rel: number, osize: number): void {
    if (osize === 8) {
      const s = (this.ripLo >>> 0) + rel;
      const hi = (this.ripHi + Math.floor(s / 4294967296)) | 0;
      this.setRip(s | 0, hi);
    } else {
      const t = (this.ripLo + rel) | 0;
      this.setRip(osize === 2 ? t & 0xffff : t, 0);
    }
  }

  /** Load RIP; a non-canonical target raises #GP(0) on the branch itself. */
  setRip(lo: number, hi: number): void {
    if (this.mode === 64) {
      if (((hi << 15) >> 15) !== hi) throw new CpuFault(GP, 0);
    } else if ((lo >>> 0) > (this.segLimit[CS]! >>> 0)) {
      throw new CpuFault(GP, 0);
    }
    this.ripLo = lo;
    this.ripHi = hi;
  }

  // ---------------------------------------------------------------- execution

  private fetchByte(off: number): number {
    const lo = (this.fetchBase + off) | 0;
    const hi = this.mode === 64 ? (this.ripHi + (lo >>> 0 < this.fetchBase >>> 0 ? 1 : 0)) | 0 : 0;
    return this.mem.read8(this.translate(lo, hi, READ));
  }

  /** Execute one instruction (or deliver the exception it raises). */
  step(): void {
    this.stop = StopReason.None;
    this.execute(1);
  }

  /**
   * The interpreter loop: fetch (through the decoded-instruction cache), advance
   * RIP, execute. Runs up to n instructions or until something sets stop. A fault
   * rewinds RIP to the faulting instruction and is delivered; the loop goes on.
   */
  private execute(n: number): void {
    let left = n;
    const pages = this.icache.pages;
    // The block compiler (src/emu/cpu/jit) runs whole blocks where it can; step() and a
    // set insnHook (the debugger) always go one instruction at a time.
    const blocks = this.jit && n > 1 && this.insnHook === null ? this.blocks : null;
    const ramSize = this.mem.size;
    let blockBase = -1; // instructions before the running block (-1: none runs)
    // The code page being run: its linear page (and 4 GiB) and physical base, kept while the MMU's
    // epoch (no walk, flush or world switch since) and the CPL are those it was translated with.
    const mmu = this.mmu;
    let fPage = -1, fHi = 0, fBase = 0, fEpoch = -1, fCpl = -1;
    while (left > 0 && this.stop === StopReason.None) {
      try {
        while (left > 0) {
          if (this.irqCheck && this.takeInterrupt()) {
            if (this.stop !== StopReason.None) return; // a hook stopped at the switch or write the delivery caused
            continue;
          }
          if (this.halted) {
            this.stop = StopReason.Halt;
            return;
          }
          if (this.insnHook !== null && this.insnHook(this)) {
            this.stop = StopReason.Breakpoint;
            return;
          }
          const slo = this.ripLo;
          const shi = this.ripHi;
          this.startLo = slo;
          this.startHi = shi;
          const mode = this.mode;
          const linLo = mode === 64 ? slo : (slo + this.segBaseLo[CS]!) | 0;
          let pa: number;
          if (!this.paging) {
            pa = shi === 0 ? linLo >>> 0 : this.translate(linLo, shi, EXEC);
          } else if ((linLo & ~0xfff) === fPage && shi === fHi && mmu.epoch === fEpoch && this.cpl === fCpl) {
            pa = fBase | (linLo & 0xfff);
          } else {
            pa = this.translate(linLo, shi, EXEC);
            // Kept for pages in RAM below 2 GiB only: the base is then an int32, and so is pa (measured
            // +6 % on the whole PC interpreted against keeping any page, whose pa was a double).
            const base = pa - (linLo & 0xfff);
            fPage = base + 4096 <= ramSize && base < 0x7ffff000 ? linLo & ~0xfff : -1;
            fHi = shi;
            fBase = base | 0;
            fEpoch = mmu.epoch;
            fCpl = this.cpl;
          }
          if (blocks !== null && pa < ramSize && this.insnHook === null) {
            let b = blocks.get(pa, mode);
            if (b !== null && b.n <= left) {
              // What the fetch translation of this page depends on, to go on to the next block
              // of the same page without translating again (chaining, below).
              const svm = this.svm, page = blocks.pages[pa >>> 12]!;
              const epoch = mmu.epoch, switches = svm.exits + svm.vmruns;
              const cpl = this.cpl, csBase = this.segBaseLo[CS]!, paging = this.paging;
              let off = pa & 0xfff, lo = slo;
              for (;;) {
                blockBase = this.instructions;
                // Instructions executed; negative: it left after taking an interrupt
                // (the loop returns there too when the delivery set stop).
                const ran = b.run(this, left);
                blockBase = -1;
                left -= ran < 0 ? -ran : ran;
                if (this.stop !== StopReason.None) return;
                // The next instruction starts a compiled block of the same physical page when
                // RIP moved within the page (the same linear page: same 4 GiB, CS base, mode)
                // and nothing its translation depends on changed (no walk, TLB flush or world
                // switch, same CPL); and nothing the loop's top would do first is pending.
                // A block ending in a near jump, call or return (b.near) changed none of mode, CPL,
                // paging, CS base or world and did not halt.
                if (ran < 0 || this.irqCheck || page.dead) break;
                const next = (off + (this.ripLo - lo)) | 0;
                if (next < 0 || next >= 4096 || this.ripHi !== shi || mmu.epoch !== epoch) break;
                if (!b.near && (this.halted || this.mode !== mode || this.cpl !== cpl || this.paging !== paging ||
                  this.segBaseLo[CS] !== csBase || svm.exits + svm.vmruns !== switches)) break;
                const nb = page.entries[next];
                if (nb === undefined || nb === null || nb.mode !== mode || nb.n > left) break;
                b = nb;
                off = next;
                lo = this.ripLo;
                this.startLo = lo;
                this.startHi = shi;
              }
              continue;
            }
          }
          const page = pages[pa >>> 12];
          let i = page !== undefined ? page[pa & 0xfff] : undefined;
          if (i === undefined || i.mode !== mode) {
            this.fetchBase = linLo;
            i = decode(this.fetchSrc, mode);
            bindHandler(i);
            this.icache.insert(pa, i);
          }
          const nlo = (slo + i.len) | 0;
          if (mode === 64) {
            this.ripLo = nlo;
            if (nlo >>> 0 < slo >>> 0) this.ripHi = (shi + 1) | 0;
          } else {
            this.ripLo = mode === 32 ? nlo : nlo & 0xffff;
          }
          i.exec!(this, i);
          this.instructions++;
          this.cycles += i.cost;
          left--;
          if (this.stop !== StopReason.None) return;
        }
      } catch (e) {
        if (blockBase >= 0) {
          // The block's instructions before the one that threw (none of them is a
          // REP chunk: those end blocks), as the interpreter would have counted them.
          left -= this.instructions - blockBase;
          blockBase = -1;
        }
        left--;
        if (e instanceof CpuFault) {
          if (!e.trap) {
            this.ripLo = this.startLo;
            this.ripHi = this.startHi;
          } else {
            this.instructions++;
          }
          this.deliverCaught(e);
        } else if (e instanceof WorldSwitch) {
          // A #VMEXIT abandoned the instruction or event; the host runs on.
        } else {
          this.internalError = e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e);
          this.ripLo = this.startLo;
          this.ripHi = this.startHi;
          this.stop = StopReason.Internal;
        }
      }
    }
  }

  // ---------------------------------------------------------------- block compiler (src/emu/cpu/jit): BEGIN

  /**
   * Run compiled blocks of instructions (src/emu/cpu/jit) instead of one
   * instruction at a time; the result is the same either way. step() and a set
   * insnHook (the debugger) always interpret. On by default: measured, it pays
   * on the C workloads and on the whole PC (HVMM + guests) alike (jit/README.md).
   */
  jit = true;
  private blockCache: BlockCache | null = null;
  /** The compiled blocks, per physical code page (created on first use). */
  get blocks(): BlockCache {
    return (this.blockCache ??= new BlockCache(this));
  }

  // ---------------------------------------------------------------- block compiler (src/emu/cpu/jit): END

  /**
   * Deliver an exception: through the IDT (interrupts.ts, with the double- and
   * triple-fault rules), or, in the flat setup, stop and report it.
   */
  deliver(f: CpuFault): void {
    this.lastFault = f;
    if (this.exceptionsStop) {
      if (f.vector === PF && this.pfPending) { this.cr2Lo = this.pfLo; this.cr2Hi = this.pfHi; this.pfPending = false; }
      this.stop = StopReason.Exception;
      return;
    }
    deliverEvent(this, f.vector, f.errorCode, f.trap ? 'trap' : 'exception');
  }

  /** deliver(), where a #VMEXIT (an intercepted exception) may end the delivery. */
  private deliverCaught(f: CpuFault): void {
    try {
      this.deliver(f);
    } catch (e) {
      if (!(e instanceof WorldSwitch)) throw e;
    }
  }

  /** Between instructions: deliver a pending external interrupt if IF allows it. */
  private takeInterrupt(): boolean {
    if (this.svm.guest) {
      try {
        return guestInterrupt(this);
      } catch (e) {
        if (e instanceof WorldSwitch) return true;
        if (!(e instanceof CpuFault)) throw e;
        this.deliverCaught(e);
        return true;
      }
    }
    if (!this.svm.gif) return false; // GIF clear: interrupts stay pending (irqCheck stays set)
    if (!this.nmiBlocked && this.intr.hasNmi?.()) return this.takeNmi();
    if ((this.flags & 0x200) === 0 || this.shadowAt === this.instructions) {
      this.irqCheck = (this.flags & 0x200) !== 0; // keep looking after the shadow
      return false;
    }
    if (!this.intr.hasInterrupt()) {
      this.irqCheck = false;
      return false;
    }
    const vector = this.intr.acknowledge();
    this.halted = false;
    this.startLo = this.ripLo;
    this.startHi = this.ripHi;
    try {
      deliverEvent(this, vector, -1, 'external');
    } catch (e) {
      if (!(e instanceof CpuFault)) throw e;
      this.deliverCaught(e);
    }
    this.irqCheck = true;
    return true;
  }

  /** Deliver a pending NMI (vector 2, not maskable by IF; GIF and NMI blocking hold it). */
  takeNmi(): boolean {
    this.intr.acknowledgeNmi?.();
    this.nmiBlocked = true;
    this.halted = false;
    this.startLo = this.ripLo;
    this.startHi = this.ripHi;
    try {
      deliverEvent(this, 2, -1, 'nmi');
    } catch (e) {
      if (e instanceof WorldSwitch) return true;
      if (!(e instanceof CpuFault)) throw e;
      this.deliverCaught(e);
    }
    this.irqCheck = true;
    return true;
  }

  /** Could an interrupt wake the halted CPU (IF and GIF allow it, or it would exit the guest)? */
  wakeable(): boolean {
    if (this.svm.guest) return guestWakeable(this);
    return this.svm.gif && (this.flags & 0x200) !== 0;
  }

  /**
   * Shutdown after a triple fault: a guest with the SHUTDOWN intercept exits
   * (#VMEXIT(SHUTDOWN)); otherwise the machine stops. Reported, never thrown.
   */
  shutdown(reason: string): void {
    if (this.svm.guest && intercepted(this, VMEXIT.SHUTDOWN)) vmexit(this, VMEXIT.SHUTDOWN);
    this.shutdownReason = reason;
    this.stop = StopReason.Shutdown;
  }

  /** Run until stopped or `budget` instructions have executed. */
  run(budget: number): StopReason {
    this.stop = StopReason.None;
    // In chunks of under 2^30: the loop's count stays a small integer that V8 keeps
    // unboxed (a budget like 5e9 was a heap number boxed at every block call, measured
    // as ~1 GC a millisecond and 4-10 % of the C workloads' speed).
    for (let left = budget; left > 0 && this.stop === StopReason.None; left -= RUN_CHUNK) {
      this.execute(left < RUN_CHUNK ? left : RUN_CHUNK);
    }
    if (this.stop === StopReason.None) this.stop = StopReason.Limit;
    return this.stop;
  }

  /** hlt: wait for an interrupt. In the flat setup nothing can wake the CPU. */
  halt(): void {
    this.halted = true;
    this.irqCheck = true;
    this.stop = StopReason.Halt;
  }

  /** Raise #UD (used by handlers for encodings valid to decode but not to execute). */
  ud(): never {
    throw new CpuFault(UD);
  }

  /** Set the flat 64-bit execution environment: CPL 0, 64-bit CS, zero bases, no paging. */
  setFlat64(): void {
    this.cpl = 0;
    this.cr0 = 0x11;
    this.efer = 0x500; // LME | LMA (long mode without paging: a convenience of this setup)
    this.paging = false;
    for (const s of [ES, SS, DS, FS, GS]) setSegment(this, s, 0, 0, 0, -1, 0xc93);
    setSegment(this, CS, 0, 0, 0, -1, 0xa9b); // L = 1
    this.mode = 64;
    this.stackSize = 8;
    this.exceptionsStop = true;
    this.halted = false;
    this.resetSvm();
  }

  /** Power-on SVM state: GIF set, no guest, host ASID, nested paging off. */
  private resetSvm(): void {
    this.svm.reset();
    this.mmu.setNested(false);
    this.mmu.setAsid(0);
    this.pfPending = false;
    this.monitorArmed = false;
    this.nmiBlocked = false;
  }

  /** The entry state a multiboot loader guarantees: 32-bit flat protected mode, no paging, IF = 0. */
  setMultibootEntry(eax: number, ebx: number, eip: number, esp: number): void {
    this.cpl = 0;
    this.cr0 = 0x11;
    this.cr4 = 0;
    this.cr3Lo = 0;
    this.cr3Hi = 0;
    this.efer = 0;
    this.paging = false;
    this.mmu.flushAll();
    setSegment(this, CS, 0x08, 0, 0, -1, 0xc9b);
    for (const s of [ES, SS, DS, FS, GS]) setSegment(this, s, 0x10, 0, 0, -1, 0xc93);
    setSegment(this, LDTR, 0, 0, 0, 0, 0x82);
    setSegment(this, TR, 0, 0, 0, 0xffff, 0x8b);
    this.gdtrBaseLo = 0; this.gdtrBaseHi = 0; this.gdtrLimit = 0;
    this.idtrBaseLo = 0; this.idtrBaseHi = 0; this.idtrLimit = 0x3ff;
    this.r.fill(0);
    this.r[0] = eax;
    this.r[6] = ebx;
    this.r[8] = esp;
    this.flags = 2;
    this.lop = 0;
    this.ripLo = eip;
    this.ripHi = 0;
    this.halted = false;
    this.exceptionsStop = false;
    this.resetSvm();
  }
}
