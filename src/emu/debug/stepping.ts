// Stepping as predicates the debugger's instruction hook evaluates before each
// instruction (returning true stops there, RIP on that instruction). The
// machine itself runs (Machine.run), so devices advance and interrupts and world
// switches happen exactly as in a free run.
import type { Cpu } from '../cpu/cpu';
import { decode } from '../cpu/decode';
import type { Insn } from '../cpu/insn';
import { currentWorld, readLinear, ripLinear, rspValue } from './world';

export type Stepper = (c: Cpu) => boolean;

/** The instruction at RIP in the current world (null if its first byte is not mapped). */
export function insnAtRip(c: Cpu): Insn | null {
  const bytes = readLinear(c, ripLinear(c), 15);
  if (bytes === null) return null;
  return decode({ byte: (off) => bytes[off] ?? 0 }, c.mode);
}

/** Near or far call: E8, FF /2, FF /3, 9A. */
export function isCall(i: Insn): boolean {
  return i.map === 0 && i.row >= 0 && (i.op === 0xe8 || i.op === 0x9a || (i.op === 0xff && ((i.reg & 7) === 2 || (i.reg & 7) === 3)));
}

/** ret, ret imm16, far ret, iret: leaves a frame. */
export function isRet(i: Insn): boolean {
  return i.map === 0 && i.row >= 0 && (i.op === 0xc3 || i.op === 0xc2 || i.op === 0xcb || i.op === 0xca || i.op === 0xcf);
}

/**
 * One step: stop at the next instruction boundary where anything moved — an
 * instruction retired, RIP changed (an exception or interrupt was delivered) or
 * the world changed (VMRUN entered a guest, or an intercept returned to the host).
 */
export function stepInto(c: Cpu): Stepper {
  const i0 = c.instructions, r0 = ripLinear(c), w0 = currentWorld(c);
  return (x) => x.instructions !== i0 || ripLinear(x) !== r0 || currentWorld(x) !== w0;
}

/**
 * Step over: at a call, run until RIP is the instruction after it, in the same
 * world, with the stack back at (or above) its depth before the call; otherwise one step.
 */
export function stepOver(c: Cpu): Stepper {
  const i = insnAtRip(c);
  if (i === null || !isCall(i)) return stepInto(c);
  const w0 = currentWorld(c), rsp0 = rspValue(c);
  const ret = c.mode === 64 ? ripLinear(c) + i.len : (ripLinear(c) + i.len) >>> 0;
  return (x) => ripLinear(x) === ret && currentWorld(x) === w0 && rspValue(x) >= rsp0;
}

/**
 * Step out: run until a ret (or iret) in this world has left the current frame:
 * the instruction just executed was a ret and RSP is now above its value at the start.
 */
export function stepOut(c: Cpu): Stepper {
  const w0 = currentWorld(c), rsp0 = rspValue(c);
  let afterRet = false;
  return (x) => {
    const same = currentWorld(x) === w0;
    if (afterRet && same && rspValue(x) > rsp0) return true;
    const i = same ? insnAtRip(x) : null;
    afterRet = i !== null && isRet(i);
    return false;
  };
}

/** Run until the instruction counter reaches `target`. */
export function untilInstructions(target: number): Stepper {
  return (x) => x.instructions >= target;
}
