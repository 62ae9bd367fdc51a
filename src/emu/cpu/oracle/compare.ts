// Compares an emulator result with the native CPU's result for one case.
import { CF, PF, AF, ZF, SF, OF, DF } from '../flags';
import { GPR_NAMES } from '../regs';
import type { OracleResult } from './native';
import type { GenCase } from './cases';

const COMPARED_FLAGS = CF | PF | AF | ZF | SF | OF | DF;

const hex = (v: bigint) => '0x' + v.toString(16);

/** Differences as human-readable lines; empty when the results agree. */
export function compareResults(c: GenCase, native: OracleResult, emu: OracleResult): string[] {
  const d: string[] = [];
  if (native.status !== emu.status) d.push(`status native=${native.status}${native.status === 'fault' ? ` #${native.vector}` : ''} emu=${emu.status}${emu.status === 'fault' ? ` #${emu.vector}` : ''}`);
  else if (native.status === 'fault') {
    if (native.vector !== emu.vector) d.push(`vector native=${native.vector} emu=${emu.vector}`);
    else if (native.vector === 13 && native.errorCode !== emu.errorCode) d.push(`error code native=${native.errorCode} emu=${emu.errorCode}`);
  }
  if (native.rip !== emu.rip) d.push(`rip native=${hex(native.rip)} emu=${hex(emu.rip)}`);
  for (let k = 0; k < 16; k++) {
    if ((c.undefRegs ?? 0) & (1 << k)) continue;
    if (native.regs[k] !== emu.regs[k]) d.push(`${GPR_NAMES[k]} native=${hex(native.regs[k]!)} emu=${hex(emu.regs[k]!)}`);
  }
  const mask = BigInt(COMPARED_FLAGS & ~c.undef);
  if ((native.rflags & mask) !== (emu.rflags & mask)) {
    d.push(`rflags native=${hex(native.rflags & mask)} emu=${hex(emu.rflags & mask)} (mask ${hex(mask)})`);
  }
  const a = native.changed.map(([o, v]) => `${o}:${v}`).join(',');
  const b = emu.changed.map(([o, v]) => `${o}:${v}`).join(',');
  if (a !== b) d.push(`memory native=[${a.slice(0, 120)}] emu=[${b.slice(0, 120)}]`);
  return d;
}

export function describeCase(c: GenCase): string {
  const bytes = Array.from(c.code, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const regs = Array.from(c.regs, (v, k) => `${GPR_NAMES[k]}=${hex(BigInt(v))}`).join(' ');
  return `${c.name}: [${bytes}] rflags=${hex(BigInt(c.rflags))} seed=${c.memSeed}\n    ${regs}`;
}
