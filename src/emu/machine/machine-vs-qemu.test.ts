// The same skeletal kernel boots in Pacifica and on QEMU (TCG) and prints the
// same serial log, line for line, for a fixed number of timer ticks; its
// exception paths (#DE, #UD, #GP, #PF, and #DF on an IST stack) end with the
// same report and the same debug-exit code. The only lines that may differ are
// the ones that print what the loader reports about memory (the BIOS e820 map
// QEMU passes on has extra reserved ranges): mem_upper and mmap[...].
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU_MISSING_MESSAGE, qemuVersion, runQemu } from './qemu';
import { Machine } from './machine';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const kernelPath = join(root, 'public/images/skeletal.elf');
const LOADER_LINES = /mem_lower=|mmap\[/;

function comparable(serial: string): string[] {
  return serial.replace(/\r/g, '').split('\n').filter((l) => l.length > 0 && !LOADER_LINES.test(l));
}

function runPacifica(append: string) {
  const m = new Machine();
  // QEMU's multiboot loader puts the kernel's file name before -append; so does this boot.
  m.bootMultiboot(readFileSync(kernelPath), { cmdline: `skeletal.elf ${append}` });
  const stop = m.run(2e9 * 5); // at most 5 simulated seconds
  return { stop, serial: m.serial(), m };
}

const CASES = ['skeletal name=guest1 ticks=5', 'skeletal name=g2 ticks=12', 'skeletal fault=de', 'skeletal fault=ud', 'skeletal fault=gp', 'skeletal fault=pf', 'skeletal fault=df'];

describe('Pacifica vs QEMU on the skeletal kernel', () => {
  it.each(CASES)('%s', async (append) => {
    if (qemuVersion() === undefined) throw new Error(QEMU_MISSING_MESSAGE);
    const q = await runQemu({ kernel: kernelPath, cmdline: append, timeoutMs: 60_000 });
    const p = runPacifica(append);
    expect(p.stop.kind, JSON.stringify(p.stop)).toBe('debug-exit');
    expect(comparable(p.serial)).toEqual(comparable(q.serial));
    expect(p.stop.kind === 'debug-exit' ? p.stop.code : -1).toBe(q.exitCode);
    console.log(`${append}: ${comparable(p.serial).length} lines agree; exit ${q.exitCode}; Pacifica ${p.m.cpu.instructions} instructions, ${p.m.simSeconds.toFixed(3)} simulated s`);
  }, 120_000);
});
