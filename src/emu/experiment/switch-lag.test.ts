// The switch-lag experiment measures what the paper measured, on the real HVMM:
// the simulated lag is a fixed number of cycles (the same hypervisor path at
// every clock), so it scales exactly as 1/clock; it includes both world-switch
// costs and the hypervisor's work in between; host seconds are measured, not
// derived.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureSwitchLag, runSwitchLag } from './switch-lag';
import { probeHostCaches } from './host-probe';
import { CYCLES, VMEXIT_CYCLES } from '../cpu/cycles';

const images = fileURLToPath(new URL('../../../public/images/', import.meta.url));

describe('switch-lag experiment', () => {
  it('gives the same cycle count at 1.6, 2.0 and 2.2 GHz, and simulated seconds = cycles / clock', () => {
    const points = runSwitchLag({
      hvmm: readFileSync(join(images, 'hvmm.elf')),
      guest: readFileSync(join(images, 'g-dummy.elf')),
      switches: 20,
    });
    console.log(points.map((p) => `${p.mhz} MHz: ${p.cycles} cycles, ${(p.simSeconds * 1e6).toFixed(3)} µs simulated, ${(p.hostSeconds * 1e6).toFixed(1)} µs host`).join('; '));
    expect(points.map((p) => p.mhz)).toEqual([1600, 2000, 2200]);
    for (const p of points) {
      expect(p.samples).toBe(20);
      expect(p.cycles).toBe(points[0]!.cycles);
      expect(p.simSeconds).toBeCloseTo(p.cycles / (p.mhz * 1e6), 15);
      expect(p.cycles).toBeGreaterThan(VMEXIT_CYCLES + CYCLES.vmrun!);
      expect(p.cycles).toBeLessThan(1_000_000);
      expect(p.hostSeconds).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('switch-lag experiment, host idle (--idle-us)', () => {
  it('changes host time only: the same cycles and instructions per switch with and without idling', () => {
    const o = { hvmm: readFileSync(join(images, 'hvmm.elf')), guest: readFileSync(join(images, 'g-dummy.elf')), switches: 8 };
    const plain = measureSwitchLag(o, 2);
    const idled = measureSwitchLag({ ...o, idleUs: 300 }, 2);
    expect(plain.idleUs).toBe(0);
    expect(idled.idleUs).toBe(300);
    expect(idled.samples).toBe(8);
    expect(idled.cycles).toBe(plain.cycles);
    expect(idled.instructions).toBe(plain.instructions);
    expect(idled.hostSeconds).toBeGreaterThan(0);
  }, 60_000);
});

describe('host probe', () => {
  it('times distinct functions and scattered reads, back to back and after an idle wait', () => {
    const p = probeHostCaches({ idleUs: 100, functions: 20, rounds: 3 });
    expect(p).toMatchObject({ idleUs: 100, functions: 20, reads: 20, rounds: 3 });
    for (const v of [p.codeWarmUs, p.codeColdUs, p.readsWarmUs, p.readsColdUs]) expect(Number.isFinite(v) && v >= 0).toBe(true);
  }, 60_000);
});
