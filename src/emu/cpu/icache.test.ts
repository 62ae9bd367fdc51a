// The decoded-instruction cache and the interpreter's links between straight-line instructions
// (Insn.next): a write to a page drops its instructions, including those another page's
// instruction links to, so the new bytes run.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from './cpu';
import { PhysMem, WATCH_PAGE } from '../mem/phys';

/** A flat 64-bit CPU with 1 MiB of RAM, these pieces of code loaded, RIP at `rip` and RSP at 0x80000. */
function flat(jit: boolean, rip: number, code: Array<[number, number[]]>): { cpu: Cpu; mem: PhysMem } {
  const mem = new PhysMem(1 << 20);
  const cpu = new Cpu(mem);
  cpu.setFlat64();
  cpu.jit = jit;
  for (const [pa, bytes] of code) mem.load(pa, Uint8Array.from(bytes));
  cpu.ripLo = rip;
  cpu.r[8] = 0x80000; // rsp
  return { cpu, mem };
}

function run(jit: boolean): Cpu {
  // 0x1ffe: inc eax (ends at the page boundary, so it links to 0x2000 in the next page)
  // 0x2000: inc eax, rewritten to dec eax (ff c8) after the first pass; ret
  // 0x3000: mov ecx, 2; L: call 0x1ffe; mov byte [0x2001], 0xc8; dec ecx; jnz L; hlt
  const { cpu } = flat(jit, 0x3000, [[0x1ffe, [0xff, 0xc0, 0xff, 0xc0, 0xc3]], [0x3000, [
    0xb9, 2, 0, 0, 0,
    0xe8, 0xf4, 0xef, 0xff, 0xff,
    0xc6, 0x04, 0x25, 0x01, 0x20, 0, 0, 0xc8,
    0xff, 0xc9,
    0x75, 0xef,
    0xf4,
  ]]]);
  expect(cpu.run(1000)).toBe(StopReason.Halt);
  return cpu;
}

describe('decoded-instruction cache', () => {
  it('a write to a page drops the instruction a link from another page leads to; the new bytes run', () => {
    for (const jit of [false, true]) {
      const c = run(jit);
      // First pass inc, inc (2); second pass inc, dec (the rewritten bytes): 2. The stale link gives 4.
      expect(c.r[0]).toBe(2);
      expect(c.instructions).toBe(1 + 2 * 7 + 1);
      expect(c.icache.invalidations).toBe(2);
    }
  });

  it('a store through the kept write page to a page with decoded code still drops its instructions', () => {
    // 0x2000: inc eax; nop; nop; ret. Called once, then a dword store (after another store to the
    // page, so the CPU keeps it as its write page) rewrites inc eax into dec eax, and it is called again.
    for (const jit of [false, true]) {
      const { cpu } = flat(jit, 0x3000, [[0x2000, [0xff, 0xc0, 0x90, 0x90, 0xc3]], [0x3000, [
        0xbb, 0x00, 0x20, 0, 0, // mov ebx, 0x2000
        0xe8, 0xf6, 0xef, 0xff, 0xff, // call 0x2000
        0xc7, 0x43, 0x08, 0, 0, 0, 0, // mov dword [rbx+8], 0
        0xc7, 0x03, 0xff, 0xc8, 0x90, 0x90, // mov dword [rbx], 0x9090c8ff
        0xe8, 0xe4, 0xef, 0xff, 0xff, // call 0x2000
        0xf4,
      ]]]);
      expect(cpu.run(1000)).toBe(StopReason.Halt);
      expect(cpu.r[0]).toBe(0); // inc then dec; 2 with the old bytes
      expect(cpu.instructions).toBe(14);
    }
  });

  it('a store through the kept write page to a watched page reaches the watchpoint', () => {
    // mov [rbx], eax twice (the second through the kept page) and a qword store; then hlt.
    const { cpu, mem } = flat(false, 0x1000, [[0x1000, [0x89, 0x03, 0x89, 0x43, 0x10, 0x48, 0x89, 0x43, 0x20, 0xf4]]]);
    cpu.r[6] = 0x5000; // rbx
    mem.codePage[5]! |= WATCH_PAGE;
    const hits: number[] = [];
    mem.onWatchedWrite = (pa) => { hits.push(pa); };
    expect(cpu.run(100)).toBe(StopReason.Halt);
    expect(hits).toEqual([0x5000, 0x5010, 0x5020, 0x5024]);
  });
});
