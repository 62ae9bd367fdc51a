// The debugger on the SVM conformance suite (svm-tests.elf: many VMRUN/#VMEXIT
// pairs, guests at CPL0, nested paging on and off): #VMEXIT and guest-entry
// breakpoints, stepping across world switches, the world-switch log.
import { describe, expect, it } from 'vitest';
import * as iced from 'iced-x86';
import { VMEXIT } from '../svm/exitcodes';
import { OFF, rd64 } from '../svm/vmcb-access';
import type { Machine } from '../machine/machine';
import type { Debugger } from './debugger';
import { bootSvmTests } from './testutil';
import { ripLinear } from './world';

const vmcbField = (m: Machine, name: string): number => {
  const [lo, hi] = rd64(m.mem, m.cpu.svm.vmcb + OFF[name]!);
  return hi * 4294967296 + (lo >>> 0);
};

const rax = (m: Machine): number => (m.cpu.r[1]! >>> 0) * 4294967296 + (m.cpu.r[0]! >>> 0);

/** The address of the VMRUN instruction in run_guest_asm (found by disassembling it). */
function vmrunAddress(dbg: Debugger): number {
  const start = dbg.symbols.resolve('run_guest_asm')!.address;
  const line = dbg.disassemble(iced, { address: start, count: 60 }).find((l) => /^vmrun\b/.test(l.text));
  expect(line, 'a vmrun in run_guest_asm').toBeDefined();
  expect(line!.bytes).toBe('0f 01 d8');
  return line!.address;
}

describe('debugger on svm-tests.elf', () => {
  it('breaks on #VMEXIT by exit code: the VMCB holds that EXITCODE, the host resumes after VMRUN', () => {
    const { m, dbg } = bootSvmTests();
    const vmrun = vmrunAddress(dbg);
    const vmmcall = dbg.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.VMMCALL });
    const cpuid = dbg.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.CPUID });
    expect(m.cpu.insnHook).toBeNull(); // world-switch breakpoints cost nothing per instruction
    const seen: number[] = [];
    for (let k = 1; k <= 4; k++) {
      const s = dbg.run();
      expect(s.reason).toBe('breakpoint');
      expect(s.hits).toHaveLength(1);
      const code = s.hits[0]!.breakpoint === vmmcall ? VMEXIT.VMMCALL : VMEXIT.CPUID;
      seen.push(code);
      expect(s.hits[0]!.detail).toMatch(new RegExp(`^#VMEXIT ${code === VMEXIT.CPUID ? 'CPUID' : 'VMMCALL'} asid \\d+$`));
      expect(vmcbField(m, 'exitcode')).toBe(code);
      expect(m.cpu.svm.lastExitCode).toBe(code);
      expect(m.cpu.svm.guest).toBe(false);
      expect(s.world).toBe(0);
      expect(ripLinear(m.cpu)).toBe(vmrun + 3);
      expect(s.symbol).toMatch(/^run_guest_asm\+0x/);
    }
    expect(vmmcall.hits + cpuid.hits).toBe(4);
    expect(vmmcall.hits).toBe(seen.filter((c) => c === VMEXIT.VMMCALL).length);
    // Only CPUID now: the suite's two CPUID exits, nothing else.
    dbg.disableBreakpoint(vmmcall.id);
    while (dbg.run().reason === 'breakpoint') expect(vmcbField(m, 'exitcode')).toBe(VMEXIT.CPUID);
    expect(cpuid.hits).toBe(2);
    expect(m.cpu.svm.vms.byAsid.size).toBeGreaterThan(0);
  });

  it('breaks on #VMEXIT by ASID', () => {
    const { m, dbg } = bootSvmTests();
    // An exit breakpoint for an ASID no guest uses is never hit.
    const none = dbg.addBreakpoint({ kind: 'vmexit', asid: 0x7777 });
    const any = dbg.addBreakpoint({ kind: 'vmexit' });
    const s = dbg.run();
    expect(s.hits.map((h) => h.breakpoint.id)).toEqual([any.id]);
    expect(m.mem.read32(m.cpu.svm.vmcb + OFF.exitcode!)).toBe(m.cpu.svm.lastExitCode | 0);
    expect(s.hits[0]!.detail).toContain(`asid ${m.cpu.svm.asid}`);
    dbg.removeBreakpoint(any.id);
    const asid = m.cpu.svm.asid;
    const mine = dbg.addBreakpoint({ kind: 'vmexit', asid });
    expect(dbg.run().hits[0]!.breakpoint.id).toBe(mine.id);
    expect(none.hits).toBe(0);
  });

  it('breaks on guest entry at the VMCB RIP, in the guest world', () => {
    const { m, dbg } = bootSvmTests();
    const bp = dbg.addBreakpoint({ kind: 'guest-entry' });
    let checked = 0;
    for (let k = 0; k < 10; k++) {
      const s = dbg.run();
      expect(s.reason).toBe('breakpoint');
      expect(m.cpu.svm.guest).toBe(true);
      expect(s.world).toBe(m.cpu.svm.asid);
      expect(s.world).not.toBe(0);
      if ((m.mem.read32(m.cpu.svm.vmcb + OFF.eventinj!) & 0x80000000) === 0 && m.cpu.mode === 64) {
        expect(ripLinear(m.cpu)).toBe(vmcbField(m, 'rip'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(bp.hits).toBe(10);
    // By ASID: only that guest's entries.
    const asid = m.cpu.svm.asid;
    dbg.disableBreakpoint(bp.id);
    const other = dbg.addBreakpoint({ kind: 'guest-entry', asid: asid + 1000 });
    const mine = dbg.addBreakpoint({ kind: 'guest-entry', asid });
    const s = dbg.run();
    expect(s.hits.map((h) => h.breakpoint.id)).toEqual([mine.id]);
    expect(m.cpu.svm.asid).toBe(asid);
    expect(other.hits).toBe(0);
  });

  it('steps over VMRUN into the guest, and from an intercepted instruction back to the host after VMRUN', () => {
    const { m, dbg } = bootSvmTests();
    const vmrun = vmrunAddress(dbg);
    const at = dbg.addBreakpoint({ kind: 'address', at: vmrun });
    let s = dbg.run();
    while (m.mem.read32(rax(m) + OFF.eventinj!) & 0x80000000) s = dbg.run();
    expect(s.hits[0]!.breakpoint.id).toBe(at.id);
    expect(ripLinear(m.cpu)).toBe(vmrun);
    expect(m.cpu.svm.guest).toBe(false);
    const vmcb = rax(m);
    const guestRip = (m.mem.read32(vmcb + OFF.rip! + 4) >>> 0) * 4294967296 + (m.mem.read32(vmcb + OFF.rip!) >>> 0);
    const n = m.cpu.instructions;
    s = dbg.step();
    expect(s.reason).toBe('step');
    expect(m.cpu.svm.guest).toBe(true);
    expect(s.world).toBe(m.cpu.mem.read32(vmcb + OFF.guest_asid!));
    expect(ripLinear(m.cpu)).toBe(guestRip);
    expect(m.cpu.instructions).toBe(n + 1);
    // Single-step the guest until a step leaves it: that instruction was intercepted.
    let before = ripLinear(m.cpu);
    for (let k = 0; k < 1000 && m.cpu.svm.guest; k++) {
      before = ripLinear(m.cpu);
      s = dbg.step();
    }
    expect(m.cpu.svm.guest).toBe(false);
    expect(s.world).toBe(0);
    expect(ripLinear(m.cpu)).toBe(vmrun + 3);
    const code = vmcbField(m, 'exitcode');
    expect(code).not.toBe(VMEXIT.INTR);
    expect(vmcbField(m, 'rip')).toBe(before); // an instruction intercept: the guest's RIP is on it
    expect(m.cpu.svm.exits).toBe(1);
  });

  it('runs to the next world switch, and counted runs cross world switches exactly', () => {
    const { m, dbg } = bootSvmTests();
    let s = dbg.runToSwitch();
    expect(s.reason).toBe('switch');
    expect(m.cpu.svm.guest).toBe(true);
    expect([m.cpu.svm.vmruns, m.cpu.svm.exits]).toEqual([1, 0]);
    s = dbg.runToSwitch();
    expect(s.reason).toBe('switch');
    expect(m.cpu.svm.guest).toBe(false);
    expect([m.cpu.svm.vmruns, m.cpu.svm.exits]).toEqual([1, 1]);
    const n0 = m.cpu.instructions, e0 = m.cpu.svm.exits;
    s = dbg.runInstructions(1_000_000);
    expect(s.reason).toBe('count');
    expect(m.cpu.instructions - n0).toBe(1_000_000);
    expect(m.cpu.svm.exits).toBeGreaterThan(e0 + 3);
  });

  it('logs every world switch: counts match the CPU, fields match the VMCB, the ring keeps the newest', () => {
    const { m, dbg } = bootSvmTests();
    const small = bootSvmTests({ logCapacity: 16 });
    // Check an entry against the VMCB while stopped at an exit.
    const bp = dbg.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.VMMCALL });
    dbg.run();
    const last = dbg.log.entries().at(-1)!;
    expect(last.kind).toBe('vmexit');
    expect(last.exitCode).toBe(VMEXIT.VMMCALL);
    expect(last.exitName).toBe('VMMCALL');
    expect(BigInt(last.exitInfo1!)).toBe(BigInt(vmcbField(m, 'exitinfo1')));
    expect(BigInt(last.guestRip)).toBe(BigInt(vmcbField(m, 'rip')));
    expect(last.asid).toBe(m.cpu.svm.asid);
    expect(last.instructions).toBe(m.cpu.instructions);
    expect(last.cycles).toBe(m.cpu.cycles);
    expect(last.simSeconds).toBe(m.cpu.cycles / m.cpuHz);
    dbg.removeBreakpoint(bp.id);
    expect(dbg.run().machine.kind).toBe('debug-exit');
    expect(small.dbg.run().machine.kind).toBe('debug-exit');
    const e = dbg.log.entries();
    const svm = m.cpu.svm;
    expect(e.filter((x) => x.kind === 'vmrun').length).toBe(svm.vmruns - svm.invalidCount);
    expect(e.filter((x) => x.kind === 'vmexit').length).toBe(svm.exits);
    expect(e.filter((x) => x.exitCode === -1).length).toBe(svm.invalidCount);
    expect(dbg.log.total).toBe(e.length);
    expect(e.map((x) => x.seq)).toEqual(e.map((_, k) => k));
    for (const [asid, vm] of svm.vms.byAsid) {
      for (const [code, count] of vm.exitCounts) {
        expect(e.filter((x) => x.kind === 'vmexit' && x.asid === asid && x.exitCode === code).length, `asid ${asid} exit ${code}`).toBe(count);
      }
    }
    // A full-size log and a 16-entry ring agree on the newest 16 (apart from host time).
    const strip = (x: object) => ({ ...x, hostMs: 0 });
    expect(small.dbg.log.total).toBe(e.length);
    expect(small.dbg.log.dropped).toBe(e.length - 16);
    expect(small.dbg.log.entries().map(strip)).toEqual(e.slice(-16).map(strip));
    const json = JSON.parse(JSON.stringify(small.dbg.log));
    expect(json.entries).toHaveLength(16);
    expect(json.total).toBe(e.length);
    // Logging off: nothing recorded, and no hook installed.
    const off = bootSvmTests();
    off.dbg.setLogging(false);
    expect(off.m.cpu.svm.onSwitch).toBeNull();
    off.dbg.runInstructions(5_000_000);
    expect(off.m.cpu.svm.exits).toBeGreaterThan(0);
    expect(off.dbg.log.total).toBe(0);
  });
});
