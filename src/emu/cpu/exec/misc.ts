// Flag instructions, cpuid, rdtsc, hlt, int3, the undefined-opcode handlers, nop.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { getFlags, materialize, getCF, CF, PF, AF, ZF, SF, TF, IF, DF, OF, IOPL, NT, AC, ID, RF, VM } from '../flags';
import { CpuFault, GP, UD, BP } from '../fault';
import { cpuidLookup } from '../cpuid';
import { RAX, RBX, RCX, RDX } from '../regs';
import { VMEXIT } from '../../svm/exitcodes';
import { guard } from '../../svm/guard';

export function nop(_c: Cpu, _i: Insn): void {}

export function ud(_c: Cpu, _i: Insn): void {
  throw new CpuFault(UD);
}

/** Bytes that do not decode: #UD, or #GP(0) when longer than 15 bytes. */
export function invalid(_c: Cpu, i: Insn): void {
  throw new CpuFault(i.fault === 'gp' ? GP : UD, i.fault === 'gp' ? 0 : -1);
}

export function pushf(c: Cpu, i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.PUSHF);
  const f = getFlags(c) & ~(RF | VM);
  c.push(i.osize, i.osize === 2 ? f & 0xffff : f, 0);
}

const POPF_BITS = CF | PF | AF | ZF | SF | TF | IF | DF | OF | IOPL | NT | AC | ID;

export function popf(c: Cpu, i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.POPF);
  const v = c.peek(i.osize, 0);
  let mask = POPF_BITS;
  if (c.cpl > 0) mask &= ~IOPL; // only CPL 0 changes IOPL
  if (c.cpl > ((c.flags & IOPL) >>> 12)) mask &= ~IF; // IF needs CPL <= IOPL
  if (i.osize === 2) mask &= 0xffff;
  c.adjustSp(i.osize);
  materialize(c);
  c.flags = (c.flags & ~mask) | (v & mask) | 2;
}

export function sahf(c: Cpu, _i: Insn): void {
  const ah = (c.r[RAX * 2]! >> 8) & 0xff;
  materialize(c);
  const m = CF | PF | AF | ZF | SF;
  c.flags = (c.flags & ~m) | (ah & m);
}

export function lahf(c: Cpu, _i: Insn): void {
  const f = (getFlags(c) & 0xff) | 2;
  c.setR(1, 16 /* AH */, f, 0);
}

export function cmc(c: Cpu, _i: Insn): void {
  const cf = getCF(c);
  materialize(c);
  c.flags = (c.flags & ~CF) | (cf ^ 1);
}
export function clc(c: Cpu, _i: Insn): void {
  materialize(c);
  c.flags &= ~CF;
}
export function stc(c: Cpu, _i: Insn): void {
  materialize(c);
  c.flags |= CF;
}
export function cld(c: Cpu, _i: Insn): void {
  c.flags &= ~DF;
}
export function std(c: Cpu, _i: Insn): void {
  c.flags |= DF;
}

export function cpuid(c: Cpu, _i: Insn): void {
  if (c.svm.guest) guard(c, VMEXIT.CPUID);
  const [a, b, cx, d] = cpuidLookup(c.model, c.r[RAX * 2]!, c.r[RCX * 2]!);
  c.setR(4, RAX, a, 0);
  c.setR(4, RBX, b, 0);
  c.setR(4, RCX, cx, 0);
  c.setR(4, RDX, d, 0);
}

/** rdtsc: the time-stamp counter is the simulated cycle count (deterministic). */
export function rdtsc(c: Cpu, _i: Insn): void {
  if ((c.cr4 & 4) !== 0 && c.cpl > 0) throw new CpuFault(GP, 0); // CR4.TSD
  if (c.svm.guest) guard(c, VMEXIT.RDTSC);
  const t = c.cycles + c.tscOffset + (c.svm.guest ? c.svm.tscOffset : 0);
  c.setR(4, RAX, t % 4294967296, 0);
  c.setR(4, RDX, Math.floor(t / 4294967296), 0);
}

export function hlt(c: Cpu, _i: Insn): void {
  if (c.cpl !== 0) throw new CpuFault(GP, 0);
  if (c.svm.guest) guard(c, VMEXIT.HLT);
  c.halt();
}

export function int3(_c: Cpu, _i: Insn): void {
  throw new CpuFault(BP, -1, true);
}

