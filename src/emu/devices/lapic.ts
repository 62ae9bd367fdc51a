// Local APIC in xAPIC mode (MMIO page at 0xFEE00000), per Intel SDM Vol. 3A ch. 11 ("APIC")
// and AMD APM Vol. 2 ch. 16 ("Advanced Programmable Interrupt Controller").
//
// Registers (offsets; 32-bit accesses at 16-byte aligned offsets; narrower reads return the
// addressed bytes of the register, narrower writes are ignored):
//   0x020 ID (bits 31:24)        0x030 version 0x00050014 (max LVT entry 5, version 0x14)
//   0x080 TPR   0x090 APR (0)   0x0A0 PPR   0x0B0 EOI   0x0C0 RRD (0)   0x0D0 LDR   0x0E0 DFR
//   0x0F0 SVR: vector (7:0), APIC software enable (8), focus check (9)
//   0x100-0x170 ISR   0x180-0x1F0 TMR   0x200-0x270 IRR   0x280 ESR
//   0x300/0x310 ICR low/high   0x320 LVT timer   0x330 thermal   0x340 perf
//   0x350 LINT0   0x360 LINT1   0x370 LVT error   0x380 initial count   0x390 current count
//   0x3E0 divide configuration
// Behaviour:
// - Acceptance: a fixed interrupt sets its IRR bit. hasInterrupt(): the highest IRR vector's
//   priority class (vector[7:4]) is above PPR[7:4], where PPR = TPR if TPR[7:4] >= ISRV[7:4]
//   else ISRV & 0xF0 (ISRV = highest in-service vector). acknowledge() moves that vector from
//   IRR to ISR and returns it (the spurious vector if nothing is deliverable any more). A
//   write to EOI clears the highest ISR bit.
// - Vectors 0-15 are illegal: sending sets ESR bit 5, receiving sets ESR bit 6 and the vector
//   is not accepted; an unmasked LVT error entry then raises its vector. ESR is updated from
//   the internal error bits by a write to ESR.
// - SVR bit 8 clear (software disabled): no interrupts are delivered, IRR/ISR are kept, all
//   LVT entries are masked and cannot be unmasked. IA32_APIC_BASE bit 11 clear (hardware
//   disabled): the MMIO page reads all ones and ignores writes, nothing is delivered, and the
//   APIC returns to its power-up state (re-enabling does not restore earlier values).
// - ICR: writing the low word sends an IPI. Only fixed delivery to this processor is
//   modelled (one CPU): shorthand self or all-including-self, or no shorthand with a
//   physical destination equal to the APIC ID or 0xFF, or a logical destination matching
//   LDR/DFR, with fixed or NMI delivery (an NMI IPI raises the CPU's NMI line: nmiPending).
//   Other delivery modes and destinations are dropped. Delivery status always reads 0.
// - Timer: LVT bits 17 (periodic) and 16 (mask); TSC-deadline mode is not offered (bit 18
//   reads 0). Writing the initial count (re)starts the timer; 0 stops it. The current count
//   decrements once every `divide` bus clocks; at 0 the interrupt is raised (if unmasked) and
//   in periodic mode the count reloads. Bus clock: 100 MHz (busHz option), converted from CPU
//   cycles exactly (clock.ts), independent of the CPU clock setting as on real parts where
//   the APIC timer runs from the fixed reference/bus clock.
// - LINT0 is reset to ExtINT unmasked (0x700) and LINT1 to NMI (0x400): the virtual-wire
//   setup the BIOS leaves (QEMU resets the BSP the same way). acceptsPicInterrupt() tells
//   whether the 8259's INTR passes through (APIC hardware- or software-disabled, or LINT0 is
//   unmasked ExtINT), as in QEMU's apic_accept_pic_intr.
// - IA32_APIC_BASE: 0xFEE00900 at reset (BSP bit 8, enable bit 11). x2APIC (bit 10) is not
//   offered; base addresses above 4 GiB are not supported (the high half must be 0).

import { ClockRatio, type ClockRatioState } from "./clock";
import type { MmioDevice } from "./mmio";

export const APIC_BASE_DEFAULT = 0xfee00000;
export const APIC_VERSION = 0x00050014;
export const APIC_BUS_HZ = 100_000_000;

const LVT_TIMER = 0, LVT_LINT0 = 3, LVT_LINT1 = 4, LVT_ERROR = 5;
const LVT_MASKED = 1 << 16;
const LVT_WRITE_MASK = [0x000300ff, 0x000107ff, 0x000107ff, 0x0001a7ff, 0x0001a7ff, 0x000100ff] as const;

export interface LapicState {
  apicBase: number; id: number; tpr: number; ldr: number; dfr: number; svr: number;
  isr: number[]; tmr: number[]; irr: number[]; esr: number; esrPending: number;
  icrLo: number; icrHi: number; lvt: number[]; initialCount: number; currentCount: number;
  divideConfig: number; divPhase: number; clock: ClockRatioState;
}

function highestBit(words: Int32Array): number {
  for (let i = 7; i >= 0; i--) {
    const w = words[i]!;
    if (w) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
}

export class LocalApic implements MmioDevice {
  /** Called when software moves the APIC page through IA32_APIC_BASE (new base, enabled). */
  onRelocate: (base: number, enabled: boolean) => void = () => {};

  private apicBase = (APIC_BASE_DEFAULT | 0x900) >>> 0;
  id = 0;
  private tpr = 0;
  private ldr = 0;
  private dfr = 0xffffffff;
  private svr = 0xff;
  private readonly isr = new Int32Array(8);
  private readonly tmr = new Int32Array(8);
  private readonly irr = new Int32Array(8);
  private esr = 0;
  private esrPending = 0;
  private icrLo = 0;
  private icrHi = 0;
  /** An NMI was sent to this processor and not yet taken (the CPU's NMI line, edge-triggered). */
  nmiPending = false;
  /** Called when an NMI arrives, so the CPU looks at its lines before the next instruction. */
  onNmi: () => void = () => {};
  private readonly lvt = new Int32Array(6);
  private initialCount = 0;
  private currentCount = 0;
  private divideConfig = 0;
  private divPhase = 0;
  private readonly clock: ClockRatio;

  constructor(readonly cpuHz = 2_000_000_000, readonly busHz = APIC_BUS_HZ) {
    this.clock = new ClockRatio(cpuHz, busHz);
    this.resetRegisters();
  }

  private resetRegisters(): void {
    this.tpr = 0; this.ldr = 0; this.dfr = 0xffffffff; this.svr = 0xff;
    this.isr.fill(0); this.tmr.fill(0); this.irr.fill(0);
    this.esr = 0; this.esrPending = 0; this.icrLo = 0; this.icrHi = 0;
    this.lvt.fill(LVT_MASKED);
    this.lvt[LVT_LINT0] = 0x700;
    this.lvt[LVT_LINT1] = 0x400;
    this.initialCount = 0; this.currentCount = 0; this.divideConfig = 0; this.divPhase = 0;
  }

  // ---- IA32_APIC_BASE (MSR 0x1B) ----

  /** Low 32 bits of IA32_APIC_BASE (the high half is always 0). */
  get apicBaseMsr(): number { return this.apicBase; }
  get base(): number { return (this.apicBase & 0xfffff000) >>> 0; }
  get hardwareEnabled(): boolean { return (this.apicBase & 0x800) !== 0; }
  get softwareEnabled(): boolean { return (this.svr & 0x100) !== 0; }

  /** WRMSR IA32_APIC_BASE; returns false (the CPU raises #GP) for reserved bits set. */
  writeApicBaseMsr(lo: number, hi: number): boolean {
    if (hi !== 0 || (lo & 0x6ff) !== 0) return false;
    const wasEnabled = this.hardwareEnabled;
    const oldBase = this.base;
    this.apicBase = ((lo & 0xfffff800) | (this.apicBase & 0x100)) >>> 0; // BSP bit is read-only
    if (wasEnabled && !this.hardwareEnabled) this.resetRegisters();
    if (oldBase !== this.base || wasEnabled !== this.hardwareEnabled) this.onRelocate(this.base, this.hardwareEnabled);
    return true;
  }

  // ---- interrupt interface ----

  private get divide(): number {
    const v = ((this.divideConfig & 8) >> 1) | (this.divideConfig & 3);
    return v === 7 ? 1 : 2 << v;
  }

  ppr(): number {
    const isrv = highestBit(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  /** A fixed interrupt is deliverable to the CPU (INTR from the APIC). */
  hasInterrupt(): boolean {
    if (!this.hardwareEnabled || !this.softwareEnabled) return false;
    const v = highestBit(this.irr);
    return v >= 0 && (v & 0xf0) > (this.ppr() & 0xf0);
  }

  /** INTA: the vector to deliver; IRR -> ISR. The spurious vector if nothing is deliverable. */
  acknowledge(): number {
    if (!this.hasInterrupt()) return this.svr & 0xff;
    const v = highestBit(this.irr);
    this.irr[v >> 5]! &= ~(1 << (v & 31));
    this.isr[v >> 5]! |= 1 << (v & 31);
    return v;
  }

  /** Whether the 8259's INTR reaches the CPU (through LINT0 in ExtINT mode, or bypassing a disabled APIC). */
  acceptsPicInterrupt(): boolean {
    if (!this.hardwareEnabled || !this.softwareEnabled) return true;
    const l = this.lvt[LVT_LINT0]!;
    return (l & LVT_MASKED) === 0 && ((l >> 8) & 7) === 7;
  }

  /** Raise a fixed interrupt with `vector` at this APIC (edge triggered). */
  raise(vector: number): void {
    vector &= 0xff;
    if (!this.hardwareEnabled) return;
    if (vector < 16) { this.error(0x40); return; }
    this.irr[vector >> 5]! |= 1 << (vector & 31);
    this.tmr[vector >> 5]! &= ~(1 << (vector & 31));
  }

  /** The highest pending IRR vector, or -1 (for the debugger). */
  highestIrr(): number { return highestBit(this.irr); }
  highestIsr(): number { return highestBit(this.isr); }

  private error(bits: number): void {
    const had = this.esrPending;
    this.esrPending |= bits;
    const l = this.lvt[LVT_ERROR]!;
    if (had !== this.esrPending && !(l & LVT_MASKED)) this.raise(l & 0xff);
  }

  private fireLvt(i: number): void {
    const l = this.lvt[i]!;
    if (l & LVT_MASKED) return;
    const mode = (l >> 8) & 7;
    if (mode === 0) this.raise(l & 0xff);
  }

  // ---- timer ----

  /** Advance the timer by CPU cycles. */
  advanceCycles(cpuCycles: number): void {
    const bus = this.clock.advance(cpuCycles);
    if (this.currentCount === 0 || bus === 0) return;
    const div = this.divide;
    const total = this.divPhase + bus;
    const dec = Math.floor(total / div);
    this.divPhase = total - dec * div;
    if (dec < this.currentCount) { this.currentCount -= dec; return; }
    // The count reached zero.
    if (this.lvt[LVT_TIMER]! & (1 << 17)) {
      const over = dec - this.currentCount;
      this.currentCount = this.initialCount - (over % this.initialCount);
    } else {
      this.currentCount = 0;
    }
    this.fireLvt(LVT_TIMER); // several expiries within one advance coalesce in IRR
  }

  /** CPU cycles until the timer next reaches zero (Infinity when stopped). */
  nextEventCycles(): number {
    if (this.currentCount === 0) return Infinity;
    return this.clock.cyclesUntil(this.currentCount * this.divide - this.divPhase);
  }

  // ---- MMIO ----

  mmioRead(offset: number, size: 1 | 2 | 4): number {
    if (!this.hardwareEnabled) return size === 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    const v = (offset & 0xf) < 4 ? this.readReg(offset & 0xff0) : 0;
    const shift = (offset & 3) * 8;
    if (size === 4) return (v >>> shift) >>> 0;
    return (v >>> shift) & (size === 2 ? 0xffff : 0xff);
  }

  mmioWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    if (!this.hardwareEnabled || size !== 4 || (offset & 0xf) !== 0) return;
    this.writeReg(offset & 0xff0, value >>> 0);
  }

  private readReg(r: number): number {
    if (r >= 0x100 && r < 0x280) {
      const i = (r - 0x100) >> 4;
      const arr = i < 8 ? this.isr : i < 16 ? this.tmr : this.irr;
      return arr[i & 7]! >>> 0;
    }
    if (r >= 0x320 && r <= 0x370) return this.lvt[(r - 0x320) >> 4]! >>> 0;
    switch (r) {
      case 0x020: return (this.id << 24) >>> 0;
      case 0x030: return APIC_VERSION;
      case 0x080: return this.tpr;
      case 0x0a0: return this.ppr();
      case 0x0d0: return this.ldr >>> 0;
      case 0x0e0: return this.dfr >>> 0;
      case 0x0f0: return this.svr;
      case 0x280: return this.esr;
      case 0x300: return this.icrLo >>> 0;
      case 0x310: return this.icrHi >>> 0;
      case 0x380: return this.initialCount;
      case 0x390: return this.currentCount;
      case 0x3e0: return this.divideConfig;
      default: return 0;
    }
  }

  private writeReg(r: number, v: number): void {
    if (r >= 0x320 && r <= 0x370) {
      const i = (r - 0x320) >> 4;
      let val = v & LVT_WRITE_MASK[i]!;
      if (!this.softwareEnabled) val |= LVT_MASKED;
      this.lvt[i] = val;
      return;
    }
    switch (r) {
      case 0x020: this.id = v >>> 24; return;
      case 0x080: this.tpr = v & 0xff; return;
      case 0x0b0: {
        const s = highestBit(this.isr);
        if (s >= 0) this.isr[s >> 5]! &= ~(1 << (s & 31));
        return;
      }
      case 0x0d0: this.ldr = v & 0xff000000; return;
      case 0x0e0: this.dfr = (v | 0x0fffffff) >>> 0; return;
      case 0x0f0: {
        this.svr = v & 0x3ff;
        if (!this.softwareEnabled) for (let i = 0; i < 6; i++) this.lvt[i]! |= LVT_MASKED;
        return;
      }
      case 0x280: this.esr = this.esrPending; this.esrPending = 0; return;
      case 0x300: this.icrLo = v & 0x000ccfff; this.sendIpi(); return;
      case 0x310: this.icrHi = v & 0xff000000; return;
      case 0x380:
        this.initialCount = v >>> 0;
        this.currentCount = this.initialCount;
        this.divPhase = 0;
        return;
      case 0x3e0: this.divideConfig = v & 0xb; return;
      default: return; // read-only or reserved
    }
  }

  private sendIpi(): void {
    const lo = this.icrLo;
    const vector = lo & 0xff;
    const mode = (lo >> 8) & 7;
    const shorthand = (lo >> 18) & 3;
    if (mode !== 0 && mode !== 4) return; // fixed and NMI delivery are modelled
    let toSelf: boolean;
    if (shorthand === 1 || shorthand === 2) toSelf = true;
    else if (shorthand === 3) toSelf = false;
    else {
      const dest = this.icrHi >>> 24;
      if (lo & 0x800) { // logical
        const ldr = this.ldr >>> 24;
        toSelf = (this.dfr >>> 28) === 0xf ? (dest & ldr) !== 0
          : (dest >> 4) === (ldr >> 4) && (dest & ldr & 0xf) !== 0;
        if (dest === 0xff) toSelf = true;
      } else toSelf = dest === 0xff || dest === this.id;
    }
    if (mode === 4) { if (toSelf) { this.nmiPending = true; this.onNmi(); } return; } // NMI: the vector is ignored
    if (vector < 16) { this.error(0x20); return; }
    if (toSelf) this.raise(vector);
  }

  saveState(): LapicState {
    return {
      apicBase: this.apicBase, id: this.id, tpr: this.tpr, ldr: this.ldr, dfr: this.dfr, svr: this.svr,
      isr: Array.from(this.isr), tmr: Array.from(this.tmr), irr: Array.from(this.irr),
      esr: this.esr, esrPending: this.esrPending, icrLo: this.icrLo, icrHi: this.icrHi,
      lvt: Array.from(this.lvt), initialCount: this.initialCount, currentCount: this.currentCount,
      divideConfig: this.divideConfig, divPhase: this.divPhase, clock: this.clock.saveState(),
    };
  }

  loadState(s: LapicState): void {
    this.apicBase = s.apicBase >>> 0; this.id = s.id & 0xff; this.tpr = s.tpr & 0xff; this.ldr = s.ldr;
    this.dfr = s.dfr; this.svr = s.svr & 0x3ff;
    this.isr.set(s.isr.slice(0, 8)); this.tmr.set(s.tmr.slice(0, 8)); this.irr.set(s.irr.slice(0, 8));
    this.esr = s.esr; this.esrPending = s.esrPending; this.icrLo = s.icrLo; this.icrHi = s.icrHi;
    this.lvt.set(s.lvt.slice(0, 6)); this.initialCount = s.initialCount >>> 0; this.currentCount = s.currentCount >>> 0;
    this.divideConfig = s.divideConfig & 0xb; this.divPhase = s.divPhase; this.clock.loadState(s.clock);
  }
}
