// The HVMM boots with several guests in Pacifica and on QEMU (TCG, SVM + nested
// paging) and, on both: every guest's serial lines appear through the
// hypervisor's per-guest consoles; the world switches in the hypervisor's log
// go round robin over the active VMs; the misbehaving VM is stopped with a
// message and the others keep running after it. Bad modules are named and
// skipped. `pacifica run` with no kernel boots the default setup.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QEMU_MISSING_MESSAGE, qemuVersion, runQemu } from './qemu';
import { Machine } from './machine';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const img = (n: string) => join(root, 'public/images', n);
const HVMM_CMDLINE = 'log=switches slice=2';
const GUESTS = [
  { file: 'g-dummy.elf', args: 'name=d1 count=4' },
  { file: 'g-serial.elf', args: 'name=ser count=2' },
  { file: 'g-crash.elf', args: 'name=crash mode=triple after=2' },
  { file: 'g-hcall.elf', args: 'name=hc' },
];

interface Analysis { lines: string[]; order: number[]; violations: string[]; stoppedAt: number }

/** The VM order of the hypervisor's log, checked against round robin over the VMs still active. */
function analyse(serial: string): Analysis {
  const lines = serial.replace(/\r/g, '').split('\n');
  const active = new Set<number>();
  const order: number[] = [];
  const violations: string[] = [];
  let prev = -1, stoppedAt = -1;
  lines.forEach((l, n) => {
    const made = /^hvmm: VM (\d+) '[^']*': asid/.exec(l);
    if (made) active.add(Number(made[1]));
    const exit = /^#VMEXIT \S+\s+vm (\d+) /.exec(l);
    if (exit) {
      const id = Number(exit[1]);
      if (prev >= 0 && id !== prev) {
        const ids = [...active].sort((a, b) => a - b);
        const expected = ids.find((x) => x > prev) ?? ids[0];
        if (id !== expected) violations.push(`line ${n}: VM ${id} ran after VM ${prev}, round robin says VM ${expected}`);
        order.push(id);
      } else if (prev < 0) order.push(id);
      prev = id;
    }
    const gone = /^hvmm: (?:\*\*\* )?VM (\d+) '[^']*' (exited|stopped)/.exec(l);
    if (gone) {
      active.delete(Number(gone[1]));
      if (gone[2] === 'stopped' && stoppedAt < 0) stoppedAt = n;
    }
  });
  return { lines, order, violations, stoppedAt };
}

function checkRun(serial: string, where: string) {
  const a = analyse(serial);
  for (const g of ['d1', 'ser', 'hc']) expect(a.lines.some((l) => l.startsWith(`[${g}] ${g}: done`)), `${where}: ${g} finished`).toBe(true);
  expect(a.lines).toContain('[d1] d1: dummy message 4 of 4');
  expect(a.violations, `${where}: ${a.violations.join('\n')}`).toEqual([]);
  expect(a.order.length, `${where}: world switches between VMs`).toBeGreaterThanOrEqual(4);
  expect(a.stoppedAt, `${where}: the crashing VM is stopped`).toBeGreaterThan(0);
  expect(a.lines[a.stoppedAt]).toMatch(/VM 3 'crash' stopped: shutdown \(triple fault\).*the others go on/);
  expect(a.lines.slice(a.stoppedAt + 1).some((l) => /^\[(d1|ser|hc)\] /.test(l)), `${where}: others run after the stop`).toBe(true);
  expect(a.lines.some((l) => /^hvmm:\s+VM 3 crash\s+asid 3 .*stopped: shutdown/.test(l)), `${where}: summary`).toBe(true);
  return a;
}

describe('HVMM', () => {
  it('runs four guests round robin on Pacifica, stops the crashing one, finishes the rest', () => {
    const m = new Machine();
    m.bootMultiboot(readFileSync(img('hvmm.elf')), {
      cmdline: `hvmm.elf ${HVMM_CMDLINE}`,
      modules: GUESTS.map((g) => ({ bytes: readFileSync(img(g.file)), cmdline: `${g.file} ${g.args}` })),
    });
    const stop = m.run(2e9 * 5);
    expect(stop).toEqual({ kind: 'debug-exit', code: (0x11 << 1) | 1 }); // 0x11: a VM was stopped, the others ended
    const a = checkRun(m.serial(), 'Pacifica');
    // Each guest's private screen, read through its nested page table, shows its own output.
    const screens = m.guestScreens();
    expect(screens.map((s) => s.asid)).toEqual([1, 2, 3, 4]);
    expect(screens[0]!.lines.join('\n')).toContain('d1: dummy message 4 of 4');
    expect(screens[0]!.lines.join('\n')).not.toContain('ser:');
    console.log(`Pacifica: VM order ${a.order.join(' ')}; ${m.cpu.svm.exits} exits, ${m.cpu.instructions} instructions`);
  }, 120_000);

  it('does the same on QEMU with SVM and nested paging', async () => {
    if (qemuVersion() === undefined) throw new Error(QEMU_MISSING_MESSAGE);
    const q = await runQemu({
      kernel: img('hvmm.elf'), cmdline: HVMM_CMDLINE, cpu: 'qemu64,+svm,+npt', timeoutMs: 120_000,
      modules: GUESTS.map((g) => ({ file: img(g.file), args: g.args })),
    });
    expect(q.debugExit, q.stderr).toBe(0x11);
    const a = checkRun(q.serial, 'QEMU');
    console.log(`QEMU: VM order ${a.order.join(' ')}`);
  }, 150_000);

  it('names bad modules and runs the rest', () => {
    const m = new Machine();
    const elf = readFileSync(img('g-dummy.elf'));
    const wrongMachine = Uint8Array.from(elf);
    wrongMachine[18] = 183; // e_machine = AArch64
    m.bootMultiboot(readFileSync(img('hvmm.elf')), {
      cmdline: 'hvmm.elf log=off',
      modules: [
        { bytes: new TextEncoder().encode('this is not an ELF file at all'), cmdline: 'notes.txt name=text' },
        { bytes: wrongMachine, cmdline: 'arm.elf name=arm' },
        { bytes: elf, cmdline: 'g-dummy.elf name=big mem=2000' },
        { bytes: elf, cmdline: 'g-dummy.elf name=ok count=2' },
      ],
    });
    const stop = m.run(2e9 * 5);
    const serial = m.serial();
    expect(serial).toMatch(/module 1.*not an ELF/);
    expect(serial).toMatch(/module 2.*wrong machine/);
    expect(serial).toMatch(/module 3.*mem=2000/);
    expect(serial).toContain('[ok] ok: done');
    expect(stop).toEqual({ kind: 'debug-exit', code: (0x10 << 1) | 1 });
  }, 60_000);

  it('pacifica run without a kernel boots the HVMM with the default guests; --json adds guest screens and exits', () => {
    const r = spawnSync(process.execPath, [join(root, 'src/cli/pacifica.mjs'), 'run', '--sim-ms', '400', '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.serial).toContain('hvmm: 4 VM(s)');
    expect(j.screens.guests.map((g: { asid: number }) => g.asid)).toEqual([1, 2, 3, 4]);
    expect(j.screens.guests[0].lines).toHaveLength(25);
    expect(j.vmexits.INTR).toBeGreaterThan(0);
    expect(j.worldSwitches).toBe(j.svm.vmruns + j.svm.exits);
  }, 60_000);
});
