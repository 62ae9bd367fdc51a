// The benchmark as one call: the C workloads, then the full-system workload,
// for each engine asked for (engine by engine, so an engine's figures are taken
// as a one-engine run would take them). Images come from a loader: files in
// the Node CLI, fetch in the page's worker.
import { WORKLOADS, type Workload } from '../machine/workloads';
import { defaultEngine, engineJit, type Engine } from './engines';
import { benchWorkload } from './workloads-bench';
import { benchSystem, SYSTEM_IMAGES } from './system-bench';
import { median } from './stats';
import type { BenchEvent, BenchReport, EngineReport } from './report';

export interface BenchOptions {
  /** Runs per figure (the median is reported). Default 3. */
  runs?: number;
  /** Workload names (WORKLOADS). Default: all of them. */
  workloads?: string[];
  /** Default: the CPU's default engine only. */
  engines?: Engine[];
  /** Run the full-system workload. Default true. */
  system?: boolean;
  /** The system workload's simulated milliseconds. Default 400. */
  simMs?: number;
  /** Switches the switch-lag measurement takes. Default 200. */
  lagSwitches?: number;
  /** Instructions of the full-system sustained run (0: none). Default SUSTAINED_INSTRUCTIONS. */
  sustainedInstructions?: number;
}

export type ImageLoader = (name: string) => Uint8Array | Promise<Uint8Array>;

function workload(name: string): Workload {
  const w = WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown workload '${name}' (have: ${WORKLOADS.map((x) => x.name).join(', ')})`);
  return w;
}

export async function runBench(o: BenchOptions, load: ImageLoader, host: string, onEvent?: (e: BenchEvent) => void): Promise<BenchReport> {
  const runs = Math.max(1, Math.floor(o.runs ?? 3));
  const engines = o.engines?.length ? [...new Set(o.engines)] : [defaultEngine()];
  const ws = (o.workloads ?? WORKLOADS.map((w) => w.name)).map(workload);
  const system = o.system ?? true;
  // Every image first: a missing one fails before minutes of measuring.
  const bytes = new Map<string, Uint8Array>();
  const names = [...ws.map((w) => w.image), ...(system ? [SYSTEM_IMAGES.hypervisor, ...SYSTEM_IMAGES.guests, SYSTEM_IMAGES.lagGuest] : [])];
  for (const n of names) if (!bytes.has(n)) bytes.set(n, await load(n));
  const img = (n: string) => bytes.get(n)!;

  const total = engines.length * (ws.length + (system ? 1 : 0));
  let done = 0;
  const reports: EngineReport[] = [];
  for (const engine of engines) {
    const jit = engineJit(engine);
    const r: EngineReport = { engine, medianMips: NaN, workloads: [], system: null };
    for (const w of ws) {
      onEvent?.({ kind: 'start', label: `${w.name} (${engine})`, done, total });
      const result = benchWorkload(w, img(w.image), runs, jit);
      r.workloads.push(result);
      onEvent?.({ kind: 'workload', engine, result, done: ++done, total });
    }
    r.medianMips = median(r.workloads.map((w) => w.mips));
    if (system) {
      onEvent?.({ kind: 'start', label: `hvmm+guests (${engine})`, done, total });
      r.system = benchSystem(
        { hypervisor: img(SYSTEM_IMAGES.hypervisor), guests: SYSTEM_IMAGES.guests.map(img), lagGuest: img(SYSTEM_IMAGES.lagGuest) },
        { runs, simMs: o.simMs, jit, lagSwitches: o.lagSwitches, sustainedInstructions: o.sustainedInstructions },
      );
      onEvent?.({ kind: 'system', engine, result: r.system, done: ++done, total });
    }
    reports.push(r);
  }
  const first = reports[0]!;
  return {
    engine: first.engine, host, medianMips: first.medianMips, workloads: first.workloads, system: first.system,
    runs, engines: reports, date: new Date().toISOString(),
  };
}
