// Bad input never escapes the CPU: random VMCBs (some mostly valid, some pure
// noise) run with random guest code, random intercepts, random nested page
// tables and random injected events. Every run ends in an architectural
// outcome (guest exits, VMEXIT_INVALID, a host fault, shutdown, the budget) and
// never in a JavaScript exception (StopReason.Internal).
import { describe, expect, test } from 'vitest';
import { Cpu, StopReason } from '../cpu/cpu';
import { PhysMem } from '../mem/phys';
import { Rng } from '../cpu/oracle/cases';
import { MSR } from '../cpu/msr';
import { OFF } from './vmcb-access';
import { exitName } from './exitcodes';

const N = Number(process.env.PACIFICA_RANDOM_VMCB ?? 2000);
const HOST = 0x1000, HSAVE = 0x3000, VMCB = 0x4000, GUEST = 0x8000, NPT = 0x10000;

function w64(mem: PhysMem, pa: number, lo: number, hi = 0): void {
  mem.write32(pa, lo);
  mem.write32(pa + 4, hi);
}

describe('random VMCBs', () => {
  test(`${N} random VMCBs and guests run without a JavaScript exception`, () => {
    const mem = new PhysMem(1 << 20);
    const cpu = new Cpu(mem);
    const r = new Rng(0x5eed5);
    const outcomes = new Map<string, number>();
    for (let k = 0; k < N; k++) {
      mem.u8.fill(0);
      for (let a = VMCB; a < VMCB + 0x1000; a += 4) mem.write32(a, r.u32());
      for (let a = GUEST; a < GUEST + 0x100; a += 4) mem.write32(a, r.u32());
      for (let a = NPT; a < NPT + 0x4000; a += 4) mem.write32(a, r.bool(0.5) ? r.u32() : (r.int(0x100) << 12) | 0x7 | (r.bool(0.2) ? 0x80 : 0));
      if (r.bool(0.8)) {
        // Mostly valid: the checks pass often enough to run guests.
        w64(mem, VMCB + OFF.efer!, 0x1000 | r.pick([0, 0x500, 0xd00, 0x100]));
        w64(mem, VMCB + OFF.cr0!, r.pick([0x11, 0x80000011, 0x80010033, 0x60000011, 0x20000011]));
        w64(mem, VMCB + OFF.cr3!, NPT + r.int(4) * 0x1000);
        w64(mem, VMCB + OFF.cr4!, r.pick([0, 0x20, 0xa0, 0x10]));
        w64(mem, VMCB + OFF.dr6!, 0); w64(mem, VMCB + OFF.dr7!, 0x400);
        mem.write16(VMCB + OFF['cs.attrib']!, r.pick([0xa9b, 0xc9b, 0x9b, 0xafb, 0xe9b]));
        mem.write32(VMCB + OFF['cs.limit']!, -1);
        w64(mem, VMCB + OFF['cs.base']!, 0);
        w64(mem, VMCB + OFF.rip!, GUEST + r.int(16));
        w64(mem, VMCB + OFF.rsp!, 0x9000);
        w64(mem, VMCB + OFF.rflags!, 2 | (r.u32() & 0x2cd5));
        mem.write8(VMCB + OFF.cpl!, r.pick([0, 0, 3]));
        mem.write32(VMCB + 0x010, mem.read32(VMCB + 0x010) | 1); // VMRUN intercept
        mem.write32(VMCB + OFF.guest_asid!, 1 + r.int(8));
        w64(mem, VMCB + OFF.iopm_base_pa!, 0x20000 + r.int(16) * 0x1000);
        w64(mem, VMCB + OFF.msrpm_base_pa!, 0x40000 + r.int(16) * 0x1000);
        w64(mem, VMCB + OFF.n_cr3!, NPT + r.int(4) * 0x1000);
        if (r.bool(0.5)) w64(mem, VMCB + OFF.eventinj!, 0);
      }
      cpu.setFlat64();
      cpu.exceptionsStop = false; // guests deliver through their (random) IDTs
      cpu.efer |= 0x1000;
      cpu.msrs.set(MSR.VM_HSAVE_PA >>> 0, [HSAVE, 0]);
      // Host: rax = VMCB; VMRUN; jmp back to VMRUN (each #VMEXIT re-enters the guest).
      mem.load(HOST, Uint8Array.from([0x0f, 0x01, 0xd8, 0xeb, 0xfb]));
      cpu.r.fill(0);
      cpu.r[0] = VMCB;
      cpu.ripLo = HOST;
      cpu.ripHi = 0;
      cpu.flags = 2;
      cpu.lop = 0;
      const stop = cpu.run(3000);
      if (stop === StopReason.Internal) {
        throw new Error(`internal error in trial ${k}: ${cpu.internalError}`);
      }
      const key = `${StopReason[stop]}${cpu.svm.exits ? ` after exit ${exitName(cpu.svm.lastExitCode)}` : ''}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    const top = [...outcomes].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(`random VMCBs: ${N} runs; outcomes ${top.map(([k, v]) => `${k}: ${v}`).join(', ')}`);
    expect([...outcomes.keys()].some((k) => !k.includes('INVALID') && k.includes('after exit')), 'some guests ran and exited').toBe(true);
  }, 300_000);
});
