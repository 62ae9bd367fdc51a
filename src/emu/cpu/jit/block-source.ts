// The block compiler's code generator: a block's JavaScript source (blockSource), and the
// function made from it (generate), shared by every machine in the realm that runs the same
// bytes. blocks.ts decides what a block is and caches the functions per physical page; this
// file decides what the function does, instruction by instruction (see blocks.ts's header).
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { INT32_SLOTS, INT32_STATE_IN_ARRAY, type Int32Field } from '../int32-state';
import { cond } from '../flags';
import { classify, Kind } from './classify';
import { emitInline, isInlinePure, isJccFast, isRelJump, marksSlowPaths, setsAllFlags } from './inline';
import { emitFusedJcc, fusedFlags } from './conditions';
import { SLOW_MARK, TLB_PRELUDE } from './memory-access';
import type { BlockPage } from './blocks';

/**
 * The statement taking a relative jump (jcc, jmp) at block offset `at` whose target lies in the
 * same 4 KiB page as the block, in 64-bit code: RIP is then l0 plus a constant, in the high half
 * h0, and nothing for setRip to check (the page's RIPs are canonical; 64-bit code has no CS
 * limit). Otherwise null, and the jump goes through cpu.jumpRel.
 */
function jumpStmt(i: Insn, mode: number, entryOff: number, at: number): string | null {
  if (mode !== 64 || i.osize !== 8 || !isRelJump(i)) return null;
  const to = at + i.len + i.immLo; // relative to the block's first byte
  const page = entryOff + to;
  if (page < 0 || page >= 4096) return null;
  // A jump that ends its page (at a 4 GiB boundary RIP after it carried into the high half) back
  // into the page also restores the high half.
  return entryOff + at + i.len >= 4096 ? `c.ripLo = (l0 + ${to}) | 0; c.ripHi = h0;` : `c.ripLo = (l0 + ${to}) | 0;`;
}

/**
 * Does the block run on past i, a conditional jump at block offset `at`, leaving only when the
 * jump is taken? When the compiler inlines it, knows its target (jumpStmt) and the jump goes
 * forward: the taken path sets RIP, counts the jump and returns, so it cannot throw. A backward
 * jump (a loop's back edge) still ends the block, so that a loop whose body is one block keeps
 * repeating inside its function.
 */
export function sideExit(i: Insn, mode: number, entryOff: number, at: number): boolean {
  return isJccFast(i) && i.immLo > 0 && jumpStmt(i, mode, entryOff, at) !== null;
}

/** JavaScript source for one block (generate() builds the function from it). */
export function blockSource(insns: readonly Insn[], mode: number, entryOff: number, inline: boolean): string {
  const out: string[] = [];
  const pre: string[] = [];
  // Each instruction's offset from the block's first byte.
  const offs: number[] = [];
  for (let k = 0, o = 0; k < insns.length; o += insns[k]!.len, k++) offs.push(o);
  // A conditional jump inside the block (sideExit) leaves it when taken; untaken it is as pure as
  // a register instruction: it changes neither memory, the TLB, the stop request nor IF.
  const passes = (i: Insn, k: number): boolean =>
    classify(i) === Kind.Pure || (k < insns.length - 1 && inline && sideExit(i, mode, entryOff, offs[k]!));
  const needTlb = insns.some((i, k) => k < insns.length - 1 && !passes(i, k));
  const pure = insns.map((i) => inline && isInlinePure(i));
  // Is the interrupt check made after instruction k (below: not between two instructions that pass)?
  const checkAfter = (k: number): boolean => k < insns.length - 1 && !(k >= 1 && passes(insns[k]!, k) && passes(insns[k - 1]!, k - 1));
  // Flags nothing can read (flagsDead): a register-only instruction's arithmetic flags when a later
  // one sets all six again with only register-only, flag-free instructions between them and no
  // interrupt check after any of them (neither can throw; an interrupt would push RFLAGS).
  const flagsDead = insns.map((i, k) => {
    if (!pure[k] || !setsAllFlags(i)) return false;
    for (let j = k + 1; j < insns.length; j++) {
      if (checkAfter(j - 1) || !pure[j]) return false;
      if (setsAllFlags(insns[j]!)) return true;
    }
    return false;
  });
  pre.push('const l0 = c.ripLo, h0 = c.ripHi;');
  if (needTlb) pre.push('const m = c.mmu, EP = m.epoch;');
  let usesR = false;
  let d = 0;
  // A block ending in a conditional jump back to its own first byte (a tight loop) repeats inside
  // the function instead of returning to the CPU's loop, while the jump is taken and nothing the
  // CPU's loop would check between blocks (interrupt, stop, budget, page, TLB) says otherwise.
  const lastI = insns[insns.length - 1]!;
  const endLen = insns.reduce((a, i) => a + i.len, 0);
  const loops = inline && emitInline(lastI, insns.length - 1) !== null && isJccFast(lastI)
    && ((entryOff + endLen + lastI.immLo) | 0) === entryOff;
  const ret = (n: number) => loops ? (n < 0 ? `-(done + ${-n})` : `done + ${n}`) : `${n}`;
  // Register-only inline instructions (isInlinePure: no memory, no handler, cannot throw) are not
  // observable one by one: their instruction and cycle counts are added together before anything
  // that could look (a handler, an interrupt check, a return), and they do not store startLo/startHi
  // (only a throwing instruction's own start is ever read; each one stores it).
  let pendN = 0, pendC = 0;
  let fused: string | null = null; // the next instruction's code, a jump fused with this one's flags
  let fuses = false;
  const flush = () => {
    if (pendN > 0) out.push(pendN === 1 ? `c.instructions++; c.cycles += ${pendC};` : `c.instructions += ${pendN}; c.cycles += ${pendC};`);
    pendN = 0;
    pendC = 0;
  };
  for (let k = 0; k < insns.length; k++) {
    const i = insns[k]!;
    const last = k === insns.length - 1;
    const next = d + i.len;
    out.push(`// ${k}: row ${i.row} len ${i.len}`);
    const pureInline = inline && isInlinePure(i);
    if (!pureInline) {
      flush();
      out.push(k === 0 ? 'c.startLo = l0; c.startHi = h0;' : `c.startLo = (l0 + ${d}) | 0; c.startHi = h0;`);
    }
    // A register-only instruction's RIP is not stored when nothing reads it before the next
    // instruction stores its own: no interrupt check after it, and its code does not use RIP.
    const ripAt = out.length;
    if (mode === 64 && entryOff + next >= 4096) {
      // The next RIP is the first byte of the next page: carry into the high half.
      out.push(`{ const n = (l0 + ${next}) | 0; c.ripLo = n; if ((n >>> 0) < (l0 >>> 0)) c.ripHi = (h0 + 1) | 0; }`);
    } else {
      out.push(`c.ripLo = (l0 + ${next}) | 0;`);
    }
    // A compare, subtract or logic instruction right before the block's conditional jump hands the
    // jump its operands and result in locals (fusion), so the jump need not read the lazy flags back.
    const nextI = insns[k + 1];
    const flagsLeft = inline && nextI !== undefined ? fusedFlags(i) : null;
    // A conditional jump before the block's end leaves it when taken (sideExit), counted first.
    const jumpAt = (j: Insn, kj: number, at: number): string | null => {
      const js = jumpStmt(j, mode, entryOff, at);
      if (js === null || kj === insns.length - 1) return js;
      return `{ ${js} c.instructions++; c.cycles += ${j.cost}; return ${ret(kj + 1)}; }`;
    };
    const fusedJcc = flagsLeft !== null ? emitFusedJcc(nextI!, flagsLeft, jumpAt(nextI!, k + 1, next)) : null;
    const body = fused !== null ? fused : inline ? emitInline(i, k, fusedJcc !== null, jumpAt(i, k, d), flagsDead[k]) : null;
    if (pure[k] && !last && !checkAfter(k) && body !== null && !/c\.rip/.test(body)) out.splice(ripAt, 1);
    fused = fusedJcc;
    if (fusedJcc !== null) fuses = true;
    if (body !== null) {
      usesR = true;
      out.push(body);
    } else {
      out.push(`E${k}(c, I${k});`);
    }
    if (pureInline) {
      pendN++;
      pendC += i.cost;
    } else {
      out.push(`c.instructions++; c.cycles += ${i.cost};`);
    }
    if (!last) {
      if (!passes(i, k)) {
        const check = `if (c.stop !== 0 || P.dead || m.epoch !== EP || c.ripLo !== ((l0 + ${next}) | 0)) return ${ret(k + 1)};`;
        // Inline code that changes none of these unless it called out to the CPU (marksSlowPaths)
        // is checked only when it did.
        if (body !== null && marksSlowPaths(i)) {
          out.push(`if (X !== 0) { X = 0; ${check} }`);
        } else {
          out.push(check);
        }
      }
      // The interrupt check after a pure instruction that follows another one inside the block can
      // only repeat the previous check's answer: pure instructions change neither IF, GIF, the
      // pending interrupts nor the shadow (only sti, mov ss and pop ss, none of them pure, set it;
      // it covers the one instruction after them, whose check is made).
      if (checkAfter(k)) {
        flush();
        out.push(`if (c.irqCheck && c.takeInterrupt()) return ${ret(-(k + 1))};`);
      }
    }
    d = next;
  }
  flush();
  const n = insns.length;
  if (loops) {
    out.unshift('let done = 0;', 'for (;;) {');
    out.push(`done += ${n};`);
    out.push(`if (c.ripLo !== l0 || c.ripHi !== h0 || c.stop !== 0 || c.irqCheck || P.dead || done + ${n} > left${needTlb ? ' || m.epoch !== EP' : ''}) return done;`);
    out.push('}');
  } else {
    out.push(`return ${n};`);
  }
  if (usesR) pre.push('const r = c.r;');
  if (fuses) pre.push('let Fd = 0, FdH = 0, Fs = 0, FsH = 0, Fl = 0, Fh = 0;');
  // X: set by inline code's calls out to the CPU (memory-access.ts slow).
  if (out.some((l) => l.includes(SLOW_MARK))) pre.push('let X = 0;');
  if (out.some((l) => l.includes('TL['))) pre.push(TLB_PRELUDE);
  const src = `${pre.join('\n')}\n${out.join('\n')}`;
  if (!INT32_STATE_IN_ARRAY) return src;
  // The emitters write c.ripLo, c.lres, ...; where those are accessors over c.st (int32-state.ts),
  // the block reads and writes the array's slots itself.
  const direct = src.replace(INT32_FIELD, (_, n: Int32Field) => `S[${INT32_SLOTS[n]}]`);
  return direct === src ? src : `const S = c.st;\n${direct}`;
}
const INT32_FIELD = new RegExp(`\\bc\\.(${Object.keys(INT32_SLOTS).join('|')})\\b`, 'g');

export function generate(insns: readonly Insn[], mode: number, entryOff: number, inline: boolean, bytes: string): BlockFn {
  const body = blockSource(insns, mode, entryOff, inline);
  const consts = insns.map((_, k) => `const E${k} = I[${k}].exec, I${k} = I[${k}];`).join('\n');
  const src = `'use strict';\n${consts}\nreturn function block(c, left, P) {\n` +
    `const M = c.mem, U8 = M.u8, U32 = M.i32, DV = M.dv, CP = M.codePage, SZ = M.size;\n${body}\n};`;
  // Keyed by what the function captures and does: the same bytes in the same mode decode to the
  // same instructions, bound to the same handlers unless fast paths were switched off (as the
  // oracle tests do), and the same text does the same with them.
  const key = `${mode}:${bytes};${insns.map((i) => handlerId(i.exec!)).join(',')}\n${src}`;
  let fn = SHARED_BLOCKS.get(key);
  if (fn === undefined) {
    fn = (new Function('I', 'COND', src) as (I: readonly Insn[], COND: typeof cond) => BlockFn)(insns, cond);
    if (SHARED_BLOCKS.size >= MAX_SHARED_BLOCKS) SHARED_BLOCKS.delete(SHARED_BLOCKS.keys().next().value!);
    SHARED_BLOCKS.set(key, fn);
  }
  return fn;
}

/** A block's function: the CPU, the budget left, the block's page (`P.dead`). */
export type BlockFn = (c: Cpu, left: number, P: BlockPage) => number;

/** A number per handler function, for the shared blocks' keys. */
const HANDLER_IDS = new WeakMap<object, number>();
let nextHandlerId = 0;
function handlerId(h: object): number {
  let id = HANDLER_IDS.get(h);
  if (id === undefined) HANDLER_IDS.set(h, (id = nextHandlerId++));
  return id;
}
/**
 * Block functions for every machine in this realm, by their bytes and source. A block function
 * captures only what its bytes determine (the decoded instructions, their handlers) and takes
 * the machine's state as arguments (the CPU, its memory through c.mem, the block's page), so the
 * same guest code on another machine (a reboot of the lab, the next run of a benchmark) runs the
 * same function, with the code V8 optimized for it, instead of going through V8's tiers again.
 * Oldest dropped first past MAX_SHARED_BLOCKS.
 */
const SHARED_BLOCKS = new Map<string, BlockFn>();
const MAX_SHARED_BLOCKS = 2048;
