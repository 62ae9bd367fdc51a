// The PC's device set (DESIGN.md, "The platform"), created and wired together:
//   PIT 8254 at 0x40-0x43, channel 0 OUT -> PIC IRQ 0; port 0x61 (channel 2 gate/out)
//   PIC 8259A pair at 0x20/0x21, 0xA0/0xA1, ELCR 0x4D0/0x4D1
//   UART 16550A at 0x3F8-0x3FF -> PIC IRQ 4
//   VGA text registers 0x3C0-0x3CF, 0x3D4/0x3D5, 0x3DA; text buffer = RAM at 0xB8000
//   isa-debug-exit at 0xF4-0xF7
//   local APIC MMIO at 0xFEE00000 (4 KiB), moved if IA32_APIC_BASE moves it
// The CPU's INTR line: a deliverable local APIC interrupt first; otherwise the 8259's INTR
// when it passes the APIC (LINT0 ExtINT virtual wire, or APIC disabled).
//
// Time: devices see only simulated CPU cycles. Either the machine calls advanceCycles(n)
// after running n cycles (and before every I/O, MMIO access or interrupt check), or it passes
// `now` (total CPU cycles executed so far) and the devices catch up by themselves on every
// access to a timer and on hasInterrupt()/acknowledge()/nextEventCycles().

import type { IoBus, IoDevice } from "./iobus";
import type { MmioMap, MmioDevice } from "./mmio";
import { Pit8254, type Pit8254State } from "./pit8254";
import { Port61, type Port61State } from "./port61";
import { Pic8259, type Pic8259State } from "./pic8259";
import { Uart16550, type Uart16550Options, type Uart16550State } from "./uart16550";
import { VgaText, type VgaTextState } from "./vgatext";
import { LocalApic, type LapicState } from "./lapic";
import { DebugExit, type DebugExitState } from "./debugexit";

export const DEFAULT_CPU_HZ = 2_000_000_000;

export interface PcDevicesOptions {
  /** RAM from physical address 0 (e.g. PhysMem.u8); the VGA text buffer is read from it. */
  ram: Uint8Array;
  io: IoBus;
  mmio: MmioMap;
  /** CPU clock in Hz (an integer; a multiple of 1 kHz keeps every ratio exact). Default 2 GHz. */
  cpuHz?: number;
  /** Total CPU cycles executed so far; when given, devices catch up lazily (see above). */
  now?: () => number;
  uart?: Uart16550Options;
}

export interface PcDevicesState {
  cycles: number; pit: Pit8254State; port61: Port61State; pic: Pic8259State; uart: Uart16550State;
  vga: VgaTextState; lapic: LapicState; debugExit: DebugExitState;
}

export class PcDevices {
  readonly cpuHz: number;
  readonly pit: Pit8254;
  readonly port61: Port61;
  readonly pic: Pic8259;
  readonly uart: Uart16550;
  readonly vga: VgaText;
  readonly lapic: LocalApic;
  readonly debugExit: DebugExit;
  /** Total CPU cycles the devices have been advanced by. */
  cycles = 0;
  private readonly now?: () => number;
  private readonly io: IoBus;
  private readonly mmio: MmioMap;
  private readonly lapicMmio: MmioDevice;

  constructor(opts: PcDevicesOptions) {
    this.cpuHz = opts.cpuHz ?? DEFAULT_CPU_HZ;
    this.now = opts.now;
    this.io = opts.io;
    this.mmio = opts.mmio;
    this.pit = new Pit8254(this.cpuHz);
    this.port61 = new Port61(this.pit);
    this.pic = new Pic8259();
    this.uart = new Uart16550(0x3f8, opts.uart);
    this.vga = new VgaText(opts.ram);
    this.lapic = new LocalApic(this.cpuHz);
    this.debugExit = new DebugExit();

    this.pit.irq0 = (level) => this.pic.setIrq(0, level);
    this.uart.irqLine = (level) => this.pic.setIrq(4, level);

    const io = this.io;
    io.register(0x40, 0x43, this.synced(this.pit));
    io.register(0x61, 0x61, this.synced(this.port61));
    io.register(0x20, 0x21, this.pic);
    io.register(0xa0, 0xa1, this.pic);
    io.register(0x4d0, 0x4d1, this.pic);
    io.register(0x3f8, 0x3ff, this.uart);
    io.register(0x3c0, 0x3cf, this.vga);
    io.register(0x3d4, 0x3d5, this.vga);
    io.register(0x3da, 0x3da, this.vga);
    io.register(0xf4, 0xf7, this.debugExit);

    const lapic = this.lapic;
    this.lapicMmio = {
      mmioRead: (o, s) => { this.sync(); return lapic.mmioRead(o, s); },
      mmioWrite: (o, s, v) => { this.sync(); lapic.mmioWrite(o, s, v); },
    };
    this.mmio.register(lapic.base, 0x1000, this.lapicMmio);
    lapic.onRelocate = () => this.placeLapic();
  }

  /** Port handlers of timer devices catch up with the CPU first. */
  private synced(dev: IoDevice): IoDevice {
    return {
      ioByteWide: dev.ioByteWide,
      ioRead: (p, s) => { this.sync(); return dev.ioRead(p, s); },
      ioWrite: (p, s, v) => { this.sync(); dev.ioWrite(p, s, v); },
    };
  }

  private placeLapic(): void {
    this.mmio.unregister(this.lapicMmio);
    this.mmio.register(this.lapic.base, 0x1000, this.lapicMmio);
  }

  private sync(): void {
    if (this.now) this.syncTo(this.now());
  }

  /** Advance the devices to an absolute CPU cycle count (no-op if already there). */
  syncTo(totalCycles: number): void {
    if (totalCycles > this.cycles) this.advanceCycles(totalCycles - this.cycles);
  }

  /** Advance all clocked devices by `cpuCycles` (a non-negative integer). */
  advanceCycles(cpuCycles: number): void {
    if (!(cpuCycles > 0)) return;
    this.cycles += cpuCycles;
    this.pit.advanceCycles(cpuCycles);
    this.lapic.advanceCycles(cpuCycles);
  }

  /** CPU cycles from now until the next timer event (PIT channel 0 OUT change or APIC timer expiry), or Infinity. */
  nextEventCycles(): number {
    this.sync();
    return Math.min(this.pit.nextEventCycles(), this.lapic.nextEventCycles());
  }

  /** The CPU's INTR line (maskable interrupts; RFLAGS.IF / GIF / V_INTR_MASKING are the CPU's business). */
  hasInterrupt(): boolean {
    this.sync();
    return this.lapic.hasInterrupt() || (this.lapic.acceptsPicInterrupt() && this.pic.hasInterrupt());
  }

  /** The NMI line (an NMI IPI from the local APIC). */
  hasNmi(): boolean {
    return this.lapic.nmiPending;
  }

  /** The CPU takes the NMI: the edge is consumed. */
  acknowledgeNmi(): void {
    this.lapic.nmiPending = false;
  }

  /** Interrupt acknowledge: the vector to deliver (a spurious vector if the request vanished). */
  acknowledge(): number {
    this.sync();
    if (this.lapic.hasInterrupt()) return this.lapic.acknowledge();
    if (this.lapic.acceptsPicInterrupt()) return this.pic.acknowledge();
    return this.lapic.acknowledge();
  }

  /**
   * The state a PC BIOS leaves before the boot loader runs: PICs initialized with vector
   * bases 0x08 / 0x70 and every IRQ masked except the cascade, PIT channel 0 in mode 3 with
   * count 65536 (18.2 Hz). The local APIC is at its reset state (LINT0 virtual wire).
   */
  biosDefaults(): void {
    const out = (p: number, v: number) => this.io.out(p, 1, v);
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x01);
    out(0xa0, 0x11); out(0xa1, 0x70); out(0xa1, 0x02); out(0xa1, 0x01);
    out(0x21, 0xfb); out(0xa1, 0xff);
    out(0x43, 0x36); out(0x40, 0x00); out(0x40, 0x00);
  }

  saveState(): PcDevicesState {
    return {
      cycles: this.cycles, pit: this.pit.saveState(), port61: this.port61.saveState(), pic: this.pic.saveState(),
      uart: this.uart.saveState(), vga: this.vga.saveState(), lapic: this.lapic.saveState(), debugExit: this.debugExit.saveState(),
    };
  }

  loadState(s: PcDevicesState): void {
    this.cycles = s.cycles;
    this.pic.loadState(s.pic);
    this.pit.loadState(s.pit);
    this.port61.loadState(s.port61);
    this.uart.loadState(s.uart);
    this.vga.loadState(s.vga);
    this.lapic.loadState(s.lapic);
    this.debugExit.loadState(s.debugExit);
    this.placeLapic();
  }
}
