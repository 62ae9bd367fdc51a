// bench --browser with both engines runs a page per engine and merges their reports: the
// engines in the pages' order, the top level the first engine's (as one page gives), the
// page-live figure from whichever page measured it.
import { describe, expect, it } from 'vitest';
import { mergeReports } from './bench-browser';
import type { BenchReport, EngineReport } from '../emu/bench/report';

function page(engine: EngineReport['engine'], mips: number, live: boolean): BenchReport {
  const e = { engine, medianMips: mips, workloads: [], system: null } as unknown as EngineReport;
  return {
    engine, host: 'HeadlessChrome', medianMips: mips, workloads: [], system: null, runs: 3, engines: [e],
    ...(live ? { pageLive: { engine } as unknown as NonNullable<BenchReport['pageLive']> } : {}),
    date: `date of ${engine}`,
  };
}

describe('mergeReports', () => {
  it('keeps each page\'s engine, the first engine at the top, and the page-live figure of the page that ran it', () => {
    const r = mergeReports([page('interpreter', 42, false), page('block compiler', 190, true)]);
    expect(r.engines.map((e) => [e.engine, e.medianMips])).toEqual([['interpreter', 42], ['block compiler', 190]]);
    expect([r.engine, r.medianMips]).toEqual(['interpreter', 42]);
    expect(r.pageLive?.engine).toBe('block compiler');
    expect(r.date).toBe('date of block compiler'); // when the whole run finished
  });

  it('gives no page-live figure when no page measured one', () => {
    expect(mergeReports([page('interpreter', 42, false), page('block compiler', 190, false)]).pageLive).toBeUndefined();
  });
});
