// Inline code for the hottest instruction forms. Each emitter reproduces, for
// one decoded instruction with its operands known at compile time, exactly what
// the bound specialized handler (exec/fast.ts) does: the same registers, the
// same lazy-flag fields, the same memory accesses (a fast path for RAM with
// paging off; anything else calls the CPU's own read/write functions). An
// instruction is inlined only when its bound handler is that very function, so
// with the fast paths off (setFastPaths(false)) every handler is called.
// The native oracle and the lockstep tests run blocks with these inlined.
// Memory operands are memory-access.ts's, conditions conditions.ts's, the handler identities
// handlers.ts's.
import type { Insn } from '../insn';
import { Lazy, ARITH } from '../flags';
import { H, CMP } from './handlers';
import { addr64Stmts, ea64Stmts, paStmts, rd32, slow } from './memory-access';
import { condStmts } from './conditions';
import { canonicalSrc } from '../canonical';

/** Statements for dst (register halves at d, d+1) op= src (expressions sl, sh), as fast.ts alu64. */
function alu64(op: number, d: number, sl: string, sh: string, store = op !== CMP, fuse = false, dead = false): string | null {
  const tail = (lazy: number, lo: string, hi: string) =>
    `{ const dl = r[${d}], dh = r[${d + 1}], sl = ${sl}, sh = ${sh}; ${lo} ${hi}` +
    (dead ? '' : ` c.lop = ${lazy}; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = dl; c.ldstH = dh; c.lsrc = sl; c.lsrcH = sh;`) +
    (fuse ? ' Fl = lo; Fh = hi; Fd = dl; FdH = dh; Fs = sl; FsH = sh;' : '') +
    (store ? ` r[${d}] = lo; r[${d + 1}] = hi;` : '') + ' }';
  switch (op) {
    case 0: return tail(Lazy.Add, 'const t = (dl >>> 0) + (sl >>> 0); const lo = t | 0;', 'const hi = (dh + sh + (t > 0xffffffff ? 1 : 0)) | 0;');
    case 5: case 7: return tail(Lazy.Sub, 'const t = (dl >>> 0) - (sl >>> 0); const lo = t | 0;', 'const hi = (dh - sh - (t < 0 ? 1 : 0)) | 0;');
    case 1: return tail(Lazy.Logic, 'const lo = dl | sl;', 'const hi = dh | sh;');
    case 4: return tail(Lazy.Logic, 'const lo = dl & sl;', 'const hi = dh & sh;');
    case 6: return tail(Lazy.Logic, 'const lo = dl ^ sl;', 'const hi = dh ^ sh;');
    default: return null; // adc, sbb: fast.ts calls alu(); so do we (through the handler)
  }
}

/** The same for 32-bit operands (fast.ts alu32): the upper half of the destination is zeroed. */
function alu32(op: number, d: number, s: string, store = op !== CMP, fuse = false, dead = false): string | null {
  const tail = (lazy: number, lo: string) =>
    `{ const dl = r[${d}], s = ${s}; ${lo}${dead ? '' : ` c.lop = ${lazy}; c.lsz = 4; c.lres = lo; c.ldst = dl; c.lsrc = s;`}` +
    (fuse ? ' Fl = lo; Fd = dl; Fs = s;' : '') +
    (store ? ` r[${d}] = lo; r[${d + 1}] = 0;` : '') + ' }';
  switch (op) {
    case 0: return tail(Lazy.Add, 'const lo = (dl + s) | 0;');
    case 5: case 7: return tail(Lazy.Sub, 'const lo = (dl - s) | 0;');
    case 1: return tail(Lazy.Logic, 'const lo = dl | s;');
    case 4: return tail(Lazy.Logic, 'const lo = dl & s;');
    case 6: return tail(Lazy.Logic, 'const lo = dl ^ s;');
    default: return null;
  }
}

/** A little-endian int32 store to RAM at pa (aligned: the Int32Array view; else the DataView). */
const store32 = (pa: string, v: string) => `if ((${pa} & 3) === 0) U32[${pa} >>> 2] = ${v}; else DV.setInt32(${pa}, ${v}, true);`;

/** regs.ts getR8: byte register id (16-19: AH-BH) as an expression. */
function get8(id: number): string {
  return id < 16 ? `(r[${id << 1}] & 0xff)` : `((r[${(id - 16) << 1}] >> 8) & 0xff)`;
}

/**
 * alu() on the byte register `id` and the source expression s (not adc/sbb): the lazy
 * flags of size 1, c.hi = 0, the result written back (setR8) unless cmp or `store` is false (test).
 */
function alu8Stmts(op: number, id: number, s: string, store: boolean, fuse: boolean, dead: boolean): string {
  const [v, lop] = op === 0 ? ['(d + s) & 0xff', Lazy.Add] : op === 1 ? ['d | s', Lazy.Logic] : op === 4 ? ['d & s', Lazy.Logic]
    : op === 6 ? ['d ^ s', Lazy.Logic] : ['(d - s) & 0xff', Lazy.Sub];
  const k = id < 16 ? id << 1 : (id - 16) << 1;
  const write = !store ? '' : id < 16 ? ` r[${k}] = (r[${k}] & ~0xff) | v;` : ` r[${k}] = (r[${k}] & ~0xff00) | (v << 8);`;
  return `{ const d = ${get8(id)}, s = ${s}; const v = ${v};${dead ? '' : ` c.lop = ${lop}; c.lsz = 1; c.lres = v; c.ldst = d; c.lsrc = s;`} c.hi = 0;${fuse ? ' Fl = v; Fd = d; Fs = s;' : ''}${write} }`;
}


/**
 * Is i inlined as register-only code that cannot throw (register ALU without adc/sbb, mov
 * register to register, 64-bit lea, neg, shl/shr/sar by a constant)? Such code reads and writes
 * registers and the arithmetic flags only (lazy, or for the shifts RFLAGS's six arithmetic bits).
 */
export function isInlinePure(i: Insn): boolean {
  const e = i.exec;
  if (e === H.aluEGreg || e === H.aluGEreg || e === H.aluEIreg) {
    const op = e === H.aluEIreg ? i.reg & 7 : i.op >> 3;
    return op !== 2 && op !== 3;
  }
  if (e === H.aluAIwide) {
    const op = i.op >> 3;
    return op !== 2 && op !== 3;
  }
  return e === H.movEGreg || e === H.movGEreg || e === H.testEGreg || e === H.shiftRegImm || e === H.negReg ||
    ((e === H.lea64 || e === H.lea32) && i.asize === 8) || e === H.movsxdReg ||
    e === H.aluAIbyte || e === H.aluEIbyteReg || e === H.testEGbyteReg;
}

/**
 * Does i, an isInlinePure instruction, set all six arithmetic flags without reading any (every
 * one of those forms does but the moves, lea and movsxd, which touch no flag)? A shift's count
 * is never 0 here (fast.ts binds shiftRegImm only for a non-zero count).
 */
export function setsAllFlags(i: Insn): boolean {
  const e = i.exec;
  return e !== H.movEGreg && e !== H.movGEreg && e !== H.lea64 && e !== H.lea32 && e !== H.movsxdReg;
}

/**
 * Does i's inline code (emitInline) leave the CPU's state alone but for its registers, flags and
 * RAM, except where it calls out to the CPU (slow: a memory access the block cannot make directly,
 * the handler), which it marks in the block's local X? Then what the block checks after it (stop,
 * its page, the TLB, RIP) need only be checked when X is set (block-source.ts).
 */
export function marksSlowPaths(i: Insn): boolean {
  const e = i.exec;
  return e === H.aluGEmem || e === H.movGEmem || e === H.movEGmem || e === H.movGEbd || e === H.movEGbd || e === H.movzxByteMem || e === H.movEGmem8 ||
    e === H.movEImem || e === H.cmpEIbyteMem || e === H.pushReg64 || e === H.popReg64;
}

/** Is i a conditional jump the compiler inlines (jcc rel: its target is i's end + immLo)? */
export function isJccFast(i: Insn): boolean {
  return i.exec === H.jccFast;
}

/**
 * JavaScript statements that do exactly what i's bound handler does, or null to call the handler.
 * `fuse`: i is an ALU instruction (fusedFlags) followed by a conditional jump in the same block; it
 * also leaves its operands and result in the block's locals Fd, FdH, Fs, FsH, Fl, Fh for the jump.
 * `jump`: for a jcc or jmp, the statement that takes the jump when the block knows its target
 * (block-source.ts jumpStmt); otherwise the CPU's jumpRel.
 * `dead`: the flags i sets are set again before anything can read them (block-source.ts flagsDead); i
 * leaves the lazy flags (or RFLAGS's arithmetic bits) as they were.
 */
export function emitInline(i: Insn, k: number, fuse = false, jump: string | null = null, dead = false): string | null {
  const e = i.exec;
  if (e === H.aluEGreg || e === H.aluGEreg || e === H.aluEIreg) {
    const op = e === H.aluEIreg ? i.reg & 7 : i.op >> 3;
    const d = (e === H.aluGEreg ? i.reg : i.rm) << 1;
    const store = op !== CMP;
    if (e === H.aluEIreg) return i.osize === 8 ? alu64(op, d, `${i.immLo}`, `${i.immHi}`, store, fuse, dead) : alu32(op, d, `${i.immLo}`, store, fuse, dead);
    const s = (e === H.aluGEreg ? i.rm : i.reg) << 1;
    return i.osize === 8 ? alu64(op, d, `r[${s}]`, `r[${s + 1}]`, store, fuse, dead) : alu32(op, d, `r[${s}]`, store, fuse, dead);
  }
  if (e === H.aluGEmem) {
    // The source read as movGEmem reads it (read64 leaves its high half in c.hi), then aluGEreg's code.
    const op = i.op >> 3, d = i.reg << 1;
    const tail = i.osize === 8 ? alu64(op, d, 'ml', 'mh', op !== CMP, fuse) : alu32(op, d, 'ml', op !== CMP, fuse);
    if (tail === null) return null;
    const read = i.osize === 8
      ? `${paStmts(8, false)} let ml, mh; if (pa >= 0) { const q = pa + 4; ml = ${rd32('pa')}; mh = ${rd32('q')}; c.hi = mh; } else { ml = ${slow('c.read64(lo, hi)')}; mh = c.hi; }`
      : `${paStmts(4, false)} const ml = pa >= 0 ? ${rd32('pa')} : ${slow('c.read32(lo, hi)')};`;
    return `{ ${ea64Stmts(i, k)} ${read} ${tail} }`;
  }
  if (e === H.movEGreg || e === H.movGEreg) {
    const d = (e === H.movEGreg ? i.rm : i.reg) << 1;
    const s = (e === H.movEGreg ? i.reg : i.rm) << 1;
    return i.osize === 8 ? `r[${d}] = r[${s}]; r[${d + 1}] = r[${s + 1}];` : `r[${d}] = r[${s}]; r[${d + 1}] = 0;`;
  }
  if (e === H.lea64) {
    // eaOffset only (no segment, no canonical check). Not into c.laLo/laHi: those are eaOffset's
    // way of returning the address, and every reader of them computes an address into them first.
    if (i.asize !== 8) return null;
    return `{ ${addr64Stmts(i)} r[${i.reg << 1}] = lo; r[${(i.reg << 1) + 1}] = hi; }`;
  }
  if (e === H.lea32) {
    if (i.asize !== 8) return null;
    return `{ ${addr64Stmts(i)} r[${i.reg << 1}] = lo; r[${(i.reg << 1) + 1}] = 0; }`;
  }
  if (e === H.movsxdReg) {
    const d = i.reg << 1;
    return `{ const v = r[${i.rm << 1}]; r[${d}] = v; r[${d + 1}] = v >> 31; }`;
  }
  if (e === H.aluAIbyte) return alu8Stmts(i.op >> 3, 0, `${i.immLo & 0xff}`, i.op >> 3 !== CMP, fuse, dead);
  if (e === H.aluEIbyteReg) return alu8Stmts(i.reg & 7, i.rm, `${i.immLo & 0xff}`, (i.reg & 7) !== CMP, fuse, dead);
  if (e === H.testEGbyteReg) return alu8Stmts(4, i.rm, get8(i.reg), false, fuse, dead);
  if (e === H.movGEmem || e === H.movGEbd) {
    const d = i.reg << 1;
    if (i.osize === 8) {
      return `{ ${ea64Stmts(i, k)} ${paStmts(8, false)} if (pa >= 0) { const v = ${rd32('pa')}, q = pa + 4; c.hi = ${rd32('q')}; r[${d}] = v; r[${d + 1}] = c.hi; }` +
        ` else { r[${d}] = ${slow('c.read64(lo, hi)')}; r[${d + 1}] = c.hi; } }`;
    }
    return `{ ${ea64Stmts(i, k)} ${paStmts(4, false)} if (pa >= 0) { r[${d}] = ${rd32('pa')}; } else r[${d}] = ${slow('c.read32(lo, hi)')}; r[${d + 1}] = 0; }`;
  }
  if (e === H.movEGmem || e === H.movEGbd) {
    const s = i.reg << 1;
    const n = i.osize === 8 ? 8 : 4;
    // The fast path also requires a page without decoded code or a watchpoint (PhysMem.codeWrite).
    const body = n === 8
      ? `const q = pa + 4; ${store32('pa', 'vl')} ${store32('q', 'vh')}`
      : `${store32('pa', 'vl')}`;
    const out = `${slow(n === 8 ? 'c.write64(lo, hi, vl, vh)' : 'c.write32(lo, hi, vl)')};`;
    return `{ const vl = r[${s}], vh = r[${s + 1}]; ${ea64Stmts(i, k)} ${paStmts(n, true)} if (pa >= 0 && CP[pa >>> 12] === 0) { ${body} } else ${out} }`;
  }
  if (e === H.movzxByteMem) {
    const d = i.reg << 1;
    return `{ ${ea64Stmts(i, k)} ${paStmts(1, false)} r[${d}] = pa >= 0 ? U8[pa] : ${slow('c.read8(lo, hi)')}; r[${d + 1}] = 0; }`;
  }
  if (e === H.testEGreg) {
    const d = i.rm << 1, s = i.reg << 1;
    return i.osize === 8 ? alu64(4, d, `r[${s}]`, `r[${s + 1}]`, false, fuse, dead) : alu32(4, d, `r[${s}]`, false, fuse, dead);
  }
  if (e === H.aluAIwide) {
    const op = i.op >> 3;
    return i.osize === 8 ? alu64(op, 0, `${i.immLo}`, `${i.immHi}`, op !== CMP, fuse, dead) : alu32(op, 0, `${i.immLo}`, op !== CMP, fuse, dead);
  }
  if (e === H.movEGmem8) {
    // getR(1, reg): ids 16-19 are AH, CH, DH, BH (no REX prefix).
    const v = i.reg < 16 ? `r[${i.reg << 1}] & 0xff` : `(r[${(i.reg - 16) << 1}] >> 8) & 0xff`;
    return `{ const v = ${v}; ${ea64Stmts(i, k)} ${paStmts(1, true)} if (pa >= 0 && CP[pa >>> 12] === 0) U8[pa] = v; else ${slow('c.write8(lo, hi, v)')}; }`;
  }
  if (e === H.movEImem) {
    const n = i.osize;
    const store = (pa: string, v: number) => store32(pa, `${v}`);
    const body = n === 8 ? `const q = pa + 4; ${store('pa', i.immLo)} ${store('q', i.immHi)}` : n === 4 ? store('pa', i.immLo) : `U8[pa] = ${i.immLo & 0xff};`;
    const out = `${slow(n === 8 ? `c.write64(lo, hi, ${i.immLo}, ${i.immHi})` : n === 4 ? `c.write32(lo, hi, ${i.immLo})` : `c.write8(lo, hi, ${i.immLo})`)};`;
    return `{ ${ea64Stmts(i, k)} ${paStmts(n, true)} if (pa >= 0 && CP[pa >>> 12] === 0) { ${body} } else ${out} }`;
  }
  if (e === H.cmpEIbyteMem) {
    const s = i.immLo & 0xff;
    return `{ ${ea64Stmts(i, k)} ${paStmts(1, false)} const d = pa >= 0 ? U8[pa] : ${slow('c.read8(lo, hi)')};` +
      ` c.lop = ${Lazy.Sub}; c.lsz = 1; c.lres = (d - ${s}) & 0xff; c.ldst = d; c.lsrc = ${s}; c.hi = 0; }`;
  }
  if (e === H.shiftRegImm) return shiftStmts(i, dead);
  if (e === H.negReg) {
    const d = i.rm << 1;
    return i.osize === 8
      ? `{ const sl = r[${d}], sh = r[${d + 1}]; const t = 0 - (sl >>> 0); const lo = t | 0, hi = (0 - sh - (t < 0 ? 1 : 0)) | 0;` +
        (dead ? '' : ` c.lop = ${Lazy.Sub}; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = 0; c.ldstH = 0; c.lsrc = sl; c.lsrcH = sh;`) + ` r[${d}] = lo; r[${d + 1}] = hi; }`
      : `{ const s = r[${d}], lo = (0 - s) | 0;${dead ? '' : ` c.lop = ${Lazy.Sub}; c.lsz = 4; c.lres = lo; c.ldst = 0; c.lsrc = s;`} r[${d}] = lo; r[${d + 1}] = 0; }`;
  }
  if (e === H.pushReg64 || e === H.callRel64) {
    // RSP - 8 (a borrow into the high half), the store when it can be made directly (then RSP
    // moves, and a call jumps first: its target is checked before anything is pushed); anything
    // else (a non-canonical stack, MMIO, a page with decoded code, a miss) is the handler's.
    const v = e === H.pushReg64 ? `const vl = r[${i.reg << 1}], vh = r[${(i.reg << 1) + 1}];` : 'const vl = c.ripLo, vh = c.ripHi;';
    const go = e === H.callRel64 ? `${jump ?? `c.jumpRel(${i.immLo}, 8);`} ` : '';
    return `{ ${v} const ol = r[8], lo = (ol - 8) | 0, hi = (lo >>> 0) > (ol >>> 0) ? (r[9] - 1) | 0 : r[9]; ${paStmts(8, true)}` +
      ` if (pa >= 0 && CP[pa >>> 12] === 0 && ${canonicalSrc('hi')}) { ${go}${store32('pa', 'vl')} const q = pa + 4; ${store32('q', 'vh')} r[8] = lo; r[9] = hi; }` +
      ` else ${slow(`E${k}(c, I${k})`)}; }`;
  }
  if (e === H.popReg64 || e === H.retNear64) {
    // The load at RSP when it can be made directly, then RSP + 8; ret loads RIP (a non-canonical
    // return address is the handler's #GP), pop the register (after RSP: pop rsp loads the value).
    const use = e === H.popReg64
      ? `r[8] = t | 0; r[9] = (hi + (t > 0xffffffff ? 1 : 0)) | 0; r[${i.reg << 1}] = vl; r[${(i.reg << 1) + 1}] = vh; c.hi = vh;`
      : 'c.ripLo = vl; c.ripHi = vh; r[8] = t | 0; r[9] = (hi + (t > 0xffffffff ? 1 : 0)) | 0; c.hi = vh;';
    const ok = e === H.popReg64 ? 'pa >= 0' : `pa >= 0 && ${canonicalSrc('vh')}`;
    return `{ const lo = r[8], hi = r[9]; ${paStmts(8, false)} let vl = 0, vh = 0; if (pa >= 0 && ${canonicalSrc('hi')}) { const q = pa + 4; vl = ${rd32('pa')}; vh = ${rd32('q')}; } else pa = -1;` +
      ` if (${ok}) { const t = (lo >>> 0) + 8; ${use} } else ${slow(`E${k}(c, I${k})`)}; }`;
  }
  if (e === H.jccFast) return `{ ${condStmts(i.cc)} if (t) ${jump ?? `c.jumpRel(${i.immLo}, ${i.osize});`} }`;
  if (e === H.jmpNear) return jump ?? `c.jumpRel(${i.immLo}, ${i.osize});`;
  return null;
}


/** Is i a near jump (jcc, jmp or call with a relative target) the compiler inlines? */
export function isRelJump(i: Insn): boolean {
  return i.exec === H.jccFast || i.exec === H.jmpNear || i.exec === H.callRel64;
}

/**
 * fast.ts shiftRegImm with its count known: shl/shr/sar of a 32- or 64-bit register, all six
 * arithmetic flags set (AF cleared; PF from the low byte: 0x9669 has bit k set when k has an even
 * number of ones), the lazy flags off.
 */
function shiftStmts(i: Insn, dead: boolean): string {
  const d = i.rm << 1, op = i.reg & 7;
  const n = (i.op === 0xd1 ? 1 : i.immLo & 0xff) & (i.osize === 8 ? 63 : 31);
  let body: string;
  if (i.osize === 8) {
    if (op === 4) {
      const res = n < 32 ? `const rh = (hi << ${n}) | (lo >>> ${32 - n}), rl = lo << ${n};` : `const rh = lo << ${n - 32}, rl = 0;`;
      const k = 64 - n;
      body = `${res} const cf = ${k < 32 ? `(lo >>> ${k}) & 1` : `(hi >>> ${k - 32}) & 1`}, of = (rh >>> 31) ^ cf;`;
    } else {
      const sh = op === 5 ? '>>>' : '>>';
      const res = n < 32 ? `const rh = hi ${sh} ${n}, rl = (lo >>> ${n}) | (hi << ${32 - n});`
        : `const rh = ${op === 5 ? '0' : 'hi >> 31'}, rl = hi ${sh} ${n - 32};`;
      const k = n - 1;
      body = `${res} const cf = ${k < 32 ? `(lo >>> ${k}) & 1` : `(hi >>> ${k - 32}) & 1`}, of = ${op === 5 ? 'hi >>> 31' : '0'};`;
    }
  } else if (op === 4) {
    body = `const rl = lo << ${n}, rh = 0; const cf = (lo >>> ${32 - n}) & 1, of = (rl >>> 31) ^ cf;`;
  } else if (op === 5) {
    body = `const rl = lo >>> ${n}, rh = 0; const cf = (lo >>> ${n - 1}) & 1, of = lo >>> 31;`;
  } else {
    body = `const rl = lo >> ${n}, rh = 0; const cf = (lo >> ${n - 1}) & 1, of = 0;`;
  }
  const zero = i.osize === 8 ? '(rl | rh) === 0' : '(rl | 0) === 0';
  const sign = i.osize === 8 ? 'rh >>> 31' : 'rl >>> 31';
  if (dead) return `{ const lo = r[${d}], hi = r[${d + 1}]; ${body} r[${d}] = rl | 0; r[${d + 1}] = rh; }`;
  return `{ const lo = r[${d}], hi = r[${d + 1}]; ${body} r[${d}] = rl | 0; r[${d + 1}] = rh; const p = rl ^ (rl >>> 4);` +
    ` c.flags = (c.flags & ${~ARITH}) | cf | (of << 11) | (${zero} ? 64 : 0) | ((${sign}) << 7) | (((0x9669 >> (p & 15)) & 1) << 2);` +
    ` c.lop = ${Lazy.None}; }`;
}

