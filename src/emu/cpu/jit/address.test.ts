// 64-bit effective addresses (base + index * scale + disp, and RIP + disp) computed
// in int32 halves by the interpreter (cpu.eaOffset) and by compiled blocks
// (inline.ts addr64Stmts), checked against BigInt arithmetic mod 2^64 with
// register values chosen around the carries and borrows between the halves.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu';
import { PhysMem } from '../../mem/phys';

const CODE = 0x1000;
const M64 = (1n << 64n) - 1n;
const EDGES = [0n, 1n, 0x7fffffffn, 0x80000000n, 0xfffffff8n, 0xffffffffn, 0x100000000n, 0x1fffffffcn,
  0x7fffffffffffffffn, 0x8000000000000000n, 0xfffffffffffffff0n, M64];

class Rng {
  constructor(private s: number) {}
  u32(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s;
  }
  int(n: number): number { return this.u32() % n; }
  val(): bigint {
    if (this.int(3) === 0) return EDGES[this.int(EDGES.length)]!;
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

interface Lea { bytes: number[]; dst: number; expect: (regs: bigint[], next: bigint) => bigint }

/** lea r64, [base + index * 2^scale + disp32] (index -1: none; base -2: RIP-relative). */
function lea(dst: number, base: number, index: number, scale: number, disp: number): Lea {
  const rex = 0x48 | ((dst & 8) ? 4 : 0) | (index >= 0 && (index & 8) ? 2 : 0) | (base >= 0 && (base & 8) ? 1 : 0);
  const d = [disp & 0xff, (disp >>> 8) & 0xff, (disp >>> 16) & 0xff, (disp >>> 24) & 0xff];
  const sdisp = BigInt(disp | 0);
  if (base === -2) {
    return { bytes: [rex, 0x8d, ((dst & 7) << 3) | 5, ...d], dst, expect: (_r, next) => (next + sdisp) & M64 };
  }
  const sib = (scale << 6) | ((index >= 0 ? index & 7 : 4) << 3) | (base & 7);
  return {
    bytes: [rex, 0x8d, 0x80 | ((dst & 7) << 3) | 4, sib, ...d],
    dst,
    expect: (r) => (r[base]! + (index >= 0 ? r[index]! << BigInt(scale) : 0n) + sdisp) & M64,
  };
}

function cpuWith(code: number[], regs: bigint[], jit: boolean): Cpu {
  const mem = new PhysMem(1 << 20);
  const cpu = new Cpu(mem);
  cpu.setFlat64();
  cpu.jit = jit;
  cpu.blocks.opts.threshold = 1;
  mem.load(CODE, Uint8Array.from(code));
  cpu.ripLo = CODE;
  for (let k = 0; k < 16; k++) {
    cpu.r[2 * k] = Number(regs[k]! & 0xffffffffn) | 0;
    cpu.r[2 * k + 1] = Number(regs[k]! >> 32n) | 0;
  }
  return cpu;
}

const reg = (cpu: Cpu, k: number) => (BigInt(cpu.r[2 * k + 1]! >>> 0) << 32n) | BigInt(cpu.r[2 * k]! >>> 0);

describe('64-bit effective addresses', () => {
  it('lea agrees with BigInt arithmetic, interpreted and compiled, across the carries between the halves', () => {
    const rng = new Rng(12345);
    let checked = 0;
    for (let round = 0; round < 400; round++) {
      // Eight leas into r8-r15 from operands in rax-rdi (never overwritten), then hlt.
      const regs = Array.from({ length: 16 }, () => rng.val());
      const leas: Lea[] = [];
      for (let k = 0; k < 8; k++) {
        const base = rng.int(5) === 0 ? -2 : rng.int(8);
        const index = base === -2 || rng.int(4) === 0 ? -1 : [0, 1, 2, 3, 5, 6, 7][rng.int(7)]!;
        const disp = rng.int(3) === 0 ? [0, -1, -8, 0x7fffffff, -0x80000000, 8][rng.int(6)]! : rng.u32() | 0;
        leas.push(lea(8 + k, base, index, rng.int(4), disp));
      }
      const code = [...leas.flatMap((l) => l.bytes), 0xf4];
      let next = BigInt(CODE);
      const want = leas.map((l) => { next += BigInt(l.bytes.length); return l.expect(regs, next); });
      for (const jit of [false, true]) {
        const cpu = cpuWith(code, regs, jit);
        cpu.run(100);
        if (jit) expect(cpu.blocks.compiled).toBeGreaterThan(0);
        leas.forEach((l, k) => {
          expect(reg(cpu, l.dst).toString(16), `${jit ? 'compiled' : 'interpreted'} lea #${k} ${l.bytes.map((b) => b.toString(16)).join(' ')}`).toBe(want[k]!.toString(16));
          checked++;
        });
      }
    }
    expect(checked).toBe(400 * 8 * 2);
  });
});
