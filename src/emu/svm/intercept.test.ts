// The one intercept predicate agrees with the intercept table for every bit
// (each bit makes exactly its own exit code intercepted), and the permission
// maps are read at the offsets APM §15.10-15.11 give.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu/cpu';
import { PhysMem } from '../mem/phys';
import { INTERCEPTS } from './intercepts';
import { VMEXIT } from './exitcodes';
import { intercepted, ioIntercepted, msrIntercepted } from './intercept';

function guestCpu(): Cpu {
  const c = new Cpu(new PhysMem(1 << 20));
  c.svm.guest = true;
  c.svm.iopm = 0x10000;
  c.svm.msrpm = 0x20000;
  return c;
}

describe('intercept predicate', () => {
  it('each table bit intercepts exactly its exit code', () => {
    const c = guestCpu();
    const all = INTERCEPTS.map((x) => x.exit);
    for (const x of INTERCEPTS) {
      c.svm.icpt.fill(0);
      c.svm.icpt[x.word === 0x00c ? 3 : 4] = 1 << x.bit;
      for (const code of all) expect(intercepted(c, code), `${x.name} bit -> exit ${code.toString(16)}`).toBe(code === x.exit);
    }
  });

  it('CR, DR and exception bitmaps map to their exit codes', () => {
    const c = guestCpu();
    c.svm.icpt[0] = (1 << 3) | (1 << (16 + 0)); // CR3 read, CR0 write
    c.svm.icpt[1] = 1 << (16 + 7); // DR7 write
    c.svm.icpt[2] = 1 << 14; // #PF
    expect([VMEXIT.CR0_READ + 3, VMEXIT.CR0_WRITE, VMEXIT.DR0_WRITE + 7, VMEXIT.EXCP_BASE + 14].map((e) => intercepted(c, e))).toEqual([true, true, true, true]);
    expect([VMEXIT.CR0_READ, VMEXIT.CR0_WRITE + 3, VMEXIT.DR0_READ + 7, VMEXIT.EXCP_BASE + 13].map((e) => intercepted(c, e))).toEqual([false, false, false, false]);
    c.svm.guest = false;
    expect(intercepted(c, VMEXIT.CR0_WRITE), 'nothing is intercepted outside a guest').toBe(false);
  });

  it('reads the I/O map per byte of the access and the MSR map per range', () => {
    const c = guestCpu();
    c.svm.icpt[3] = (1 << 27) | (1 << 28); // IOIO_PROT, MSR_PROT
    c.mem.write8(0x10000 + (0x71 >> 3), 1 << (0x71 & 7)); // port 0x71
    expect(ioIntercepted(c, 0x70, 1)).toBe(false);
    expect(ioIntercepted(c, 0x70, 2), 'a word access at 0x70 touches 0x71').toBe(true);
    expect(ioIntercepted(c, 0x71, 1)).toBe(true);
    c.mem.write8(0x10000 + 0x2000, 1); // port 0x10000 (bit 0 of the byte after the 8 KiB map: an access at 0xFFFF of size 2)
    expect(ioIntercepted(c, 0xffff, 2)).toBe(true);
    // MSR 0xC0000080 (EFER): range 2 at byte offset 0x800; write bit = 2*0x80+1.
    c.mem.write8(0x20000 + 0x800 + ((0x80 * 2 + 1) >> 3), 1 << ((0x80 * 2 + 1) & 7));
    expect(msrIntercepted(c, 0xc0000080, true)).toBe(true);
    expect(msrIntercepted(c, 0xc0000080, false)).toBe(false);
    // MSR 0x10 (TSC): range 1 at offset 0, read bit = 0x20.
    c.mem.write8(0x20000 + (0x20 >> 3), 1 << (0x20 & 7));
    expect(msrIntercepted(c, 0x10, false)).toBe(true);
    // MSR 0xC0010117 (VM_HSAVE_PA): range 3 at 0x1000.
    c.mem.write8(0x20000 + 0x1000 + ((0x117 * 2) >> 3), 1 << ((0x117 * 2) & 7));
    expect(msrIntercepted(c, 0xc0010117, false)).toBe(true);
    expect(msrIntercepted(c, 0x40000000, false), 'MSRs outside the three ranges always exit').toBe(true);
  });
});
