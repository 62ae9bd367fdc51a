// The whole PC is deterministic (same images and settings: same instruction
// counts, cycles, serial and screen), and `pacifica run --json` reports a run.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from './machine';
import { MultibootError } from './multiboot';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const kernel = readFileSync(join(root, 'public/images/skeletal.elf'));

function boot(cmd: string) {
  const m = new Machine();
  m.bootMultiboot(kernel, { cmdline: `skeletal.elf ${cmd}` });
  const stop = m.run(2e9);
  return { stop, serial: m.serial(), screen: m.screen().join('\n'), instructions: m.cpu.instructions, cycles: m.cpu.cycles };
}

describe('Machine', () => {
  it('runs the same way twice', () => {
    const a = boot('skeletal name=det ticks=7');
    const b = boot('skeletal name=det ticks=7');
    expect(a.stop).toEqual({ kind: 'debug-exit', code: 1 });
    expect(b).toEqual(a);
    expect(a.serial).toContain('det: tick 7');
    expect(a.screen).toContain('det: tick 7');
  });

  it('stops on time when nothing else stops it, and the timer keeps the simulated clock exact', () => {
    const m = new Machine({ cpuHz: 1_600_000_000 });
    m.bootMultiboot(kernel, { cmdline: 'skeletal.elf skeletal name=t' });
    const stop = m.run(1.6e9 * 0.105); // 105 ms of simulated time at 100 Hz: ten ticks
    expect(stop.kind).toBe('time');
    expect(m.serial()).toContain('t: tick 10');
    expect(m.serial()).not.toContain('t: tick 11');
  });

  it('refuses a kernel without a multiboot header and runs nothing', () => {
    const m = new Machine();
    expect(() => m.bootMultiboot(new Uint8Array(4096))).toThrow(MultibootError);
    expect(m.cpu.instructions).toBe(0);
  });

  it('pacifica run --json prints serial, screen, counters and why it stopped', () => {
    const r = spawnSync(process.execPath, [join(root, 'src/cli/pacifica.mjs'), 'run', join(root, 'public/images/skeletal.elf'), '--cmdline', 'skeletal name=cli ticks=2', '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.serial).toContain('cli: done');
    expect(j.screens.host).toHaveLength(25);
    expect(j.stop).toEqual({ kind: 'debug-exit', code: 1 });
    expect(j.instructions).toBeGreaterThan(1000);
    expect(j.simSeconds).toBeCloseTo(0.02, 2);
  });
});
