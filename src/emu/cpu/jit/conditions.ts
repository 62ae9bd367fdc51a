// The conditional jump's test in compiled blocks: from the lazy flags, as fast.ts fastCond reads
// them (condStmts), or fused with the compare, subtract, test or logic instruction right before
// it, whose operands and result the block then has in locals (fusedFlags, emitFusedJcc).
import type { Insn } from '../insn';
import { Lazy } from '../flags';
import { H } from './handlers';

/**
 * fast.ts fastCond's tests after a subtraction of s:sH from d:dH (the names of the expressions
 * to use), for b, e, be, l and le (cc >> 1; the caller negates an odd cc); null for the other
 * conditions. `wide`: 64-bit operands (the narrow forms are 32-bit: signed d < s for l).
 */
function subCompare(cc: number, wide: boolean, d: string, dH: string, s: string, sH: string): string | null {
  switch (cc >> 1) {
    case 1: return wide ? `${dH} !== ${sH} ? ${dH} >>> 0 < ${sH} >>> 0 : ${d} >>> 0 < ${s} >>> 0` : `${d} >>> 0 < ${s} >>> 0`; // b
    case 2: return wide ? `${d} === ${s} && ${dH} === ${sH}` : `${d} === ${s}`; // e
    case 3: return wide ? `${dH} !== ${sH} ? ${dH} >>> 0 < ${sH} >>> 0 : ${d} >>> 0 <= ${s} >>> 0` : `${d} >>> 0 <= ${s} >>> 0`; // be
    case 6: return wide ? `${dH} !== ${sH} ? ${dH} < ${sH} : ${d} >>> 0 < ${s} >>> 0` : `${d} < ${s}`; // l
    case 7: return wide ? `${dH} !== ${sH} ? ${dH} < ${sH} : ${d} >>> 0 <= ${s} >>> 0` : `${d} <= ${s}`; // le
    default: return null;
  }
}

/** What an inline ALU instruction leaves in the lazy flags, known when the block is compiled. */
export interface FlagsLeft {
  lop: Lazy.Sub | Lazy.Logic;
  /** 8, 4 or 1: the operand size. */
  lsz: number;
}

/**
 * The lazy-flag state i leaves if it is an inline compare, subtract or logic instruction (cmp,
 * sub, test, and, or, xor; register or immediate operands): a conditional jump right after it in
 * the same block can test that instruction's operands and result directly (emitFusedJcc).
 */
export function fusedFlags(i: Insn): FlagsLeft | null {
  const e = i.exec;
  let op: number;
  if (e === H.aluEGreg || e === H.aluGEreg || e === H.aluEIreg) op = e === H.aluEIreg ? i.reg & 7 : i.op >> 3;
  else if (e === H.aluAIwide || e === H.aluGEmem) op = i.op >> 3;
  else if (e === H.testEGreg || e === H.testEGbyteReg) op = 4;
  else if (e === H.aluAIbyte) op = i.op >> 3;
  else if (e === H.aluEIbyteReg) op = i.reg & 7;
  else return null;
  if (op !== 1 && op !== 4 && op !== 5 && op !== 6 && op !== 7) return null;
  return { lop: op === 5 || op === 7 ? Lazy.Sub : Lazy.Logic, lsz: i.osize === 8 ? 8 : i.osize === 4 ? 4 : 1 };
}

/**
 * The condition cc after an instruction that left `f`, as an expression over the locals
 * emitInline(.., fuse) set, or null (the overflow and parity conditions of a subtraction, and
 * parity after logic, stay with the general test). Subtraction: the comparisons fastCond makes
 * from the operands; logic: CF = OF = 0, ZF and SF from the result (flags.ts Lazy.Logic).
 */
function fusedCond(cc: number, f: FlagsLeft): string | null {
  const w = f.lsz === 8;
  let e: string | null = null;
  if (f.lsz === 1) {
    // Bytes (alu() on size 1): Fd, Fs are the operands and Fl the result, each 0-255; SF is bit 7.
    const sign = '((Fl & 0x80) !== 0)';
    if (f.lop === Lazy.Sub) {
      const sd = '((Fd << 24) >> 24)', ss = '((Fs << 24) >> 24)';
      e = [null, '(Fd < Fs)', '(Fd === Fs)', '(Fd <= Fs)', sign, null, `(${sd} < ${ss})`, `(${sd} <= ${ss})`][cc >> 1]!;
    } else {
      e = ['false', 'false', '(Fl === 0)', '(Fl === 0)', sign, null, sign, `(Fl === 0 || ${sign})`][cc >> 1]!;
    }
  } else if (f.lop === Lazy.Sub) {
    if (cc >> 1 === 4) e = w ? '(Fh < 0)' : '(Fl < 0)'; // s: the result's sign
    else {
      const t = subCompare(cc, w, 'Fd', 'FdH', 'Fs', 'FsH');
      if (t !== null) e = `(${t})`;
    }
  } else {
    const z = w ? '(Fl === 0 && Fh === 0)' : '(Fl === 0)';
    const s = w ? '(Fh < 0)' : '(Fl < 0)';
    switch (cc >> 1) {
      case 0: case 1: e = 'false'; break; // o, b: OF = CF = 0
      case 2: case 3: e = z; break; // e, be
      case 4: case 6: e = s; break; // s, l (SF != OF with OF = 0)
      case 7: e = `(${z} || ${s})`; break; // le
    }
  }
  if (e === null) return null;
  return (cc & 1) !== 0 ? `!${e}` : e;
}

/** The conditional jump i right after an instruction that left `f` (fusedFlags), or null. */
export function emitFusedJcc(i: Insn, f: FlagsLeft, jump: string | null = null): string | null {
  if (i.exec !== H.jccFast) return null;
  const t = fusedCond(i.cc, f);
  return t === null ? null : `if (${t}) ${jump ?? `c.jumpRel(${i.immLo}, ${i.osize});`}`;
}

/** fast.ts fastCond(c, cc) as statements leaving the result in t. */
export function condStmts(cc: number): string {
  const wide = subCompare(cc, true, 'd', 'dH', 's', 'sH'), narrow = subCompare(cc, false, 'd', 'dH', 's', 'sH');
  if (wide === null || narrow === null) return `const t = COND(c, ${cc});`;
  // 32-bit compares: fast.ts uses dH = sH = 0, where the wide forms reduce to the narrow ones.
  const inv = (cc & 1) !== 0 ? 't = !t;' : '';
  return `let t; if (c.lop === ${Lazy.Sub} && c.lsz >= 4) { const d = c.ldst, s = c.lsrc; ` +
    `if (c.lsz === 8) { const dH = c.ldstH, sH = c.lsrcH; t = ${wide}; } else t = ${narrow}; ${inv} } else t = COND(c, ${cc});`;
}
