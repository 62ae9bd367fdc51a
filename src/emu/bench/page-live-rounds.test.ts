import { describe, expect, it } from 'vitest';
import { combinePageLive } from './page-live-rounds';
import type { PageLive } from './report';

function round(mips: number, headlessMips: number, instructions: number): PageLive {
  const ratio = mips / headlessMips;
  return {
    setup: 'hvmm.elf with g-dummy', engine: 'interpreter', wallSeconds: 2, hostSeconds: 1.9, instructions, cycles: instructions * 2,
    mips, wallMips: mips * 0.95, headlessMips, headlessInstructions: instructions, headlessCycles: instructions * 2, headlessSeconds: 1,
    ratio, rounds: [{ mips, headlessMips, ratio }],
  };
}

describe('page-live rounds', () => {
  it('reports the round with the median ratio and lists every round in order', () => {
    // ratios 0.5 (a slow host minute during the live run), 1.0, 0.9
    const c = combinePageLive([round(20, 40, 1e6), round(40, 40, 2e6), round(36, 40, 3e6)]);
    expect(c.ratio).toBeCloseTo(0.9);
    expect(c.instructions).toBe(3e6); // the median round's own figures, not a mix
    expect(c.mips).toBe(36);
    expect(c.rounds.map((r) => r.ratio)).toEqual([0.5, 1, 0.9]);
  });

  it('one round is itself; an even count takes the lower middle; none is an error', () => {
    const one = round(30, 40, 5e6);
    expect(combinePageLive([one])).toEqual(one);
    expect(combinePageLive([round(40, 40, 1), round(30, 40, 2)]).ratio).toBeCloseTo(0.75);
    expect(() => combinePageLive([])).toThrow(/no rounds/);
  });
});
