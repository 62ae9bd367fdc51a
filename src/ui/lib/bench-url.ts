// The benchmark's URL flags, so automation can run it in the page:
//   ?bench=1                      run it once the lab has booted; the report lands on window.__pacificaBench
//   &live=1&liveSeconds=10&liveRounds=3   first measure the lab's own speed with every panel live (PageLive):
//                                 rounds of a live run and its headless replay
//   &runs=3&workload=sieve,sort   runs per figure; workloads (workload=none: only the system row)
//   &engines=both|interp|jit      engines (default both)
//   &system=0&simMs=400&lagSwitches=200   the full-system row: off, its simulated ms, the switch-lag sample
//   &sustained=300                the full-system sustained run, millions of instructions (0: none)
// `pacifica bench --browser` builds its URL with benchToQuery.
import { parseEngines } from '../../emu/bench/engines';
import type { BenchOptions } from '../../emu/bench/bench';

export interface PageBenchOptions extends BenchOptions {
  /** Measure the page-live speed first. */
  live: boolean;
  /** The live run's longest wall time (it ends sooner when the machine stops by itself). */
  liveSeconds: number;
  /** Live runs, each followed by its headless replay; the median round is the figure (page-live-rounds.ts). */
  liveRounds: number;
}

export const PAGE_BENCH_DEFAULTS: PageBenchOptions = { runs: 3, engines: parseEngines('both'), live: false, liveSeconds: 10, liveRounds: 3 };

const positive = (s: string | null): number | undefined => (s !== null && Number(s) > 0 ? Number(s) : undefined);

/** Whether the URL asks for a benchmark run, and with which options. */
export function queryToBench(search: string): { auto: boolean; options: PageBenchOptions } {
  const q = new URLSearchParams(search);
  const workload = q.get('workload');
  const engines = q.get('engines');
  return {
    auto: q.get('bench') === '1',
    options: {
      runs: positive(q.get('runs')) ?? PAGE_BENCH_DEFAULTS.runs,
      workloads: workload === null ? undefined : workload === 'none' ? [] : workload.split(','),
      engines: engines ? parseEngines(engines) : PAGE_BENCH_DEFAULTS.engines,
      system: q.get('system') !== '0',
      simMs: positive(q.get('simMs')),
      lagSwitches: positive(q.get('lagSwitches')),
      sustainedInstructions: q.get('sustained') === '0' ? 0 : positive(q.get('sustained')) !== undefined ? positive(q.get('sustained'))! * 1e6 : undefined,
      live: q.get('live') === '1',
      liveSeconds: positive(q.get('liveSeconds')) ?? PAGE_BENCH_DEFAULTS.liveSeconds,
      liveRounds: Math.round(positive(q.get('liveRounds')) ?? PAGE_BENCH_DEFAULTS.liveRounds),
    },
  };
}

/** The query string ("?bench=1&...") that runs the benchmark with these options. */
export function benchToQuery(o: Partial<PageBenchOptions>): string {
  const q = new URLSearchParams({ bench: '1' });
  if (o.runs !== undefined) q.set('runs', String(o.runs));
  if (o.workloads !== undefined) q.set('workload', o.workloads.length ? o.workloads.join(',') : 'none');
  if (o.engines !== undefined) q.set('engines', o.engines.map((e) => (e === 'interpreter' ? 'interp' : 'jit')).join(','));
  if (o.system === false) q.set('system', '0');
  if (o.simMs !== undefined) q.set('simMs', String(o.simMs));
  if (o.lagSwitches !== undefined) q.set('lagSwitches', String(o.lagSwitches));
  if (o.sustainedInstructions !== undefined) q.set('sustained', String(o.sustainedInstructions / 1e6));
  if (o.live) q.set('live', '1');
  if (o.liveSeconds !== undefined) q.set('liveSeconds', String(o.liveSeconds));
  if (o.liveRounds !== undefined) q.set('liveRounds', String(o.liveRounds));
  return '?' + q.toString();
}
