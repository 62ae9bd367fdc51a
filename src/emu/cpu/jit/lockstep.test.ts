// Lockstep: the same program with the block compiler on and off, compared at
// many checkpoints (instruction count, cycles, every register, RIP, flags,
// segments, control registers, SVM state, stop reason, serial output, RAM).
// Checkpoints fall at budget ends of irregular sizes, so blocks are cut short
// by the budget at every possible point, and in the whole-PC runs the device
// timing (timer interrupts, world switches) must come out the same too.
import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlatMachine } from '../../machine/flat64';
import { Machine, type MachineStop } from '../../machine/machine';
import { Rng } from '../oracle/cases';
import { snapshot, ramDigest } from './snapshot';
import type { BlockOptions } from './blocks';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const img = (n: string) => join(root, 'public/images', n);

describe('lockstep: block compiler vs interpreter, flat 64-bit bench images', () => {
  it.each(['bench-sieve.elf', 'bench-sort.elf', 'bench-checksum.elf', 'bench-format.elf'])('%s', (name) => {
    const bytes = readFileSync(img(name));
    const a = new FlatMachine();
    const b = new FlatMachine();
    a.cpu.jit = false;
    b.cpu.jit = true;
    a.loadElf(bytes);
    b.loadElf(bytes);
    const rng = new Rng(name.length * 7919);
    let checkpoints = 0;
    for (;;) {
      // Budgets from 2 to ~400k instructions, small ones often (blocks cut by the budget).
      const budget = rng.bool(0.3) ? 2 + rng.int(100) : 2 + rng.int(400_000);
      const ra = a.run(budget);
      const rb = b.run(budget);
      checkpoints++;
      expect(rb.stop).toBe(ra.stop);
      expect(rb.instructions).toBe(ra.instructions);
      expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
      if (ra.stop !== 'limit') break;
    }
    expect(ramDigest(b.mem.u8)).toBe(ramDigest(a.mem.u8));
    expect(a.cpu.stop).not.toBe(0);
    expect(b.cpu.blocks.compiled).toBeGreaterThan(0);
    console.log(`${name}: ${a.cpu.instructions} instructions, ${checkpoints} checkpoints, ${b.cpu.blocks.compiled} blocks compiled`);
  }, 300_000);
});

interface PcRun { m: Machine; stop: MachineStop | null; checkpoints: number }

function boot(jit: boolean, kernel: string, cmdline: string, modules: Array<{ file: string; args: string }>, opts?: Partial<BlockOptions>): Machine {
  const m = new Machine();
  m.cpu.jit = jit;
  if (opts) Object.assign(m.cpu.blocks.opts, opts);
  m.bootMultiboot(readFileSync(img(kernel)), {
    cmdline: `${kernel} ${cmdline}`,
    modules: modules.map((g) => ({ bytes: readFileSync(img(g.file)), cmdline: `${g.file} ${g.args}` })),
  });
  return m;
}

/** Run both machines in the same slices of simulated time, comparing after each. */
function lockstepPc(kernel: string, cmdline: string, modules: Array<{ file: string; args: string }> = [], opts?: Partial<BlockOptions>, maxCycles = 2e10): [PcRun, PcRun] {
  const a: PcRun = { m: boot(false, kernel, cmdline, modules), stop: null, checkpoints: 0 };
  const b: PcRun = { m: boot(true, kernel, cmdline, modules, opts), stop: null, checkpoints: 0 };
  const rng = new Rng(kernel.length * 104729 + cmdline.length);
  let total = 0;
  for (;;) {
    const slice = rng.bool(0.2) ? 1 + rng.int(1000) : 1 + rng.int(3_000_000);
    total += slice;
    a.stop = a.m.run(slice);
    b.stop = b.m.run(slice);
    a.checkpoints++;
    b.checkpoints++;
    expect(b.stop).toEqual(a.stop);
    expect(snapshot(b.m.cpu)).toEqual(snapshot(a.m.cpu));
    if (a.checkpoints % 16 === 0) {
      expect(b.m.serial()).toBe(a.m.serial());
      expect(ramDigest(b.m.mem.u8)).toBe(ramDigest(a.m.mem.u8));
    }
    if (a.stop.kind !== 'time' || total > maxCycles) break;
  }
  expect(b.m.serial()).toBe(a.m.serial());
  expect(b.m.screen()).toEqual(a.m.screen());
  expect(ramDigest(b.m.mem.u8)).toBe(ramDigest(a.m.mem.u8));
  expect(b.m.cpu.blocks.compiled).toBeGreaterThan(0);
  return [a, b];
}

describe('lockstep: block compiler vs interpreter, the whole PC', () => {
  it('skeletal.elf (timer interrupts, paging), blocks compiled at first sight', () => {
    const [a, b] = lockstepPc('skeletal.elf', 'skeletal name=ls ticks=6', [], { threshold: 1 });
    expect(a.stop).toEqual({ kind: 'debug-exit', code: 1 });
    expect(b.m.serial()).toContain('ls: tick 6');
    console.log(`skeletal: ${a.m.cpu.instructions} instructions, ${a.checkpoints} checkpoints, ${b.m.cpu.blocks.compiled} blocks`);
  }, 120_000);

  it.each([
    ['default threshold', {}],
    ['blocks compiled at first sight', { threshold: 1 }],
  ] as const)('svm-tests.elf (world switches, intercepts, faults), %s: same results, N passed, 0 failed', (_l, opts) => {
    const [a, b] = lockstepPc('svm-tests.elf', '', [], opts);
    const serial = b.m.serial();
    expect(b.stop).toEqual({ kind: 'debug-exit', code: (0x10 << 1) | 1 });
    expect(serial).toMatch(/\n\d+ passed, 0 failed/);
    expect(serial).not.toMatch(/^FAIL /m);
    console.log(`svm-tests (${_l}): ${serial.split('\n').find((l) => /passed/.test(l))}; ${a.m.cpu.instructions} instructions, ` +
      `${a.m.cpu.svm.exits} exits, ${a.checkpoints} checkpoints, ${b.m.cpu.blocks.compiled} blocks, ${b.m.cpu.blocks.invalidations} block pages dropped`);
  }, 300_000);

  it('hvmm.elf with four guests (nested paging, round robin, a crashing VM)', () => {
    if (!existsSync(img('hvmm.elf'))) return;
    const guests = [
      { file: 'g-dummy.elf', args: 'name=d1 count=4' },
      { file: 'g-serial.elf', args: 'name=ser count=2' },
      { file: 'g-crash.elf', args: 'name=crash mode=triple after=2' },
      { file: 'g-hcall.elf', args: 'name=hc' },
    ];
    const [a, b] = lockstepPc('hvmm.elf', 'log=switches slice=2', guests);
    expect(a.stop).toEqual({ kind: 'debug-exit', code: (0x11 << 1) | 1 });
    expect(b.m.serial()).toContain('[d1] d1: dummy message 4 of 4');
    console.log(`hvmm: ${a.m.cpu.instructions} instructions, ${a.m.cpu.svm.exits} exits, ${a.checkpoints} checkpoints, ${b.m.cpu.blocks.compiled} blocks`);
  }, 300_000);
});
