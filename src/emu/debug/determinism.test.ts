// DESIGN.md principle 1: the same images with the same breakpoints stop at the
// same instruction counts, leave the same screens, and log the same world
// switches (all but host time), every time.
import { describe, expect, it } from 'vitest';
import { VMEXIT } from '../svm/exitcodes';
import { bootSkeletal, bootSvmTests } from './testutil';
import type { Debugger } from './debugger';
import type { Machine } from '../machine/machine';

function session(boot: () => { m: Machine; dbg: Debugger }, setup: (dbg: Debugger) => void, maxInstructions: number) {
  const { m, dbg } = boot();
  setup(dbg);
  const stops: string[] = [];
  for (let k = 0; k < 50_000 && m.cpu.instructions < maxInstructions; k++) {
    const s = dbg.run(5e6);
    if (s.reason === 'machine') break;
    if (s.reason === 'breakpoint') stops.push(`${s.hits.map((h) => `${h.breakpoint.id}:${h.detail}`).join(',')} @${s.instructions}/${s.cycles} ${s.worldName} ${s.rip} ${s.symbol ?? ''}`);
  }
  return {
    stops,
    instructions: m.cpu.instructions,
    screen: m.screen(),
    guestScreens: m.guestScreens(),
    serial: m.serial(),
    log: dbg.log.entries().map(({ hostMs: _h, ...rest }) => rest),
    hits: dbg.listBreakpoints().map((b) => [b.id, b.hits]),
  };
}

describe('debugger determinism', () => {
  it('svm-tests.elf twice with the same breakpoints: same stops, screens and world-switch log', () => {
    const setup = (dbg: Debugger) => {
      dbg.addBreakpoint({ kind: 'vmexit', exitCode: VMEXIT.NPF });
      dbg.addBreakpoint({ kind: 'guest-entry', asid: 4 });
      dbg.addBreakpoint({ kind: 'address', at: 'run_guest_asm' });
      dbg.addBreakpoint({ kind: 'io', port: 0x3f8, access: 'out' });
    };
    const a = session(bootSvmTests, setup, Infinity);
    const b = session(bootSvmTests, setup, Infinity);
    expect(a.stops.length).toBeGreaterThan(100);
    expect(a.stops.some((s) => s.startsWith('1:'))).toBe(true);
    expect(a.stops.some((s) => s.startsWith('2:'))).toBe(true);
    expect(a.stops.some((s) => s.startsWith('3:'))).toBe(true);
    expect(a.log.length).toBeGreaterThan(50);
    expect(b).toEqual(a);
  });

  it('skeletal.elf twice with address, I/O and write breakpoints', () => {
    const setup = (dbg: Debugger) => {
      dbg.addBreakpoint({ kind: 'address', at: 'timer_tick' });
      dbg.addBreakpoint({ kind: 'address', at: 'vga_putc' });
      dbg.addBreakpoint({ kind: 'write', pa: 0xb8000 + 160 * 10, length: 160 });
      dbg.addBreakpoint({ kind: 'io', port: 0x20, access: 'out' });
    };
    const a = session(() => bootSkeletal(3), setup, Infinity);
    const b = session(() => bootSkeletal(3), setup, Infinity);
    expect(a.stops.filter((s) => s.startsWith('1:'))).toHaveLength(3);
    expect(a.stops.some((s) => s.startsWith('3:'))).toBe(true);
    expect(a.serial).toMatch(/done/);
    expect(b).toEqual(a);
  });
});
