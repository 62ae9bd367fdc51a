// `pacifica bench`: the C workloads on the instruction core and the full-system
// workload, in MIPS (medians of --runs fresh machines, default 3), for one
// engine or both side by side. The measuring is src/emu/bench (the page's
// worker runs the same code); this file reads the images from public/images,
// parses the options and prints. `--browser` runs it in Chromium instead
// (bench-browser.ts). Pin it to one core for stable numbers: taskset -c 0.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from '../emu/machine/workloads.ts';
import { runBench, type BenchOptions } from '../emu/bench/bench.ts';
import { ENGINES, parseEngines, type Engine } from '../emu/bench/engines.ts';
import { benchWorkload as benchWorkloadCore, type BenchWorkload } from '../emu/bench/workloads-bench.ts';
import { formatBenchTable } from '../emu/bench/format.ts';
import type { BenchEvent } from '../emu/bench/report.ts';

export type { BenchWorkload };

export function imagePath(image: string): string {
  return fileURLToPath(new URL(`../../public/images/${image}`, import.meta.url));
}

/** One workload by name, images from public/images (jit: the engine; undefined: the CPU's default). */
export function benchWorkload(name: string, runs: number, jit?: boolean): BenchWorkload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload '${name}' (have: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  return benchWorkloadCore(w, readFileSync(imagePath(w.image)), runs, jit);
}

/** The options both `bench` and `bench --browser` take. */
export function benchOptions(args: string[]): BenchOptions {
  const val = (flag: string): string | undefined => {
    const k = args.indexOf(flag);
    return k >= 0 ? args[k + 1] : undefined;
  };
  const num = (flag: string): number | undefined => {
    const v = val(flag);
    if (v === undefined) return undefined;
    if (!(Number(v) > 0)) throw new Error(`${flag} needs a positive number`);
    return Number(v);
  };
  const only = val('--workload');
  const engines: Engine[] | undefined = val('--engines') !== undefined ? parseEngines(val('--engines')!)
    : args.includes('--both') ? [...ENGINES]
    : args.includes('--jit') ? ['block compiler'] : args.includes('--interp') ? ['interpreter'] : undefined; // undefined: the CPU's default
  return {
    runs: num('--runs') ?? 3,
    workloads: args.includes('--system-only') ? [] : only !== undefined ? only.split(',') : undefined,
    engines,
    // The full-system workload, unless one workload was asked for.
    system: args.includes('--system-only') || (only === undefined && !args.includes('--no-system')),
    simMs: num('--sim-ms'),
    lagSwitches: num('--lag-switches'),
    // --sustained N: millions of instructions; --no-sustained: skip it.
    sustainedInstructions: args.includes('--no-sustained') ? 0 : num('--sustained') !== undefined ? num('--sustained')! * 1e6 : undefined,
  };
}

function progressLine(e: BenchEvent, several: boolean): string | null {
  const tag = several && e.kind !== 'start' ? ` [${e.engine}]` : '';
  if (e.kind === 'workload') {
    const w = e.result;
    return `${w.name.padEnd(10)} ${(w.instructions / 1e6).toFixed(1).padStart(7)} M instr  ${w.seconds.toFixed(2).padStart(6)} s  ${w.mips.toFixed(1).padStart(6)} MIPS (median of ${w.runs})  result ${w.resultOk ? 'ok' : 'WRONG'}${tag}`;
  }
  if (e.kind === 'system') {
    const s = e.result;
    return `${s.name}: ${(s.instructions / 1e6).toFixed(1)} M instr in ${s.simMsRan.toFixed(1)} simulated ms (${s.stop}), ${s.mips.toFixed(1)} MIPS; ` +
      `boot to the first VMRUN ${(s.boot.seconds * 1000).toFixed(1)} ms, steady ${s.steady.mips.toFixed(1)} MIPS; ${s.worldSwitches} world switches; ` +
      `switch lag ${s.switchLagUs.median.toFixed(1)} µs host (p95 ${s.switchLagUs.p95.toFixed(1)}) over ${s.switchLagUs.switches} switches` +
      (s.sustained ? `; sustained ${(s.sustained.instructions / 1e6).toFixed(0)} M instr ${s.sustained.mips.toFixed(1)} MIPS, warm ${s.sustained.warm.mips.toFixed(1)} MIPS` : '') + tag;
  }
  return null;
}

export async function benchCommand(args: string[]): Promise<number> {
  if (args.includes('--browser')) {
    const { benchBrowserCommand } = await import('./bench-browser.ts');
    return benchBrowserCommand(args);
  }
  const json = args.includes('--json');
  let opts: BenchOptions;
  try {
    opts = benchOptions(args);
  } catch (e) {
    process.stderr.write(`pacifica bench: ${(e as Error).message}\n`);
    return 2;
  }
  const several = (opts.engines?.length ?? 1) > 1;
  const report = await runBench(opts, (n) => readFileSync(imagePath(n)), `node ${process.version}`, (e) => {
    const line = json ? null : progressLine(e, several);
    if (line) process.stdout.write(line + '\n');
  });
  process.stdout.write(json ? JSON.stringify(report) + '\n' : '\n' + formatBenchTable(report));
  return report.engines.every((e) => e.workloads.every((w) => w.resultOk)) ? 0 : 1;
}
