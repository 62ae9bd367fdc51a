// A decoded instruction: everything execution needs, computed once per
// instruction address. The CPU keeps decoded instructions in a cache, so this
// object is built once and executed many times.
import type { Cpu } from './cpu';
import { INT32_STATE_IN_ARRAY } from './int32-state';

export type Handler = (cpu: Cpu, i: Insn) => void;

/** Segment register numbers, in the encoding order of ModRM.reg for mov Sreg. */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
/** Segment register slots after the six: LDTR and TR (the CPU keeps their hidden parts alike). */
export const LDTR = 6, TR = 7;

/** Base register value meaning "RIP-relative" (64-bit mode, mod=00 rm=101). */
export const BASE_RIP = 16;

/**
 * A memory operand of the commonest shapes in 64-bit gcc code: [base + disp], [rip + disp] or
 * [disp] with a 64-bit address, no index and no FS/GS base (CpuState.eaBaseDisp sums it).
 */
export const isBaseDisp64 = (i: Insn): boolean => i.asize === 8 && i.index < 0 && i.seg < FS;
/** Register ids 16..19 name the legacy high-byte registers AH, CH, DH, BH. */
export const AH_ID = 16;

export const REP_NONE = 0, REP_E = 1, REP_NE = 2;

export class Insn {
  /** Executes the instruction; bound by the CPU from the opcode row's handler name. */
  exec: Handler | null = null;
  /** Cycles charged per execution (cycles.ts), bound with exec. */
  cost = 1;
  /** exec as one of the few handlers the interpreter's loop calls by name (exec/fast.ts fastId), or 0. */
  fast = 0;
  /** Index into OPCODES, or -1 when the bytes are not a valid instruction (#UD). */
  row = -1;
  /** Total length in bytes: a faulting instruction restarts at RIP - len. */
  len = 0;
  /** Code size the bytes were decoded for (16, 32, 64); the cache re-decodes on mismatch. 0: dropped from the cache (its page was written). */
  mode = 64;
  /**
   * The cached instruction at the physical address right after this one (the interpreter's loop
   * links them as it runs, icache.ts), or null: straight-line code is fetched without the
   * cache's lookup. Valid while its mode is not 0.
   */
  next: Insn | null = null;
  /** Opcode byte, and 1 for the 0F map. */
  op = 0;
  map = 0;
  /** Operand size in bytes (1, 2, 4, 8) and address size in bytes (2, 4, 8). */
  osize = 4;
  asize = 8;
  rep = REP_NONE;
  lock = false;
  rex = 0;
  /** Segment of the memory operand: the override, or DS/SS by the base register. */
  seg = DS;
  /** ModRM.reg (with REX.R), the opcode's register (Z operands), or the group extension. */
  reg = 0;
  /** ModRM.rm as a register (with REX.B) when mod = 3. */
  rm = 0;
  /** True when the r/m operand is in memory. */
  mem = false;
  base = -1;
  index = -1;
  scale = 0;
  dispLo = 0;
  dispHi = 0;
  /** First immediate, sign-extended to 64 bits as two halves; second immediate (enter). */
  immLo = 0;
  immHi = 0;
  imm2 = 0;
  /** Condition code (jcc, setcc, cmovcc). */
  cc = 0;
  /** Why decoding failed, for the debugger: 'ud' (undefined) or 'gp' (longer than 15 bytes). */
  fault: 'ud' | 'gp' | '' = '';
}

// Chromium's V8 keeps 31-bit small integers in fields. One immediate or displacement beyond
// that (0x80000000, an address above 1 GiB: every workload has some) makes the field a boxed
// double in every Insn, and each read in the loop a load from the box and a conversion. A field
// that has once held a non-number is instead tagged: small values stay small integers, a wide
// one gets a box of its own. So, in the browser's layout (int32-state.ts), these fields are
// made tagged before any instruction is decoded.
if (INT32_STATE_IN_ARRAY) {
  const generalize = new Insn() as unknown as Record<string, unknown>;
  for (const f of ['immLo', 'immHi', 'dispLo', 'dispHi']) generalize[f] = null; // imm2 is 16 bits at most
}
