// Where the CPU is, as the debugger names it: the world (0 = the host, otherwise
// the running guest's ASID; SVM reserves ASID 0 for the host), the linear address
// of the next instruction, the stack pointer, and memory read through the current
// world's translation (side-effect free: Mmu.probe). Addresses are plain numbers:
// a canonical 64-bit address is kept sign-extended (0xffff8000_00000000 is
// -2^47), which is exact in a double, so it can key a Map.
import type { Cpu } from '../cpu/cpu';
import { CS } from '../cpu/insn';

export const HOST = 0;

/** 0 in the host, the guest's ASID while a guest runs. */
export function currentWorld(c: Cpu): number {
  return c.svm.guest ? c.svm.asid : HOST;
}

export function worldName(w: number): string {
  return w === HOST ? 'host' : `asid ${w}`;
}

/** Linear address of the next instruction (CS base added outside 64-bit mode). */
export function ripLinear(c: Cpu): number {
  return c.mode === 64 ? c.ripHi * 4294967296 + (c.ripLo >>> 0) : (c.ripLo + c.segBaseLo[CS]!) >>> 0;
}

/** RSP as a number (sign-extended canonical in 64-bit stacks, the low 32 bits otherwise). */
export function rspValue(c: Cpu): number {
  return c.stackSize === 8 ? c.r[9]! * 4294967296 + (c.r[8]! >>> 0) : c.stackSize === 4 ? c.r[8]! >>> 0 : c.r[8]! & 0xffff;
}

/** An address (number, bigint, or two halves) as the debugger's key: sign-extended canonical. */
export function toAddr(v: number | bigint): number {
  if (typeof v === 'bigint') return Number(BigInt.asIntN(64, v));
  if (v >= 2 ** 63) return Number(BigInt.asIntN(64, BigInt(v)));
  return v;
}

export function addrHalves(a: number): [number, number] {
  const hi = Math.floor(a / 4294967296);
  return [(a - hi * 4294967296) | 0, hi | 0];
}

/** 0x-prefixed hex of an address as the 64-bit value it stands for. */
export function hexAddr(a: number): string {
  return '0x' + (a < 0 ? BigInt.asUintN(64, BigInt(a)).toString(16) : a.toString(16));
}

/** Halves (lo, hi) of a 64-bit value as 0x-hex. */
export function hex64(lo: number, hi: number): string {
  return '0x' + ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16);
}

/** Physical address of a linear address in the current world, or -1 (not mapped). */
export function translateLinear(c: Cpu, lin: number): number {
  const [lo, hi] = addrHalves(lin);
  return c.mmu.probe(lo, hi).pa;
}

/** `n` bytes at a linear address in the current world; null when the first byte is unmapped. */
export function readLinear(c: Cpu, lin: number, n: number): Uint8Array | null {
  const out = new Uint8Array(n);
  let pa = -1;
  for (let k = 0; k < n; k++) {
    const a = lin + k;
    if (k === 0 || (a & 0xfff) === 0) pa = translateLinear(c, a) - (a & 0xfff);
    if (pa < 0) return k === 0 ? null : out.subarray(0, k);
    out[k] = c.mem.read8(pa + (a & 0xfff));
  }
  return out;
}
