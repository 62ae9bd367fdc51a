// `pacifica experiment [--mhz 1600,2000,2200] [--switches N] [--slice-ms N] [--cpu MODEL] [--json]`:
// the paper's switch-lag measurement (section 4, Table 5) on the HVMM with two identical guests,
// printed beside the paper's figures. Pin it (`taskset -c 0`) for steadier host seconds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PAPER_TABLE_5, runSwitchLag } from '../emu/experiment/switch-lag.ts';

const images = fileURLToPath(new URL('../../public/images/', import.meta.url));

export async function experimentCommand(args: string[]): Promise<number> {
  let mhz: number[] = PAPER_TABLE_5.map((p) => p.mhz);
  let switches = 200, sliceMs = 1, json = false, cpu: string | undefined;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const val = () => args[++k] ?? '';
    if (a === '--mhz') mhz = val().split(',').map(Number);
    else if (a === '--switches') switches = Number(val());
    else if (a === '--slice-ms') sliceMs = Number(val());
    else if (a === '--cpu') cpu = val();
    else if (a === '--json') json = true;
    else {
      process.stderr.write(`pacifica experiment: unknown option ${a}\n`);
      return 2;
    }
  }
  if (mhz.some((x) => !(x > 0)) || !(switches >= 1) || !(sliceMs >= 1)) {
    process.stderr.write('pacifica experiment: --mhz, --switches and --slice-ms need positive numbers\n');
    return 2;
  }
  const points = runSwitchLag({
    hvmm: readFileSync(join(images, 'hvmm.elf')),
    guest: readFileSync(join(images, 'g-dummy.elf')),
    mhz, switches, sliceMs, cpuModel: cpu,
  });
  if (json) {
    process.stdout.write(JSON.stringify({ paper: PAPER_TABLE_5, pacifica: points }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write('switch lag: #VMEXIT ending guest 1\'s slice -> guest 2\'s first instruction (medians)\n\n');
  process.stdout.write('clock     paper (SimNow host s)   Pacifica host s   Pacifica simulated s   cycles   MIPS\n');
  for (const p of points) {
    const paper = PAPER_TABLE_5.find((x) => x.mhz === p.mhz);
    process.stdout.write(
      `${(p.mhz / 1000).toFixed(1)} GHz   ${(paper ? `${paper.lagMs} ms (${paper.processor})` : '-').padEnd(22)}  ` +
      `${(p.hostSeconds * 1e6).toFixed(1).padStart(9)} µs   ${(p.simSeconds * 1e6).toFixed(3).padStart(14)} µs   ` +
      `${String(p.cycles).padStart(6)}   ${p.mips.toFixed(1)}\n`,
    );
  }
  process.stdout.write(`\n${points[0]?.samples ?? 0} switches per clock, after one warm-up switch.\n`);
  return 0;
}
