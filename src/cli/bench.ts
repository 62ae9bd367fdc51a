// `pacifica bench`: run the C workloads on the instruction core and report MIPS.
// Each workload runs --runs times (default 3) in a fresh machine; the figure is
// the median. Pin it to one core for stable numbers: taskset -c 0 npx pacifica bench.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FlatMachine } from '../emu/machine/flat64.ts';
import { WORKLOADS } from '../emu/machine/workloads.ts';
import { benchSystem } from './bench-system.ts';

export interface BenchWorkload {
  name: string;
  instructions: number;
  seconds: number;
  mips: number;
  runs: number;
  /** Every run's MIPS, for the spread. */
  mipsRuns: number[];
  resultOk: boolean;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function imagePath(image: string): string {
  return fileURLToPath(new URL(`../../public/images/${image}`, import.meta.url));
}

export function benchWorkload(name: string, runs: number, jit?: boolean): BenchWorkload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload '${name}' (have: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  const bytes = readFileSync(imagePath(w.image));
  const secs: number[] = [];
  const mips: number[] = [];
  let instructions = 0;
  let resultOk = true;
  for (let k = 0; k < runs; k++) {
    const m = new FlatMachine();
    if (jit !== undefined) m.cpu.jit = jit;
    const img = m.loadElf(bytes);
    const r = m.run(5e9);
    if (r.stop !== 'halt') throw new Error(`${name}: stopped with ${r.stop} ${r.fault ?? ''}`);
    const sym = img.lookup('bench_result');
    resultOk &&= sym !== undefined && m.readU64(Number(sym.value)) === w.expected;
    instructions = r.instructions;
    secs.push(r.seconds);
    mips.push(r.instructions / r.seconds / 1e6);
  }
  return { name, instructions, seconds: median(secs), mips: median(mips), runs, mipsRuns: mips, resultOk };
}

export async function benchCommand(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const runsArg = args.indexOf('--runs');
  const runs = runsArg >= 0 ? Math.max(1, Number(args[runsArg + 1]) || 3) : 3;
  const onlyArg = args.indexOf('--workload');
  const names = onlyArg >= 0 ? [args[onlyArg + 1]!] : WORKLOADS.map((w) => w.name);
  const jit = args.includes('--jit') ? true : args.includes('--interp') ? false : undefined; // the engine (default: the CPU's)
  const workloads: BenchWorkload[] = [];
  for (const n of names) {
    const w = benchWorkload(n, runs, jit);
    workloads.push(w);
    if (!json) {
      process.stdout.write(`${w.name.padEnd(10)} ${(w.instructions / 1e6).toFixed(1).padStart(7)} M instr  ${w.seconds.toFixed(2).padStart(6)} s  ${w.mips.toFixed(1).padStart(6)} MIPS (median of ${runs})  result ${w.resultOk ? 'ok' : 'WRONG'}\n`);
    }
  }
  const all = median(workloads.map((w) => w.mips));
  // The full-system workload: the HVMM with the default guests (unless one workload was asked for).
  const system = onlyArg < 0 && !args.includes('--no-system') ? benchSystem(runs) : null;
  if (json) {
    process.stdout.write(JSON.stringify({ engine: jit ?? new FlatMachine().cpu.jit ? 'block compiler' : 'interpreter', host: `node ${process.version}`, medianMips: all, workloads, system }) + '\n');
  } else {
    process.stdout.write(`median over workloads: ${all.toFixed(1)} MIPS\n`);
    if (system) {
      process.stdout.write(`${system.name}: ${(system.instructions / 1e6).toFixed(1)} M instr in ${system.simMs} simulated ms, ${system.mips.toFixed(1)} MIPS (median of ${runs}), ` +
        `${system.worldSwitches} world switches; switch lag ${system.switchLagUs.median.toFixed(1)} µs host (p95 ${system.switchLagUs.p95.toFixed(1)}) over ${system.switchLagUs.switches} switches\n`);
    }
  }
  return workloads.every((w) => w.resultOk) ? 0 : 1;
}
