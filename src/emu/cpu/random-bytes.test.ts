// Random bytes executed as code never throw a JavaScript exception: every
// sequence either executes or raises an architectural exception (#UD, #GP,
// #DE, ...). The CPU reports an emulator bug as StopReason.Internal instead of
// throwing, so this test looks for exactly that.
import { describe, expect, test } from 'vitest';
import { Cpu, StopReason } from './cpu';
import { PhysMem } from '../mem/phys';
import { Rng, val64 } from './oracle/cases';
import { OPCODES } from './opcodes';

const N = Number(process.env.PACIFICA_RANDOM_CODE ?? 30_000);

describe('random bytes as code', () => {
  test(`${N} random programs run without a JavaScript exception`, () => {
    const mem = new PhysMem(1 << 20);
    const cpu = new Cpu(mem);
    const r = new Rng(0x5eed);
    // Opcode bytes the table knows, so a good share of programs decode as something.
    const starts = OPCODES.map((row) => row[0].replace(/^(F3|F2|66) /, '').split(/[ /+]/).filter((t) => /^[0-9A-F]{2}$/.test(t)).map((t) => parseInt(t, 16)));
    const vectors = new Map<string, number>();
    let executed = 0;
    for (let k = 0; k < N; k++) {
      const code = new Uint8Array(64);
      for (let j = 0; j < 64; j++) code[j] = r.u32() & 0xff;
      if (r.bool(0.6)) code.set(r.pick(starts), r.int(3));
      mem.u8.fill(0);
      mem.load(0x1000, code);
      cpu.setFlat64();
      for (let g = 0; g < 16; g++) {
        const v = r.bool(0.5) ? val64(r) : BigInt(0x80000 + r.int(0x10000));
        cpu.r[2 * g] = Number(v & 0xffffffffn) | 0;
        cpu.r[2 * g + 1] = Number(v >> 32n) | 0;
      }
      cpu.flags = 2 | (r.u32() & 0xcd5);
      cpu.lop = 0;
      cpu.ripLo = 0x1000;
      cpu.ripHi = 0;
      const stop = cpu.run(64);
      executed += 1;
      const key = stop === StopReason.Exception ? cpu.lastFault!.toString().split(' (')[0]! : StopReason[stop] ?? String(stop);
      vectors.set(key, (vectors.get(key) ?? 0) + 1);
      if (stop === StopReason.Internal) {
        throw new Error(`internal error on ${Array.from(code.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ')}: ${cpu.internalError}`);
      }
    }
    console.log(`random code: ${executed} programs; outcomes ${[...vectors].map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    expect(executed).toBe(N);
  }, 300_000);
});
