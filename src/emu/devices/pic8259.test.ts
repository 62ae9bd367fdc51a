import { describe, expect, it } from "vitest";
import { Pic8259 } from "./pic8259";

function initPics(pic: Pic8259, masterBase = 0x20, slaveBase = 0x28) {
  const out = (p: number, v: number) => pic.ioWrite(p, 1, v);
  // The Linux / hobby-kernel sequence: ICW1 0x11, ICW2 base, ICW3 cascade, ICW4 0x01.
  out(0x20, 0x11); out(0xa0, 0x11);
  out(0x21, masterBase); out(0xa1, slaveBase);
  out(0x21, 0x04); out(0xa1, 0x02);
  out(0x21, 0x01); out(0xa1, 0x01);
  out(0x21, 0x00); out(0xa1, 0x00);
  return out;
}

describe("8259A PIC pair", () => {
  it("delivers an edge-triggered IRQ with the programmed vector, then EOI", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    expect(pic.hasInterrupt()).toBe(false);
    pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x20);
    expect(pic.hasInterrupt()).toBe(false);
    out(0x20, 0x0b); // OCW3: read ISR
    expect(pic.ioRead(0x20, 1)).toBe(0x01);
    // still high: no new edge, no new request
    pic.setIrq(0, false); pic.setIrq(0, true);
    expect(pic.hasInterrupt()).toBe(false); // IRQ0 in service blocks itself
    out(0x20, 0x20); // non-specific EOI
    expect(pic.ioRead(0x20, 1)).toBe(0x00);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x20);
  });

  it("masks requests with OCW1 and reads IRR", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    out(0x21, 0x02); // mask IRQ1
    pic.setIrq(1, true);
    expect(pic.hasInterrupt()).toBe(false);
    out(0x20, 0x0a);
    expect(pic.ioRead(0x20, 1)).toBe(0x02);
    expect(pic.ioRead(0x21, 1)).toBe(0x02);
    out(0x21, 0x00);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.acknowledge()).toBe(0x21);
  });

  it("resolves priority between two pending IRQs and nests a higher one", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    pic.setIrq(4, true);
    pic.setIrq(1, true);
    expect(pic.acknowledge()).toBe(0x21); // IRQ1 before IRQ4
    expect(pic.hasInterrupt()).toBe(false); // IRQ4 is lower than in-service IRQ1
    pic.setIrq(0, true);
    expect(pic.acknowledge()).toBe(0x20); // IRQ0 nests above IRQ1
    out(0x20, 0x20); // EOI IRQ0
    expect(pic.hasInterrupt()).toBe(false);
    out(0x20, 0x61); // specific EOI IRQ1
    expect(pic.acknowledge()).toBe(0x24);
  });

  it("cascades slave IRQs through IR2 and needs EOI on both", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    pic.setIrq(12, true);
    expect(pic.hasInterrupt()).toBe(true);
    expect(pic.pendingIrq()).toBe(12);
    expect(pic.acknowledge()).toBe(0x2c);
    out(0xa0, 0x0b); expect(pic.ioRead(0xa0, 1)).toBe(0x10);
    out(0x20, 0x0b); expect(pic.ioRead(0x20, 1)).toBe(0x04);
    out(0xa0, 0x20); out(0x20, 0x20);
    expect(pic.ioRead(0x20, 1)).toBe(0);
  });

  it("gives spurious IRQ7 and IRQ15 when the request vanishes before INTA", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    pic.setIrq(3, true);
    expect(pic.hasInterrupt()).toBe(true);
    pic.setIrq(3, false);
    expect(pic.acknowledge()).toBe(0x27);
    out(0x20, 0x0b); expect(pic.ioRead(0x20, 1)).toBe(0); // ISR bit 7 not set
    pic.setIrq(10, true);
    pic.setIrq(10, false); // vanishes after the master saw IR2... (slave INT dropped too)
    expect(pic.hasInterrupt()).toBe(false);
    // a slave request that vanishes between master resolution and the slave's INTA
    pic.setIrq(10, true);
    pic.slave.setInput(2, false);
    expect(pic.acknowledge()).toBe(0x2f);
    expect(pic.ioRead(0x20, 1)).toBe(0x04); // master IR2 in service: Linux EOIs the master
  });

  it("supports auto-EOI, level mode via ELCR, and poll", () => {
    const pic = new Pic8259();
    const out = (p: number, v: number) => pic.ioWrite(p, 1, v);
    out(0x20, 0x11); out(0x21, 0x08); out(0x21, 0x04); out(0x21, 0x03); // AEOI
    out(0x21, 0);
    pic.setIrq(5, true);
    expect(pic.acknowledge()).toBe(0x0d);
    out(0x20, 0x0b); expect(pic.ioRead(0x20, 1)).toBe(0);
    // level mode: the request persists while the line is high
    out(0x4d0, 0x20);
    expect(pic.ioRead(0x4d0, 1)).toBe(0x20);
    expect(pic.acknowledge()).toBe(0x0d);
    expect(pic.hasInterrupt()).toBe(true);
    pic.setIrq(5, false);
    expect(pic.hasInterrupt()).toBe(false);
    out(0x4d0, 0x07); expect(pic.ioRead(0x4d0, 1)).toBe(0); // IRQ0-2 are edge only
    pic.setIrq(6, true);
    out(0x20, 0x0c); // poll
    expect(pic.ioRead(0x20, 1)).toBe(0x86);
    expect(pic.hasInterrupt()).toBe(false);
  });

  it("rotates priority on rotate-EOI", () => {
    const pic = new Pic8259();
    const out = initPics(pic);
    pic.setIrq(0, true); pic.setIrq(1, true);
    expect(pic.acknowledge()).toBe(0x20);
    out(0x20, 0xa0); // rotate on non-specific EOI: IRQ0 becomes lowest
    pic.setIrq(0, false); pic.setIrq(0, true);
    expect(pic.acknowledge()).toBe(0x21);
  });

  it("round-trips its state", () => {
    const pic = new Pic8259();
    initPics(pic);
    pic.setIrq(1, true); pic.setIrq(9, true); pic.acknowledge();
    const s = JSON.stringify(pic.saveState());
    const p2 = new Pic8259();
    p2.loadState(JSON.parse(s));
    expect(JSON.stringify(p2.saveState())).toBe(s);
    expect(p2.acknowledge()).toBe(pic.acknowledge());
  });
});
