// The paper's switch-lag experiment (Kalady et al., section 4, Table 5), run
// again: the HVMM runs two identical guests round robin; the "switch lag" is
// the time from the #VMEXIT that ends guest 1's time slice (their breakpoint
// "immediately before the #VMEXIT in Guest OS 1") to the first instruction of
// guest 2 (their "just before start of Guest OS 2"). The paper read SimNow's
// *host seconds* at both breakpoints; we measure host seconds (wall time the
// emulator spent between the two points) and simulated seconds (cycles / CPU
// clock) for each CPU speed, over many switches, and report medians.
//
// Taken through the CPU's world-switch hooks, without stopping the machine: the
// exit's start (host clock read before any of its work; cycles before its cost is
// charged) and VMRUN's end (its cost added).
import { Machine } from '../machine/machine';
import { VMEXIT } from '../svm/exitcodes';
import { CYCLES } from '../cpu/cycles';
import { withFeatures, DEFAULT_MODEL_ID } from '../cpu/models';

import { PAPER_TABLE_5 } from './paper';
import { median, percentile } from '../bench/stats';
import { WARMUP_MHZ, WARMUP_SWITCHES } from './warmup';
export { PAPER_TABLE_5, WARMUP_MHZ, WARMUP_SWITCHES };

export interface SwitchLagOptions {
  hvmm: Uint8Array;
  /** The guest image; two identical VMs run it, as in the paper. */
  guest: Uint8Array;
  /** CPU clocks to measure at (MHz). Default: the paper's 1600, 2000, 2200. */
  mhz?: readonly number[];
  /** Slice-end switches to measure per clock (after the first, which is warm-up). Default 200. */
  switches?: number;
  /** HVMM time slice in ms of simulated time. Default 1 (short, so switches are many). */
  sliceMs?: number;
  /** The hypervisor's exit logging (its log=on prints every #VMEXIT; off is the paper's "blind transfer"). Default off. */
  log?: boolean;
  cpuModel?: string;
  /** The engine: the block compiler (cpu.jit) or the interpreter. Default: the CPU's. */
  jit?: boolean;
  /** runSwitchLag's warm-up: switches run first at WARMUP_MHZ (warmUpSwitchLag). Default WARMUP_SWITCHES; 0: none. */
  warmupSwitches?: number;
  /**
   * Host microseconds spent idle as each slice begins (the VMRUN after a slice-end exit), outside the measured window: a busy
   * wait that touches no memory, as if the guest's slice had taken that much more host time. At the
   * paper's clocks a 1 ms slice is 5-10 ms of host time, in which a shared host's caches lose the
   * switch path; this shows that idle host time alone does it, at any clock. Default 0.
   */
  idleUs?: number;
}


export interface SwitchLagPoint {
  mhz: number;
  /** The hypervisor's exit logging during the measurement. */
  log: boolean;
  samples: number;
  /** Median switch lag in host seconds (wall time of this emulator) and in simulated seconds. */
  hostSeconds: number;
  /** 95th percentile of the host-seconds lag. */
  hostSecondsP95: number;
  simSeconds: number;
  /** Median instructions executed between the two points (the hypervisor's work, both world switches). */
  instructions: number;
  /** Median switch lag in CPU cycles (the same at every clock if the path is the same). */
  cycles: number;
  /** Emulation speed over the whole run, for context (idle time included). */
  mips: number;
  /** The host idle time as each slice began (SwitchLagOptions.idleUs). */
  idleUs: number;
}

/** Busy-wait `us` microseconds of host time (reading the clock only: no memory the emulator uses). */
export function idleHost(us: number): void {
  const end = performance.now() + us / 1000;
  while (performance.now() < end) { /* idle */ }
}

/** Measure at one clock. */
export function measureSwitchLag(o: SwitchLagOptions, mhz: number): SwitchLagPoint {
  const want = (o.switches ?? 200) + 1;
  const m = new Machine({ cpuHz: Math.round(mhz * 1e6), cpuModel: withFeatures(o.cpuModel ?? DEFAULT_MODEL_ID) });
  if (o.jit !== undefined) m.cpu.jit = o.jit;
  m.bootMultiboot(o.hvmm, {
    cmdline: `hvmm.elf log=${o.log ? 'on' : 'off'} slice=${o.sliceMs ?? 1}`,
    modules: [
      { bytes: o.guest, cmdline: 'guest.elf name=guest1 count=1000000' },
      { bytes: o.guest, cmdline: 'guest.elf name=guest2 count=1000000' },
    ],
  });
  const cpu = m.cpu;
  const idleUs = o.idleUs ?? 0;
  const host: number[] = [], sim: number[] = [], insns: number[] = [];
  let fromAsid = -1, t0 = 0, t1 = 0, c1 = 0, n1 = 0, sliceEnded = false;
  // The host clock is read as the exit begins (its own emulation is part of the lag) and kept
  // once onSwitch, after the exit, has seen that it ended a slice (INTR).
  cpu.svm.onExitBegin = () => { t0 = performance.now(); };
  cpu.svm.onSwitch = (kind, code) => {
    if (kind === 'vmexit') {
      if (code === VMEXIT.INTR) {
        fromAsid = cpu.svm.asid; // the guest whose slice just ended (ASID is kept until the next VMRUN)
        t1 = t0;
        c1 = cpu.svm.exitStartCycles;
        n1 = cpu.instructions;
        sliceEnded = true;
      }
      return false;
    }
    const asid = cpu.svm.asid;
    if (fromAsid >= 0 && asid !== fromAsid) {
      host.push((performance.now() - t1) / 1000);
      sim.push(cpu.cycles + CYCLES.vmrun! - c1);
      insns.push(cpu.instructions + 1 - n1); // + the VMRUN, which retires after this hook
      fromAsid = -1;
    }
    // After the sample, as the next slice begins (not on the VMRUNs that resume a slice after an I/O exit).
    if (sliceEnded && idleUs > 0 && sim.length < want) idleHost(idleUs);
    sliceEnded = false;
    return sim.length >= want;
  };
  const i0 = cpu.instructions, w0 = performance.now();
  const stop = m.run(mhz * 1e6 * 60); // at most a simulated minute
  const wall = (performance.now() - w0) / 1000;
  cpu.svm.onSwitch = null;
  cpu.svm.onExitBegin = null;
  if (sim.length < want) throw new Error(`switch-lag at ${mhz} MHz: only ${sim.length} switches before the machine stopped (${stop.kind})`);
  host.shift(); sim.shift(); insns.shift(); // the first switch warms up caches and decodes
  const cycles = median(sim);
  return {
    mhz,
    log: o.log ?? false,
    samples: sim.length,
    hostSeconds: median(host),
    hostSecondsP95: percentile(host, 95),
    simSeconds: cycles / (mhz * 1e6),
    instructions: median(insns),
    cycles,
    mips: (cpu.instructions - i0) / wall / 1e6,
    idleUs,
  };
}

/**
 * Run the same images and settings for `switches` slice-end switches at WARMUP_MHZ, where a
 * switch period is ~15 µs of host time (2,000 take ~0.1 s after the boot), measuring nothing.
 * V8 compiles the functions the switch path runs once per switch (the interrupt checks, the world
 * switch, the hypervisor's instruction handlers) only after a few hundred switches of a process:
 * without a warm-up the first clock measured paid for that (at 20 MHz, a median of 50 µs against
 * 16 µs after it) and the later ones did not. Host caches are not warmed: at the paper's clocks a
 * slice still runs ~10 ms of host time before every measured switch.
 */
export function warmUpSwitchLag(o: SwitchLagOptions, switches = o.warmupSwitches ?? WARMUP_SWITCHES): number {
  if (switches <= 0) return 0;
  try {
    return measureSwitchLag({ ...o, switches, idleUs: 0 }, WARMUP_MHZ).samples; // warms V8, so no idling
  } catch (e) {
    // Say that it was the warm-up (the clocks asked for were not reached yet).
    throw new Error(`the warm-up before the measured clocks failed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The warm-up, then each clock (the paper's by default). */
export function runSwitchLag(o: SwitchLagOptions): SwitchLagPoint[] {
  warmUpSwitchLag(o);
  return (o.mhz ?? PAPER_TABLE_5.map((p) => p.mhz)).map((mhz) => measureSwitchLag(o, mhz));
}
