// The debugger on skeletal.elf (no SVM; PIT ticks): address breakpoints by symbol,
// enable/disable and hit counts, I/O and write breakpoints, stepping over calls,
// stepping out, counted runs.
import { describe, expect, it } from 'vitest';
import * as iced from 'iced-x86';
import { Machine } from '../machine/machine';
import { bootSkeletal, image } from './testutil';
import { insnAtRip, isCall } from './stepping';
import { readLinear, ripLinear, rspValue } from './world';

function u64(b: Uint8Array): number {
  const dv = new DataView(b.buffer, b.byteOffset, 8);
  return dv.getUint32(4, true) * 4294967296 + dv.getUint32(0, true);
}

describe('debugger on skeletal.elf', () => {
  it('breaks at a function by symbol name, counts hits, and a disabled breakpoint is not hit', () => {
    const { m, dbg } = bootSkeletal(3);
    const addr = dbg.symbols.resolve('timer_tick')!.address;
    expect(addr).toBeGreaterThan(0x100000);
    const bp = dbg.addBreakpoint({ kind: 'address', at: 'timer_tick' });
    expect(m.cpu.insnHook).not.toBeNull();
    const s1 = dbg.run();
    expect(s1.reason).toBe('breakpoint');
    expect(s1.machine).toEqual({ kind: 'breakpoint' });
    expect(s1.hits.map((h) => h.breakpoint.id)).toEqual([bp.id]);
    expect(ripLinear(m.cpu)).toBe(addr);
    expect(s1.symbol).toBe('timer_tick');
    expect(s1.world).toBe(0);
    expect(bp.hits).toBe(1);
    expect(m.serial()).not.toMatch(/tick 1/);
    // Resuming at the breakpoint does not re-hit it: the next hit is the next tick.
    const i1 = m.cpu.instructions;
    const s2 = dbg.run();
    expect(s2.reason).toBe('breakpoint');
    expect(bp.hits).toBe(2);
    expect(m.cpu.instructions).toBeGreaterThan(i1 + 100);
    expect(m.serial()).toMatch(/tick 1\r?\n/);
    expect(m.serial()).not.toMatch(/tick 2/);
    dbg.disableBreakpoint(bp.id);
    expect(m.cpu.insnHook).toBeNull(); // full speed again
    const s3 = dbg.run();
    expect(s3.reason).toBe('machine');
    expect(s3.machine).toEqual({ kind: 'debug-exit', code: 1 });
    expect(bp.hits).toBe(2);
    expect(m.serial()).toMatch(/tick 3\r?\n.*done/);
  });

  it('hits a breakpoint the same way when the run is cut into one-instruction time slices', () => {
    const { m, dbg } = bootSkeletal(3);
    dbg.addBreakpoint({ kind: 'address', at: 'cmdline_get' });
    const whole = dbg.run();
    expect(whole.symbol).toBe('cmdline_get');
    const sliced = bootSkeletal(3);
    sliced.dbg.addBreakpoint({ kind: 'address', at: 'cmdline_get' });
    // Every instruction ends a slice: a slice that ends on the breakpoint must not skip it.
    let s = sliced.dbg.run(1);
    let slices = 1;
    while (s.reason === 'time' && slices < 200_000) { s = sliced.dbg.run(1); slices++; }
    expect(slices).toBeGreaterThan(1000);
    expect(s.reason).toBe('breakpoint');
    expect([s.instructions, s.rip, s.cycles]).toEqual([whole.instructions, whole.rip, m.cpu.cycles]);
  });

  it('removes breakpoints and re-enables them', () => {
    const { m, dbg } = bootSkeletal(3);
    const a = dbg.addBreakpoint({ kind: 'address', at: 'timer_tick' });
    const b = dbg.addBreakpoint({ kind: 'address', at: 'skeletal:pic_eoi' });
    dbg.disableBreakpoint(a.id);
    expect(dbg.run().hits[0]!.breakpoint.id).toBe(b.id);
    expect(dbg.where().symbol).toBe('pic_eoi');
    dbg.enableBreakpoint(a.id);
    expect(dbg.removeBreakpoint(b.id)).toBe(true);
    expect(dbg.listBreakpoints().map((x) => x.id)).toEqual([a.id]);
    const s = dbg.run();
    expect(s.hits[0]!.breakpoint.id).toBe(a.id);
    expect(b.hits).toBe(1);
    expect(() => dbg.addBreakpoint({ kind: 'address', at: 'no_such_function' })).toThrow(/unknown symbol/);
  });

  it('breaks on an I/O port after the OUT', () => {
    const { m, dbg } = bootSkeletal(1);
    const bp = dbg.addBreakpoint({ kind: 'io', port: 0x3f8, access: 'out' });
    expect(m.ioHook).not.toBeNull();
    expect(m.cpu.insnHook).toBeNull();
    // serial_init writes 0x3F8 too (the divisor latch): stop until a stop put a character out.
    let before = m.serial().length;
    let s = dbg.run();
    for (let k = 0; k < 10 && m.serial().length === before; k++) { before = m.serial().length; s = dbg.run(); }
    expect(s.reason).toBe('breakpoint');
    expect(s.hits[0]!.detail).toMatch(/^out 0x3f8 <- 0x/);
    expect(bp.hits).toBeGreaterThanOrEqual(1);
    // Stopped after the OUT: the byte is out, and the instruction before RIP is `out dx, al` (EE).
    expect(m.serial().length).toBe(before + 1);
    const value = Number(/<- (0x[0-9a-f]+)/.exec(s.hits[0]!.detail)![1]);
    expect(m.serial().charCodeAt(before)).toBe(value);
    expect(readLinear(m.cpu, ripLinear(m.cpu) - 1, 1)![0]).toBe(0xee);
    // And again: one character per stop.
    const hits = bp.hits;
    dbg.run();
    expect(m.serial().length).toBe(before + 2);
    expect(bp.hits).toBe(hits + 1);
    // Only port 0x3F8, and only OUT: an IN breakpoint on it is not hit by the writes.
    dbg.disableBreakpoint(bp.id);
    const inBp = dbg.addBreakpoint({ kind: 'io', port: 0x3f8, access: 'in' });
    const other = dbg.addBreakpoint({ kind: 'io', port: 0x3f9, last: 0x3f9, access: 'out' });
    dbg.runInstructions(20_000);
    expect([inBp.hits, other.hits]).toEqual([0, 0]);
    dbg.removeBreakpoint(inBp.id);
    dbg.removeBreakpoint(other.id);
    dbg.removeBreakpoint(bp.id);
    expect(m.ioHook).toBeNull();
  });

  it('breaks after the instruction that writes a watched physical range', () => {
    const { m, dbg } = bootSkeletal(2);
    const ticks = dbg.symbols.resolve('ticks')!.address; // identity-mapped: physical = linear
    const bp = dbg.addBreakpoint({ kind: 'write', pa: ticks, length: 8 });
    expect(m.mem.onWatchedWrite).not.toBeNull();
    expect(m.cpu.insnHook).toBeNull();
    // First the boot code clears .bss (ticks included), then timer_tick increments it.
    const s0 = dbg.run();
    expect(s0.reason).toBe('breakpoint');
    expect(s0.symbol).toMatch(/^_start\+0x/);
    let s = dbg.run();
    for (let k = 0; k < 20 && !/^timer_tick/.test(s.symbol ?? ''); k++) s = dbg.run(); // the rest of the .bss clear
    expect(s.reason).toBe('breakpoint');
    expect(s.hits[0]!.detail).toMatch(new RegExp(`^write 0x${ticks.toString(16)}`));
    expect(s.symbol).toMatch(/^timer_tick\+0x/);
    expect(m.mem.read32(ticks)).toBe(1);
    const n = m.cpu.instructions;
    // Replay: one instruction earlier the value was not written yet; that one instruction writes it.
    const r = bootSkeletal(2);
    r.dbg.runInstructions(n - 1);
    expect(r.m.mem.read32(ticks)).toBe(0);
    r.dbg.step();
    expect(r.m.mem.read32(ticks)).toBe(1);
    expect(r.m.cpu.instructions).toBe(n);
    expect(ripLinear(r.m.cpu)).toBe(ripLinear(m.cpu));
    // Removing the watchpoint clears the watch flag but not the page's code flag.
    dbg.removeBreakpoint(bp.id);
    expect(m.mem.codePage[Math.floor(ticks / 4096)]! & 2).toBe(0);
    expect(m.mem.onWatchedWrite).toBeNull();
    expect(dbg.run().machine.kind).toBe('debug-exit');
  });

  it('steps over a call: lands on the next instruction at the same stack depth after the callee ran', () => {
    const { m, dbg } = bootSkeletal(1);
    dbg.addBreakpoint({ kind: 'address', at: 'kmain' });
    dbg.run();
    dbg.disableBreakpoint(1);
    let i = insnAtRip(m.cpu)!;
    for (let k = 0; k < 50 && !isCall(i); k++) { dbg.stepOver(); i = insnAtRip(m.cpu)!; }
    expect(isCall(i)).toBe(true);
    const rip = ripLinear(m.cpu), rsp = rspValue(m.cpu), n = m.cpu.instructions;
    const s = dbg.stepOver();
    expect(s.reason).toBe('step');
    expect(ripLinear(m.cpu)).toBe(rip + i.len);
    expect(rspValue(m.cpu)).toBe(rsp);
    expect(m.cpu.instructions).toBeGreaterThan(n + 2);
    // A plain step at a call enters the callee instead.
    let j = insnAtRip(m.cpu)!;
    for (let k = 0; k < 50 && !isCall(j); k++) { dbg.stepOver(); j = insnAtRip(m.cpu)!; }
    const rip2 = ripLinear(m.cpu), n2 = m.cpu.instructions;
    dbg.step();
    expect(m.cpu.instructions).toBe(n2 + 1);
    expect(ripLinear(m.cpu)).not.toBe(rip2 + j.len);
    expect(rspValue(m.cpu)).toBe(rsp - 8);
  });

  it('steps out of a function to its return address', () => {
    const { m, dbg } = bootSkeletal(2);
    dbg.addBreakpoint({ kind: 'address', at: 'timer_tick' });
    dbg.run();
    const rsp = rspValue(m.cpu);
    const ret = u64(readLinear(m.cpu, rsp, 8)!);
    const n = m.cpu.instructions;
    const s = dbg.stepOut();
    expect(s.reason).toBe('step');
    expect(ripLinear(m.cpu)).toBe(ret);
    expect(rspValue(m.cpu)).toBe(rsp + 8);
    expect(m.cpu.instructions).toBeGreaterThan(n + 100); // through kprintf and its callees
    expect(s.symbol).toBe(dbg.symbols.describe(ret, 0));
    expect(s.symbol).toMatch(/^isr_(dispatch|common)\+0x/);
  });

  it('runs exactly N instructions, and a counted run equals N single steps', () => {
    const { m, dbg } = bootSkeletal(2);
    const n0 = m.cpu.instructions;
    const s = dbg.runInstructions(12345);
    expect(s.reason).toBe('count');
    expect(m.cpu.instructions - n0).toBe(12345);
    expect(dbg.runInstructions(0).reason).toBe('count');
    expect(m.cpu.instructions - n0).toBe(12345);
    const r = bootSkeletal(2);
    for (let k = 0; k < 300; k++) r.dbg.step();
    dbg.runInstructions(0);
    const a = bootSkeletal(2);
    a.dbg.runInstructions(r.m.cpu.instructions);
    expect(ripLinear(a.m.cpu)).toBe(ripLinear(r.m.cpu));
    expect([...a.m.cpu.r]).toEqual([...r.m.cpu.r]);
    // Across the timer interrupts and HLT: devices advance (ticks arrive) during counted runs.
    const t = bootSkeletal(2);
    let stop = t.dbg.runInstructions(20_000);
    while (stop.reason === 'count') stop = t.dbg.runInstructions(20_000);
    expect(stop.machine).toEqual({ kind: 'debug-exit', code: 1 });
    expect(t.m.serial()).toMatch(/tick 2\r?\n/);
  });

  it('disassembles at RIP with symbols through iced-x86', () => {
    const { dbg } = bootSkeletal(1);
    dbg.addBreakpoint({ kind: 'address', at: 'timer_tick' });
    dbg.run();
    const lines = dbg.disassemble(iced, { count: 40 });
    expect(lines[0]!.symbol).toBe('timer_tick');
    expect(lines[0]!.address).toBe(dbg.symbols.resolve('timer_tick')!.address);
    expect(lines.every((l) => !l.invalid)).toBe(true);
    expect(lines.some((l) => /^call\s.*<pic_eoi>$/.test(l.text))).toBe(true);
    expect(lines.some((l) => /<kprintf>/.test(l.text))).toBe(true);
    let a = lines[0]!.address;
    for (const l of lines) { expect(l.address).toBe(a); a += l.length; }
  });

  it('installs no hooks without breakpoints, so a debugged run is the free run', () => {
    const { m, dbg } = bootSkeletal(2);
    expect(m.cpu.insnHook).toBeNull();
    expect(m.ioHook).toBeNull();
    expect(m.mem.onWatchedWrite).toBeNull();
    const s = dbg.run();
    expect(s.machine).toEqual({ kind: 'debug-exit', code: 1 });
    const free = new Machine();
    free.bootMultiboot(image('skeletal.elf'), { cmdline: 'skeletal.elf skeletal name=x ticks=2' });
    expect(free.run(2e10)).toEqual(s.machine);
    expect([m.cpu.instructions, m.cpu.cycles, m.serial()]).toEqual([free.cpu.instructions, free.cpu.cycles, free.serial()]);
  });
});
