// The decoded-instruction cache and the interpreter's links between straight-line instructions
// (Insn.next): a write to a page drops its instructions, including those another page's
// instruction links to, so the new bytes run.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from './cpu';
import { PhysMem } from '../mem/phys';

function run(jit: boolean): Cpu {
  const mem = new PhysMem(1 << 20);
  const cpu = new Cpu(mem);
  cpu.setFlat64();
  cpu.jit = jit;
  // 0x1ffe: inc eax (ends at the page boundary, so it links to 0x2000 in the next page)
  // 0x2000: inc eax, rewritten to dec eax (ff c8) after the first pass; ret
  mem.load(0x1ffe, Uint8Array.from([0xff, 0xc0, 0xff, 0xc0, 0xc3]));
  // 0x3000: mov ecx, 2; L: call 0x1ffe; mov byte [0x2001], 0xc8; dec ecx; jnz L; hlt
  mem.load(0x3000, Uint8Array.from([
    0xb9, 2, 0, 0, 0,
    0xe8, 0xf4, 0xef, 0xff, 0xff,
    0xc6, 0x04, 0x25, 0x01, 0x20, 0, 0, 0xc8,
    0xff, 0xc9,
    0x75, 0xef,
    0xf4,
  ]));
  cpu.ripLo = 0x3000;
  cpu.r[8] = 0x80000; // rsp
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
});
