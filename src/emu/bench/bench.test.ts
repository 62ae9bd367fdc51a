// The bench core, small: one workload and a short full-system run, once, on
// both engines. The engines must agree on every count (they execute the same
// program); the figures themselves are the host's and are only checked > 0.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runBench } from './bench';
import { formatBenchTable } from './format';

const load = (n: string) => readFileSync(fileURLToPath(new URL(`../../../public/images/${n}`, import.meta.url)));

describe('bench core', () => {
  it('runs a workload and the system on both engines with the same counts', async () => {
    const starts: string[] = [];
    const r = await runBench({ runs: 1, workloads: ['checksum'], engines: ['interpreter', 'block compiler'], simMs: 5, lagSwitches: 3, sustainedInstructions: 3e6 }, load, 'test',
      (e) => { if (e.kind === 'start') starts.push(e.label); });
    expect(starts).toEqual(['checksum (interpreter)', 'hvmm+guests (interpreter)', 'checksum (block compiler)', 'hvmm+guests (block compiler)']);
    const [interp, blocks] = r.engines;
    expect(r.engine).toBe('interpreter');
    expect(r.workloads).toBe(interp!.workloads); // the top level is the first engine's, as one-engine runs always printed
    for (const e of r.engines) {
      expect(e.workloads[0]!.resultOk).toBe(true);
      expect(e.workloads[0]!.mips).toBeGreaterThan(0);
      const s = e.system!;
      expect(s.stop).toBe('time');
      expect(s.boot.reachedVmrun).toBe(true);
      expect(s.boot.instructions + s.steady.instructions).toBe(s.instructions);
      expect(s.steady.mips).toBeGreaterThan(0);
      expect(s.switchLagUs.switches).toBe(3);
      // the sustained run: runTo throws if the machine stops before its instructions (the dummy
      // guest must not end); its warm part is the later of two timed stretches
      expect(s.sustained!.warm.mips).toBeGreaterThan(0);
      expect(s.sustained!.warm.seconds).toBeLessThan(s.sustained!.seconds);
    }
    expect(blocks!.workloads[0]!.instructions).toBe(interp!.workloads[0]!.instructions);
    expect(blocks!.system!.instructions).toBe(interp!.system!.instructions);
    expect(blocks!.system!.boot.instructions).toBe(interp!.system!.boot.instructions);
    expect(blocks!.system!.worldSwitches).toBe(interp!.system!.worldSwitches);
    expect(formatBenchTable(r)).toMatch(/\| checksum \| 95\.4 M \| [\d.]+ \| [\d.]+ \| ok \|/);
    expect(formatBenchTable(r)).toMatch(/\| · sustained, warm: after its first quarter \| 2\.3 M \| [\d.]+ \| [\d.]+ \|  \|/);
  });
});
