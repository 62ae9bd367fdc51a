// The worker's session, driven in Node exactly as the worker drives it: boot
// the default lab setup, run in slices, and check that every view tells the
// truth about the machine (screens and memory agree with the CPU's own
// translation, the VMCB view with the raw VMCB, the page walk with the MMU,
// breakpoints stop where they say), and that a bad image changes nothing.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as iced from 'iced-x86';
import { LabSession } from './session';
import { DEFAULT_SETUP } from '../emu/machine/default-setup';
import { VMEXIT } from '../emu/svm/exitcodes';
import { OFF } from '../emu/svm/vmcb-access';

const images = fileURLToPath(new URL('../../public/images/', import.meta.url));
const source = async (name: string) => new Uint8Array(readFileSync(join(images, name)));

async function booted(): Promise<LabSession> {
  const s = new LabSession(source);
  await s.boot({ ...DEFAULT_SETUP, mhz: 2000 });
  return s;
}

function runUntil(s: LabSession, pred: () => boolean, slices = 2000): void {
  for (let k = 0; k < slices && !pred(); k++) {
    const stop = s.runSlice(20);
    if (stop && stop.reason !== 'breakpoint') break;
  }
}

describe('LabSession', () => {
  it('boots the default setup, runs in slices, and its snapshot reports guests, clocks, screens and events', async () => {
    const s = await booted();
    runUntil(s, () => (s.machine!.cpu.svm.vms.byAsid.size >= 4 && s.machine!.cpu.svm.exits > 200));
    const snap = s.snapshot();
    expect(snap.booted).toBe(true);
    expect(snap.vms.map((v) => v.name)).toEqual(['dummy', 'hcall', 'serial', 'crash']);
    expect(snap.clocks.worldSwitches).toBe(s.machine!.cpu.svm.vmruns + s.machine!.cpu.svm.exits);
    expect(snap.clocks.simSeconds).toBeCloseTo(s.machine!.cpu.cycles / 2e9, 12);
    expect(snap.screens.map((x) => x.asid)).toEqual([0, 1, 2, 3, 4]);
    const text = (cells: Uint16Array) => String.fromCharCode(...Array.from(cells, (c) => c & 0xff));
    expect(text(snap.screens[1]!.cells)).toContain('dummy');
    expect(snap.events.length).toBeGreaterThan(0);
    expect(snap.events.some((e) => e.exitName === 'INTR' || e.exitName === 'IOIO')).toBe(true);
    expect(Object.keys(snap.registers)).toEqual(expect.arrayContaining(['rax', 'rip', 'cr3', 'efer', 'cs']));
    // Serial from an offset: only the new text.
    const again = s.snapshot(snap.serial.length);
    expect(again.serial.text).toBe('');
  }, 120_000);

  it('guest-physical memory and the guest screen come through the nested table the CPU uses', async () => {
    const s = await booted();
    runUntil(s, () => s.machine!.cpu.svm.vms.byAsid.size >= 2 && s.machine!.cpu.svm.exits > 100);
    const m = s.machine!;
    const screen = s.snapshot().screens.find((x) => x.asid === 1)!;
    const bytes = s.readMemory('guest-physical', 0xb8000, 4000, 1)!;
    expect(Array.from({ length: 2000 }, (_, k) => bytes[2 * k]! | (bytes[2 * k + 1]! << 8))).toEqual(Array.from(screen.cells));
    // The page walk of guest-physical 0xB8000 (paging: the guest's own tables) ends where the MMU says.
    const walk = s.pageWalk(1, 0xb8000);
    expect(walk.hpa).not.toBeNull();
    const hostByte = m.mem.read8(Number(BigInt(walk.hpa!)));
    expect(hostByte).toBe(s.readMemory('guest-virtual', 0xb8000, 1, 1)![0]);
    expect(walk.steps.some((x) => x.level.startsWith('nested'))).toBe(true);
    // Guests' memories are disjoint: another guest's same address is another host page.
    expect(s.pageWalk(2, 0xb8000).hpa).not.toBe(walk.hpa);
  }, 120_000);

  it('breakpoints stop where they say; the VMCB view decodes the exit and marks what changed', async () => {
    const s = await booted();
    const bp = s.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.CPUID });
    let stop = null;
    for (let k = 0; k < 2000 && !stop; k++) stop = s.runSlice(20);
    expect(stop?.reason).toBe('breakpoint');
    expect(stop?.breakpointIds).toEqual([bp.id]);
    const m = s.machine!;
    const asid = m.cpu.svm.vms.current === null ? m.cpu.svm.asid : 0;
    const v = s.vmcb(asid)!;
    const f = (n: string) => v.find((x) => x.name === n)!;
    expect(f('exitcode').decoded).toBe('CPUID');
    expect(BigInt(f('exitcode').value)).toBe(BigInt(m.mem.read32(m.cpu.svm.vms.byAsid.get(asid)!.vmcb + OFF.exitcode!)));
    expect(f('intercept_misc1').decoded).toContain('CPUID');
    s.removeBreakpoint(bp.id);
    // A second look after more world switches of this VM marks changed fields (RIP at least).
    const exitsThen = m.cpu.svm.vms.byAsid.get(asid)!.exits;
    runUntil(s, () => m.cpu.svm.vms.byAsid.get(asid)!.exits > exitsThen + 5);
    const v2 = s.vmcb(asid)!;
    expect(v2.some((x) => x.changed)).toBe(true);
    expect(v2.find((x) => x.name === 'intercept_misc1')!.changed).toBe(false);
    // Disassembly at the current RIP (the hypervisor, after the exit).
    const lines = s.disassemble(iced, 8);
    expect(lines.filter((l) => l.current)).toHaveLength(1);
  }, 120_000);

  it('a bad image is refused by name and the running machine is untouched', async () => {
    const s = await booted();
    s.runSlice(20);
    const before = s.machine!;
    const n = before.cpu.instructions;
    await expect(s.boot({ ...DEFAULT_SETUP, guests: [{ image: 'notes.elf', cmdline: 'notes.elf' }] },
      { 'notes.elf': new TextEncoder().encode('not an elf') })).rejects.toThrow(/notes\.elf/);
    expect(s.machine).toBe(before);
    expect(s.machine!.cpu.instructions).toBe(n);
    await expect(s.boot({ ...DEFAULT_SETUP, cpu: 'pentium' })).rejects.toThrow(/unknown CPU model/);
    expect(s.machine).toBe(before);
  }, 60_000);
});
