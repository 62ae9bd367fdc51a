// `pacifica experiment [--mhz 1600,2000,2200] [--switches N] [--slice-ms N] [--log on|off|both] [--warmup N]
//   [--idle-us N] [--probe] [--cpu MODEL] [--json]`:
// the paper's switch-lag measurement (section 4, Table 5) on the HVMM with two identical guests,
// with the hypervisor's exit logging off (the paper's "blind transfer") and on, printed beside the
// paper's figures. Pin it (`taskset -c 0`) for steadier host seconds. --idle-us N idles the host
// N µs before each slice (outside the measured window); --probe measures the host's own cold-code
// penalty on plain JavaScript (host-probe.ts), after the same idle (5,000 µs unless --idle-us).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { probeHostCaches, type HostProbe } from '../emu/experiment/host-probe.ts';
import { PAPER_TABLE_5, WARMUP_MHZ, WARMUP_SWITCHES, measureSwitchLag, warmUpSwitchLag, type SwitchLagPoint } from '../emu/experiment/switch-lag.ts';

const images = fileURLToPath(new URL('../../public/images/', import.meta.url));

/** The JSON row of one measurement (the issue's format; microseconds). */
export function jsonRow(p: SwitchLagPoint) {
  return {
    mhz: p.mhz,
    log: p.log ? 'on' : 'off',
    switches: p.samples,
    hostLagUs: { median: p.hostSeconds * 1e6, p95: p.hostSecondsP95 * 1e6 },
    simLagUs: { median: p.simSeconds * 1e6 },
    simLagCycles: { median: p.cycles },
    hostInstructions: { median: p.instructions },
    mips: p.mips,
    idleUs: p.idleUs,
  };
}

/** The host probe's line for the table's footer. */
export function probeText(p: HostProbe): string {
  const x = (a: number, b: number) => `${(b / a).toFixed(1)}x`;
  return `host probe (plain JavaScript, not the emulator; medians of ${p.rounds}): ${p.functions} distinct small functions ` +
    `${p.codeWarmUs.toFixed(1)} µs back to back, ${p.codeColdUs.toFixed(1)} µs after ${p.idleUs} µs idle (${x(p.codeWarmUs, p.codeColdUs)}); ` +
    `${p.reads} scattered reads ${p.readsWarmUs.toFixed(2)} -> ${p.readsColdUs.toFixed(2)} µs (${x(p.readsWarmUs, p.readsColdUs)})\n`;
}

/** A clock for the table, 7 characters: "2.0 GHz", " 20 MHz". */
export function clockText(mhz: number): string {
  return mhz >= 1000 ? `${(mhz / 1000).toFixed(1)} GHz` : `${String(+mhz.toFixed(1)).padStart(3)} MHz`;
}

export async function experimentCommand(args: string[]): Promise<number> {
  let mhz: number[] = PAPER_TABLE_5.map((p) => p.mhz);
  let switches = 200, sliceMs = 1, json = false, cpu: string | undefined, logs = [false, true], warmup = WARMUP_SWITCHES;
  let idleUs = 0, probe = false;
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    const val = () => args[++k] ?? '';
    if (a === '--mhz') mhz = val().split(',').map(Number);
    else if (a === '--switches') switches = Number(val());
    else if (a === '--slice-ms') sliceMs = Number(val());
    else if (a === '--warmup') warmup = Number(val());
    else if (a === '--idle-us') idleUs = Number(val());
    else if (a === '--probe') probe = true;
    else if (a === '--cpu') cpu = val();
    else if (a === '--log') {
      const v = val();
      if (!['on', 'off', 'both'].includes(v)) { process.stderr.write('pacifica experiment: --log on|off|both\n'); return 2; }
      logs = v === 'both' ? [false, true] : [v === 'on'];
    } else if (a === '--json') json = true;
    else {
      process.stderr.write(`pacifica experiment: unknown option ${a}\n`);
      return 2;
    }
  }
  if (mhz.some((x) => !(x > 0)) || !(switches >= 1) || !(sliceMs >= 1) || !(warmup >= 0) || !(idleUs >= 0)) {
    process.stderr.write('pacifica experiment: --mhz, --switches and --slice-ms need positive numbers, --warmup a count (0: none), --idle-us microseconds (0: none)\n');
    return 2;
  }
  const hvmm = readFileSync(join(images, 'hvmm.elf'));
  const guest = readFileSync(join(images, 'g-dummy.elf'));
  const points: SwitchLagPoint[] = [];
  for (const log of logs) {
    const o = { hvmm, guest, switches, sliceMs, cpuModel: cpu, log, idleUs };
    warmUpSwitchLag(o, warmup); // each logging setting runs its own path (log on: the serial port's exits)
    for (const f of mhz) points.push(measureSwitchLag(o, f));
  }
  const hostProbe = probe ? probeHostCaches({ idleUs: idleUs || 5000 }) : undefined;
  if (json) {
    process.stdout.write(JSON.stringify({ paper: PAPER_TABLE_5, warmup: { switches: warmup, mhz: WARMUP_MHZ }, rows: points.map(jsonRow), hostProbe }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write('switch lag: #VMEXIT ending guest 1\'s slice -> guest 2\'s first instruction (medians; p95 of host)\n\n');
  process.stdout.write('clock    log  paper (SimNow host s)    Pacifica host µs (p95)   simulated µs   cycles  instructions   MIPS\n');
  for (const p of points) {
    const paper = PAPER_TABLE_5.find((x) => x.mhz === p.mhz);
    process.stdout.write(
      `${clockText(p.mhz)}  ${p.log ? 'on ' : 'off'}  ${(paper ? `${paper.lagMs} ms (${paper.processor})` : '-').padEnd(22)}  ` +
      `${(p.hostSeconds * 1e6).toFixed(1).padStart(9)} (${(p.hostSecondsP95 * 1e6).toFixed(1)})`.padEnd(26) +
      `${(p.simSeconds * 1e6).toFixed(3).padStart(11)}   ${String(p.cycles).padStart(6)}  ${String(p.instructions).padStart(12)}   ${p.mips.toFixed(1)}\n`,
    );
  }
  process.stdout.write(`\n${points[0]?.samples ?? 0} switches per row, after one warm-up switch at its clock` +
    (warmup > 0 ? ` and, per logging setting, ${warmup} at ${WARMUP_MHZ} MHz first (V8 compiles the switch path; --warmup 0 measures without).\n` : '; no warm-up run (--warmup 0).\n'));
  if (idleUs > 0) process.stdout.write(`The host idled ${idleUs} µs before each slice (--idle-us), outside the measured window.\n`);
  if (hostProbe) process.stdout.write(probeText(hostProbe));
  return 0;
}
