// The headless side of the page-live comparison: the setup the lab ran, booted
// again on a bare Machine (no debugger, no snapshots, no page) and run from
// power-on for exactly as many instructions as the lab executed, timed. The
// machine is deterministic however a run is sliced, so this is the lab's own
// instruction stream. (The target is instructions, not cycles: Machine.run's
// cycle budget reaches cpu.run as an instruction budget, so a run overshoots a
// cycle target by up to a million instructions; an instruction target is met exactly.)
import { Machine, type MachineOptions } from '../machine/machine';

export interface WindowBenchOptions {
  hypervisor: { bytes: Uint8Array; cmdline: string };
  guests: Array<{ bytes: Uint8Array; cmdline: string }>;
  /** The lab machine's options (RAM, clock, CPU model, RAM buffer kind): the replay must be the same machine. */
  machine: MachineOptions;
  jit: boolean;
  /** Instructions from power-on the lab executed (the replay ends sooner only if the machine stops by itself). */
  instructions: number;
}

export interface WindowBench {
  instructions: number;
  cycles: number;
  seconds: number;
  mips: number;
}

export function benchWindow(o: WindowBenchOptions): WindowBench {
  const m = new Machine(o.machine);
  m.cpu.jit = o.jit;
  m.bootMultiboot(o.hypervisor.bytes, { cmdline: o.hypervisor.cmdline, modules: o.guests });
  const cpu = m.cpu;
  const t0 = performance.now();
  runTo(m, o.instructions);
  const seconds = (performance.now() - t0) / 1000;
  return { instructions: cpu.instructions, cycles: cpu.cycles, seconds, mips: cpu.instructions / seconds / 1e6 };
}

/**
 * Run until the CPU has executed `target` instructions since power-on, exactly (false: the
 * machine stopped by itself first). Every instruction takes at least one cycle, so a cycle
 * budget of the instructions left never overshoots; the budgets shrink towards the end.
 */
export function runTo(m: Machine, target: number): boolean {
  for (let left = target - m.cpu.instructions; left > 0; left = target - m.cpu.instructions) {
    if (m.run(left).kind !== 'time') return m.cpu.instructions >= target;
  }
  return true;
}
