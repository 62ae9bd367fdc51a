// The MSRs the core only stores (plain-msrs.ts): each keeps its own 64-bit value through WRMSR and
// RDMSR, they start at zero, an MSR the core does not implement raises #GP(0) both ways (APM Vol 3,
// RDMSR/WRMSR), and SWAPGS exchanges GS.base with KERNEL_GS_BASE.
import { describe, expect, it } from 'vitest';
import { StopReason } from './cpu';
import { PhysMem } from '../mem/phys';
import { GP } from './fault';
import { MSR } from './msr';
import { PLAIN_SLOT, plainSlot } from './plain-msrs';
import { readMsr, writeMsr } from './exec/msrs';
import { PageTables, pagedCpu } from './paging-fixture';
import { GS } from './insn';

function cpu64(code: number[] = [0xf4]) {
  const mem = new PhysMem(1 << 20);
  const cpu = pagedCpu(mem, new PageTables(mem, 0x10000).identity(256), false, 0x1000);
  mem.load(0x1000, Uint8Array.from(code));
  return cpu;
}

describe('plain MSRs', () => {
  it('every plain MSR has its own slot and keeps its own value', () => {
    const cpu = cpu64();
    const names = Object.keys(PLAIN_SLOT) as (keyof typeof PLAIN_SLOT)[];
    expect(new Set(names.map((n) => plainSlot(MSR[n]))).size).toBe(names.length);
    for (const n of names) expect(readMsr(cpu, MSR[n])).toEqual([0, 0]);
    // VM_CR takes only its five low bits, VM_HSAVE_PA a page address below 2^48, the rest any canonical value.
    const value = (n: string, k: number): [number, number] =>
      n === 'VM_CR' ? [k & 0x7, 0] : n === 'VM_HSAVE_PA' ? [(k + 1) << 12, k] : [(0x01010101 * (k + 1)) | 0, k];
    names.forEach((n, k) => writeMsr(cpu, MSR[n], ...value(n, k)));
    names.forEach((n, k) => expect(readMsr(cpu, MSR[n]), n).toEqual(value(n, k)));
  });

  it('an MSR the core does not implement raises #GP(0) on read and write', () => {
    const cpu = cpu64();
    expect(plainSlot(0xc0000085)).toBe(-1);
    expect(() => readMsr(cpu, 0xc0000085)).toThrow(expect.objectContaining({ vector: GP, errorCode: 0 }));
    expect(() => writeMsr(cpu, 0xc0000085, 1, 0)).toThrow(expect.objectContaining({ vector: GP, errorCode: 0 }));
    expect(cpu.msrs.get(0xc0000085)).toBeUndefined();
  });

  it('swapgs exchanges GS.base and KERNEL_GS_BASE', () => {
    const cpu = cpu64([0x0f, 0x01, 0xf8, 0xf4]); // swapgs; hlt
    cpu.segBaseLo[GS] = 0x11112222;
    cpu.segBaseHi[GS] = 0x00007fff;
    writeMsr(cpu, MSR.KERNEL_GS_BASE, 0x33334444 | 0, 0xffff8000 | 0);
    expect(cpu.run(10)).toBe(StopReason.Halt);
    expect([cpu.segBaseLo[GS], cpu.segBaseHi[GS]]).toEqual([0x33334444, 0xffff8000 | 0]);
    expect(readMsr(cpu, MSR.KERNEL_GS_BASE)).toEqual([0x11112222, 0x00007fff]);
  });
});
