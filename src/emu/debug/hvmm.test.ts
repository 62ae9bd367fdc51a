// The debugger on the HVMM running two g-dummy guests round robin (only when
// those images have been built): breakpoints in a guest's virtual address space
// by the guest ELF's symbols, per-ASID guest entry, and #VMEXIT(INTR) — the exit
// that happens while an interrupt is delivered, between guest instructions.
import { describe, expect, it } from 'vitest';
import * as iced from 'iced-x86';
import { Machine } from '../machine/machine';
import { VMEXIT } from '../svm/exitcodes';
import { Debugger } from './debugger';
import { hasImage, image } from './testutil';
import { ripLinear } from './world';

const ready = hasImage('hvmm.elf') && hasImage('g-dummy.elf');

function bootHvmm() {
  const m = new Machine();
  const guest = image('g-dummy.elf');
  m.bootMultiboot(image('hvmm.elf'), {
    cmdline: 'hvmm.elf log=switches slice=1',
    modules: [{ bytes: guest, cmdline: 'g-dummy.elf name=a' }, { bytes: guest, cmdline: 'g-dummy.elf name=b' }],
  });
  const dbg = new Debugger(m);
  dbg.symbols.load('hvmm', image('hvmm.elf'));
  dbg.symbols.load('g-dummy', guest, 'guest');
  return { m, dbg };
}

describe.skipIf(!ready)('debugger on the HVMM with two guests', () => {
  it('breaks in a guest by its ELF symbol and ASID, on one guest\'s entry, and on #VMEXIT(INTR) before any host instruction runs', () => {
    const { m, dbg } = bootHvmm();
    // The host's VMRUN, found by disassembling vm_run (in the host world, before any guest runs).
    const vmrun = dbg.disassemble(iced, { address: dbg.symbols.resolve('vm_run')!.address, count: 80, bitness: 64 }).find((l) => /^vmrun\b/.test(l.text))!;
    expect(vmrun).toBeDefined();
    const kmain = dbg.symbols.resolve('g-dummy:kmain')!;
    const bp = dbg.addBreakpoint({ kind: 'address', at: 'g-dummy:kmain', world: 2 });
    const s = dbg.run();
    expect(s.hits.map((h) => h.breakpoint.id)).toEqual([bp.id]);
    expect(m.cpu.svm.guest).toBe(true);
    expect(m.cpu.svm.asid).toBe(2);
    expect(ripLinear(m.cpu)).toBe(kmain.address);
    expect(s.symbol).toBe('kmain');
    expect(s.worldName).toBe('asid 2');
    // Guest 1 passed kmain already (guest 1 runs first) without stopping: the breakpoint is guest 2's.
    expect(m.cpu.svm.vms.byAsid.get(1)!.runs).toBeGreaterThan(0);
    // Disassembly in the guest's world, through its page tables and the nested table.
    const lines = dbg.disassemble(iced, { count: 8 });
    expect(lines[0]!.address).toBe(kmain.address);
    expect(lines[0]!.symbol).toBe('kmain');
    dbg.removeBreakpoint(bp.id);
    const entry = dbg.addBreakpoint({ kind: 'guest-entry', asid: 1 });
    for (let k = 0; k < 3; k++) {
      const e = dbg.run();
      expect(e.hits[0]!.breakpoint.id).toBe(entry.id);
      expect(e.world).toBe(1);
    }
    dbg.removeBreakpoint(entry.id);
    // #VMEXIT(INTR): the exit comes while an interrupt is delivered, between guest instructions.
    const intr = dbg.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.INTR });
    const si = dbg.run();
    expect(si.reason).toBe('breakpoint');
    expect(si.hits[0]!.breakpoint.id).toBe(intr.id);
    const last = dbg.log.entries().at(-1)!;
    expect(last.exitName).toBe('INTR');
    // The exit came while an interrupt was being delivered to the guest; the host has not run yet.
    expect(m.cpu.instructions).toBe(last.instructions);
    expect(ripLinear(m.cpu)).toBe(vmrun.address + 3);
    expect(si.symbol).toMatch(/^vm_run\+0x/);
    expect(si.world).toBe(0);
  });
});
