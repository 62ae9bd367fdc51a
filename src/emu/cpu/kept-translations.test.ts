// Translations the CPU keeps outside the TLB: the code page its loop is running (Cpu.execute), and
// the last page read and the last written by read32/read64/write32/write64. These cases change
// what the next access to the same linear page must see, in both engines: a CR3 load that maps the
// page elsewhere, and a drop to CPL 3 with the page supervisor-only (the access must fault). The
// fetch cases first run the instructions after the change once, so that the decoded-instruction
// cache holds them at the old physical address: a stale translation would run them from there.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from './cpu';
import { PhysMem } from '../mem/phys';
import { PF } from './fault';
import { PageTables, pagedCpu } from './paging-fixture';

const TABLES_A = 0x10000;
const TABLES_B = 0x40000;

/**
 * A 64-bit CPU with paging on through tables at TABLES_A (the first 1 MiB 1:1, but linear page 1
 * at `page1` with PTE flags `flags1`), running the code at linear 0x1000 after a first run from
 * linear `warm` to its hlt (the decoded-instruction cache and blocks then hold it).
 */
function machine(jit: boolean, code: number[], page1: number, flags1: number, warm: number): { cpu: Cpu; mem: PhysMem } {
  const mem = new PhysMem(1 << 20);
  const t = new PageTables(mem, TABLES_A).identity(256).map(0x1000, 0, page1, flags1);
  const cpu = pagedCpu(mem, t, jit, warm);
  mem.load(page1, Uint8Array.from(code));
  expect(cpu.run(100)).toBe(StopReason.Halt);
  cpu.halted = false;
  cpu.r.fill(0);
  cpu.instructions = 0;
  cpu.ripLo = 0x1000;
  return { cpu, mem };
}

describe('the code page translation kept by the CPU loop', () => {
  it.each([false, true])('a CR3 load that maps the running page elsewhere takes effect at the next instruction (block compiler %s)', (jit) => {
    const code = [
      0x48, 0xc7, 0xc0, 0x00, 0x00, 0x04, 0x00, // mov rax, TABLES_B
      0x0f, 0x22, 0xd8, //                         mov cr3, rax
      0xbb, 0x01, 0x00, 0x00, 0x00, //             mov ebx, 1
      0xf4, //                                     hlt
    ];
    const { cpu, mem } = machine(jit, code, 0x1000, 7, 0x100a);
    // Under TABLES_B, linear page 1 is physical 0x5000: the same code but mov ebx, 2.
    new PageTables(mem, TABLES_B).identity(256).map(0x1000, 0, 0x5000, 7);
    mem.load(0x5000, Uint8Array.from(code.map((b, k) => (k === 11 ? 2 : b))));
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(cpu.r[6]).toBe(2); // rbx
    expect(cpu.instructions).toBe(4);
  });

  it.each([false, true])('sysret to CPL 3 on a supervisor-only code page faults at the next fetch (block compiler %s)', (jit) => {
    const code = [
      0xb9, 0x0e, 0x10, 0x00, 0x00, //             mov ecx, 0x100e (the return RIP: the next instruction)
      0x41, 0xbb, 0x02, 0x00, 0x00, 0x00, //       mov r11d, 2 (RFLAGS)
      0x48, 0x0f, 0x07, //                         sysretq
      0xbb, 0x03, 0x00, 0x00, 0x00, //             mov ebx, 3
      0xf4, //                                     hlt
    ];
    const { cpu } = machine(jit, code, 0x1000, 3, 0x100e); // present, writable, supervisor only
    cpu.msrs.set(0xc0000081, [0, 0x00100000]); // STAR: SYSRET CS base selector 0x10
    expect(cpu.run(100)).toBe(StopReason.Exception);
    expect(cpu.lastFault?.vector).toBe(PF);
    expect(cpu.cpl).toBe(3);
    expect(cpu.cr2Lo).toBe(0x100e);
    expect(cpu.ripLo).toBe(0x100e);
    expect(cpu.r[6]).toBe(0);
  });
});

/** Run `code` at linear 0x1000 with paging on (tables at TABLES_A: the first 1 MiB 1:1, then `map`). */
function runData(jit: boolean, code: number[], map: (t: PageTables, mem: PhysMem) => void, regs: Record<number, number>) {
  const mem = new PhysMem(1 << 20);
  const t = new PageTables(mem, TABLES_A).identity(256);
  map(t, mem);
  const cpu = pagedCpu(mem, t, jit, 0x1000);
  mem.load(0x1000, Uint8Array.from(code));
  mem.write32(0x3000, 0x11111111);
  mem.write32(0x7000, 0x22222222);
  for (const [reg, v] of Object.entries(regs)) cpu.r[2 * Number(reg)] = v;
  return { cpu, stop: cpu.run(100) };
}

describe('the data pages kept by the CPU', () => {
  it.each([false, true])('a CR3 load that maps a page elsewhere takes effect at the next read of it (block compiler %s)', (jit) => {
    const code = [
      0x48, 0x8b, 0x03, // mov rax, [rbx]
      0x0f, 0x22, 0xd9, // mov cr3, rcx
      0x48, 0x8b, 0x13, // mov rdx, [rbx]
      0xf4, //             hlt
    ];
    // Under TABLES_B, linear 0x3000 is physical 0x7000.
    const { cpu, stop } = runData(jit, code, (_t, mem) => { new PageTables(mem, TABLES_B).identity(256).map(0x3000, 0, 0x7000, 7); }, { 3: 0x3000, 1: TABLES_B });
    expect(stop).toBe(StopReason.Halt);
    expect(cpu.r[0]).toBe(0x11111111);
    expect(cpu.r[4]).toBe(0x22222222);
  });

  it.each([false, true])('sysret to CPL 3 makes the next read of a supervisor-only page fault (block compiler %s)', (jit) => {
    const code = [
      0x48, 0x8b, 0x03, //                   mov rax, [rbx]   (CPL 0)
      0xb9, 0x11, 0x10, 0x00, 0x00, //       mov ecx, 0x1011  (the return RIP: the next instruction)
      0x41, 0xbb, 0x02, 0x00, 0x00, 0x00, // mov r11d, 2      (RFLAGS)
      0x48, 0x0f, 0x07, //                   sysretq
      0x48, 0x8b, 0x13, //                   mov rdx, [rbx]   (CPL 3)
      0xf4, //                               hlt
    ];
    const { cpu, stop } = runData(jit, code, (t) => { t.map(0x3000, 0, 0x3000, 3); }, { 3: 0x3000 });
    expect(cpu.r[0]).toBe(0x11111111);
    expect(stop).toBe(StopReason.Exception);
    expect(cpu.lastFault?.vector).toBe(PF);
    expect(cpu.lastFault?.errorCode).toBe(5); // present, user, read
    expect(cpu.cpl).toBe(3);
    expect(cpu.cr2Lo).toBe(0x3000);
    expect(cpu.ripLo).toBe(0x1011);
    expect(cpu.r[4]).toBe(0);
  });
});
