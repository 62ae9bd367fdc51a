import { describe, expect, it } from "vitest";
import { IoBus, type IoDevice } from "./iobus";
import { MmioMap } from "./mmio";
import { ClockRatio } from "./clock";

class Regs implements IoDevice {
  regs = new Map<number, number>();
  log: string[] = [];
  constructor(readonly ioByteWide = false) {}
  ioRead(port: number, size: number): number { this.log.push(`r${port.toString(16)}/${size}`); return this.regs.get(port) ?? 0; }
  ioWrite(port: number, size: number, v: number): void { this.log.push(`w${port.toString(16)}/${size}=${v.toString(16)}`); this.regs.set(port, v); }
}

describe("IoBus", () => {
  it("reads all ones from unclaimed ports and drops writes", () => {
    const bus = new IoBus();
    expect(bus.in(0x80, 1)).toBe(0xff);
    expect(bus.in(0x80, 2)).toBe(0xffff);
    expect(bus.in(0x80, 4)).toBe(0xffffffff);
    bus.out(0x80, 4, 0x12345678);
  });

  it("dispatches to the owner with the access size, unsigned", () => {
    const bus = new IoBus();
    const d = new Regs();
    bus.register(0x100, 0x103, d);
    bus.out(0x100, 4, -1);
    expect(d.log).toEqual(["w100/4=ffffffff"]);
    expect(bus.in(0x100, 4)).toBe(0xffffffff);
    expect(() => bus.register(0x103, 0x104, new Regs())).toThrow();
  });

  it("splits wide accesses to 8-bit devices into byte accesses", () => {
    const bus = new IoBus();
    const d = new Regs(true);
    bus.register(0x40, 0x41, d);
    bus.out(0x40, 2, 0xbeef);
    expect(d.log).toEqual(["w40/1=ef", "w41/1=be"]);
    d.regs.set(0x40, 0x34); d.regs.set(0x41, 0x12);
    expect(bus.in(0x40, 4)).toBe(0xffff1234); // 0x42, 0x43 unclaimed
  });

  it("reports accesses to the listener", () => {
    const bus = new IoBus();
    const seen: unknown[] = [];
    bus.onAccess = (p, s, v, w) => seen.push([p, s, v, w]);
    bus.out(0x3f8, 1, 0x41);
    bus.in(0x3f8, 1);
    expect(seen).toEqual([[0x3f8, 1, 0x41, true], [0x3f8, 1, 0xff, false]]);
  });
});

describe("MmioMap", () => {
  it("finds regions and dispatches offsets", () => {
    const m = new MmioMap();
    const log: unknown[] = [];
    m.register(0xfee00000, 0x1000, { mmioRead: (o, s) => (log.push(["r", o, s]), 7), mmioWrite: (o, s, v) => log.push(["w", o, s, v]) });
    expect(m.find(0xfee00fff)?.base).toBe(0xfee00000);
    expect(m.find(0xfee01000)).toBeUndefined();
    expect(m.find(0xb8000)).toBeUndefined();
    expect(m.read(0xfee00030, 4)).toBe(7);
    expect(m.write(0xfee000b0, 4, 0)).toBe(true);
    expect(m.read(0xfec00000, 4)).toBe(0xffffffff);
    expect(log).toEqual([["r", 0x30, 4], ["w", 0xb0, 4, 0]]);
    expect(() => m.register(0xfee00800, 16, { mmioRead: () => 0, mmioWrite: () => {} })).toThrow();
  });
});

describe("ClockRatio", () => {
  it("is exact and independent of how cycles are split", () => {
    const a = new ClockRatio(2_000_000_000, 1_193_182);
    const b = new ClockRatio(2_000_000_000, 1_193_182);
    let ta = 0, tb = 0;
    for (let i = 0; i < 1000; i++) ta += a.advance(12345 + i * 7);
    const total = Array.from({ length: 1000 }, (_, i) => 12345 + i * 7).reduce((x, y) => x + y, 0);
    tb = b.advance(total);
    expect(ta).toBe(tb);
    expect(a.frac).toBe(b.frac);
    expect(tb).toBe(Math.floor((total * 1_193_182) / 2_000_000_000));
    // A very long advance stays exact.
    const c = new ClockRatio(2_200_000_000, 1_193_182);
    expect(c.advance(2_200_000_000 * 1000)).toBe(1_193_182_000);
  });

  it("cyclesUntil is the least cycle count reaching the tick", () => {
    const r = new ClockRatio(2_000_000_000, 1_193_182);
    r.advance(777);
    for (const k of [1, 2, 100, 11932, 65536]) {
      const c = r.cyclesUntil(k);
      const s = r.saveState();
      expect(r.advance(c)).toBeGreaterThanOrEqual(k);
      r.loadState(s);
      expect(r.advance(c - 1)).toBeLessThan(k);
      r.loadState(s);
    }
  });
});
