// The full-system workload: the HVMM with the lab's default guests
// (default-setup.ts, hypervisor logging off) from power-on for a stretch of
// simulated time, in MIPS, split at the first VMRUN into the hypervisor's boot
// and the "steady" part where guests and world switches run; plus the
// host-seconds switch lag (the paper's experiment at 2 GHz, logging off); and a
// sustained run: the same setup with the dummy guest not ending, for a fixed
// number of instructions, whose later part shows the speed once the JavaScript
// engine has optimized the emulator and the compiled blocks (the default guests
// finish in about a second of host time, most of it warm-up).
// Medians of `runs` fresh machines. Takes image bytes: the CLI and the worker share it.
import { Machine, type MachineStop } from '../machine/machine';
import { DEFAULT_SETUP, endlessGuests } from '../machine/default-setup';
import { measureSwitchLag, warmUpSwitchLag } from '../experiment/switch-lag';
import { median } from './stats';
import { runTo } from './window-bench';

/** The images the system bench needs, by file name under public/images. */
export const SYSTEM_IMAGES = {
  hypervisor: DEFAULT_SETUP.hypervisor.image,
  guests: DEFAULT_SETUP.guests.map((g) => g.image),
  /** The switch-lag experiment's guest (two identical VMs run it, as in the paper). */
  lagGuest: 'g-dummy.elf',
} as const;

export interface SystemImages {
  hypervisor: Uint8Array;
  /** One per DEFAULT_SETUP guest, in order. */
  guests: Uint8Array[];
  lagGuest: Uint8Array;
}

export interface SystemBenchOptions {
  runs: number;
  /** Simulated milliseconds from power-on. Default 400. */
  simMs?: number;
  /** The engine (undefined: the CPU's default). */
  jit?: boolean;
  /** Switches the switch-lag measurement takes. Default 200. */
  lagSwitches?: number;
  /** Instructions of the sustained run (0: none). Default SUSTAINED_INSTRUCTIONS. */
  sustainedInstructions?: number;
}

/** The sustained run's length: ~2-3 s with the block compiler, ~12 s interpreted. */
export const SUSTAINED_INSTRUCTIONS = 300e6;
/** The sustained run's warm part: everything after its first quarter. */
const WARM_FROM = 0.25;

/** A part of a run: wall seconds, instructions, and their ratio. */
export interface RunPart {
  seconds: number;
  instructions: number;
  mips: number;
}

export interface SystemBench {
  name: string;
  /** Simulated milliseconds each run was given (from power-on: the hypervisor's boot, then the guests). */
  simMs: number;
  /** Simulated milliseconds each run covered: less than simMs when the machine stopped by itself (the default guests finish and the HVMM leaves through the debug-exit port). */
  simMsRan: number;
  /** How the runs ended: "time" (simMs elapsed) or the machine's own stop, e.g. "debug-exit 17". */
  stop: string;
  instructions: number;
  seconds: number;
  /** Median MIPS over the whole run (boot and steady). */
  mips: number;
  mipsRuns: number[];
  worldSwitches: number;
  /** Power-on to the first VMRUN: the HVMM booting (long mode, SVM, a VMCB and nested tables per guest, loading the guests). Medians. */
  boot: RunPart & { reachedVmrun: boolean };
  /** From the first VMRUN (included) to the end: guests running, world switches, the hypervisor's scheduling. Medians. */
  steady: RunPart;
  /** Host-seconds switch lag: #VMEXIT ending guest 1's slice to guest 2's first instruction, at 2 GHz, logging off. */
  switchLagUs: { median: number; p95: number; switches: number };
  /**
   * The default guests with the dummy not ending (endlessGuests), from power-on for a fixed
   * number of instructions. Medians. `warm`: the instructions after the first quarter.
   */
  sustained: (RunPart & { warm: RunPart }) | null;
}

function stopText(s: MachineStop): string {
  if (s.kind === 'debug-exit') return `debug-exit ${s.code}`;
  if (s.kind === 'shutdown' || s.kind === 'halted' || s.kind === 'internal') return `${s.kind}: ${s.reason}`;
  return s.kind;
}

export function benchSystem(images: SystemImages, o: SystemBenchOptions): SystemBench {
  const simMs = o.simMs ?? 400;
  const guests = DEFAULT_SETUP.guests.map((g, k) => {
    const bytes = images.guests[k];
    if (!bytes) throw new Error(`system bench: no bytes for guest ${g.image}`);
    return { bytes, cmdline: g.cmdline };
  });
  // Logging off: the bench measures the machine, not the serial port's text (the page's lab keeps log=switches).
  const cmdline = DEFAULT_SETUP.hypervisor.cmdline.replace('log=switches', 'log=off');
  const mips: number[] = [], secs: number[] = [];
  const bootSecs: number[] = [], steadySecs: number[] = [], steadyMips: number[] = [];
  let instructions = 0, switches = 0, bootInsns = 0, reachedVmrun = false, simMsRan = 0, stop = 'time';
  for (let k = 0; k < o.runs; k++) {
    const m = new Machine();
    if (o.jit !== undefined) m.cpu.jit = o.jit;
    m.bootMultiboot(images.hypervisor, { cmdline, modules: guests });
    // The first VMRUN splits the run. The hook fires before VMRUN retires, so the
    // VMRUN itself counts as steady; it removes itself so later switches cost nothing.
    let tVmrun = -1, iVmrun = 0;
    m.cpu.svm.onSwitch = (kind) => {
      if (kind !== 'vmrun') return false;
      tVmrun = performance.now();
      iVmrun = m.cpu.instructions;
      m.cpu.svm.onSwitch = null;
      return false; // never stop the run
    };
    const t0 = performance.now();
    let s: MachineStop;
    try {
      s = m.run(m.cpuHz * simMs / 1000);
    } finally {
      m.cpu.svm.onSwitch = null;
    }
    const t1 = performance.now();
    instructions = m.cpu.instructions;
    switches = m.cpu.svm.vmruns + m.cpu.svm.exits;
    simMsRan = m.simSeconds * 1000;
    stop = stopText(s);
    secs.push((t1 - t0) / 1000);
    mips.push(instructions / ((t1 - t0) / 1000) / 1e6);
    reachedVmrun = tVmrun >= 0;
    const tb = reachedVmrun ? tVmrun : t1;
    bootInsns = reachedVmrun ? iVmrun : instructions;
    bootSecs.push((tb - t0) / 1000);
    steadySecs.push((t1 - tb) / 1000);
    steadyMips.push(t1 > tb ? (instructions - bootInsns) / ((t1 - tb) / 1000) / 1e6 : 0);
  }
  const sustained = (o.sustainedInstructions ?? SUSTAINED_INSTRUCTIONS) > 0
    ? sustainedRuns(images, cmdline, o.sustainedInstructions ?? SUSTAINED_INSTRUCTIONS, o.runs, o.jit) : null;
  const lagOptions = { hvmm: images.hypervisor, guest: images.lagGuest, switches: o.lagSwitches ?? 200, jit: o.jit };
  warmUpSwitchLag(lagOptions); // as the experiment does (V8 compiles the once-per-switch path first)
  const lag = measureSwitchLag(lagOptions, 2000);
  const bootSeconds = median(bootSecs);
  return {
    name: 'hvmm+guests', simMs, simMsRan, stop, instructions, seconds: median(secs), mips: median(mips), mipsRuns: mips,
    worldSwitches: switches,
    boot: { seconds: bootSeconds, instructions: bootInsns, mips: bootSeconds > 0 ? bootInsns / bootSeconds / 1e6 : 0, reachedVmrun },
    steady: { seconds: median(steadySecs), instructions: instructions - bootInsns, mips: median(steadyMips) },
    switchLagUs: { median: lag.hostSeconds * 1e6, p95: lag.hostSecondsP95 * 1e6, switches: lag.samples },
    sustained,
  };
}

function sustainedRuns(images: SystemImages, cmdline: string, instructions: number, runs: number, jit: boolean | undefined): RunPart & { warm: RunPart } {
  const guests = endlessGuests().map((g) => {
    const k = DEFAULT_SETUP.guests.findIndex((d) => d.image === g.image);
    return { bytes: images.guests[k]!, cmdline: g.cmdline };
  });
  const whole: number[] = [], warm: number[] = [];
  const warmFrom = Math.round(instructions * WARM_FROM);
  for (let k = 0; k < runs; k++) {
    const m = new Machine();
    if (jit !== undefined) m.cpu.jit = jit;
    m.bootMultiboot(images.hypervisor, { cmdline, modules: guests });
    const t0 = performance.now();
    const reachedWarm = runTo(m, warmFrom);
    const tWarm = performance.now();
    if (!reachedWarm || !runTo(m, instructions)) throw new Error(`system bench: the sustained run stopped after ${m.cpu.instructions} instructions`);
    const t1 = performance.now();
    whole.push((t1 - t0) / 1000);
    warm.push((t1 - tWarm) / 1000);
  }
  const s = median(whole), w = median(warm);
  const warmInsns = instructions - warmFrom;
  return { seconds: s, instructions, mips: instructions / s / 1e6, warm: { seconds: w, instructions: warmInsns, mips: warmInsns / w / 1e6 } };
}
