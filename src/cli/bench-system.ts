// The full-system workload of `pacifica bench`: the HVMM with the lab's default
// guests (default-setup.ts) for a fixed stretch of simulated time, in MIPS, and
// the host-seconds switch lag (the experiment at 2 GHz, logging off). Medians of
// `runs` fresh machines; pin with taskset -c 0.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Machine } from '../emu/machine/machine.ts';
import { DEFAULT_SETUP } from '../emu/machine/default-setup.ts';
import { measureSwitchLag } from '../emu/experiment/switch-lag.ts';

const image = (n: string) => readFileSync(fileURLToPath(new URL(`../../public/images/${n}`, import.meta.url)));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export interface SystemBench {
  name: string;
  /** Simulated milliseconds each run covers (from power-on: the hypervisor's boot, then the guests). */
  simMs: number;
  instructions: number;
  seconds: number;
  mips: number;
  mipsRuns: number[];
  worldSwitches: number;
  switchLagUs: { median: number; p95: number; switches: number };
}

export function benchSystem(runs: number, simMs = 400): SystemBench {
  const hv = image(DEFAULT_SETUP.hypervisor.image);
  const guests = DEFAULT_SETUP.guests.map((g) => ({ bytes: image(g.image), cmdline: g.cmdline }));
  const mips: number[] = [], secs: number[] = [];
  let instructions = 0, switches = 0;
  for (let k = 0; k < runs; k++) {
    const m = new Machine();
    m.bootMultiboot(hv, { cmdline: DEFAULT_SETUP.hypervisor.cmdline.replace('log=switches', 'log=off'), modules: guests });
    const t0 = performance.now();
    m.run(m.cpuHz * simMs / 1000);
    const s = (performance.now() - t0) / 1000;
    instructions = m.cpu.instructions;
    switches = m.cpu.svm.vmruns + m.cpu.svm.exits;
    secs.push(s);
    mips.push(instructions / s / 1e6);
  }
  const lag = measureSwitchLag({ hvmm: hv, guest: image('g-dummy.elf'), switches: 200 }, 2000);
  return {
    name: 'hvmm+guests', simMs, instructions, seconds: median(secs), mips: median(mips), mipsRuns: mips,
    worldSwitches: switches,
    switchLagUs: { median: lag.hostSeconds * 1e6, p95: lag.hostSecondsP95 * 1e6, switches: lag.samples },
  };
}
