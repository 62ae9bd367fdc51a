import { describe, expect, it } from "vitest";
import { Pit8254, PIT_HZ } from "./pit8254";

function pitWithLog(cpuHz = 2_000_000_000) {
  const pit = new Pit8254(cpuHz);
  const edges: boolean[] = [];
  pit.irq0 = (l) => edges.push(l);
  return { pit, edges, out: (p: number, v: number) => pit.ioWrite(p, 1, v), inb: (p: number) => pit.ioRead(p, 1) };
}

describe("8254 PIT", () => {
  it("mode 2 with count 11932 interrupts every 11932 ticks; nextEventCycles exact at 2 GHz", () => {
    const { pit, edges, out } = pitWithLog();
    out(0x43, 0x34); out(0x40, 11932 & 0xff); out(0x40, 11932 >> 8);
    edges.length = 0;
    let rises = 0;
    pit.irq0 = (l) => { if (l) rises++; };
    // Run the way the machine would: exactly up to each event.
    let cycles = 0;
    const riseTimes: number[] = [];
    while (riseTimes.length < 5) {
      const n = pit.nextEventCycles();
      expect(n).toBeGreaterThan(0);
      const before = rises;
      pit.advanceCycles(n);
      cycles += n;
      if (rises > before) riseTimes.push(cycles);
    }
    // Rising edge k at tick 11932*k: the first cycle count c with floor(c*PIT_HZ/2e9) >= 11932k.
    riseTimes.forEach((c, i) => {
      const k = 11932 * (i + 1);
      expect(c).toBe(Math.ceil((k * 2_000_000_000) / PIT_HZ));
      expect(Math.floor(((c - 1) * PIT_HZ) / 2_000_000_000)).toBe(k - 1);
    });
  });

  it("mode 2 OUT is low for exactly one tick before reload", () => {
    const { pit, out, edges } = pitWithLog();
    out(0x43, 0x34); out(0x40, 10); out(0x40, 0);
    edges.length = 0;
    pit.advance(8);
    expect(edges).toEqual([]);
    expect(pit.nextEventTicks()).toBe(1);
    pit.advance(1);
    expect(edges).toEqual([false]);
    expect(pit.nextEventTicks()).toBe(1);
    pit.advance(1);
    expect(edges).toEqual([false, true]);
    expect(pit.nextEventTicks()).toBe(9);
    // Many periods in one advance still produce a rising edge.
    edges.length = 0;
    pit.advance(95);
    expect(edges).toEqual([false, true]);
  });

  it("lohi write, counter latch and readback", () => {
    const { pit, out, inb } = pitWithLog();
    out(0x43, 0x34); out(0x40, 0x00); out(0x40, 0x10); // 0x1000, mode 2
    pit.advance(0x10);
    out(0x43, 0x00); // latch channel 0
    pit.advance(5);
    expect(inb(0x40)).toBe(0xf0);
    pit.advance(5);
    expect(inb(0x40)).toBe(0x0f); // still the latched 0x0ff0
    // live read continues from the real count
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(0x1000 - 0x10 - 10);
    // read-back: status + count of channel 0
    out(0x43, 0xc2);
    const status = inb(0x40);
    expect(status).toBe(0x80 | (3 << 4) | (2 << 1)); // OUT high, lohi, mode 2, not null
    expect(inb(0x40) | (inb(0x40) << 8)).toBe(0x1000 - 0x10 - 10);
    // read-back of status only while a count write is pending reports NULL COUNT
    out(0x43, 0xb0); out(0x42, 0x34);
    out(0x43, 0xe8); // status only, channel 2
    expect(inb(0x42) & 0x40).toBe(0x40);
  });

  it("lobyte / hibyte access modes and count 0 = 65536", () => {
    const { pit, out, inb } = pitWithLog();
    out(0x43, 0x10 | 0x04); // ch0 lobyte, mode 2
    out(0x40, 0x00);        // count 0 -> 65536
    pit.advance(1);
    expect(inb(0x40)).toBe(0xff); // 65535 low byte
    expect(pit.nextEventTicks()).toBe(65534);
    out(0x43, 0x20 | 0x04); // hibyte
    out(0x40, 0x02); // a control word stops the counter: this count loads at once
    expect(pit.channels[0].n).toBe(0x200);
    pit.advance(0x100);
    out(0x40, 0x03); // written while counting: waits for the reload (mode 2)
    expect(pit.channels[0].n).toBe(0x200);
    expect(inb(0x40)).toBe(0x01);
    pit.advance(0x100);
    expect(pit.channels[0].n).toBe(0x300);
    expect(inb(0x40)).toBe(0x03);
  });

  it("mode 0 raises OUT at terminal count and stays high", () => {
    const { pit, out, edges } = pitWithLog();
    out(0x43, 0x30); // ch0 lohi mode 0
    expect(edges).toEqual([false]);
    out(0x40, 100); out(0x40, 0);
    expect(pit.nextEventTicks()).toBe(100);
    pit.advance(99);
    expect(edges).toEqual([false]);
    pit.advance(1);
    expect(edges).toEqual([false, true]);
    pit.advance(200000);
    expect(edges).toEqual([false, true]);
    expect(pit.nextEventCycles()).toBe(Infinity);
  });

  it("mode 3 square wave, mode 4 strobe, BCD", () => {
    const { pit, out, edges } = pitWithLog();
    out(0x43, 0x36); out(0x40, 5); out(0x40, 0); // mode 3, N=5: high 3, low 2
    edges.length = 0;
    expect(pit.nextEventTicks()).toBe(3);
    pit.advance(3); expect(edges).toEqual([false]);
    expect(pit.nextEventTicks()).toBe(2);
    pit.advance(2); expect(edges).toEqual([false, true]);
    out(0x43, 0x38); out(0x40, 4); out(0x40, 0); // mode 4
    edges.length = 0;
    pit.advance(4); expect(edges).toEqual([false]);
    pit.advance(1); expect(edges).toEqual([false, true]);
    pit.advance(100000); expect(edges).toEqual([false, true]);
    out(0x43, 0x35); out(0x40, 0x00); out(0x40, 0x10); // BCD 1000, mode 2
    expect(pit.channels[0].n).toBe(1000);
    pit.advance(1);
    out(0x43, 0x00);
    expect(pit.ioRead(0x40, 1)).toBe(0x99);
    expect(pit.ioRead(0x40, 1)).toBe(0x09);
  });

  it("channel 2 gate and mode 1 trigger", () => {
    const { pit, out } = pitWithLog();
    out(0x43, 0xb2); out(0x42, 10); out(0x42, 0); // ch2 mode 1
    expect(pit.channels[2].out()).toBe(true);
    pit.advance(50);
    expect(pit.channels[2].out()).toBe(true);
    pit.setGate2(true);
    expect(pit.channels[2].out()).toBe(false);
    pit.advance(10);
    expect(pit.channels[2].out()).toBe(true);
  });

  it("is deterministic and round-trips its state", () => {
    const run = () => {
      const { pit, out, edges } = pitWithLog(1_600_000_000);
      out(0x43, 0x34); out(0x40, 0x9c); out(0x40, 0x2e);
      for (let i = 0; i < 2000; i++) pit.advanceCycles(1000 + ((i * 7919) % 50000));
      out(0x43, 0xc2);
      return { state: JSON.stringify(pit.saveState()), edges: edges.length };
    };
    const a = run(), b = run();
    expect(a).toEqual(b);
    const p2 = new Pit8254(1_600_000_000);
    p2.loadState(JSON.parse(a.state));
    expect(JSON.stringify(p2.saveState())).toBe(a.state);
  });
});
