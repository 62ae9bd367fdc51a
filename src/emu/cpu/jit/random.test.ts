// Random bytes as code, with the block compiler on (blocks compiled at first
// sight) and off: never a JavaScript exception, and the same end (stop reason,
// exception, registers, flags, RIP, counts, memory) both ways. 64-bit flat
// mode and 32-bit protected mode; budgets from 2 to 64 instructions, so blocks
// are cut by the budget too. Random code writes to its own page now and then
// (registers point into low memory), which exercises self-modifying code.
import { describe, expect, test } from 'vitest';
import { Cpu, StopReason } from '../cpu';
import { PhysMem } from '../../mem/phys';
import { Rng, val64 } from '../oracle/cases';
import { OPCODES } from '../opcodes';
import { snapshot, ramDigest } from './snapshot';

const N = Number(process.env.PACIFICA_RANDOM_CODE ?? 12_000);

function machine(jit: boolean) {
  const mem = new PhysMem(1 << 20);
  const cpu = new Cpu(mem);
  cpu.jit = jit;
  cpu.blocks.opts.threshold = 1;
  return { mem, cpu };
}

describe('random bytes as code, block compiler vs interpreter', () => {
  test.each([64, 32])(`${N} random programs in %i-bit mode end the same both ways`, (mode) => {
    const a = machine(false);
    const b = machine(true);
    const r = new Rng(0x5eed + mode);
    const starts = OPCODES.map((row) => row[0].replace(/^(F3|F2|66) /, '').split(/[ /+]/).filter((t) => /^[0-9A-F]{2}$/.test(t)).map((t) => parseInt(t, 16)));
    const outcomes = new Map<string, number>();
    for (let k = 0; k < N; k++) {
      const code = new Uint8Array(64);
      for (let j = 0; j < 64; j++) code[j] = r.u32() & 0xff;
      if (r.bool(0.6)) code.set(r.pick(starts), r.int(3));
      // Some programs start with a short run of simple instructions, so blocks are longer.
      if (r.bool(0.3)) code.set([0x01, 0xd8, 0x48, 0x89, 0xc1, 0x83, 0xc2, 0x05, 0x31, 0xf6], 0);
      const regs: number[] = [];
      for (let g = 0; g < 16; g++) {
        const v = r.bool(0.5) ? val64(r) : BigInt(0x1000 + r.int(0x80000));
        regs.push(Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0);
      }
      const flags = 2 | (r.u32() & 0xcd5);
      const budget = 2 + r.int(63);
      const ends = [a, b].map(({ mem, cpu }) => {
        mem.u8.fill(0);
        mem.load(0x1000, code);
        if (mode === 64) cpu.setFlat64();
        else {
          cpu.setMultibootEntry(0, 0, 0x1000, 0x80000);
          cpu.exceptionsStop = true;
        }
        cpu.r.set(regs);
        if (mode === 32) for (let g = 1; g < 32; g += 2) cpu.r[g] = 0;
        cpu.flags = flags;
        cpu.lop = 0;
        cpu.ripLo = 0x1000;
        cpu.ripHi = 0;
        cpu.instructions = 0;
        cpu.cycles = 0;
        cpu.lastFault = null;
        cpu.halted = false;
        cpu.irqCheck = false;
        const stop = cpu.run(budget);
        return { stop, s: snapshot(cpu) };
      });
      const [ea, eb] = ends as [typeof ends[0], typeof ends[0]];
      if (eb.stop === StopReason.Internal) {
        throw new Error(`internal error on ${Array.from(code.slice(0, 16), (x) => x.toString(16).padStart(2, '0')).join(' ')}: ${b.cpu.internalError}`);
      }
      const sameRam = Buffer.compare(a.mem.u8, b.mem.u8) === 0;
      if (!sameRam || JSON.stringify(eb) !== JSON.stringify(ea)) {
        expect(ramDigest(b.mem.u8), 'RAM').toBe(ramDigest(a.mem.u8));
        expect({ code: Array.from(code.slice(0, 24)), budget, ...eb }).toEqual({ code: Array.from(code.slice(0, 24)), budget, ...ea });
      }
      const key = StopReason[ea.stop] ?? String(ea.stop);
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    console.log(`random code (${mode}-bit): ${N} programs; ${[...outcomes].map(([k, v]) => `${k}: ${v}`).join(', ')}; ` +
      `${b.cpu.blocks.compiled} blocks compiled, ${b.cpu.blocks.invalidations} block pages dropped`);
    expect(b.cpu.blocks.compiled).toBeGreaterThan(N / 2);
  }, 600_000);
});
