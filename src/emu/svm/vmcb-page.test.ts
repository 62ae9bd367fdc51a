// VmcbPage (vmcb-access.ts): the world switch's VMCB accesses. Straight into RAM's words on a
// plain page, they must read and write exactly what PhysMem does (little-endian fields of 8, 16,
// 32 and 64 bits, unaligned ones too); on a page with decoded code or a watchpoint every write
// must still reach PhysMem's code invalidation and watch reports; beyond RAM, writes are dropped
// and reads give all ones, as for PhysMem.
import { describe, expect, it } from 'vitest';
import { PhysMem, CODE_PAGE, WATCH_PAGE } from '../mem/phys';
import { VmcbPage } from './vmcb-access';

const PA = 0x3000;

function fill(v: VmcbPage): void {
  v.w64(0x70, 0x11223344, 0x55667788 | 0);
  v.w32(0x400, 0xdeadbeef | 0);
  v.w16(0x402, 0x1234); // the upper half of the word above
  v.w16(0x410, 0xabcd);
  v.w8(0x4cb, 0x03);
  v.w32(0x4d1, 0x0a0b0c0d); // unaligned: through PhysMem
  v.w16(0x4e3, 0x7788); // unaligned
}

describe('VmcbPage', () => {
  it('reads and writes the same bytes as PhysMem on a plain page', () => {
    const mem = new PhysMem(1 << 16), ref = new PhysMem(1 << 16);
    fill(new VmcbPage().at(mem, PA));
    ref.write32(PA + 0x70, 0x11223344); ref.write32(PA + 0x74, 0x55667788 | 0);
    ref.write32(PA + 0x400, 0xdeadbeef | 0); ref.write16(PA + 0x402, 0x1234);
    ref.write16(PA + 0x410, 0xabcd); ref.write8(PA + 0x4cb, 3);
    ref.write32(PA + 0x4d1, 0x0a0b0c0d); ref.write16(PA + 0x4e3, 0x7788);
    expect(Buffer.from(mem.u8)).toEqual(Buffer.from(ref.u8));
    const v = new VmcbPage().at(mem, PA);
    expect(v.rAddr(0x70)).toBe(0x55667788 * 2 ** 32 + 0x11223344);
    expect(v.r32(0x400) >>> 0).toBe(0x1234beef);
    expect(v.r16(0x400)).toBe(0xbeef);
    expect(v.r16(0x402)).toBe(0x1234);
    expect(v.r8(0x4cb)).toBe(3);
    expect(v.r32(0x4d1)).toBe(0x0a0b0c0d);
    expect(v.r16(0x4e3)).toBe(0x7788);
  });

  it.each([['decoded code', CODE_PAGE], ['a watchpoint', WATCH_PAGE]])('on a page with %s, every write goes through PhysMem', (_what, flag) => {
    const mem = new PhysMem(1 << 16);
    mem.codePage[PA >>> 12] = flag;
    const code: number[] = [], watched: Array<[number, number]> = [];
    mem.onCodeWrite = (p) => code.push(p);
    mem.onWatchedWrite = (pa, n) => watched.push([pa, n]);
    const v = new VmcbPage().at(mem, PA);
    v.w32(0x400, 1);
    v.w16(0x410, 2);
    v.w8(0x4cb, 3);
    v.w64(0x70, 4, 5);
    expect(mem.read32(PA + 0x400)).toBe(1);
    if (flag === CODE_PAGE) expect(code).toEqual([3, 3, 3, 3, 3]);
    else expect(watched).toEqual([[PA + 0x400, 4], [PA + 0x410, 2], [PA + 0x4cb, 1], [PA + 0x70, 4], [PA + 0x74, 4]]);
  });

  it('beyond RAM drops writes and reads all ones', () => {
    const mem = new PhysMem(1 << 16);
    const v = new VmcbPage().at(mem, 1 << 16);
    v.w32(0, 0x12345678);
    expect(v.r32(0)).toBe(-1);
    expect(v.r16(2)).toBe(0xffff);
    expect(v.r8(1)).toBe(0xff);
  });
});
