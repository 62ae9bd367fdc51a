// The CPU: the fetch-decode-execute loop (interpreter and compiled blocks),
// exceptions and interrupts between instructions, and the reset states. Its
// state is CpuState's (cpu-state.ts), its memory access CpuMemory's
// (cpu-memory.ts).
import { decode, type ByteSource } from './decode';
import { DecodedCache } from './icache';
import { CpuFault, UD, PF } from './fault';
import { READ, EXEC } from '../mem/paging';
import { deliverEvent } from './interrupts';
import { type Insn, CS, ES, SS, DS, FS, GS, LDTR, TR } from './insn';
import { bindHandler } from './exec/table';
import { setSegment } from './segments';
import type { PhysMem } from '../mem/phys';
import { WorldSwitch } from '../svm/state';
import { guestInterrupt, guestWakeable } from '../svm/events';
import { intercepted } from '../svm/intercept';
import { vmexit } from '../svm/world';
import { VMEXIT } from '../svm/exitcodes';
import { BlockCache } from './jit/blocks'; // block compiler (src/emu/cpu/jit)
import { CpuMemory } from './cpu-memory';
import { StopReason } from './cpu-state';
import { settleMutableFields } from './mutable-fields';
import {
  Direct, jccFast, movEGreg, aluEIreg, aluEGreg, lea64, movGEmem, movEGmem, movzxByteMem, movGEbd, movEGbd,
  movEImem, movEGmem8, cmpEIbyteMem, imul2reg, shiftRegImm, testEGreg,
} from './exec/fast';

export { StopReason, CpuState, type PortIo, type InterruptSource } from './cpu-state';

/** Cpu.run executes its budget in chunks of this many instructions at most (under 2^30: a small integer in V8, 31-bit ones included). */
const RUN_CHUNK = 0x3fffffff;

/** Segment register slots: the six data/code registers, then LDTR and TR. */
export { LDTR, TR } from './insn';

export class Cpu extends CpuMemory {
  /**
   * Debugger hook, called before each instruction while set (the breakpoint
   * check): returning true stops the run before the instruction, with RIP on it.
   */
  insnHook: ((c: Cpu) => boolean) | null = null;

  readonly icache: DecodedCache;
  private fetchBase = 0;
  private readonly fetchSrc: ByteSource = { byte: (off) => this.fetchByte(off) };

  constructor(mem: PhysMem) {
    super(mem);
    this.icache = new DecodedCache(mem);
    // Run-time state the loop and compiled blocks read (irqCheck, halted, stop, the lazy flags,
    // svm.exits, the MMU's epoch...) is then mutable in V8's eyes from the start.
    settleMutableFields(this);
    settleMutableFields(this.svm);
    settleMutableFields(this.mmu);
  }

  /**
   * #VMEXIT(NPF), fault-like: the guest restarts the instruction (or, during an
   * event's delivery, the delivery: EXITINTINFO holds the event).
   */
  protected nestedPageFault(): never {
    const m = this.mmu;
    if (!this.svm.evValid) {
      this.ripLo = this.startLo;
      this.ripHi = this.startHi;
    }
    const g = m.npfGpa;
    return vmexit(this, VMEXIT.NPF, m.npfInfoLo, m.npfInfoHi, g % 4294967296 | 0, Math.floor(g / 4294967296) | 0);
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
    // The last instruction interpreted and the physical address after it (-2: none).
    let prev: Insn | null = null, nextPa = -2;
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
          // The physical address of the instruction when it is in RAM (an int32: RAM is under 2 GiB, and
          // V8 keeps pa in an integer register only if every path gives one), else -1: the bytes are
          // then decoded where they are, neither cached nor compiled.
          let pa: number;
          if (!this.paging) {
            pa = shi === 0 && linLo >= 0 && linLo < ramSize ? linLo : -1; // (above 4 GiB: beyond any RAM)
          } else if ((linLo & ~0xfff) === fPage && shi === fHi && mmu.epoch === fEpoch && this.cpl === fCpl) {
            pa = fBase | (linLo & 0xfff);
          } else {
            const t = this.translate(linLo, shi, EXEC);
            // Kept for pages in RAM below 2 GiB only: the base is then an int32, and so is pa (measured
            // +6 % on the whole PC interpreted against keeping any page, whose pa was a double).
            const base = t - (linLo & 0xfff);
            fPage = base + 4096 <= ramSize && base < 0x7ffff000 ? linLo & ~0xfff : -1;
            fHi = shi;
            fBase = base | 0;
            fEpoch = mmu.epoch;
            fCpl = this.cpl;
            pa = t < ramSize ? t | 0 : -1;
          }
          if (blocks !== null && pa >= 0 && this.insnHook === null) {
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
                const ran = b.run(this, left, page);
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
          // Straight-line code: the instruction after the last one, by its link (Insn.next); a link
          // is physical (the cached instruction at the address after it), dead once its page is written.
          const follows = pa === nextPa;
          let i: Insn | null = follows ? prev!.next : null;
          if (i === null || i.mode !== mode) {
            const page = pa >= 0 ? pages[pa >>> 12] : undefined;
            let c = page !== undefined ? page[pa & 0xfff] : undefined;
            let cached = true;
            if (c === undefined || c.mode !== mode) {
              this.fetchBase = linLo;
              c = decode(this.fetchSrc, mode);
              bindHandler(c);
              cached = pa >= 0 && this.icache.insert(pa, c);
            }
            if (follows && cached) prev!.next = c;
            i = c;
          }
          prev = i;
          nextPa = pa >= 0 ? (pa + i.len) | 0 : -2;
          const nlo = (slo + i.len) | 0;
          if (mode === 64) {
            this.ripLo = nlo;
            if (nlo >>> 0 < slo >>> 0) this.ripHi = (shi + 1) | 0;
          } else {
            this.ripLo = mode === 32 ? nlo : nlo & 0xffff;
          }
          // The hottest handlers by name (exec/fast.ts Direct), the rest through exec.
          switch (i.fast) {
            case Direct.Jcc: jccFast(this, i); break;
            case Direct.MovEGreg: movEGreg(this, i); break;
            case Direct.AluEIreg: aluEIreg(this, i); break;
            case Direct.AluEGreg: aluEGreg(this, i); break;
            case Direct.Lea64: lea64(this, i); break;
            case Direct.MovGEmem: movGEmem(this, i); break;
            case Direct.MovEGmem: movEGmem(this, i); break;
            case Direct.MovzxByteMem: movzxByteMem(this, i); break;
            case Direct.MovGEbd: movGEbd(this, i); break;
            case Direct.MovEGbd: movEGbd(this, i); break;
            case Direct.MovEImem: movEImem(this, i); break;
            case Direct.MovEGmem8: movEGmem8(this, i); break;
            case Direct.CmpEIbyteMem: cmpEIbyteMem(this, i); break;
            case Direct.Imul2reg: imul2reg(this, i); break;
            case Direct.ShiftRegImm: shiftRegImm(this, i); break;
            case Direct.TestEGreg: testEGreg(this, i); break;
            default: i.exec!(this, i);
          }
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
