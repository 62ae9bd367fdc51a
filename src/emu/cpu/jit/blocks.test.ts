// The block compiler's contract, case by case: the budget is honoured exactly,
// an exception inside a block is precise, self-modifying code runs the new
// bytes, a watched write stops after the writing instruction, blocks go with
// the decoded-instruction cache, and stepping and the debugger hook interpret.
import { describe, expect, it } from 'vitest';
import { Cpu, StopReason } from '../cpu';
import { PhysMem, WATCH_PAGE } from '../../mem/phys';
import { GP } from '../fault';
import { snapshot } from './snapshot';

const CODE = 0x1000;

function machine(code: number[], jit: boolean, threshold = 1) {
  const mem = new PhysMem(1 << 20);
  const cpu = new Cpu(mem);
  cpu.setFlat64();
  cpu.jit = jit;
  cpu.blocks.opts.threshold = threshold;
  mem.load(CODE, Uint8Array.from(code));
  cpu.ripLo = CODE;
  cpu.r[8] = 0x80000; // rsp
  return { mem, cpu };
}

/** Run the same code both ways with the same budgets; return both CPUs. */
function both(code: number[], budgets: number[], threshold = 1) {
  const a = machine(code, false);
  const b = machine(code, true, threshold);
  for (const n of budgets) {
    const sa = a.cpu.run(n);
    const sb = b.cpu.run(n);
    expect(sb).toBe(sa);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    expect(Buffer.compare(b.mem.u8, a.mem.u8)).toBe(0);
  }
  return { a: a.cpu, b: b.cpu, bm: b.mem };
}

// 40 x "inc eax" (ff c0), then hlt.
const INCS = [...Array.from({ length: 40 }, () => [0xff, 0xc0]).flat(), 0xf4];

describe('block compiler', () => {
  it('honours the budget exactly: a block never runs past it', () => {
    for (let n = 2; n <= 42; n++) {
      const { cpu } = machine(INCS, true);
      // A first run compiles the block at CODE; the second enters it with budget n.
      expect(cpu.run(2)).toBe(StopReason.Limit);
      cpu.ripLo = CODE;
      cpu.r[0] = 0;
      cpu.instructions = 0;
      cpu.cycles = 0;
      const stop = cpu.run(n);
      expect(cpu.blocks.compiled).toBeGreaterThan(0);
      const done = Math.min(n, 41);
      expect(cpu.instructions).toBe(done);
      expect(cpu.cycles).toBe(done);
      expect(cpu.r[0]).toBe(Math.min(n, 40));
      expect(stop).toBe(n >= 41 ? StopReason.Halt : StopReason.Limit);
      expect(cpu.ripLo).toBe(CODE + 2 * Math.min(n, 40) + (n >= 41 ? 1 : 0));
    }
  });

  it('runs whole blocks when the budget allows and agrees with the interpreter at every budget', () => {
    const { b } = both(INCS, [2, 3, 5, 7, 11, 13, 100]);
    expect(b.blocks.compiled).toBeGreaterThan(0);
    expect(b.r[0]).toBe(40);
  });

  it('raises an exception inside a block precisely: RIP, counts and the fault as the interpreter has them', () => {
    // inc eax; inc eax; mov rax, [rbx] (rbx non-canonical: #GP(0)); inc eax; hlt
    const code = [0xff, 0xc0, 0xff, 0xc0, 0x48, 0x8b, 0x03, 0xff, 0xc0, 0xf4];
    const a = machine(code, false);
    const b = machine(code, true);
    for (const m of [a, b]) {
      m.cpu.r[6] = 0; m.cpu.r[7] = 0x12345678; // rbx = 0x12345678_00000000
    }
    expect(a.cpu.run(100)).toBe(StopReason.Exception);
    expect(b.cpu.run(100)).toBe(StopReason.Exception);
    expect(b.cpu.blocks.compiled).toBe(1);
    expect(b.cpu.lastFault?.vector).toBe(GP);
    expect(b.cpu.ripLo).toBe(CODE + 4);
    expect(b.cpu.instructions).toBe(2);
    expect(b.cpu.r[0]).toBe(2);
    expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
  });

  it('self-modifying code: a write to the running block\'s own page ends the block, the new bytes run', () => {
    // mov word [rip+0], 0xc0ff  (rewrites the next instruction, 66 90 = nop, into ff c0 = inc eax); then hlt
    const code = [0x66, 0xc7, 0x05, 0, 0, 0, 0, 0xff, 0xc0, 0x66, 0x90, 0xf4];
    const { a, b } = both(code, [100]);
    expect(b.stop).toBe(StopReason.Halt);
    expect(b.r[0]).toBe(1);
    expect(a.r[0]).toBe(1);
    expect(b.blocks.invalidations).toBeGreaterThan(0);
  });

  it('self-modifying loop: each pass rewrites the immediate of an instruction later in its own block', () => {
    // mov ecx, 10; xor eax, eax
    // loop: inc byte [rip+2] (the imm8 of the add); add eax, 0; dec ecx; jnz loop; hlt
    const code = [0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0xfe, 0x05, 2, 0, 0, 0, 0x83, 0xc0, 0x00, 0xff, 0xc9, 0x75, 0xf3, 0xf4];
    for (const threshold of [1, 2, 4]) {
      const { a, b } = both(code, [1000], threshold);
      expect(b.stop).toBe(StopReason.Halt);
      expect(b.r[0]).toBe(55);
      expect(a.r[0]).toBe(55);
      expect(b.instructions).toBe(2 + 4 * 10 + 1);
      expect(b.blocks.invalidations).toBeGreaterThanOrEqual(10);
      // Each pass drops the page's blocks; at first sight they are compiled again each time.
      if (threshold === 1) expect(b.blocks.compiled).toBeGreaterThan(10);
    }
  });

  it('a write to a watched page stops the run right after the writing instruction, as in the interpreter', () => {
    // mov [rbx], eax; inc eax; inc eax; hlt, with rbx on a watched page whose hook requests a stop
    const code = [0x89, 0x03, 0xff, 0xc0, 0xff, 0xc0, 0xf4];
    const runs = [false, true].map((jit) => {
      const m = machine(code, jit);
      m.cpu.r[6] = 0x5000;
      m.mem.codePage[5]! |= WATCH_PAGE;
      const hits: number[] = [];
      m.mem.onWatchedWrite = (pa) => { hits.push(pa); m.cpu.stop = StopReason.Breakpoint; };
      const stop = m.cpu.run(100);
      return { stop, hits, s: snapshot(m.cpu), compiled: m.cpu.blocks.compiled };
    });
    expect(runs[1]!.compiled).toBe(1);
    expect(runs[1]!.stop).toBe(StopReason.Breakpoint);
    expect(runs[1]!.s.instructions).toBe(1);
    expect(runs[1]!.hits).toEqual([0x5000]);
    expect({ ...runs[1], compiled: 0 }).toEqual({ ...runs[0], compiled: 0 });
  });

  it('blocks are dropped with the decoded-instruction cache (a page write, icache.clear())', () => {
    const { cpu, mem } = machine(INCS, true);
    cpu.run(10);
    expect(cpu.blocks.pages[1]).toBeDefined();
    const page = cpu.blocks.pages[1]!;
    cpu.icache.clear();
    expect(cpu.blocks.pages[1]).toBeUndefined();
    expect(page.dead).toBe(true);
    cpu.run(10);
    expect(cpu.blocks.pages[1]).toBeDefined();
    mem.write8(CODE + 0x800, 0); // a data write elsewhere on the code page
    expect(cpu.blocks.pages[1]).toBeUndefined();
  });

  it('step() and a debugger hook always interpret', () => {
    const { cpu } = machine(INCS, true);
    for (let k = 0; k < 10; k++) cpu.step();
    expect(cpu.instructions).toBe(10);
    expect(cpu.blocks.compiled).toBe(0);
    const seen: number[] = [];
    cpu.insnHook = (c) => { seen.push(c.ripLo); return false; };
    cpu.run(5);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((k) => CODE + 20 + 2 * k));
    expect(cpu.blocks.compiled).toBe(0);
    cpu.insnHook = null;
    cpu.run(100);
    expect(cpu.blocks.compiled).toBe(1);
    expect(cpu.instructions).toBe(41);
  });

  /**
   * `code` run both ways with an interrupt (vector 0x20) pending while IF is clear: the code's
   * sti lets it in. GDT: null, 64-bit code at selector 8; IDT gate 0x20 -> `handler` at 0x2000.
   */
  function withInterrupt(code: number[], handler: number[]) {
    return [false, true].map((jit) => {
      const { cpu, mem } = machine(code, jit);
      cpu.exceptionsStop = false;
      mem.dv.setUint32(0x4008, 0, true);
      mem.dv.setUint32(0x400c, 0x00209a00, true);
      cpu.gdtrBaseLo = 0x4000; cpu.gdtrLimit = 0xf;
      cpu.segSel[1] = 8;
      const g = 0x3000 + 0x20 * 16;
      mem.dv.setUint32(g, (8 << 16) | 0x2000, true);
      mem.dv.setUint32(g + 4, 0x8e00, true);
      cpu.idtrBaseLo = 0x3000; cpu.idtrLimit = 0xfff;
      mem.load(0x2000, Uint8Array.from(handler));
      cpu.flags = 2; // IF clear
      let pending = true;
      cpu.intr = { hasInterrupt: () => pending, acknowledge: () => { pending = false; return 0x20; } };
      cpu.irqCheck = true; // pending, but IF is clear until sti
      const stop = cpu.run(100);
      return { stop, s: snapshot(cpu), compiled: cpu.blocks.compiled };
    });
  }

  it('takes an interrupt at the same instruction boundary as the interpreter (sti shadow, then mid-block)', () => {
    // sti; inc eax x 10; hlt. The handler copies eax to ebx and halts.
    const runs = withInterrupt([0xfb, ...Array.from({ length: 10 }, () => [0xff, 0xc0]).flat(), 0xf4],
      [0x89, 0xc3, 0xf4]); // mov ebx, eax; hlt
    expect(runs[0]!.stop).toBe(StopReason.Halt);
    expect(runs[0]!.s.regs[6]).toBe(1); // one instruction after sti (the shadow), then the interrupt
    expect(runs[1]!.compiled).toBeGreaterThan(0);
    expect(runs[1]!.s).toEqual(runs[0]!.s);
  });

  it('an interrupt after inline register instructions mid-block pushes the interpreter\'s return RIP', () => {
    // sti; add rax, 1 x 10; hlt. The handler copies rax to rbx and the pushed RIP to rcx, and halts.
    const runs = withInterrupt([0xfb, ...Array.from({ length: 10 }, () => [0x48, 0x83, 0xc0, 0x01]).flat(), 0xf4],
      [0x48, 0x89, 0xc3, 0x48, 0x8b, 0x0c, 0x24, 0xf4]); // mov rbx, rax; mov rcx, [rsp]; hlt
    expect(runs[0]!.stop).toBe(StopReason.Halt);
    expect(runs[0]!.s.regs[6]).toBe(1); // rbx: one add after sti (the shadow), then the interrupt
    expect(runs[0]!.s.regs[2]).toBe(CODE + 1 + 4); // rcx: the return RIP, after sti and one add
    expect(runs[1]!.compiled).toBeGreaterThan(0);
    expect(runs[1]!.s).toEqual(runs[0]!.s);
  });

  it('an interrupt between two flag-setting register instructions pushes the first one\'s flags', () => {
    // mov rax, -1; sti; add rax, 1 (ZF, CF); add rdx, 1 (clears them); hlt. The interrupt comes
    // after the first add (the sti shadow): the block may not leave out its flags as dead. The
    // handler copies the pushed RFLAGS to rcx and halts.
    const runs = withInterrupt([0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0xfb, 0x48, 0x83, 0xc0, 0x01, 0x48, 0x83, 0xc2, 0x01, 0xf4],
      [0x48, 0x8b, 0x4c, 0x24, 0x10, 0xf4]); // mov rcx, [rsp + 16]; hlt
    expect(runs[0]!.stop).toBe(StopReason.Halt);
    expect(runs[0]!.s.regs[2]! & 0x41).toBe(0x41); // ZF and CF from add rax, 1
    expect(runs[1]!.compiled).toBeGreaterThan(0);
    expect(runs[1]!.s).toEqual(runs[0]!.s);
  });

  it('runs on past a forward conditional jump, leaving the block only when it is taken', () => {
    // top: inc eax; mov edx, eax; and edx, 1; jz a (fused with the and); inc ebx;
    // a: dec edx; js b (from the lazy flags); inc esi; b: dec ecx; jnz top; hlt
    const code = [0xff, 0xc0, 0x89, 0xc2, 0x83, 0xe2, 0x01, 0x74, 0x02, 0xff, 0xc3,
      0xff, 0xca, 0x78, 0x02, 0xff, 0xc6, 0xff, 0xc9, 0x75, 0xeb, 0xf4];
    const budgets = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 17, 19, 23, 200];
    const a = machine(code, false);
    const b = machine(code, true);
    for (const m of [a, b]) m.cpu.r[2] = 10; // rcx: ten passes, half of them taking each jump
    for (const n of budgets) {
      expect(b.cpu.run(n)).toBe(a.cpu.run(n));
      expect(snapshot(b.cpu)).toEqual(snapshot(a.cpu));
    }
    expect(b.cpu.halted).toBe(true);
    expect([b.cpu.r[0], b.cpu.r[6], b.cpu.r[12], b.cpu.instructions]).toEqual([10, 5, 5, 91]);
    // One block from top to the backward jnz: both forward jumps are inside it.
    expect(b.cpu.blocks.pages[CODE >>> 12]!.entries[0]!.n).toBe(10);
  });

  it('jit off interprets everything', () => {
    const { cpu } = machine(INCS, false);
    cpu.run(100);
    expect(cpu.blocks.compiled).toBe(0);
    expect(cpu.r[0]).toBe(40);
  });
  it('does not chain into a block of the old mode after a far jump to another mode on the same page', () => {
    // 0x00: jmp far [rip + 0x3a] (the pointer at 0x40: CODE + 0x20, selector 8: 32-bit code).
    // 0x20: 48 ff c0 f4: "inc rax; hlt" in 64-bit code, "dec eax; inc eax; hlt" in 32-bit code.
    const code = new Array<number>(0x48).fill(0x90);
    code.splice(0, 6, 0xff, 0x2d, 0x3a, 0, 0, 0);
    code.splice(0x20, 4, 0x48, 0xff, 0xc0, 0xf4);
    const to = CODE + 0x20;
    code.splice(0x40, 6, to & 0xff, (to >>> 8) & 0xff, 0, 0, 0x08, 0);
    const results = [false, true].map((jit) => {
      const { cpu, mem } = machine(code, jit);
      // GDT on its own page: null, 32-bit code (D = 1), 64-bit code (L = 1).
      mem.load(0x3000, Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0, 0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0]));
      cpu.gdtrBaseLo = 0x3000;
      cpu.gdtrLimit = 0x17;
      // First the code at 0x20 runs (and, compiled, is cached) as 64-bit code ...
      cpu.ripLo = to;
      expect(cpu.run(10)).toBe(StopReason.Halt);
      expect(cpu.r[0]).toBe(1);
      // ... then the far jump reaches it in 32-bit code.
      cpu.halted = false;
      cpu.ripLo = CODE;
      expect(cpu.run(10)).toBe(StopReason.Halt);
      expect(cpu.mode).toBe(32);
      return { r0: cpu.r[0], rip: cpu.ripLo, n: cpu.instructions };
    });
    expect(results[0]).toEqual({ r0: 1, rip: to + 4, n: 6 });
    expect(results[1]).toEqual(results[0]);
  });

  it('shares block functions between machines with the same code, each running on its own memory and page', () => {
    // Sum 16 bytes at 0x2000: mov rsi,0x2000; xor eax,eax; mov ecx,16;
    // loop: movzx edx,byte [rsi]; add eax,edx; inc rsi; dec ecx; jnz loop; hlt
    const SUM = [0x48, 0xc7, 0xc6, 0x00, 0x20, 0x00, 0x00, 0x31, 0xc0, 0xb9, 0x10, 0x00, 0x00, 0x00,
      0x0f, 0xb6, 0x16, 0x01, 0xd0, 0x48, 0xff, 0xc6, 0xff, 0xc9, 0x75, 0xf4, 0xf4];
    const a = machine(SUM, true);
    const b = machine(SUM, true);
    a.mem.load(0x2000, Uint8Array.from({ length: 16 }, (_, k) => k + 1));
    b.mem.load(0x2000, new Uint8Array(16).fill(2));
    expect(a.cpu.run(1000)).toBe(StopReason.Halt);
    expect(b.cpu.run(1000)).toBe(StopReason.Halt);
    expect(a.cpu.r[0]).toBe(136);
    expect(b.cpu.r[0]).toBe(32);
    const loop = (cpu: Cpu) => cpu.blocks.pages[CODE >>> 12]!.entries[14];
    expect(loop(a.cpu)).toBeTruthy();
    expect(loop(b.cpu)!.run).toBe(loop(a.cpu)!.run);
    // A write to b's code page drops b's blocks; a's still run, on a's memory.
    b.mem.write8(CODE + SUM.length, 0x90);
    expect(b.cpu.blocks.pages[CODE >>> 12]).toBeUndefined();
    a.cpu.ripLo = CODE;
    a.cpu.halted = false;
    a.mem.load(0x2000, new Uint8Array(16).fill(3));
    expect(a.cpu.run(1000)).toBe(StopReason.Halt);
    expect(a.cpu.r[0]).toBe(48);
  });

  it('does not share a block function between instructions bound to different handlers', async () => {
    const { setFastPaths } = await import('../exec/table');
    // 40 x "imul eax, ebx" (0f af c3: the block calls its handler, a fast one unless fast paths
    // are off, so the block's text is the same either way), then hlt.
    const IMULS = [...Array.from({ length: 40 }, () => [0x0f, 0xaf, 0xc3]).flat(), 0xf4];
    const a = machine(IMULS, true);
    a.cpu.r[0] = 3;
    a.cpu.r[6] = 1;
    a.cpu.run(50);
    setFastPaths(false);
    try {
      const b = machine(IMULS, true);
      b.cpu.r[0] = 3;
      b.cpu.r[6] = 1;
      b.cpu.run(50);
      expect(b.cpu.r[0]).toBe(3);
      const first = (cpu: Cpu) => cpu.blocks.pages[CODE >>> 12]!.entries[0]!.run;
      expect(first(b.cpu)).not.toBe(first(a.cpu));
    } finally {
      setFastPaths(true);
    }
  });
});
