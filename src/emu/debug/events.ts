// The world-switch log: one entry per VMRUN that entered a guest and per #VMEXIT
// (including VMEXIT_INVALID from a failed VMRUN), in a bounded ring buffer.
// Everything but hostMs is simulated state, so two runs of the same images give
// the same log; hostMs is wall time, measured for the user and never used.
import type { Cpu } from '../cpu/cpu';
import { OFF, rd64 } from '../svm/vmcb-access';
import { exitName } from '../svm/exitcodes';
import { hex64 } from './world';

export interface SwitchEvent {
  /** 0, 1, 2, ... over the whole run (also counting entries the ring dropped). */
  seq: number;
  kind: 'vmrun' | 'vmexit';
  asid: number;
  /** Host-physical address of the VMCB. */
  vmcb: number;
  /** #VMEXIT only: code, name and exit information (64-bit values as 0x-hex). */
  exitCode?: number;
  exitName?: string;
  exitInfo1?: string;
  exitInfo2?: string;
  /** The guest's RIP: where it starts (vmrun) or where it exited (the VMCB's RIP). */
  guestRip: string;
  instructions: number;
  cycles: number;
  simSeconds: number;
  /** Milliseconds of wall time since the log started (measured only). */
  hostMs: number;
}

export class EventLog {
  enabled = true;
  private ring: SwitchEvent[] = [];
  private head = 0;
  /** Entries ever recorded (seq of the next one). */
  total = 0;
  private readonly t0 = performance.now();

  constructor(readonly capacity = 10_000, private readonly cpuHz = 2e9) {}

  /** Record a world switch (the debugger's onSwitch, after the CPU finished it). */
  record(c: Cpu, kind: 'vmrun' | 'vmexit', code: number): SwitchEvent {
    const mem = c.mem;
    const { vmcb, asid } = switchContext(c, kind, code);
    const [rLo, rHi] = rd64(mem, vmcb + OFF.rip!);
    const e: SwitchEvent = {
      seq: this.total, kind, asid, vmcb,
      guestRip: hex64(rLo, rHi),
      instructions: c.instructions, cycles: c.cycles, simSeconds: c.cycles / this.cpuHz,
      hostMs: performance.now() - this.t0,
    };
    if (kind === 'vmexit') {
      e.exitCode = code;
      e.exitName = exitName(code);
      const [i1l, i1h] = rd64(mem, vmcb + OFF.exitinfo1!);
      const [i2l, i2h] = rd64(mem, vmcb + OFF.exitinfo2!);
      e.exitInfo1 = hex64(i1l, i1h);
      e.exitInfo2 = hex64(i2l, i2h);
    }
    if (this.ring.length < this.capacity) this.ring.push(e);
    else { this.ring[this.head] = e; this.head = (this.head + 1) % this.capacity; }
    this.total++;
    return e;
  }

  /** Entries still held, oldest first. */
  entries(): SwitchEvent[] {
    return [...this.ring.slice(this.head), ...this.ring.slice(0, this.head)];
  }

  get dropped(): number {
    return this.total - this.ring.length;
  }

  clear(): void {
    this.ring = [];
    this.head = 0;
    this.total = 0;
  }

  toJSON(): { capacity: number; total: number; dropped: number; entries: SwitchEvent[] } {
    return { capacity: this.capacity, total: this.total, dropped: this.dropped, entries: this.entries() };
  }
}

/**
 * The VMCB and ASID of the world switch that just happened. A VMRUN that failed its
 * checks exits with INVALID before loading anything: its VMCB is in rAX.
 */
export function switchContext(c: Cpu, kind: 'vmrun' | 'vmexit', code: number): { vmcb: number; asid: number } {
  if (kind === 'vmexit' && code === -1) {
    const vmcb = vmcbOfFailedRun(c);
    return { vmcb, asid: c.mem.read32(vmcb + OFF.guest_asid!) >>> 0 };
  }
  return { vmcb: c.svm.vmcb, asid: c.svm.asid };
}

function vmcbOfFailedRun(c: Cpu): number {
  // VMRUN's operand: rAX (the host's, untouched by a failed VMRUN), EAX outside 64-bit mode.
  const lo = c.r[0]! >>> 0;
  return c.mode === 64 ? (c.r[1]! >>> 0) * 4294967296 + lo : lo;
}
