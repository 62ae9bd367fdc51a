import { describe, expect, it } from "vitest";
import { IoBus } from "./iobus";
import { MmioMap } from "./mmio";
import { PcDevices } from "./pc";

function mk(now?: () => number) {
  const io = new IoBus();
  const mmio = new MmioMap();
  const ram = new Uint8Array(1 << 20);
  const pc = new PcDevices({ ram, io, mmio, now });
  const out = (p: number, v: number) => io.out(p, 1, v);
  return { io, mmio, ram, pc, out };
}

function initPic(out: (p: number, v: number) => void) {
  out(0x20, 0x11); out(0x21, 0x20); out(0x21, 0x04); out(0x21, 0x01);
  out(0xa0, 0x11); out(0xa1, 0x28); out(0xa1, 0x02); out(0xa1, 0x01);
  out(0x21, 0x00); out(0xa1, 0x00);
}

describe("PcDevices", () => {
  it("routes PIT channel 0 to IRQ 0 through the PIC (LINT0 virtual wire)", () => {
    const { pc, out } = mk();
    initPic(out);
    out(0x43, 0x34); out(0x40, 11932 & 0xff); out(0x40, 11932 >> 8); // 100 Hz
    expect(pc.hasInterrupt()).toBe(false);
    const n = pc.nextEventCycles();
    expect(n).toBeGreaterThan(0);
    pc.advanceCycles(n);
    expect(pc.hasInterrupt()).toBe(false); // OUT went low first
    pc.advanceCycles(pc.nextEventCycles());
    expect(pc.hasInterrupt()).toBe(true);
    expect(pc.acknowledge()).toBe(0x20);
    out(0x20, 0x20);
    expect(pc.cycles).toBe(Math.ceil((11932 * 2e9) / 1193182));
  });

  it("routes the UART to IRQ 4 and the debug-exit port", () => {
    const { pc, out, io } = mk();
    initPic(out);
    out(0x3fc, 0x08); out(0x3f9, 0x01);
    pc.uart.receive("k");
    expect(pc.acknowledge()).toBe(0x24);
    expect(io.in(0x3f8, 1)).toBe(0x6b);
    let code = -1;
    pc.debugExit.onExit = (c) => (code = c);
    io.out(0xf4, 4, 0);
    expect(code).toBe(1);
  });

  it("prefers a deliverable APIC interrupt over the PIC and catches up lazily with now()", () => {
    let now = 0;
    const { pc, out, mmio } = mk(() => now);
    initPic(out);
    mmio.write(0xfee000f0, 4, 0x1ff);
    mmio.write(0xfee003e0, 4, 0xb);
    mmio.write(0xfee00320, 4, 0x41);
    mmio.write(0xfee00380, 4, 1000);
    expect(pc.nextEventCycles()).toBe(20_000);
    pc.pic.setIrq(1, true);
    now = 20_000;
    expect(mmio.read(0xfee00390, 4)).toBe(0);
    expect(pc.acknowledge()).toBe(0x41);
    expect(pc.acknowledge()).toBe(0x21);
    // LINT0 masked: the PIC no longer reaches the CPU
    mmio.write(0xfee00350, 4, 0x10700);
    pc.pic.setIrq(3, true);
    expect(pc.hasInterrupt()).toBe(false);
  });

  it("moves the APIC page with IA32_APIC_BASE", () => {
    const { pc, mmio } = mk();
    expect(pc.lapic.writeApicBaseMsr(0xfed00800, 0)).toBe(true);
    expect(mmio.find(0xfee00030)).toBeUndefined();
    expect(mmio.read(0xfed00030, 4)).toBe(0x00050014);
  });

  it("applies BIOS defaults", () => {
    const { pc, io } = mk();
    pc.biosDefaults();
    expect(io.in(0x21, 1)).toBe(0xfb);
    expect(pc.pit.nextEventTicks()).toBe(32768);
  });

  it("is deterministic and round-trips its state", () => {
    const run = () => {
      const { pc, out, mmio, io, ram } = mk();
      initPic(out);
      out(0x43, 0x36); out(0x40, 0x9c); out(0x40, 0x2e);
      mmio.write(0xfee000f0, 4, 0x1ff); mmio.write(0xfee00320, 4, 0x20050); mmio.write(0xfee00380, 4, 5000);
      let delivered = "";
      for (let i = 0; i < 5000; i++) {
        pc.advanceCycles(Math.min(pc.nextEventCycles(), 3000 + ((i * 7919) % 40000)));
        if (pc.hasInterrupt()) {
          const v = pc.acknowledge();
          delivered += v.toString(16) + ",";
          if (v >= 0x50) mmio.write(0xfee000b0, 4, 0); else out(0x20, 0x20);
          io.out(0x3f8, 1, v);
          ram[0xb8000 + (i % 4000)] = v;
        }
      }
      return { s: JSON.stringify(pc.saveState()), delivered, screen: pc.vga.text().join("\n") };
    };
    const a = run(), b = run();
    expect(a).toEqual(b);
    expect(a.delivered).toContain("20,");
    expect(a.delivered).toContain("50,");
    const { pc } = mk();
    pc.loadState(JSON.parse(a.s));
    expect(JSON.stringify(pc.saveState())).toBe(a.s);
  });
});
