// Specialized handlers for the hottest instruction shapes in gcc -O2 code
// (measured with a dynamic histogram over the bench workloads): register
// forms of the ALU, mov, lea, movzx and conditional jumps. bindHandler picks
// one of these when an instruction's decoded shape matches; otherwise the
// general handler runs. Each must behave exactly like the general handler
// (the native-oracle test runs both, since generated cases hit these shapes).
import type { Cpu } from '../cpu';
import { type Insn, type Handler, isBaseDisp64 } from '../insn';
import { Lazy, cond, szp, setArith } from '../flags';
import { shiftValue, hiOut, cfOut, ofOut } from './shift';
import { imulTrunc, mul64 } from './muldiv';
import { getR8, setR8 } from '../regs';
import { alu } from './alu';
import { call, ret } from './control';
import { pushZ, popZ } from './move';
import { canonical } from '../canonical';

const CMP = 7;

// ALU E,G / G,E / E,imm with register operands of 32 or 64 bits. The common
// operations are written out here (no calls) and record lazy flags exactly as
// alu() does; adc and sbb go through alu().

/** dst op src on 64-bit halves; writes the result into r[d], r[d+1] unless cmp. */
function alu64(c: Cpu, op: number, r: Int32Array, d: number, sl: number, sh: number): void {
  const dl = r[d]!, dh = r[d + 1]!;
  let lo: number, hi: number;
  switch (op) {
    case 0: { // add
      const t = (dl >>> 0) + (sl >>> 0);
      lo = t | 0;
      hi = (dh + sh + (t > 0xffffffff ? 1 : 0)) | 0;
      c.lop = Lazy.Add;
      break;
    }
    case 5: case 7: { // sub, cmp
      const t = (dl >>> 0) - (sl >>> 0);
      lo = t | 0;
      hi = (dh - sh - (t < 0 ? 1 : 0)) | 0;
      c.lop = Lazy.Sub;
      break;
    }
    case 1: lo = dl | sl; hi = dh | sh; c.lop = Lazy.Logic; break;
    case 4: lo = dl & sl; hi = dh & sh; c.lop = Lazy.Logic; break;
    case 6: lo = dl ^ sl; hi = dh ^ sh; c.lop = Lazy.Logic; break;
    default: {
      lo = alu(c, op, 8, dl, dh, sl, sh);
      if (op !== CMP) { r[d] = lo; r[d + 1] = c.hi; }
      return;
    }
  }
  c.lsz = 8;
  c.lres = lo; c.lresH = hi;
  c.ldst = dl; c.ldstH = dh;
  c.lsrc = sl; c.lsrcH = sh;
  if (op !== CMP) { r[d] = lo; r[d + 1] = hi; }
}

/** The same for 32-bit operands (the upper half of the destination is zeroed). */
function alu32(c: Cpu, op: number, r: Int32Array, d: number, s: number): void {
  const dl = r[d]!;
  let lo: number;
  switch (op) {
    case 0: lo = (dl + s) | 0; c.lop = Lazy.Add; break;
    case 5: case 7: lo = (dl - s) | 0; c.lop = Lazy.Sub; break;
    case 1: lo = dl | s; c.lop = Lazy.Logic; break;
    case 4: lo = dl & s; c.lop = Lazy.Logic; break;
    case 6: lo = dl ^ s; c.lop = Lazy.Logic; break;
    default: {
      lo = alu(c, op, 4, dl, 0, s, 0);
      if (op !== CMP) { r[d] = lo; r[d + 1] = 0; }
      return;
    }
  }
  c.lsz = 4;
  c.lres = lo;
  c.ldst = dl;
  c.lsrc = s;
  if (op !== CMP) { r[d] = lo; r[d + 1] = 0; }
}

/** test r/m, reg with register operands: and without the write (alu() with AND records Logic). */
function testEGreg(c: Cpu, i: Insn): void {
  const r = c.r;
  const d = i.rm << 1, s = i.reg << 1;
  const dl = r[d]!, sl = r[s]!;
  c.lop = Lazy.Logic;
  c.lres = dl & sl;
  c.ldst = dl;
  c.lsrc = sl;
  if (i.osize === 8) {
    const dh = r[d + 1]!, sh = r[s + 1]!;
    c.lsz = 8;
    c.lresH = dh & sh;
    c.ldstH = dh;
    c.lsrcH = sh;
  } else {
    c.lsz = 4;
  }
}

/** ALU rAX/eAX, imm (opcodes 05, 0D, 25, 2D, 35, 3D ...): aluEIreg on register 0. */
function aluAIwide(c: Cpu, i: Insn): void {
  if (i.osize === 8) alu64(c, i.op >> 3, c.r, 0, i.immLo, i.immHi);
  else alu32(c, i.op >> 3, c.r, 0, i.immLo);
}

function aluEGreg(c: Cpu, i: Insn): void {
  const r = c.r;
  const s = i.reg << 1;
  if (i.osize === 8) alu64(c, i.op >> 3, r, i.rm << 1, r[s]!, r[s + 1]!);
  else alu32(c, i.op >> 3, r, i.rm << 1, r[s]!);
}

function aluGEreg(c: Cpu, i: Insn): void {
  const r = c.r;
  const s = i.rm << 1;
  if (i.osize === 8) alu64(c, i.op >> 3, r, i.reg << 1, r[s]!, r[s + 1]!);
  else alu32(c, i.op >> 3, r, i.reg << 1, r[s]!);
}

function aluEIreg(c: Cpu, i: Insn): void {
  if (i.osize === 8) alu64(c, i.reg & 7, c.r, i.rm << 1, i.immLo, i.immHi);
  else alu32(c, i.reg & 7, c.r, i.rm << 1, i.immLo);
}

/** ALU reg, [mem] (03, 0B, 23, 2B, 33, 3B ... with a memory source): aluGEreg with the source read from memory. */
function aluGEmem(c: Cpu, i: Insn): void {
  c.ea(i);
  const r = c.r;
  if (i.osize === 8) {
    const sl = c.read64(c.laLo, c.laHi);
    alu64(c, i.op >> 3, r, i.reg << 1, sl, c.hi);
  } else {
    alu32(c, i.op >> 3, r, i.reg << 1, c.read32(c.laLo, c.laHi));
  }
}

function movEGreg(c: Cpu, i: Insn): void {
  const r = c.r;
  const d = i.rm << 1, s = i.reg << 1;
  r[d] = r[s]!;
  r[d + 1] = i.osize === 8 ? r[s + 1]! : 0;
}

function movGEreg(c: Cpu, i: Insn): void {
  const r = c.r;
  const d = i.reg << 1, s = i.rm << 1;
  r[d] = r[s]!;
  r[d + 1] = i.osize === 8 ? r[s + 1]! : 0;
}

/**
 * An operand for movGEbd/movEGbd: [base + disp] or [rip + disp] (isBaseDisp64 with a base: the
 * block compiler's shapes for movGEmem/movEGmem have none, jit/handlers.ts).
 */
const bdMem = (i: Insn): boolean => i.mem && i.base >= 0 && isBaseDisp64(i);

/** mov r32/r64, [base + disp] (8B): movGEmem with the address summed here. */
function movGEbd(c: Cpu, i: Insn): void {
  const lo = c.eaBaseDisp(i), hi = c.laHi;
  const r = c.r, d = i.reg << 1;
  if (i.osize === 8) {
    r[d] = c.read64(lo, hi);
    r[d + 1] = c.hi;
  } else {
    r[d] = c.read32(lo, hi);
    r[d + 1] = 0;
  }
}

/** mov [base + disp], r32/r64 (89): movEGmem with the address summed here. */
function movEGbd(c: Cpu, i: Insn): void {
  const r = c.r, s = i.reg << 1;
  const vlo = r[s]!, vhi = r[s + 1]!;
  const lo = c.eaBaseDisp(i), hi = c.laHi;
  if (i.osize === 8) c.write64(lo, hi, vlo, vhi);
  else c.write32(lo, hi, vlo);
}

function movGEmem(c: Cpu, i: Insn): void {
  c.ea(i);
  const r = c.r;
  const d = i.reg << 1;
  if (i.osize === 8) {
    r[d] = c.read64(c.laLo, c.laHi);
    r[d + 1] = c.hi;
  } else {
    r[d] = c.read32(c.laLo, c.laHi);
    r[d + 1] = 0;
  }
}

function movEGmem(c: Cpu, i: Insn): void {
  const r = c.r;
  const s = i.reg << 1;
  const lo = r[s]!, hi = r[s + 1]!;
  c.ea(i);
  if (i.osize === 8) c.write64(c.laLo, c.laHi, lo, hi);
  else c.write32(c.laLo, c.laHi, lo);
}

/** mov byte [mem], reg8 (88): the source may be AH-BH (getR's ids 16-19). */
function movEGmem8(c: Cpu, i: Insn): void {
  const v = c.getR(1, i.reg);
  c.ea(i);
  c.write8(c.laLo, c.laHi, v);
}

/** mov [mem], imm (C6, C7) of 1, 4 or 8 bytes. */
function movEImem(c: Cpu, i: Insn): void {
  c.ea(i);
  if (i.osize === 8) c.write64(c.laLo, c.laHi, i.immLo, i.immHi);
  else if (i.osize === 4) c.write32(c.laLo, c.laHi, i.immLo);
  else c.write8(c.laLo, c.laHi, i.immLo);
}

/** cmp byte [mem], imm8 (80 /7): alu() on bytes records Sub with the operands masked. */
function cmpEIbyteMem(c: Cpu, i: Insn): void {
  c.ea(i);
  const d = c.read8(c.laLo, c.laHi);
  const s = i.immLo & 0xff;
  c.lop = Lazy.Sub;
  c.lsz = 1;
  c.lres = (d - s) & 0xff;
  c.ldst = d;
  c.lsrc = s;
  c.hi = 0;
}

function lea64(c: Cpu, i: Insn): void {
  c.eaOffset(i);
  const d = i.reg << 1;
  c.r[d] = c.laLo;
  c.r[d + 1] = c.laHi;
}

function movzxByteMem(c: Cpu, i: Insn): void {
  c.ea(i);
  const d = i.reg << 1;
  c.r[d] = c.read8(c.laLo, c.laHi);
  c.r[d + 1] = 0;
}

/** Jcc after a compare or a logical op, read straight from the lazy operands. */
function fastCond(c: Cpu, cc: number): boolean {
  if (c.lop === Lazy.Sub && c.lsz >= 4) {
    const wide = c.lsz === 8;
    const dH = wide ? c.ldstH : 0, sH = wide ? c.lsrcH : 0;
    const d = c.ldst, s = c.lsrc;
    let r: boolean;
    switch (cc >> 1) {
      case 1: r = wide && dH !== sH ? dH >>> 0 < sH >>> 0 : d >>> 0 < s >>> 0; break; // b
      case 2: r = d === s && dH === sH; break; // e
      case 3: r = wide && dH !== sH ? dH >>> 0 < sH >>> 0 : d >>> 0 <= s >>> 0; break; // be
      case 6: r = wide ? (dH !== sH ? dH < sH : d >>> 0 < s >>> 0) : d < s; break; // l
      case 7: r = wide ? (dH !== sH ? dH < sH : d >>> 0 <= s >>> 0) : d <= s; break; // le
      default: return cond(c, cc);
    }
    return (cc & 1) !== 0 ? !r : r;
  }
  return cond(c, cc);
}

function jccFast(c: Cpu, i: Insn): void {
  if (!fastCond(c, i.cc)) return;
  if (i.osize === 8) {
    // 64-bit code, a target in the same 4 GiB (no carry into the high half): RIP's low half is
    // all that changes, and the high half is canonical (tested, since the instruction may have
    // ended exactly at the top of the lower half). jumpRel and setRip are the general case;
    // Chromium's V8 had called them out of line here (its inlining budget spent on the loop).
    const s = (c.ripLo >>> 0) + i.immLo;
    const hi = c.ripHi;
    if (s >= 0 && s <= 0xffffffff && canonical(hi)) {
      c.ripLo = s | 0;
      return;
    }
  }
  c.jumpRel(i.immLo, i.osize);
}

/**
 * shl/shr/sar of a 32- or 64-bit register by a constant count (C1 /4 /5 /7 ib and D1 /4 /5 /7;
 * bound only when the masked count is not 0): shift.ts shiftValue without the generic operand
 * access; such a shift sets all six arithmetic flags (AF cleared).
 */
function shiftCount(i: Insn): number {
  return (i.op === 0xd1 ? 1 : i.immLo & 0xff) & (i.osize === 8 ? 63 : 31);
}
function shiftRegImm(c: Cpu, i: Insn): void {
  const r = c.r, d = i.rm << 1, sz = i.osize;
  const lo = shiftValue(i.reg & 7, sz, r[d]!, r[d + 1]!, shiftCount(i)), hi = hiOut;
  r[d] = lo;
  r[d + 1] = hi;
  setArith(c, cfOut | (ofOut << 11) | szp(sz, lo, hi));
}

/** neg r32/r64 (F7 /3): 0 - r, with the lazy flags alu(SUB) leaves (destination operand 0). */
function negReg(c: Cpu, i: Insn): void {
  const r = c.r, d = i.rm << 1;
  if (i.osize === 8) {
    const sl = r[d]!, sh = r[d + 1]!;
    const t = 0 - (sl >>> 0);
    const lo = t | 0, hi = (0 - sh - (t < 0 ? 1 : 0)) | 0;
    c.lop = Lazy.Sub; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = 0; c.ldstH = 0; c.lsrc = sl; c.lsrcH = sh;
    r[d] = lo; r[d + 1] = hi;
  } else {
    const s = r[d]!, lo = (0 - s) | 0;
    c.lop = Lazy.Sub; c.lsz = 4; c.lres = lo; c.ldst = 0; c.lsrc = s;
    r[d] = lo; r[d + 1] = 0;
  }
}

/** lea r32, [mem] (8D with a 32-bit destination): the low half of the address, the upper half zeroed (setR(4)). */
function lea32(c: Cpu, i: Insn): void {
  c.eaOffset(i);
  const d = i.reg << 1;
  c.r[d] = c.laLo;
  c.r[d + 1] = 0;
}

/** movsxd r64, r32 (REX.W 63, register source). */
function movsxdReg(c: Cpu, i: Insn): void {
  const r = c.r, v = r[i.rm << 1]!, d = i.reg << 1;
  r[d] = v;
  r[d + 1] = v >> 31;
}

// Byte ALU forms with register operands (AL, imm8 / r/m8, imm8 / test r/m8, r8): alu() on
// bytes without the generic operand access (getR/readE's size switch); the result written into
// the low byte (or AH-BH: ids 16-19) unless cmp or test. adc and sbb keep the general handler,
// as compiled blocks inline only these operations (jit/inline.ts alu8Stmts).
/** ALU AL, imm8 (04, 0C, 24, 2C, 34, 3C). */
function aluAIbyte(c: Cpu, i: Insn): void {
  const op = i.op >> 3, r = c.r;
  const v = alu(c, op, 1, r[0]!, 0, i.immLo, 0);
  if (op !== CMP) setR8(r, 0, v);
}
/** ALU r8, imm8 (80 /op with a register operand). */
function aluEIbyteReg(c: Cpu, i: Insn): void {
  const op = i.reg & 7, r = c.r;
  const v = alu(c, op, 1, getR8(r, i.rm), 0, i.immLo, 0);
  if (op !== CMP) setR8(r, i.rm, v);
}
/** test r8, r8 (84 with a register operand). */
function testEGbyteReg(c: Cpu, i: Insn): void {
  const r = c.r;
  alu(c, 4, 1, getR8(r, i.rm), 0, getR8(r, i.reg), 0);
}

/** mul r64 (REX.W F7 /4, register source): muldiv.ts mul without the generic operand access. */
function mulReg64(c: Cpu, i: Insn): void {
  const r = c.r, s = i.rm << 1, sh = r[s + 1]!;
  mul64(c, r[s]!, sh);
  c.hi = sh; // what mul's readE left there
}

/** imul r32/r64, r32/r64 (0F AF, register source): muldiv.ts imulTrunc without the generic operand access. */
function imul2reg(c: Cpu, i: Insn): void {
  const r = c.r, d = i.reg << 1, s = i.rm << 1;
  const lo = imulTrunc(c, i.osize, r[d]!, r[d + 1]!, r[s]!, r[s + 1]!); // 32-bit: the high halves are ignored
  r[d] = lo;
  r[d + 1] = c.hi;
}

/** jmp rel8/rel32 (EB, E9): the same as control.ts jmp; its own function so compiled blocks can recognize it. */
function jmpNear(c: Cpu, i: Insn): void {
  c.jumpRel(i.immLo, i.osize);
}

// The 64-bit stack forms (osize 8 exists only in 64-bit mode): the general handlers, under names
// of their own so that compiled blocks can recognize them (jit/inline.ts writes the stack access
// out and calls these for anything else).
const pushReg64: Handler = (c, i) => pushZ(c, i);
const popReg64: Handler = (c, i) => popZ(c, i);
const callRel64: Handler = (c, i) => call(c, i);
const retNear64: Handler = (c, i) => ret(c, i);

/**
 * The handlers the interpreter's loop calls by name (cpu.ts execute switches on Insn.fast) rather
 * than through exec: the hottest forms of gcc code (a histogram of the bench workloads), for which
 * the call through a field that holds hundreds of different functions costs most.
 */
export const enum Direct {
  None = 0, Jcc, MovEGreg, AluEIreg, AluEGreg, Lea64, MovGEmem, MovEGmem, MovzxByteMem, MovGEbd, MovEGbd,
  MovEImem, MovEGmem8, CmpEIbyteMem, Imul2reg, ShiftRegImm, TestEGreg,
}
export {
  jccFast, movEGreg, aluEIreg, aluEGreg, lea64, movGEmem, movEGmem, movzxByteMem, movGEbd, movEGbd,
  movEImem, movEGmem8, cmpEIbyteMem, imul2reg, shiftRegImm, testEGreg,
};
const DIRECT_IDS = new Map<Handler, Direct>([
  [jccFast, Direct.Jcc], [movEGreg, Direct.MovEGreg], [aluEIreg, Direct.AluEIreg], [aluEGreg, Direct.AluEGreg],
  [lea64, Direct.Lea64], [movGEmem, Direct.MovGEmem], [movEGmem, Direct.MovEGmem], [movzxByteMem, Direct.MovzxByteMem],
  [movGEbd, Direct.MovGEbd], [movEGbd, Direct.MovEGbd], [movEImem, Direct.MovEImem], [movEGmem8, Direct.MovEGmem8],
  [cmpEIbyteMem, Direct.CmpEIbyteMem], [imul2reg, Direct.Imul2reg], [shiftRegImm, Direct.ShiftRegImm], [testEGreg, Direct.TestEGreg],
]);
/** Insn.fast for a bound handler: its Direct name, or None. */
export function fastId(h: Handler): Direct {
  return DIRECT_IDS.get(h) ?? Direct.None;
}

/** The byte ALU operations with a specialized handler: all but adc (2) and sbb (3). */
const byteOp = (op: number): boolean => op !== 2 && op !== 3;

/** Pick a specialized handler for this decoded shape, or undefined. */
export function specialize(name: string, i: Insn): Handler | undefined {
  const wide = i.osize === 8 || i.osize === 4;
  switch (name) {
    case 'aluEG': return !i.mem && wide ? aluEGreg : undefined;
    case 'aluGE': return wide ? (i.mem ? aluGEmem : aluGEreg) : undefined;
    case 'aluEI': {
      if (!i.mem) return wide ? aluEIreg : i.osize === 1 && byteOp(i.reg & 7) ? aluEIbyteReg : undefined;
      return i.osize === 1 && (i.reg & 7) === CMP ? cmpEIbyteMem : undefined;
    }
    case 'movEG': return wide ? (i.mem ? (bdMem(i) ? movEGbd : movEGmem) : movEGreg) : i.osize === 1 && i.mem ? movEGmem8 : undefined;
    case 'movEI': return i.mem && (wide || i.osize === 1) ? movEImem : undefined;
    case 'testEG': return i.mem ? undefined : wide ? testEGreg : i.osize === 1 ? testEGbyteReg : undefined;
    case 'aluAI': return wide ? aluAIwide : i.osize === 1 && byteOp(i.op >> 3) ? aluAIbyte : undefined;
    case 'movGE': return wide ? (i.mem ? (bdMem(i) ? movGEbd : movGEmem) : movGEreg) : undefined;
    case 'lea': return i.osize === 8 ? lea64 : i.osize === 4 ? lea32 : undefined;
    case 'movzx': return i.mem && (i.op & 1) === 0 && wide ? movzxByteMem : undefined;
    case 'jcc': return i.osize !== 2 ? jccFast : undefined;
    case 'jmp': return i.osize !== 2 ? jmpNear : undefined;
    case 'neg': return !i.mem && wide ? negReg : undefined;
    case 'imul2': return !i.mem && wide ? imul2reg : undefined;
    case 'movsxd': return !i.mem && i.osize === 8 ? movsxdReg : undefined;
    case 'mul': return !i.mem && i.osize === 8 ? mulReg64 : undefined;
    case 'pushZ': return i.osize === 8 ? pushReg64 : undefined;
    case 'popZ': return i.osize === 8 ? popReg64 : undefined;
    case 'call': return i.osize === 8 ? callRel64 : undefined;
    case 'ret': return i.osize === 8 && i.op === 0xc3 ? retNear64 : undefined;
    case 'shiftI': case 'shift1': {
      const op = i.reg & 7;
      return !i.mem && wide && (op === 4 || op === 5 || op === 7) && shiftCount(i) !== 0 ? shiftRegImm : undefined;
    }
    default: return undefined;
  }
}
