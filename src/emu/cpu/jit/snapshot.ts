// Test support: the CPU state a lockstep comparison looks at, as a plain object
// (deep-equal comparable), and a digest of RAM.
import { createHash } from 'node:crypto';
import type { Cpu } from '../cpu';
import { getFlags } from '../flags';

export interface CpuSnapshot {
  instructions: number;
  cycles: number;
  rip: string;
  flags: number;
  regs: number[];
  seg: number[];
  cr: number[];
  mode: number;
  cpl: number;
  halted: boolean;
  stop: number;
  guest: boolean;
  gif: boolean;
  vmruns: number;
  exits: number;
  lastFault: string;
  internalError: string;
}

export function snapshot(c: Cpu): CpuSnapshot {
  return {
    instructions: c.instructions,
    cycles: c.cycles,
    rip: `${(c.ripHi >>> 0).toString(16)}:${(c.ripLo >>> 0).toString(16)}`,
    flags: getFlags(c) >>> 0,
    regs: Array.from(c.r),
    seg: [...c.segSel, ...c.segBaseLo, ...c.segBaseHi, ...c.segLimit, ...c.segAttr],
    cr: [c.cr0, c.cr2Lo, c.cr2Hi, c.cr3Lo, c.cr3Hi, c.cr4, c.cr8, c.efer, c.startLo, c.startHi, c.shadowAt],
    mode: c.mode,
    cpl: c.cpl,
    halted: c.halted,
    stop: c.stop,
    guest: c.svm.guest,
    gif: c.svm.gif,
    vmruns: c.svm.vmruns,
    exits: c.svm.exits,
    lastFault: c.lastFault ? `${c.lastFault.toString()} trap=${c.lastFault.trap}` : '',
    internalError: c.internalError,
  };
}

export function ramDigest(u8: Uint8Array): string {
  return createHash('sha1').update(u8).digest('hex');
}
