// A compiled block remembers the last page it read and the last it wrote through the TLB
// (inline.ts paStmts) and skips the TLB for them. These blocks touch the same page, or the same
// low 32 bits of a page in another 4 GiB, in ways where what a read found must not decide the
// next access; each runs in both engines and must end as the architecture says. Each first reads
// its pages once: a block leaves after a TLB miss (the walk), so the pages are remembered only by
// the block that starts after those reads, with the TLB warm.
import { describe, expect, it } from 'vitest';
import { StopReason } from '../cpu';
import { PhysMem } from '../../mem/phys';
import { PF } from '../fault';
import { PageTables, pagedCpu } from '../paging-fixture';

const CODE = 0x1000;

function run(jit: boolean, code: number[], map: (t: PageTables) => void, regs: Record<number, [number, number]>, init: (mem: PhysMem) => void = () => {}) {
  const mem = new PhysMem(1 << 20);
  const t = new PageTables(mem, 0x10000).identity(256);
  map(t);
  const cpu = pagedCpu(mem, t, jit, CODE);
  mem.load(CODE, Uint8Array.from(code));
  init(mem);
  for (const [reg, [lo, hi]] of Object.entries(regs)) {
    cpu.r[2 * Number(reg)] = lo;
    cpu.r[2 * Number(reg) + 1] = hi;
  }
  return { cpu, mem, stop: cpu.run(100) };
}

describe('the pages a block remembers', () => {
  it.each([false, true])('a write to a read-only page faults after a read of it in the same block (block compiler %s)', (jit) => {
    const code = [
      0x48, 0x8b, 0x03, // mov rax, [rbx]    (TLB miss: the block ends here)
      0x48, 0x8b, 0x03, // mov rax, [rbx]    (a TLB hit: the page is remembered for reads)
      0x48, 0x89, 0x03, // mov [rbx], rax    (a write: the TLB says no)
      0xf4, //             hlt
    ];
    // Page 3 present, not writable: with CR0.WP a supervisor write faults too.
    const { cpu, mem, stop } = run(jit, code, (t) => t.map(0x3000, 0, 0x3000, 1), { 3: [0x3000, 0] }, (m) => m.write32(0x3000, 0x5a5a5a5a));
    expect(stop).toBe(StopReason.Exception);
    expect(cpu.lastFault?.vector).toBe(PF);
    expect(cpu.lastFault?.errorCode).toBe(3); // present, write
    expect(cpu.cr2Lo).toBe(0x3000);
    expect(cpu.ripLo).toBe(CODE + 6);
    expect(cpu.instructions).toBe(2);
    expect(cpu.r[0]).toBe(0x5a5a5a5a);
    expect(mem.read32(0x3000)).toBe(0x5a5a5a5a);
  });

  it.each([false, true])('the same page offset in another 4 GiB is another page (block compiler %s)', (jit) => {
    const code = [
      0x48, 0x8b, 0x11, // mov rdx, [rcx]    (TLB misses; both pages take the same TLB entry)
      0x48, 0x8b, 0x03, // mov rax, [rbx]
      0x48, 0x8b, 0x03, // mov rax, [rbx]    (a TLB hit: the page is remembered for reads)
      0x48, 0x8b, 0x11, // mov rdx, [rcx]    (same low 32 bits, another page)
      0x48, 0x89, 0x01, // mov [rcx], rax
      0x48, 0x89, 0x13, // mov [rbx], rdx
      0xf4, //             hlt
    ];
    // Linear 0x3000 is physical 0x3000 (0x11111111); linear 0x1_0000_3000 is physical 0x7000 (0x22222222).
    const { cpu, mem, stop } = run(jit, code, (t) => t.map(0x3000, 1, 0x7000, 3), { 3: [0x3000, 0], 1: [0x3000, 1] }, (m) => {
      m.write32(0x3000, 0x11111111);
      m.write32(0x7000, 0x22222222);
    });
    expect(stop).toBe(StopReason.Halt);
    expect(cpu.r[0]).toBe(0x11111111);
    expect(cpu.r[4]).toBe(0x22222222);
    expect(cpu.instructions).toBe(7);
    expect(mem.read32(0x3000)).toBe(0x22222222); // swapped
    expect(mem.read32(0x7000)).toBe(0x11111111);
  });
});
