// The VMCB table is a well-formed layout: naturally aligned fields that do not
// overlap, inside one page, with the area boundary at 0x400 and the offsets the
// APM's Appendix B gives for the fields every hypervisor touches.
import { describe, expect, it } from 'vitest';
import { VMCB_FIELDS, VMCB_SIZE, VMCB_SAVE_AREA, vmcbField } from './vmcb';
import { VMEXIT, exitName } from './exitcodes';
import { INTERCEPTS, interceptNames } from './intercepts';

describe('VMCB layout', () => {
  it('fields are aligned, inside the page, and do not overlap', () => {
    const sorted = [...VMCB_FIELDS].sort((a, b) => a.offset - b.offset);
    for (let k = 0; k < sorted.length; k++) {
      const x = sorted[k]!;
      expect(x.offset % x.size, x.name).toBe(0);
      expect(x.offset + x.size).toBeLessThanOrEqual(VMCB_SIZE);
      expect(x.area).toBe(x.offset < VMCB_SAVE_AREA ? 'control' : 'save');
      if (k > 0) expect(sorted[k - 1]!.offset + sorted[k - 1]!.size, `${sorted[k - 1]!.name} overlaps ${x.name}`).toBeLessThanOrEqual(x.offset);
    }
    expect(new Set(VMCB_FIELDS.map((x) => x.name)).size).toBe(VMCB_FIELDS.length);
  });

  it('has the Appendix B offsets', () => {
    const expected: Record<string, number> = {
      intercept_misc1: 0x00c, iopm_base_pa: 0x040, msrpm_base_pa: 0x048, guest_asid: 0x058, exitcode: 0x070,
      exitinfo1: 0x078, exitinfo2: 0x080, exitintinfo: 0x088, np_enable: 0x090, eventinj: 0x0a8, n_cr3: 0x0b0,
      next_rip: 0x0c8, 'es.selector': 0x400, 'cs.attrib': 0x412, 'tr.base': 0x498, cpl: 0x4cb, efer: 0x4d0,
      cr4: 0x548, cr3: 0x550, cr0: 0x558, rflags: 0x570, rip: 0x578, rsp: 0x5d8, rax: 0x5f8, star: 0x600,
      kernel_gs_base: 0x620, cr2: 0x640, g_pat: 0x668,
    };
    for (const [name, off] of Object.entries(expected)) expect(vmcbField(name).offset, name).toBe(off);
    expect(() => vmcbField('exit_code')).toThrow(/no VMCB field/);
  });
});


describe('exit codes', () => {
  it('are unique and named', () => {
    const codes = Object.values(VMEXIT);
    expect(new Set(codes).size).toBe(codes.length);
    expect(exitName(VMEXIT.HLT)).toBe('HLT');
    expect(exitName(0x013)).toBe('CR3_WRITE');
    expect(exitName(0x04e)).toBe('EXCP_PF');
    expect(exitName(0x05f)).toBe('EXCP_31');
    expect(exitName(-1)).toBe('INVALID');
    expect(exitName(0x3ff)).toMatch(/unknown/);
  });
});

describe('intercept bits', () => {
  it('cover each bit of the two instruction-intercept words at most once and map to distinct exits', () => {
    const seen = new Set(INTERCEPTS.map((x) => `${x.word}:${x.bit}`));
    expect(seen.size).toBe(INTERCEPTS.length);
    expect(new Set(INTERCEPTS.map((x) => x.exit)).size).toBe(INTERCEPTS.length);
    for (const x of INTERCEPTS) expect(x.word === vmcbField('intercept_misc1').offset || x.word === vmcbField('intercept_misc2').offset).toBe(true);
    expect(interceptNames((1 << 24) | 1, 1 << 1)).toEqual(['INTR', 'HLT', 'VMMCALL']);
  });
});
