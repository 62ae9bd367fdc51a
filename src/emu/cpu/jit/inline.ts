// Inline code for the hottest instruction forms. Each emitter reproduces, for
// one decoded instruction with its operands known at compile time, exactly what
// the bound specialized handler (exec/fast.ts) does: the same registers, the
// same lazy-flag fields, the same memory accesses (a fast path for RAM with
// paging off; anything else calls the CPU's own read/write functions). An
// instruction is inlined only when its bound handler is that very function, so
// with the fast paths off (setFastPaths(false)) every handler is called.
// The native oracle and the lockstep tests run blocks with these inlined.
import { Insn, BASE_RIP, FS } from '../insn';
import { Lazy, ARITH } from '../flags';
import { specialize } from '../exec/fast';
import type { Handler } from '../insn';
import { TLB_MASK } from '../../mem/paging';

function shape(fields: Partial<Insn>): Insn {
  return Object.assign(new Insn(), fields);
}
/** The specialized handlers, obtained from fast.ts itself (identity, not names: minifiers rename). */
const H = {
  aluEGreg: specialize('aluEG', shape({ mem: false, osize: 8 })),
  aluGEreg: specialize('aluGE', shape({ mem: false, osize: 8 })),
  aluGEmem: specialize('aluGE', shape({ mem: true, osize: 8 })),
  aluEIreg: specialize('aluEI', shape({ mem: false, osize: 8 })),
  movEGreg: specialize('movEG', shape({ mem: false, osize: 8 })),
  movGEreg: specialize('movGE', shape({ mem: false, osize: 8 })),
  movEGmem: specialize('movEG', shape({ mem: true, osize: 8 })),
  movGEmem: specialize('movGE', shape({ mem: true, osize: 8 })),
  lea64: specialize('lea', shape({ osize: 8 })),
  movzxByteMem: specialize('movzx', shape({ mem: true, op: 0xb6, osize: 4 })),
  jccFast: specialize('jcc', shape({ osize: 8 })),
  jmpNear: specialize('jmp', shape({ osize: 8 })),
  testEGreg: specialize('testEG', shape({ mem: false, osize: 8 })),
  aluAIwide: specialize('aluAI', shape({ osize: 8 })),
  movEGmem8: specialize('movEG', shape({ mem: true, osize: 1 })),
  movEImem: specialize('movEI', shape({ mem: true, osize: 8 })),
  cmpEIbyteMem: specialize('aluEI', shape({ mem: true, osize: 1, reg: 7 })),
  shiftRegImm: specialize('shiftI', shape({ mem: false, osize: 8, reg: 4, op: 0xc1, immLo: 1 })),
  negReg: specialize('neg', shape({ mem: false, osize: 8 })),
  lea32: specialize('lea', shape({ osize: 4 })),
  movsxdReg: specialize('movsxd', shape({ mem: false, osize: 8 })),
  aluAIbyte: specialize('aluAI', shape({ osize: 1, op: 0x3c })),
  aluEIbyteReg: specialize('aluEI', shape({ mem: false, osize: 1, reg: 7 })),
  testEGbyteReg: specialize('testEG', shape({ mem: false, osize: 1 })),
} as const satisfies Record<string, Handler | undefined>;
for (const [k, v] of Object.entries(H)) if (v === undefined) throw new Error(`jit/inline: fast.ts has no ${k}`);

const CMP = 7;

/** Statements for dst (register halves at d, d+1) op= src (expressions sl, sh), as fast.ts alu64. */
function alu64(op: number, d: number, sl: string, sh: string, store = op !== CMP, fuse = false): string | null {
  const tail = (lazy: number, lo: string, hi: string) =>
    `{ const dl = r[${d}], dh = r[${d + 1}], sl = ${sl}, sh = ${sh}; ${lo} ${hi}` +
    ` c.lop = ${lazy}; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = dl; c.ldstH = dh; c.lsrc = sl; c.lsrcH = sh;` +
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
function alu32(op: number, d: number, s: string, store = op !== CMP, fuse = false): string | null {
  const tail = (lazy: number, lo: string) =>
    `{ const dl = r[${d}], s = ${s}; ${lo} c.lop = ${lazy}; c.lsz = 4; c.lres = lo; c.ldst = dl; c.lsrc = s;` +
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

/** fast.ts get8: byte register id (16-19: AH-BH) as an expression. */
function get8(id: number): string {
  return id < 16 ? `(r[${id << 1}] & 0xff)` : `((r[${(id - 16) << 1}] >> 8) & 0xff)`;
}

/**
 * fast.ts alu8 on the byte register `id` and the source expression s (not adc/sbb): the lazy
 * flags of size 1, c.hi = 0, the result written back (set8) unless cmp or `store` is false (test).
 */
function alu8Stmts(op: number, id: number, s: string, store: boolean, fuse: boolean): string {
  const [v, lop] = op === 0 ? ['(d + s) & 0xff', Lazy.Add] : op === 1 ? ['d | s', Lazy.Logic] : op === 4 ? ['d & s', Lazy.Logic]
    : op === 6 ? ['d ^ s', Lazy.Logic] : ['(d - s) & 0xff', Lazy.Sub];
  const k = id < 16 ? id << 1 : (id - 16) << 1;
  const write = !store ? '' : id < 16 ? ` r[${k}] = (r[${k}] & ~0xff) | v;` : ` r[${k}] = (r[${k}] & ~0xff00) | (v << 8);`;
  return `{ const d = ${get8(id)}, s = ${s}; const v = ${v}; c.lop = ${lop}; c.lsz = 1; c.lres = v; c.ldst = d; c.lsrc = s; c.hi = 0;${fuse ? ' Fl = v; Fd = d; Fs = s;' : ''}${write} }`;
}

/**
 * cpu.eaOffset then cpu.ea for a 64-bit address with the operands known, as
 * statements declaring the locals lo, hi (also left in c.laLo, c.laHi). FS/GS
 * (a segment base) and other address sizes call c.ea itself; a non-canonical
 * address calls c.ea, which raises the fault.
 */
function ea64Stmts(i: Insn, k: number): string {
  if (i.asize !== 8 || i.seg >= FS) return `c.ea(I${k}); const lo = c.laLo, hi = c.laHi;`;
  const p: string[] = [addr64Stmts(i)];
  p.push('c.laLo = lo; c.laHi = hi;');
  p.push(`if (((hi << 15) >> 15) !== hi) c.ea(I${k});`); // non-canonical: ea() raises the fault
  return p.join(' ');
}

/**
 * cpu.eaOffset for a 64-bit address: statements declaring the int32 halves lo, hi of
 * disp + base + index * scale (each carry out of the low half an unsigned wrap-around).
 */
function addr64Stmts(i: Insn): string {
  const p: string[] = [`let lo = ${i.dispLo | 0}, hi = ${i.dispHi | 0};`];
  const add = (l: string, h: string) => `{ const t = (lo + ${l}) | 0; hi = (hi + ${h} + ((t >>> 0) < (lo >>> 0) ? 1 : 0)) | 0; lo = t; }`;
  if (i.base === BASE_RIP) p.push(add('c.ripLo', 'c.ripHi'));
  else if (i.base >= 0) p.push(add(`r[${i.base << 1}]`, `r[${(i.base << 1) + 1}]`));
  if (i.index >= 0) {
    const x = i.index << 1, s = i.scale;
    p.push(s === 0 ? add(`r[${x}]`, `r[${x + 1}]`)
      : add(`(r[${x}] << ${s})`, `((r[${x + 1}] << ${s}) | (r[${x}] >>> ${32 - s}))`));
  }
  return p.join(' ');
}

/**
 * Statements setting `pa` to the RAM address of an access of `n` bytes at
 * lo, hi when it can be made directly, or -1 (then the CPU's own read/write
 * functions run, which walk, fault and reach MMIO). Direct means: inside one
 * page, and either paging off below 4 GiB, or a TLB hit (paging.ts, the same
 * index, tag and permission test as Mmu.translate) whose page is in RAM.
 * The block remembers the last page it read and the last it wrote this way (RL/RH/RB,
 * WL/WH/WB: linear page, 4 GiB, physical base) and skips the TLB for them: the block leaves
 * (or its loop stops) after any walk or TLB flush, and nothing else in a block changes the
 * TLB, the CPL or paging, so what the TLB said for the page stays true while the block runs.
 * pa is an int32 on every path (RAM is under 2 GiB: PhysMem's Int32Array view), so that V8 keeps it
 * in an integer register rather than a double.
 */
function paStmts(n: number, write: boolean): string {
  // Mmu's permission bits: R_S 1, W_S 2, R_U 4, W_U 8 (user: CPL 3 outside implicit supervisor accesses).
  const need = write ? '(c.cpl === 3 && !c.sysAccess ? 8 : 2)' : '(c.cpl === 3 && !c.sysAccess ? 4 : 1)';
  const m = write ? 'W' : 'R';
  return `let pa = -1; if ((lo & 0xfff) <= ${4096 - n}) { if ((lo & ~0xfff) === ${m}L && hi === ${m}H) pa = ${m}B | (lo & 0xfff);` +
    ` else if (!c.paging) { if (hi === 0 && (lo >>> 0) + ${n - 1} < SZ) pa = lo; }` +
    ` else { const x = ((lo >>> 12) ^ T.asidSalt) & ${TLB_MASK}; if (TL[x] === (lo & ~0xfff) && TH[x] === ((hi & 0x1ffff) | T.asidTag)` +
    ` && (TP[x] & ${need}) !== 0) { const b = PH[x]; if (b + 4096 <= SZ) { const bi = b | 0; pa = bi | (lo & 0xfff); ${m}L = lo & ~0xfff; ${m}H = hi; ${m}B = bi; } } } }`;
}
/** What a block using paStmts declares first (the remembered pages start as none: 1 is no page's address). */
export const TLB_PRELUDE = 'const T = c.mmu, TL = T.tagLo, TH = T.tagHi, TP = T.perm, PH = T.phys; let RL = 1, RH = 0, RB = 0, WL = 1, WH = 0, WB = 0;';
const rd32 = (pa: string) => `((${pa} & 3) === 0 ? U32[${pa} >>> 2] : DV.getInt32(${pa}, true))`;

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

/** Is i a conditional jump the compiler inlines (jcc rel: its target is i's end + immLo)? */
export function isJccFast(i: Insn): boolean {
  return i.exec === H.jccFast;
}

/**
 * JavaScript statements that do exactly what i's bound handler does, or null to call the handler.
 * `fuse`: i is an ALU instruction (fusedFlags) followed by a conditional jump in the same block; it
 * also leaves its operands and result in the block's locals Fd, FdH, Fs, FsH, Fl, Fh for the jump.
 * `jump`: for a jcc or jmp, the statement that takes the jump when the block knows its target
 * (blocks.ts jumpStmt); otherwise the CPU's jumpRel.
 */
export function emitInline(i: Insn, k: number, fuse = false, jump: string | null = null): string | null {
  const e = i.exec;
  if (e === H.aluEGreg || e === H.aluGEreg || e === H.aluEIreg) {
    const op = e === H.aluEIreg ? i.reg & 7 : i.op >> 3;
    const d = (e === H.aluGEreg ? i.reg : i.rm) << 1;
    const store = op !== CMP;
    if (e === H.aluEIreg) return i.osize === 8 ? alu64(op, d, `${i.immLo}`, `${i.immHi}`, store, fuse) : alu32(op, d, `${i.immLo}`, store, fuse);
    const s = (e === H.aluGEreg ? i.rm : i.reg) << 1;
    return i.osize === 8 ? alu64(op, d, `r[${s}]`, `r[${s + 1}]`, store, fuse) : alu32(op, d, `r[${s}]`, store, fuse);
  }
  if (e === H.aluGEmem) {
    // The source read as movGEmem reads it (read64 leaves its high half in c.hi), then aluGEreg's code.
    const op = i.op >> 3, d = i.reg << 1;
    const tail = i.osize === 8 ? alu64(op, d, 'ml', 'mh', op !== CMP, fuse) : alu32(op, d, 'ml', op !== CMP, fuse);
    if (tail === null) return null;
    const read = i.osize === 8
      ? `${paStmts(8, false)} let ml, mh; if (pa >= 0) { const q = pa + 4; ml = ${rd32('pa')}; mh = ${rd32('q')}; c.hi = mh; } else { ml = c.read64(lo, hi); mh = c.hi; }`
      : `${paStmts(4, false)} const ml = pa >= 0 ? ${rd32('pa')} : c.read32(lo, hi);`;
    return `{ ${ea64Stmts(i, k)} ${read} ${tail} }`;
  }
  if (e === H.movEGreg || e === H.movGEreg) {
    const d = (e === H.movEGreg ? i.rm : i.reg) << 1;
    const s = (e === H.movEGreg ? i.reg : i.rm) << 1;
    return i.osize === 8 ? `r[${d}] = r[${s}]; r[${d + 1}] = r[${s + 1}];` : `r[${d}] = r[${s}]; r[${d + 1}] = 0;`;
  }
  if (e === H.lea64) {
    // eaOffset only (no segment, no canonical check).
    if (i.asize !== 8) return null;
    return `{ ${addr64Stmts(i)} c.laLo = lo; c.laHi = hi; r[${i.reg << 1}] = lo; r[${(i.reg << 1) + 1}] = hi; }`;
  }
  if (e === H.lea32) {
    if (i.asize !== 8) return null;
    return `{ ${addr64Stmts(i)} c.laLo = lo; c.laHi = hi; r[${i.reg << 1}] = lo; r[${(i.reg << 1) + 1}] = 0; }`;
  }
  if (e === H.movsxdReg) {
    const d = i.reg << 1;
    return `{ const v = r[${i.rm << 1}]; r[${d}] = v; r[${d + 1}] = v >> 31; }`;
  }
  if (e === H.aluAIbyte) return alu8Stmts(i.op >> 3, 0, `${i.immLo & 0xff}`, i.op >> 3 !== CMP, fuse);
  if (e === H.aluEIbyteReg) return alu8Stmts(i.reg & 7, i.rm, `${i.immLo & 0xff}`, (i.reg & 7) !== CMP, fuse);
  if (e === H.testEGbyteReg) return alu8Stmts(4, i.rm, get8(i.reg), false, fuse);
  if (e === H.movGEmem) {
    const d = i.reg << 1;
    if (i.osize === 8) {
      return `{ ${ea64Stmts(i, k)} ${paStmts(8, false)} if (pa >= 0) { const v = ${rd32('pa')}, q = pa + 4; c.hi = ${rd32('q')}; r[${d}] = v; r[${d + 1}] = c.hi; }` +
        ` else { r[${d}] = c.read64(lo, hi); r[${d + 1}] = c.hi; } }`;
    }
    return `{ ${ea64Stmts(i, k)} ${paStmts(4, false)} if (pa >= 0) { r[${d}] = ${rd32('pa')}; } else r[${d}] = c.read32(lo, hi); r[${d + 1}] = 0; }`;
  }
  if (e === H.movEGmem) {
    const s = i.reg << 1;
    const n = i.osize === 8 ? 8 : 4;
    const store = (pa: string, v: string) => `if ((${pa} & 3) === 0) U32[${pa} >>> 2] = ${v}; else DV.setInt32(${pa}, ${v}, true);`;
    // The fast path also requires a page without decoded code or a watchpoint (PhysMem.codeWrite).
    const body = n === 8
      ? `const q = pa + 4; ${store('pa', 'vl')} ${store('q', 'vh')}`
      : `${store('pa', 'vl')}`;
    const slow = n === 8 ? 'c.write64(lo, hi, vl, vh);' : 'c.write32(lo, hi, vl);';
    return `{ const vl = r[${s}], vh = r[${s + 1}]; ${ea64Stmts(i, k)} ${paStmts(n, true)} if (pa >= 0 && CP[pa >>> 12] === 0) { ${body} } else ${slow} }`;
  }
  if (e === H.movzxByteMem) {
    const d = i.reg << 1;
    return `{ ${ea64Stmts(i, k)} ${paStmts(1, false)} r[${d}] = pa >= 0 ? U8[pa] : c.read8(lo, hi); r[${d + 1}] = 0; }`;
  }
  if (e === H.testEGreg) {
    const d = i.rm << 1, s = i.reg << 1;
    return i.osize === 8 ? alu64(4, d, `r[${s}]`, `r[${s + 1}]`, false, fuse) : alu32(4, d, `r[${s}]`, false, fuse);
  }
  if (e === H.aluAIwide) {
    const op = i.op >> 3;
    return i.osize === 8 ? alu64(op, 0, `${i.immLo}`, `${i.immHi}`, op !== CMP, fuse) : alu32(op, 0, `${i.immLo}`, op !== CMP, fuse);
  }
  if (e === H.movEGmem8) {
    // getR(1, reg): ids 16-19 are AH, CH, DH, BH (no REX prefix).
    const v = i.reg < 16 ? `r[${i.reg << 1}] & 0xff` : `(r[${(i.reg - 16) << 1}] >> 8) & 0xff`;
    return `{ const v = ${v}; ${ea64Stmts(i, k)} ${paStmts(1, true)} if (pa >= 0 && CP[pa >>> 12] === 0) U8[pa] = v; else c.write8(lo, hi, v); }`;
  }
  if (e === H.movEImem) {
    const n = i.osize;
    const store = (pa: string, v: number) => `if ((${pa} & 3) === 0) U32[${pa} >>> 2] = ${v}; else DV.setInt32(${pa}, ${v}, true);`;
    const body = n === 8 ? `const q = pa + 4; ${store('pa', i.immLo)} ${store('q', i.immHi)}` : n === 4 ? store('pa', i.immLo) : `U8[pa] = ${i.immLo & 0xff};`;
    const slow = n === 8 ? `c.write64(lo, hi, ${i.immLo}, ${i.immHi});` : n === 4 ? `c.write32(lo, hi, ${i.immLo});` : `c.write8(lo, hi, ${i.immLo});`;
    return `{ ${ea64Stmts(i, k)} ${paStmts(n, true)} if (pa >= 0 && CP[pa >>> 12] === 0) { ${body} } else ${slow} }`;
  }
  if (e === H.cmpEIbyteMem) {
    const s = i.immLo & 0xff;
    return `{ ${ea64Stmts(i, k)} ${paStmts(1, false)} const d = pa >= 0 ? U8[pa] : c.read8(lo, hi);` +
      ` c.lop = ${Lazy.Sub}; c.lsz = 1; c.lres = (d - ${s}) & 0xff; c.ldst = d; c.lsrc = ${s}; c.hi = 0; }`;
  }
  if (e === H.shiftRegImm) return shiftStmts(i);
  if (e === H.negReg) {
    const d = i.rm << 1;
    return i.osize === 8
      ? `{ const sl = r[${d}], sh = r[${d + 1}]; const t = 0 - (sl >>> 0); const lo = t | 0, hi = (0 - sh - (t < 0 ? 1 : 0)) | 0;` +
        ` c.lop = ${Lazy.Sub}; c.lsz = 8; c.lres = lo; c.lresH = hi; c.ldst = 0; c.ldstH = 0; c.lsrc = sl; c.lsrcH = sh; r[${d}] = lo; r[${d + 1}] = hi; }`
      : `{ const s = r[${d}], lo = (0 - s) | 0; c.lop = ${Lazy.Sub}; c.lsz = 4; c.lres = lo; c.ldst = 0; c.lsrc = s; r[${d}] = lo; r[${d + 1}] = 0; }`;
  }
  if (e === H.jccFast) return `{ ${condStmts(i.cc)} if (t) ${jump ?? `c.jumpRel(${i.immLo}, ${i.osize});`} }`;
  if (e === H.jmpNear) return jump ?? `c.jumpRel(${i.immLo}, ${i.osize});`;
  return null;
}

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
    // Bytes (fast.ts alu8): Fd, Fs are the operands and Fl the result, each 0-255; SF is bit 7.
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

/** Is i a near jump (jcc or jmp with a relative target) the compiler inlines? */
export function isRelJump(i: Insn): boolean {
  return i.exec === H.jccFast || i.exec === H.jmpNear;
}

/**
 * fast.ts shiftRegImm with its count known: shl/shr/sar of a 32- or 64-bit register, all six
 * arithmetic flags set (AF cleared; PF from the low byte: 0x9669 has bit k set when k has an even
 * number of ones), the lazy flags off.
 */
function shiftStmts(i: Insn): string {
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
  return `{ const lo = r[${d}], hi = r[${d + 1}]; ${body} r[${d}] = rl | 0; r[${d + 1}] = rh; const p = rl ^ (rl >>> 4);` +
    ` c.flags = (c.flags & ${~ARITH}) | cf | (of << 11) | (${zero} ? 64 : 0) | ((${sign}) << 7) | (((0x9669 >> (p & 15)) & 1) << 2);` +
    ` c.lop = ${Lazy.None}; }`;
}

/** fast.ts fastCond(c, cc) as statements leaving the result in t. */
function condStmts(cc: number): string {
  const wide = subCompare(cc, true, 'd', 'dH', 's', 'sH'), narrow = subCompare(cc, false, 'd', 'dH', 's', 'sH');
  if (wide === null || narrow === null) return `const t = COND(c, ${cc});`;
  // 32-bit compares: fast.ts uses dH = sH = 0, where the wide forms reduce to the narrow ones.
  const inv = (cc & 1) !== 0 ? 't = !t;' : '';
  return `let t; if (c.lop === ${Lazy.Sub} && c.lsz >= 4) { const d = c.ldst, s = c.lsrc; ` +
    `if (c.lsz === 8) { const dH = c.ldstH, sH = c.lsrcH; t = ${wide}; } else t = ${narrow}; ${inv} } else t = COND(c, ${cc});`;
}
