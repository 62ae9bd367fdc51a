// Intel 8254 Programmable Interval Timer at ports 0x40-0x43, input clock 1,193,182 Hz.
//
// Datasheet behaviour modelled (Intel 8254, order no. 231164):
// - Control word (0x43): SC1:0 select counter (11 = read-back), RW1:0 = 00 counter latch,
//   01 LSB only, 10 MSB only, 11 LSB then MSB; M2:0 mode (6 and 7 alias 2 and 3); BCD.
//   Writing a control word stops the counter until a count is written, sets OUT low in
//   mode 0 and high in the other modes, and sets NULL COUNT.
// - Counter latch: freezes the count for reading until it has been read (a second latch
//   command before then is ignored). Read-back (0xC0 | /COUNT<<5 | /STATUS<<4 | CNT2..0<<1)
//   latches count and/or status; a latched status byte (OUT, NULL COUNT, RW, M, BCD) is
//   read before a latched count. LSB/MSB reads and writes each keep their own flip-flop.
// - Count 0 means 65536 (10000 in BCD). BCD counting is supported.
// - Mode 0, interrupt on terminal count: OUT low, goes high when the count reaches 0 and
//   stays high; the counter keeps wrapping. Writing the LSB of a 2-byte count stops counting.
// - Mode 1, hardware one-shot and mode 5, hardware strobe: triggered by a GATE rising edge
//   (only channel 2 has a gate, from port 0x61 bit 0; channels 0 and 1 have GATE tied high).
// - Mode 2, rate generator: OUT high, low for one clock when the count reaches 1, then the
//   count reloads: period N. Mode 3, square wave: OUT high for ceil(N/2), low for floor(N/2).
//   A new count written while counting takes effect at the next reload. GATE low stops
//   counting and forces OUT high; GATE rising reloads.
// - Mode 4, software strobe: OUT high, low for one clock when the count reaches 0.
// Simplifications: the count is loaded at the write itself rather than on the next CLK, so
// mode 2 with count N interrupts exactly every N ticks starting N ticks after the write. In
// mode 3 the counter value read back is approximate for odd counts (OUT timing is exact).
//
// Clocking: advanceCycles(cpuCycles) converts CPU cycles to PIT ticks exactly (see clock.ts).
// Channel 0's OUT drives irq0(level); when several edges fall inside one advance, the line
// is pulsed (low, high) so an edge-triggered PIC sees a rising edge.

import { ClockRatio, type ClockRatioState } from "./clock";

export const PIT_HZ = 1_193_182;

export interface PitChannelState {
  mode: number; modeBits: number; rw: number; bcd: boolean; n: number; pending: number;
  counting: boolean; triggered: boolean; t: number; idleOut: boolean; ce: number;
  nullCount: boolean; gate: boolean; wPhase: number; wLow: number; rPhase: number;
  latch: number[]; status: number;
}

function toBcd(v: number): number {
  return (v % 10) | ((Math.floor(v / 10) % 10) << 4) | ((Math.floor(v / 100) % 10) << 8) | ((Math.floor(v / 1000) % 10) << 12);
}
function fromBcd(v: number): number {
  return (v & 15) + ((v >> 4) & 15) * 10 + ((v >> 8) & 15) * 100 + ((v >> 12) & 15) * 1000;
}

export class PitChannel {
  mode = 0;
  private modeBits = 0;
  rw = 3;
  bcd = false;
  /** Current reload value, 1..65536 (1..10000 in BCD). */
  n = 65536;
  /** Count written while counting in modes 2/3 (or waiting for a trigger in 1/5); 0 = none. */
  private pending = 0;
  private counting = false;
  private triggered = false;
  /** Ticks since load (modes 0,1,4,5) or position within the period (modes 2,3). */
  private t = 0;
  private idleOut = true;
  private ce = 0;
  private nullCount = true;
  gate: boolean;
  private wPhase = 0;
  private wLow = 0;
  private rPhase = 0;
  private latch: number[] = [];
  private status = -1;

  constructor(gate = true) { this.gate = gate; }

  private get modulus(): number { return this.bcd ? 10000 : 65536; }

  /** Output level now. */
  out(): boolean {
    if (!this.counting) return this.idleOut;
    const { n, t } = this;
    switch (this.mode) {
      case 0: case 1: return t >= n;
      case 4: case 5: return t !== n;
      case 2: return !this.gate || n < 2 || t !== n - 1;
      default: return !this.gate || n < 2 || t < ((n + 1) >> 1);
    }
  }

  /** The counting element's value now (binary, 0..65535). */
  private countNow(): number {
    if (!this.counting) return this.ce;
    const { n, t } = this;
    const M = this.modulus;
    switch (this.mode) {
      case 0: case 1: case 4: case 5: return (((n - t) % M) + M) % M;
      case 2: return n - t === M ? 0 : n - t;
      default: {
        const hi = (n + 1) >> 1;
        const v = (n & ~1) - 2 * (t < hi ? t : t - hi);
        return v >= M ? 0 : v;
      }
    }
  }

  /** Advance by `ticks` PIT clocks; returns the number of rising edges of OUT. */
  advance(ticks: number): number {
    if (!this.counting || ticks <= 0) return 0;
    const mode = this.mode;
    if (mode === 2 || mode === 3) {
      if (!this.gate) return 0;
      let rises = 0;
      if (this.pending) {
        const d = this.n - this.t;
        if (ticks < d) { this.t += ticks; return 0; }
        ticks -= d;
        if (this.n >= 2) rises++;
        this.n = this.pending; this.pending = 0; this.t = 0; this.nullCount = false;
      }
      const total = this.t + ticks;
      const wraps = Math.floor(total / this.n);
      this.t = total - wraps * this.n;
      return this.n >= 2 ? rises + wraps : rises;
    }
    if ((mode === 0 || mode === 4) && !this.gate) return 0;
    const before = this.t;
    let t = before + ticks;
    const edgeAt = mode === 4 || mode === 5 ? this.n + 1 : this.n;
    const rises = before < edgeAt && t >= edgeAt ? 1 : 0;
    if (t > this.n + this.modulus) t = this.n + 1 + ((t - this.n - 1) % this.modulus);
    this.t = t;
    return rises;
  }

  /** PIT ticks until OUT next changes (>= 1), or Infinity. */
  nextChange(): number {
    if (!this.counting) return Infinity;
    const { n, t } = this;
    switch (this.mode) {
      case 0: case 1: case 4: case 5:
        if ((this.mode === 0 || this.mode === 4) && !this.gate) return Infinity;
        if (t < n) return n - t;
        return t === n && (this.mode === 4 || this.mode === 5) ? 1 : Infinity;
      case 2:
        if (!this.gate || n < 2) return Infinity;
        return t === n - 1 ? 1 : n - 1 - t;
      default: {
        if (!this.gate || n < 2) return Infinity;
        const hi = (n + 1) >> 1;
        return t < hi ? hi - t : n - t;
      }
    }
  }

  setGate(level: boolean): void {
    if (level === this.gate) return;
    this.gate = level;
    if (!level) return;
    switch (this.mode) {
      case 1: case 5:
        if (this.pending || this.triggered) {
          if (this.pending) { this.n = this.pending; this.pending = 0; }
          this.counting = true; this.triggered = true; this.t = 0; this.nullCount = false;
        }
        return;
      case 2: case 3:
        if (this.counting) {
          if (this.pending) { this.n = this.pending; this.pending = 0; this.nullCount = false; }
          this.t = 0;
        }
        return;
    }
  }

  control(v: number): void {
    const rw = (v >> 4) & 3;
    if (rw === 0) { this.latchCount(); return; }
    this.ce = this.countNow();
    this.rw = rw;
    this.modeBits = (v >> 1) & 7;
    this.mode = this.modeBits > 5 ? this.modeBits - 4 : this.modeBits;
    this.bcd = (v & 1) !== 0;
    this.counting = false;
    this.triggered = false;
    this.pending = 0;
    this.idleOut = this.mode !== 0;
    this.nullCount = true;
    this.wPhase = 0;
    this.rPhase = 0;
  }

  latchCount(): void {
    if (this.latch.length) return;
    const v = this.bcd ? toBcd(this.countNow()) : this.countNow();
    if (this.rw === 1) this.latch = [v & 0xff];
    else if (this.rw === 2) this.latch = [(v >> 8) & 0xff];
    else this.latch = [v & 0xff, (v >> 8) & 0xff];
  }

  latchStatus(): void {
    if (this.status >= 0) return;
    this.status = (this.out() ? 0x80 : 0) | (this.nullCount ? 0x40 : 0) | (this.rw << 4) | (this.modeBits << 1) | (this.bcd ? 1 : 0);
  }

  read(): number {
    if (this.status >= 0) { const s = this.status; this.status = -1; return s; }
    if (this.latch.length) return this.latch.shift()!;
    const raw = this.countNow();
    const v = this.bcd ? toBcd(raw) : raw;
    if (this.rw === 1) return v & 0xff;
    if (this.rw === 2) return (v >> 8) & 0xff;
    this.rPhase ^= 1;
    return this.rPhase ? v & 0xff : (v >> 8) & 0xff;
  }

  write(b: number): void {
    b &= 0xff;
    let raw: number;
    if (this.rw === 1) raw = b;
    else if (this.rw === 2) raw = b << 8;
    else if (this.wPhase === 0) {
      this.wLow = b; this.wPhase = 1;
      if (this.mode === 0) { this.ce = this.countNow(); this.counting = false; this.idleOut = false; }
      return;
    } else { raw = this.wLow | (b << 8); this.wPhase = 0; }
    const n = (this.bcd ? fromBcd(raw) : raw) || this.modulus;
    this.nullCount = true;
    switch (this.mode) {
      case 0: case 4:
        this.n = n; this.t = 0; this.counting = true; this.nullCount = false;
        return;
      case 1: case 5:
        this.pending = n; // loaded by the next GATE trigger
        return;
      default:
        if (this.counting) { this.pending = n; return; }
        this.n = n; this.t = 0; this.counting = true; this.nullCount = false;
    }
  }

  saveState(): PitChannelState {
    return {
      mode: this.mode, modeBits: this.modeBits, rw: this.rw, bcd: this.bcd, n: this.n, pending: this.pending,
      counting: this.counting, triggered: this.triggered, t: this.t, idleOut: this.idleOut, ce: this.ce,
      nullCount: this.nullCount, gate: this.gate, wPhase: this.wPhase, wLow: this.wLow, rPhase: this.rPhase,
      latch: [...this.latch], status: this.status,
    };
  }

  loadState(s: PitChannelState): void {
    this.mode = s.mode; this.modeBits = s.modeBits; this.rw = s.rw; this.bcd = !!s.bcd; this.n = s.n;
    this.pending = s.pending; this.counting = !!s.counting; this.triggered = !!s.triggered; this.t = s.t;
    this.idleOut = !!s.idleOut; this.ce = s.ce; this.nullCount = !!s.nullCount; this.gate = !!s.gate;
    this.wPhase = s.wPhase; this.wLow = s.wLow; this.rPhase = s.rPhase; this.latch = [...s.latch]; this.status = s.status;
  }
}

export interface Pit8254State { clock: ClockRatioState; irqLevel: boolean; channels: PitChannelState[] }

export class Pit8254 {
  readonly ioByteWide = true;
  readonly channels: [PitChannel, PitChannel, PitChannel] = [new PitChannel(), new PitChannel(), new PitChannel(false)];
  /** Channel 0 OUT, wired to IRQ 0. */
  irq0: (level: boolean) => void = () => {};
  private irqLevel: boolean;
  private readonly clock: ClockRatio;

  constructor(readonly cpuHz = 2_000_000_000) {
    this.clock = new ClockRatio(cpuHz, PIT_HZ);
    this.irqLevel = this.channels[0].out();
  }

  /** Advance by whole PIT input clocks. */
  advance(pitTicks: number): void {
    const rises = this.channels[0].advance(pitTicks);
    this.channels[1].advance(pitTicks);
    this.channels[2].advance(pitTicks);
    this.updateIrq(rises);
  }

  /** Advance by CPU cycles; the fraction of a PIT clock is carried exactly. */
  advanceCycles(cpuCycles: number): void {
    this.advance(this.clock.advance(cpuCycles));
  }

  /** CPU cycles until channel 0's OUT next changes (Infinity if it never will on its own). */
  nextEventCycles(): number {
    return this.clock.cyclesUntil(this.channels[0].nextChange());
  }

  /** PIT ticks until channel 0's OUT next changes. */
  nextEventTicks(): number { return this.channels[0].nextChange(); }

  /** Channel 2 GATE (port 0x61 bit 0). */
  setGate2(level: boolean): void { this.channels[2].setGate(level); }

  ioRead(port: number, _size: number): number {
    const i = port & 3;
    return i === 3 ? 0xff : this.channels[i]!.read(); // the control register is write-only
  }

  ioWrite(port: number, _size: number, value: number): void {
    const i = port & 3;
    value &= 0xff;
    if (i < 3) this.channels[i]!.write(value);
    else if ((value >> 6) === 3) {
      for (let c = 0; c < 3; c++) {
        if (!(value & (2 << c))) continue;
        const ch = this.channels[c]!;
        if (!(value & 0x10)) ch.latchStatus();
        if (!(value & 0x20)) ch.latchCount();
      }
    } else this.channels[value >> 6]!.control(value);
    this.updateIrq(0);
  }

  private updateIrq(rises: number): void {
    const level = this.channels[0].out();
    if (rises > 0) {
      if (this.irqLevel) this.irq0(false);
      this.irq0(true);
      if (!level) this.irq0(false);
    } else if (level !== this.irqLevel) this.irq0(level);
    this.irqLevel = level;
  }

  saveState(): Pit8254State {
    return { clock: this.clock.saveState(), irqLevel: this.irqLevel, channels: this.channels.map((c) => c.saveState()) };
  }

  loadState(s: Pit8254State): void {
    this.clock.loadState(s.clock);
    this.irqLevel = !!s.irqLevel;
    s.channels.forEach((c, i) => this.channels[i]?.loadState(c));
  }
}
