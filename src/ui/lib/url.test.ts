import { describe, expect, it } from 'vitest';
import { DEFAULT_LAB, queryToSetup, setupToQuery, tokenToBp, bpToToken, type SavedBreakpoint } from './url';
import { screenToText, CP437 } from './vga';

describe('lab URL', () => {
  it('round-trips a setup with breakpoints', () => {
    const setup = { cpu: 'zen,-NP', mhz: 1600, hv: 'hvmm.elf slice=5', guests: ['g-dummy.elf name=a count=3', 'g-dummy.elf name=b'] };
    const bps: SavedBreakpoint[] = [
      { req: { kind: 'vmexit', exitCode: 0x60, asid: 1 }, enabled: true },
      { req: { kind: 'guest-entry', asid: 2 }, enabled: false },
      { req: { kind: 'address', at: 'vm_boot' }, enabled: true },
      { req: { kind: 'io', port: 0x3f8 }, enabled: true },
      { req: { kind: 'write', pa: 0xb8000, length: 4000 }, enabled: true },
    ];
    const q = setupToQuery(setup, bps);
    expect(q).toContain('bp=vmexit%3AINTR%401');
    const back = queryToSetup(q);
    expect(back.setup).toEqual(setup);
    expect(back.breakpoints).toEqual(bps);
    expect(back.warnings).toEqual([]);
  });
  it('defaults and bad tokens', () => {
    const r = queryToSetup('?mhz=abc&bp=nonsense&bp=vmexit:NOPE');
    expect(r.setup).toEqual(DEFAULT_LAB);
    expect(r.warnings).toHaveLength(3);
    expect(tokenToBp('vmexit:npf')?.req).toEqual({ kind: 'vmexit', exitCode: 0x400 });
    expect(tokenToBp('vmexit:EXCP_PF')?.req).toEqual({ kind: 'vmexit', exitCode: 0x4e });
    expect(bpToToken({ req: { kind: 'vmexit' }, enabled: true })).toBe('vmexit');
  });
  it('the engine: absent by default, interp or jit when chosen', () => {
    expect(setupToQuery(DEFAULT_LAB, [])).not.toContain('engine');
    const jit = { ...DEFAULT_LAB, engine: 'jit' as const };
    expect(queryToSetup(setupToQuery(jit, [])).setup).toEqual(jit);
    expect(queryToSetup('?engine=fast').warnings).toEqual(['ignored engine=fast (interp or jit)']);
  });
});

describe('VGA text', () => {
  it('maps CP437 and trims', () => {
    expect(CP437).toHaveLength(256);
    expect(CP437[0xdb]).toBe('█');
    const cells = new Array(2000).fill(0x0720);
    'hi'.split('').forEach((c, k) => { cells[k] = c.charCodeAt(0) | 0x0f00; });
    expect(screenToText(cells)).toBe('hi');
  });
});
