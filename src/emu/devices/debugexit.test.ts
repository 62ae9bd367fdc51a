import { describe, expect, it } from "vitest";
import { DebugExit } from "./debugexit";
import { IoBus } from "./iobus";

describe("isa-debug-exit", () => {
  it("requests exit with (v << 1) | 1", () => {
    const bus = new IoBus();
    const d = new DebugExit();
    const codes: number[] = [];
    d.onExit = (c) => codes.push(c);
    bus.register(0xf4, 0xf7, d);
    bus.out(0xf4, 1, 0x10);
    bus.out(0xf4, 4, 0x80000000);
    expect(codes).toEqual([0x21, 0x100000001]);
    expect(bus.in(0xf4, 1)).toBe(0xff);
    const s = JSON.stringify(d.saveState());
    const e = new DebugExit();
    e.loadState(JSON.parse(s));
    expect(e.lastCode).toBe(0x100000001);
  });
});
