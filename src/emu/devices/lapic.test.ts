import { describe, expect, it } from "vitest";
import { LocalApic } from "./lapic";

function mk(cpuHz = 2_000_000_000) {
  const a = new LocalApic(cpuHz);
  const w = (r: number, v: number) => a.mmioWrite(r, 4, v);
  const r = (o: number) => a.mmioRead(o, 4);
  w(0xf0, 0x1ff); // software enable, spurious vector 0xFF
  return { a, w, r };
}

describe("local APIC", () => {
  it("has the documented reset values", () => {
    const a = new LocalApic();
    expect(a.apicBaseMsr).toBe(0xfee00900);
    expect(a.mmioRead(0x30, 4)).toBe(0x00050014);
    expect(a.mmioRead(0xf0, 4)).toBe(0xff);
    expect(a.mmioRead(0x320, 4)).toBe(0x10000);
    expect(a.mmioRead(0x350, 4)).toBe(0x700);
    expect(a.mmioRead(0xe0, 4)).toBe(0xffffffff);
    expect(a.mmioRead(0x31, 1)).toBe(0x00); // byte 1 of the version register
    expect(a.mmioRead(0x32, 1)).toBe(0x05);
    expect(a.acceptsPicInterrupt()).toBe(true);
  });

  it("counts down one-shot with each divide value; nextEventCycles is exact", () => {
    // Bus 100 MHz, CPU 2 GHz: 20 CPU cycles per bus clock.
    const divs: [number, number][] = [[0xb, 1], [0x0, 2], [0x1, 4], [0x2, 8], [0x3, 16], [0x8, 32], [0x9, 64], [0xa, 128]];
    for (const [cfg, div] of divs) {
      const { a, w, r } = mk();
      w(0x3e0, cfg);
      w(0x320, 0x40); // one-shot, vector 0x40
      w(0x380, 1000);
      expect(r(0x390)).toBe(1000);
      a.advanceCycles(20 * div * 10);
      expect(r(0x390)).toBe(990);
      expect(a.nextEventCycles()).toBe(20 * div * 990);
      a.advanceCycles(20 * div * 990 - 1);
      expect(r(0x390)).toBe(1);
      expect(a.hasInterrupt()).toBe(false);
      a.advanceCycles(1);
      expect(r(0x390)).toBe(0);
      expect(a.hasInterrupt()).toBe(true);
      expect(a.nextEventCycles()).toBe(Infinity);
      expect(a.acknowledge()).toBe(0x40);
    }
  });

  it("reloads in periodic mode and respects the mask", () => {
    const { a, w, r } = mk();
    w(0x3e0, 0xb); // divide by 1
    w(0x320, 0x20000 | 0x31);
    w(0x380, 100);
    a.advanceCycles(20 * 250);
    expect(r(0x390)).toBe(50);
    expect(a.acknowledge()).toBe(0x31);
    w(0xb0, 0);
    a.advanceCycles(20 * 50);
    expect(r(0x390)).toBe(100);
    expect(a.hasInterrupt()).toBe(true);
    expect(a.acknowledge()).toBe(0x31);
    w(0xb0, 0);
    w(0x320, 0x30031); // masked periodic
    a.advanceCycles(20 * 100);
    expect(a.hasInterrupt()).toBe(false);
    expect(a.nextEventCycles()).toBe(20 * 100); // the count still runs
  });

  it("blocks by TPR and by in-service priority class; EOI clears the highest ISR", () => {
    const { a, w, r } = mk();
    a.raise(0x45);
    w(0x80, 0x40); // TPR class 4 blocks vector 0x45
    expect(a.hasInterrupt()).toBe(false);
    expect(r(0xa0)).toBe(0x40);
    w(0x80, 0x30);
    expect(a.hasInterrupt()).toBe(true);
    expect(a.acknowledge()).toBe(0x45);
    expect(r(0x100 + 0x20)).toBe(1 << 5); // ISR bit 0x45 in ISR register 2
    expect(r(0xa0)).toBe(0x40); // PPR = ISRV class
    a.raise(0x48); // same class: blocked
    expect(a.hasInterrupt()).toBe(false);
    a.raise(0x61); // higher class: nests
    expect(a.acknowledge()).toBe(0x61);
    w(0xb0, 0); // EOI clears 0x61
    expect(a.highestIsr()).toBe(0x45);
    w(0xb0, 0);
    expect(a.acknowledge()).toBe(0x48);
    expect(r(0x200 + 0x20)).toBe(0); // IRR empty
    expect(a.acknowledge()).toBe(0xff); // nothing left: spurious vector
  });

  it("sends self-IPIs (shorthand and own ID) and flags illegal vectors", () => {
    const { a, w, r } = mk();
    w(0x300, 0x40000 | 0x50); // shorthand self
    expect(a.highestIrr()).toBe(0x50);
    a.acknowledge(); w(0xb0, 0);
    w(0x310, 0); w(0x300, 0x51); // physical destination 0 = own ID
    expect(a.acknowledge()).toBe(0x51); w(0xb0, 0);
    w(0x310, 0x05000000); w(0x300, 0x52); // another APIC: dropped
    expect(a.hasInterrupt()).toBe(false);
    w(0x370, 0xee); // error LVT
    w(0x300, 0x40000 | 0x05); // illegal vector
    w(0x280, 0);
    expect(r(0x280)).toBe(0x20);
    expect(a.acknowledge()).toBe(0xee);
  });

  it("delivers nothing when disabled", () => {
    const { a, w } = mk();
    a.raise(0x80);
    w(0xf0, 0xff); // software disable
    expect(a.hasInterrupt()).toBe(false);
    expect(a.mmioRead(0x320, 4) & 0x10000).toBe(0x10000);
    w(0x320, 0x40); // cannot unmask while disabled
    expect(a.mmioRead(0x320, 4)).toBe(0x10040);
    w(0xf0, 0x1ff);
    expect(a.hasInterrupt()).toBe(true);
    expect(a.writeApicBaseMsr(0xfee00000, 0)).toBe(true); // hardware disable
    expect(a.hasInterrupt()).toBe(false);
    expect(a.mmioRead(0x30, 4)).toBe(0xffffffff);
    expect(a.acceptsPicInterrupt()).toBe(true);
    expect(a.writeApicBaseMsr(0xfee00800, 0)).toBe(true);
    expect(a.apicBaseMsr).toBe(0xfee00900);
    expect(a.highestIrr()).toBe(-1); // back to the power-up state
    expect(a.writeApicBaseMsr(0xfee00c00, 0)).toBe(false); // x2APIC not offered
    expect(a.writeApicBaseMsr(0xfee00800, 1)).toBe(false);
  });

  it("is deterministic and round-trips its state", () => {
    const run = () => {
      const { a, w } = mk(2_200_000_000);
      w(0x3e0, 0x3); w(0x320, 0x20040); w(0x380, 12345);
      let fired = 0;
      for (let i = 0; i < 3000; i++) {
        a.advanceCycles(977 + ((i * 104729) % 70000));
        if (a.hasInterrupt()) { a.acknowledge(); w(0xb0, 0); fired++; }
      }
      return { s: JSON.stringify(a.saveState()), fired };
    };
    const x = run(), y = run();
    expect(x).toEqual(y);
    expect(x.fired).toBeGreaterThan(0);
    const b = new LocalApic(2_200_000_000);
    b.loadState(JSON.parse(x.s));
    expect(JSON.stringify(b.saveState())).toBe(x.s);
  });
});
