// The CPU's architectural state (registers, flags, segments, control registers,
// SVM state) and the register, address and control-flow operations that need
// nothing but that state. CpuMemory (cpu-memory.ts) adds memory access on top,
// and Cpu (cpu.ts) the fetch-decode-execute loop and event delivery.
//
// Every 64-bit value is two 32-bit halves (r[2n] low, r[2n+1] high); functions
// that produce a 64-bit value return the low half and leave the high half in
// cpu.hi. That keeps BigInt and allocation out of the hot path.
import { PlainMsrs } from './plain-msrs';
import { CpuFault, GP, SS_FAULT } from './fault';
import { type Insn, BASE_RIP, SS, CS, FS, isBaseDisp64 } from './insn';
import { Lazy, getFlags } from './flags';
import { getR8, setR8 } from './regs';
import type { CpuModel } from './cpuid';
import { PACIFICA_MODEL } from './models';
import { SvmState } from '../svm/state';
import { INT32_FIELDS_ZERO, INT32_STATE_IN_ARRAY, INT32_STATE_SIZE, installInt32Accessors } from './int32-state';
import { canonical } from './canonical';

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

export class CpuState {
  /** General-purpose registers as 32-bit halves: r[2n] = low, r[2n+1] = high. */
  readonly r = new Int32Array(32);
  /**
   * The int32 values below declared with `declare` (RIP, the instruction's start, the lazy flags'
   * operands and result, laLo/laHi, hi) are plain fields in Node and accessors over this array in
   * the browser (int32-state.ts says why).
   */
  readonly st = new Int32Array(INT32_STATE_SIZE);
  declare ripLo: number;
  declare ripHi: number;
  /** RFLAGS: the non-arithmetic bits always; the arithmetic ones when lop = None. */
  flags = 0x2;
  // Lazy flags (flags.ts).
  lop: Lazy = Lazy.None;
  lsz = 4;
  declare lres: number;
  declare lresH: number;
  declare ldst: number;
  declare ldstH: number;
  declare lsrc: number;
  declare lsrcH: number;
  declare lcf: number;

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
  readonly msrs = new PlainMsrs();
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

  /** Second return value: the high half of a 64-bit result. */
  declare hi: number;
  /** Linear address of the last memory operand (laLo, laHi). */
  declare laLo: number;
  declare laHi: number;
  /** RIP of the instruction being executed (for faults), and its length. */
  declare startLo: number;
  declare startHi: number;

  instructions = 0;
  cycles = 0;
  halted = false;
  stop: StopReason = StopReason.None;
  lastFault: CpuFault | null = null;
  internalError = '';

  /** The CPUID table this CPU answers from (models.ts); its SVM features are what the CPU implements. */
  model: CpuModel = PACIFICA_MODEL;
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

  constructor() {
    if (!INT32_STATE_IN_ARRAY) Object.assign(this, INT32_FIELDS_ZERO);
  }

  // ---------------------------------------------------------------- registers

  getR(sz: number, id: number): number {
    switch (sz) {
      case 4: return this.r[id << 1]!;
      case 8: this.hi = this.r[(id << 1) + 1]!; return this.r[id << 1]!;
      case 2: return this.r[id << 1]! & 0xffff;
      default: return getR8(this.r, id);
    }
  }

  setR(sz: number, id: number, lo: number, hi: number): void {
    const k = id << 1;
    switch (sz) {
      case 4: this.r[k] = lo; this.r[k + 1] = 0; return;
      case 8: this.r[k] = lo; this.r[k + 1] = hi; return;
      case 2: this.r[k] = (this.r[k]! & ~0xffff) | (lo & 0xffff); return;
      default: setR8(this.r, id, lo);
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
    if (isBaseDisp64(i)) this.eaBaseDisp(i);
    else this.eaAny(i);
  }

  /**
   * ea() for an operand of the isBaseDisp64 shapes, summed here in few enough bytecodes for V8 to
   * inline it into the handlers that call it directly (exec/fast.ts movGEbd, movEGbd); returns laLo.
   */
  eaBaseDisp(i: Insn): number {
    let lo = i.dispLo | 0, hi = i.dispHi | 0;
    const b = i.base;
    if (b >= 0) {
      const bl = b === BASE_RIP ? this.ripLo : this.r[b << 1]!;
      const bh = b === BASE_RIP ? this.ripHi : this.r[(b << 1) + 1]!;
      const t = (lo + bl) | 0;
      hi = (hi + bh + ((t >>> 0) < (lo >>> 0) ? 1 : 0)) | 0;
      lo = t;
    }
    if (!canonical(hi)) this.nonCanonical(i.seg);
    this.laLo = lo;
    this.laHi = hi;
    return lo;
  }

  /** ea() for every other shape: an index, FS/GS, a 32- or 16-bit address. */
  private eaAny(i: Insn): void {
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
      if (!canonical(hi)) this.nonCanonical(seg);
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
        if (!canonical(hi)) this.nonCanonical(seg);
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

  // ---------------------------------------------------------------- control flow

  /** Jump to RIP + rel (rel sign-extended 32-bit), truncated to the operand size. */
  jumpRel(rel: number, osize: number): void {
    if (osize === 8) {
      // rel is an int32: the sum of the unsigned low half and rel is in (-2^31, 2^33), so the
      // carry into the high half is -1, 0 or 1.
      const s = (this.ripLo >>> 0) + rel;
      const hi = (this.ripHi + (s < 0 ? -1 : s > 0xffffffff ? 1 : 0)) | 0;
      this.setRip(s | 0, hi);
    } else {
      const t = (this.ripLo + rel) | 0;
      this.setRip(osize === 2 ? t & 0xffff : t, 0);
    }
  }

  /** Load RIP; a non-canonical target raises #GP(0) on the branch itself. */
  setRip(lo: number, hi: number): void {
    if (this.mode === 64) {
      if (!canonical(hi)) throw new CpuFault(GP, 0);
    } else if ((lo >>> 0) > (this.segLimit[CS]! >>> 0)) {
      throw new CpuFault(GP, 0);
    }
    this.ripLo = lo;
    this.ripHi = hi;
  }
}
if (INT32_STATE_IN_ARRAY) installInt32Accessors(CpuState.prototype);
