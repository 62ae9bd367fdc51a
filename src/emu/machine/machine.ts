// The whole PC: RAM, the CPU, the I/O bus and MMIO map, the devices, and the
// multiboot loader that plays GRUB. Time is simulated CPU cycles only: the CPU
// runs in slices that end at the next device event, and a halted CPU skips
// straight to it, so the same images and settings give the same run every time.
import { Cpu, StopReason } from '../cpu/cpu';
import { PhysMem } from '../mem/phys';
import { IoBus } from '../devices/iobus';
import { MmioMap } from '../devices/mmio';
import { PcDevices, DEFAULT_CPU_HZ } from '../devices/pc';
import { loadMultiboot, type MultibootBoot } from './multiboot';
import type { CpuModel } from '../cpu/cpuid';
import { decodeTextPage } from '../devices/vgatext';
import { nestedTranslator, readGuestPhys } from '../svm/guest-memory';
import { OFF } from '../svm/vmcb-access';
import { hsavePa } from '../svm/world';

export interface MachineOptions {
  ramMiB?: number;
  cpuHz?: number;
  /** The CPU model (models.ts: withFeatures); default the Zen-style model. */
  cpuModel?: CpuModel;
  /** RAM's backing store (e.g. a SharedArrayBuffer the page reads without copies); ramMiB bytes at least. */
  ramBuffer?: ArrayBufferLike;
}

export type MachineStop =
  | { kind: 'time' }
  | { kind: 'shutdown'; reason: string }
  | { kind: 'debug-exit'; code: number }
  | { kind: 'halted'; reason: string }
  | { kind: 'internal'; reason: string }
  | { kind: 'breakpoint' };

export class Machine {
  readonly mem: PhysMem;
  readonly cpu: Cpu;
  readonly io = new IoBus();
  readonly mmio = new MmioMap();
  readonly devices: PcDevices;
  readonly cpuHz: number;
  boot: MultibootBoot | null = null;
  stop: MachineStop | null = null;
  hostSeconds = 0;
  /**
   * Debugger hook on every port access (after it happened): returning true stops
   * the run after the instruction, like an I/O breakpoint.
   */
  ioHook: ((port: number, size: number, write: boolean, value: number) => boolean) | null = null;

  constructor(opts: MachineOptions = {}) {
    const ramMiB = opts.ramMiB ?? 128;
    this.cpuHz = opts.cpuHz ?? DEFAULT_CPU_HZ;
    this.mem = new PhysMem(ramMiB << 20, opts.ramBuffer);
    this.mem.mmio = this.mmio;
    this.cpu = new Cpu(this.mem);
    if (opts.cpuModel) this.cpu.model = opts.cpuModel;
    this.devices = new PcDevices({ ram: this.mem.u8, io: this.io, mmio: this.mmio, cpuHz: this.cpuHz, now: () => this.cpu.cycles });
    const cpu = this.cpu;
    cpu.io = {
      in: (port, size) => {
        const v = this.io.in(port, size as 1 | 2 | 4);
        if (this.ioHook !== null && this.ioHook(port, size, false, v)) cpu.stop = StopReason.Breakpoint;
        return v;
      },
      out: (port, size, v) => {
        this.io.out(port, size as 1 | 2 | 4, v);
        if (this.ioHook !== null && this.ioHook(port, size, true, v)) cpu.stop = StopReason.Breakpoint;
      },
    };
    cpu.intr = this.devices;
    const lapic = this.devices.lapic;
    lapic.onNmi = () => { cpu.irqCheck = true; };
    cpu.apicBase = { read: () => lapic.apicBaseMsr, write: (lo, hi) => lapic.writeApicBaseMsr(lo, hi) };
    this.devices.debugExit.onExit = (code: number) => {
      this.stop = { kind: 'debug-exit', code };
      cpu.stop = StopReason.DebugExit;
    };
  }

  /** Boot a multiboot kernel with modules, as GRUB would. Throws MultibootError for a bad image. */
  bootMultiboot(kernel: Uint8Array, opts: { cmdline?: string; modules?: Array<{ bytes: Uint8Array; cmdline: string }> } = {}): MultibootBoot {
    const b = loadMultiboot(this.mem, kernel, opts);
    this.cpu.setMultibootEntry(b.eax, b.ebx, b.entry, b.esp);
    this.boot = b;
    this.stop = null;
    return b;
  }

  get simSeconds(): number {
    return this.cpu.cycles / this.cpuHz;
  }

  /** Run until `cycles` more simulated cycles have passed or the machine stops. */
  run(cycles: number): MachineStop {
    const cpu = this.cpu;
    const end = cpu.cycles + cycles;
    const t0 = performance.now();
    this.stop = null;
    while (this.stop === null) {
      if (cpu.cycles >= end) { this.stop = { kind: 'time' }; break; }
      const next = Math.min(this.devices.nextEventCycles(), end - cpu.cycles, 1_000_000);
      if (this.devices.hasInterrupt()) cpu.irqCheck = true;
      const r = cpu.run(Math.max(1, Math.ceil(next)));
      if (r === StopReason.Halt) {
        const wakeable = cpu.wakeable();
        if (this.devices.hasInterrupt() && wakeable) { cpu.irqCheck = true; continue; }
        if (this.devices.hasNmi() && cpu.svm.gif && !cpu.nmiBlocked) { cpu.irqCheck = true; continue; }
        const wait = this.devices.nextEventCycles();
        if (!wakeable || !Number.isFinite(wait)) {
          this.stop = { kind: 'halted', reason: !wakeable ? 'hlt with interrupts disabled' : 'hlt with no timer running' };
          break;
        }
        cpu.cycles += Math.max(1, Math.min(Math.ceil(wait), end - cpu.cycles)); // idle until the next device event
        cpu.irqCheck = true;
      } else if (r === StopReason.Shutdown) {
        this.stop = { kind: 'shutdown', reason: cpu.shutdownReason };
      } else if (r === StopReason.Internal) {
        this.stop = { kind: 'internal', reason: cpu.internalError };
      } else if (r === StopReason.Breakpoint) {
        this.stop = { kind: 'breakpoint' };
      } else if (r === StopReason.Exception) {
        this.stop = { kind: 'internal', reason: `exception with no IDT: ${cpu.lastFault}` };
      }
    }
    this.hostSeconds += (performance.now() - t0) / 1000;
    return this.stop;
  }

  serial(): string {
    return this.devices.uart.output();
  }

  screen(): string[] {
    return this.devices.vga.text();
  }

  /**
   * Each guest's private screen: guest-physical 0xB8000 read through that VM's
   * nested page table (as the host's paging mode defines it), by ASID.
   */
  guestScreens(): Array<{ asid: number; lines: string[] }> {
    const cpu = this.cpu;
    let cr4 = cpu.cr4, efer = cpu.efer;
    if (cpu.svm.guest) {
      // The host's mode is in the host save area while a guest runs.
      const hsave = hsavePa(cpu);
      cr4 = this.mem.read32(hsave + OFF.cr4!);
      efer = this.mem.read32(hsave + OFF.efer!);
    }
    return [...cpu.svm.vms.byAsid.values()].sort((a, b) => a.asid - b.asid).map((vm) => ({
      asid: vm.asid,
      lines: decodeTextPage(readGuestPhys(this.mem, nestedTranslator(this.mem, vm, cr4, efer), 0xb8000, 4000)),
    }));
  }
}
