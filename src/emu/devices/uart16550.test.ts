import { describe, expect, it } from "vitest";
import { Uart16550 } from "./uart16550";

const B = 0x3f8;

function mk(opts = {}) {
  const u = new Uart16550(B, opts);
  const irq: boolean[] = [];
  const tx: number[] = [];
  u.irqLine = (l) => irq.push(l);
  u.onTransmit = (b) => tx.push(b);
  return { u, irq, tx, out: (o: number, v: number) => u.ioWrite(B + o, 1, v), inb: (o: number) => u.ioRead(B + o, 1) };
}

describe("16550A UART", () => {
  it("transmits with LSR polling", () => {
    const { u, tx, out, inb } = mk();
    for (const c of "Hi\n") {
      while (!(inb(5) & 0x20)) { /* wait for THRE */ }
      out(0, c.charCodeAt(0));
    }
    expect(inb(5) & 0x60).toBe(0x60);
    expect(tx).toEqual([0x48, 0x69, 0x0a]);
    expect(u.output()).toBe("Hi\n");
    expect(u.takeOutput()).toBe("Hi\n");
    expect(u.output()).toBe("");
  });

  it("writes the divisor latch under DLAB", () => {
    const { u, out, inb } = mk();
    out(3, 0x80); out(0, 0x01); out(1, 0x00); out(3, 0x03); // 115200 8N1
    expect(inb(0)).toBe(0); // RBR, empty
    expect(inb(1)).toBe(0); // IER
    out(3, 0x83);
    expect(inb(0)).toBe(1);
    expect(inb(1)).toBe(0);
    out(3, 0x03);
    expect(u.output()).toBe("");
    out(7, 0x5a); expect(inb(7)).toBe(0x5a);
  });

  it("loops back transmitted bytes and modem lines", () => {
    const { u, tx, out, inb } = mk();
    out(4, 0x1e); // loopback, RTS, OUT1, OUT2
    out(0, 0xae);
    expect(tx).toEqual([]);
    expect(inb(5) & 1).toBe(1);
    expect(inb(0)).toBe(0xae);
    expect(inb(5) & 1).toBe(0);
    expect(inb(6) & 0xf0).toBe(0x10 | 0x40 | 0x80); // CTS=RTS, RI=OUT1, DCD=OUT2
    out(4, 0x0f);
    expect(u.output()).toBe("");
  });

  it("interrupts on received data and reports FIFO state in IIR", () => {
    const { u, irq, out, inb } = mk();
    out(2, 0xc7); // FIFO on, clear, trigger 14
    expect(inb(2) & 0xc0).toBe(0xc0);
    out(4, 0x0b); // DTR RTS OUT2
    out(1, 0x01); // ERBFI
    expect(irq).toEqual([]);
    u.receive("abc");
    expect(irq).toEqual([true]);
    expect(inb(2)).toBe(0xcc); // below trigger level: character timeout
    expect(String.fromCharCode(inb(0), inb(0), inb(0))).toBe("abc");
    expect(irq).toEqual([true, false]);
    expect(inb(2)).toBe(0xc1);
    u.receive("x".repeat(40)); // FIFO holds 16, the backlog the rest
    expect(inb(2)).toBe(0xc4);
    let n = 0;
    while (inb(5) & 1) { inb(0); n++; }
    expect(n).toBe(40);
  });

  it("raises THRE interrupts, cleared by reading IIR", () => {
    const { irq, out, inb } = mk();
    out(4, 0x08);
    out(1, 0x02); // ETBEI with THR empty: interrupt at once
    expect(irq).toEqual([true]);
    expect(inb(2)).toBe(0x02);
    expect(irq).toEqual([true, false]);
    expect(inb(2)).toBe(0x01);
    out(0, 0x41); // the byte leaves at once: THR empty again
    expect(irq).toEqual([true, false, true]);
    out(4, 0x00); // OUT2 off: the PC's IRQ gate closes
    expect(irq).toEqual([true, false, true, false]);
  });

  it("round-trips its state", () => {
    const { u, out } = mk();
    out(2, 0x01); out(1, 0x03); out(0, 0x41); u.receive([1, 2, 3]);
    const s = JSON.stringify(u.saveState());
    const v = new Uart16550(B);
    v.loadState(JSON.parse(s));
    expect(JSON.stringify(v.saveState())).toBe(s);
    expect(v.ioRead(B, 1)).toBe(1);
  });
});
