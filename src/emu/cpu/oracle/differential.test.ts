// The instruction core against this machine's CPU: the same bytes from the
// same state, executed natively (native-harness.c) and by the emulator, must
// end in the same registers, flags (except those the manuals call undefined),
// memory, RIP, and exception.
import { describe, expect, test } from 'vitest';
import { generateCases, GENERATORS } from './cases';
import { runNative } from './native';
import { EmulatedOracle } from './emulated';
import { compareResults, describeCase } from './compare';
import { setFastPaths } from '../exec/table';

const N = Number(process.env.PACIFICA_CASES ?? 100_000);
const SEED = Number(process.env.PACIFICA_SEED ?? 0x20261125);

describe('instruction core vs the host CPU (native oracle)', () => {
  // The specialized fast-path handlers and the general ones must both agree with
  // the hardware: the full count runs with fast paths (the default), a fifth
  // of it with the general handlers only.
  test.each([
    ['fast paths on', true, N],
    ['general handlers only', false, Math.ceil(N / 5)],
  ] as const)('%s: generated cases agree with native execution', async (_label, fast, count) => {
    setFastPaths(fast);
    const cases = generateCases(count, SEED + (fast ? 0 : 1));
    const t0 = performance.now();
    const native = await runNative(cases);
    const t1 = performance.now();
    const emu = new EmulatedOracle();
    const failures: string[] = [];
    const perGen = new Map<string, { run: number; fail: number }>();
    let compared = 0;
    let skipped = 0;
    const status = { ok: 0, fault: 0 };
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      const n = native[k]!;
      const gen = GENERATORS[k % GENERATORS.length]![0];
      const g = perGen.get(gen) ?? { run: 0, fail: 0 };
      perGen.set(gen, g);
      if (n.status === 'syscall' || n.status === 'timeout') { skipped++; continue; }
      const e = emu.run(c);
      const diff = compareResults(c, n, e);
      compared++;
      g.run++;
      if (n.status === 'ok') status.ok++; else status.fault++;
      if (diff.length) {
        g.fail++;
        if (failures.length < 40) failures.push(`${describeCase(c)}\n    ${diff.join('\n    ')}`);
      }
    }
    const t2 = performance.now();
    const failing = [...perGen].filter(([, g]) => g.fail > 0).map(([n, g]) => `${n}: ${g.fail}/${g.run}`);
    console.log(
      `native oracle (${_label}): ${compared} cases compared (${status.ok} completed, ${status.fault} raised an exception), ${skipped} skipped; ` +
      `${GENERATORS.length} instruction forms; native ${((t1 - t0) / 1000).toFixed(1)} s, emulator ${((t2 - t1) / 1000).toFixed(1)} s`,
    );
    if (failing.length) console.log(`failing forms: ${failing.join('; ')}\n${failures.join('\n')}`);
    setFastPaths(true);
    expect(failing).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(count * 0.99);
  }, 600_000);
});
