// One C workload (guests/bench, a gcc -O2 program) on the flat 64-bit core:
// MIPS over `runs` fresh machines, the result checked against the native run.
// Takes the image's bytes, so the Node CLI (files) and the page's worker (fetch)
// run exactly the same code.
import { FlatMachine } from '../machine/flat64';
import type { Workload } from '../machine/workloads';
import { median } from './stats';

export interface BenchWorkload {
  name: string;
  instructions: number;
  /** Median wall seconds of one run. */
  seconds: number;
  /** Median MIPS (instructions / wall seconds / 1e6). */
  mips: number;
  runs: number;
  /** Every run's MIPS, for the spread. */
  mipsRuns: number[];
  /** bench_result equals what the native build computes, in every run. */
  resultOk: boolean;
}

/** `jit` chooses the engine (undefined: the CPU's default). */
export function benchWorkload(w: Workload, bytes: Uint8Array, runs: number, jit?: boolean): BenchWorkload {
  const secs: number[] = [];
  const mips: number[] = [];
  let instructions = 0;
  let resultOk = true;
  for (let k = 0; k < runs; k++) {
    const m = new FlatMachine();
    if (jit !== undefined) m.cpu.jit = jit;
    const img = m.loadElf(bytes);
    const r = m.run(5e9);
    if (r.stop !== 'halt') throw new Error(`${w.name}: stopped with ${r.stop} ${r.fault ?? ''}`);
    const sym = img.lookup('bench_result');
    resultOk &&= sym !== undefined && m.readU64(Number(sym.value)) === w.expected;
    instructions = r.instructions;
    secs.push(r.seconds);
    mips.push(r.instructions / r.seconds / 1e6);
  }
  return { name: w.name, instructions, seconds: median(secs), mips: median(mips), runs, mipsRuns: mips, resultOk };
}
