// Near branches at the top of the lower canonical half (APM Vol 2 §3.7.5 and §8.2.14: a branch
// to a non-canonical address raises #GP(0) on the branch itself, RIP at the branch). The last
// instruction of the half ends where the addresses stop being canonical, so RIP after it has the
// high half 0x8000: a jump that keeps that high half has a non-canonical target even though it
// carries nothing into the high half (the interpreter's jcc fast path in exec/fast.ts and the
// block compiler's jumps both test it). A jump back below the boundary is taken.
import { describe, expect, it } from 'vitest';
import { StopReason } from './cpu';
import { PhysMem } from '../mem/phys';
import { GP } from './fault';
import { PageTables, pagedCpu } from './paging-fixture';

const TABLES = 0x10000;
const CODE_PA = 0x40000;
const TOP_PAGE_LO = 0xfffff000; // linear 0x00007fff_fffff000, the last page of the lower half
const TOP_HI = 0x7fff;

/** Run `code` placed to end exactly at the top of the lower half, from its byte `entry`. */
function runAtTop(jit: boolean, code: number[], entry = 0) {
  const mem = new PhysMem(1 << 20);
  const t = new PageTables(mem, TABLES).identity(256).map(TOP_PAGE_LO, TOP_HI, CODE_PA, 3);
  const start = 0x1000 - code.length;
  mem.load(CODE_PA + start, Uint8Array.from(code));
  const cpu = pagedCpu(mem, t, jit, (TOP_PAGE_LO + start + entry) | 0);
  cpu.ripHi = TOP_HI;
  const stop = cpu.run(100);
  return { cpu, stop, start };
}

describe('near branches at the canonical boundary', () => {
  for (const jit of [false, true]) {
    const engine = jit ? 'block compiler' : 'interpreter';

    it(`${engine}: a taken jcc whose target keeps the high half 0x8000 raises #GP(0) at the jcc`, () => {
      // stc; stc; stc; jb +0x10 (ends at 0x00008000_00000000; target 0x00008000_00000010)
      const { cpu, stop, start } = runAtTop(jit, [0xf9, 0xf9, 0xf9, 0x72, 0x10]);
      expect(stop).toBe(StopReason.Exception);
      expect(cpu.lastFault?.vector).toBe(GP);
      expect(cpu.lastFault?.errorCode).toBe(0);
      expect(cpu.ripHi).toBe(TOP_HI);
      expect(cpu.ripLo >>> 0).toBe((TOP_PAGE_LO + start + 3) >>> 0);
      expect(cpu.instructions).toBe(3);
    });

    it(`${engine}: a taken jmp rel8 the same way raises #GP(0) at the jmp`, () => {
      // nop; jmp +0x20
      const { cpu, stop, start } = runAtTop(jit, [0x90, 0xeb, 0x20]);
      expect(stop).toBe(StopReason.Exception);
      expect(cpu.lastFault?.vector).toBe(GP);
      expect(cpu.ripLo >>> 0).toBe((TOP_PAGE_LO + start + 1) >>> 0);
      expect(cpu.instructions).toBe(1);
    });

    it(`${engine}: a taken jcc back below the boundary is taken`, () => {
      // hlt; stc; jb -4 (to the hlt), entered at the stc
      const { cpu, stop, start } = runAtTop(jit, [0xf4, 0xf9, 0x72, 0xfc], 1);
      expect(stop).toBe(StopReason.Halt);
      expect(cpu.lastFault).toBe(null);
      expect(cpu.instructions).toBe(3);
      expect(cpu.ripHi).toBe(TOP_HI);
      expect(cpu.ripLo >>> 0).toBe((TOP_PAGE_LO + start + 1) >>> 0); // after the hlt
    });
  }
});
