import { describe, expect, it } from 'vitest';
import { benchToQuery, queryToBench } from './bench-url';

describe('bench URL flags', () => {
  it('round-trips the options `pacifica bench --browser` sends', () => {
    const q = benchToQuery({ runs: 1, workloads: ['sieve'], engines: ['interpreter', 'block compiler'], simMs: 20, lagSwitches: 5, live: true, liveSeconds: 3, liveRounds: 5 });
    const { auto, options } = queryToBench(q);
    expect(auto).toBe(true);
    expect(options).toEqual({ runs: 1, workloads: ['sieve'], engines: ['interpreter', 'block compiler'], system: true, simMs: 20, lagSwitches: 5, live: true, liveSeconds: 3, liveRounds: 5 });
  });

  it('defaults: every workload, both engines, the system row, no live run; workload=none: the system row only', () => {
    expect(queryToBench('?cpu=zen').auto).toBe(false);
    const o = queryToBench('?bench=1&workload=none&system=1').options;
    expect(o).toMatchObject({ runs: 3, workloads: [], engines: ['interpreter', 'block compiler'], system: true, live: false, liveRounds: 3 });
    expect(queryToBench('?bench=1').options.workloads).toBeUndefined();
  });
});
