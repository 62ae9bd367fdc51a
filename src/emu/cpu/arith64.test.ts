// The 128-bit products on int32 halves against BigInt arithmetic: edge values (0, 1, the 32-bit
// boundaries, all ones, the sign bits) and random ones, with either factor below 2^32 or not.
import { describe, expect, it } from 'vitest';
import { out, mulU64, mulS64 } from './arith64';
import { Rng } from './oracle/cases-kit';

const EDGES = [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1_0000_0001n,
  0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xcccc_cccc_cccc_cccdn];
const M64 = (1n << 64n) - 1n;
const halves = (v: bigint): [number, number] => [Number(v & 0xffffffffn) | 0, Number((v >> 32n) & 0xffffffffn) | 0];
const result = (): bigint => [0, 1, 2, 3].reduce((a, k) => a | (BigInt(out[k]! >>> 0) << BigInt(32 * k)), 0n);

describe('arith64 products', () => {
  const r = new Rng(0x5eed64);
  const values: bigint[] = [...EDGES];
  for (let k = 0; k < 400; k++) {
    const lo = BigInt(r.u32()), hi = BigInt(r.u32());
    values.push(r.bool(0.4) ? lo : (hi << 32n) | lo);
  }
  it('mulU64 is the unsigned 128-bit product', () => {
    for (const a of values) for (const b of values.slice(0, 60)) {
      const [aLo, aHi] = halves(a), [bLo, bHi] = halves(b);
      mulU64(aLo, aHi, bLo, bHi);
      expect(result(), `${a.toString(16)} * ${b.toString(16)}`).toBe(a * b);
    }
  });
  it('mulS64 is the signed 128-bit product', () => {
    const signed = (v: bigint) => BigInt.asIntN(64, v);
    for (const a of values) for (const b of values.slice(0, 60)) {
      const [aLo, aHi] = halves(a), [bLo, bHi] = halves(b);
      mulS64(aLo, aHi, bLo, bHi);
      expect(result(), `${a.toString(16)} * ${b.toString(16)}`).toBe(BigInt.asUintN(128, signed(a & M64) * signed(b & M64)));
    }
  });
});
