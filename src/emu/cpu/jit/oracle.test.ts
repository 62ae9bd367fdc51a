// The native oracle (src/emu/cpu/oracle) with the block compiler on: the same
// generated cases, run through compiled blocks (compiled at first sight, so
// every case runs as blocks), must agree with native execution, and must end
// exactly as the interpreter (EmulatedOracle, one step() at a time) ends:
// registers, every flag bit, RIP, memory, exception vector and error code.
import { describe, expect, test } from 'vitest';
import { generateCases, GENERATORS } from '../oracle/cases';
import { runNative } from '../oracle/native';
import { EmulatedOracle } from '../oracle/emulated';
import { compareResults, describeCase } from '../oracle/compare';
import { JitOracle } from './oracle-jit';

const N = Number(process.env.PACIFICA_JIT_CASES ?? 20_000);
const SEED = Number(process.env.PACIFICA_SEED ?? 0x20261125) + 17;

describe('block compiler vs the host CPU (native oracle)', () => {
  test(`${N} generated cases agree with native execution and with the interpreter`, async () => {
    const cases = generateCases(N, SEED);
    const native = await runNative(cases);
    const jit = new JitOracle();
    const interp = new EmulatedOracle();
    const failures: string[] = [];
    const perGen = new Map<string, { run: number; fail: number }>();
    let compared = 0, skipped = 0, vsInterp = 0;
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k]!;
      const n = native[k]!;
      const gen = GENERATORS[k % GENERATORS.length]![0];
      const g = perGen.get(gen) ?? { run: 0, fail: 0 };
      perGen.set(gen, g);
      const e = jit.run(c);
      const i = interp.run(c);
      let diff: string[] = [];
      if (e.status !== 'timeout' && i.status !== 'timeout') {
        vsInterp++;
        const a = JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
        const b = JSON.stringify(i, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v));
        if (a !== b) diff.push(`block compiler differs from the interpreter:\n      jit    ${a}\n      interp ${b}`);
      }
      if (n.status !== 'syscall' && n.status !== 'timeout') {
        compared++;
        diff = diff.concat(compareResults(c, n, e));
      } else skipped++;
      g.run++;
      if (diff.length) {
        g.fail++;
        if (failures.length < 30) failures.push(`${describeCase(c)}\n    ${diff.join('\n    ')}`);
      }
    }
    const failing = [...perGen].filter(([, g]) => g.fail > 0).map(([n, g]) => `${n}: ${g.fail}/${g.run}`);
    console.log(`block compiler oracle: ${compared} compared with native, ${skipped} skipped, ${vsInterp} compared with the interpreter; ` +
      `${jit.cpu.blocks.compiled} blocks compiled, ${jit.cpu.blocks.invalidations} block pages dropped`);
    if (failing.length) console.log(`failing forms: ${failing.join('; ')}\n${failures.join('\n')}`);
    expect(failing).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(N * 0.99);
    // Every case ran as blocks (each case rewrites the code page: its blocks are dropped and rebuilt).
    expect(jit.cpu.blocks.compiled).toBeGreaterThanOrEqual(N);
  }, 600_000);
});
