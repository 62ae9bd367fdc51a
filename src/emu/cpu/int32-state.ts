// Where the CPU keeps the int32 values that take any 32-bit value: RIP's halves,
// the instruction's start, the lazy flags' operands and result, the last memory
// operand's linear address, the high half of a 64-bit result and the pages the CPU
// keeps for reads and writes (cpu-memory.ts).
//
// V8 stores a small integer in a field as is, and anything else as a boxed
// double, once for every object of the class. In Node a small integer has 32
// bits, so these fields stay integers. Chromium's V8 compresses pointers and its
// small integers have 31 bits: the first address above 1 GiB (the HVMM's code
// and data) or result of that size turns each of these fields into a boxed double
// for every Cpu in the worker. There they live in an Int32Array instead (CpuState.st),
// behind accessors of the same names, and compiled blocks address its slots
// directly. Measured in Chromium (the commit before against this, interleaved, two
// rounds): interpreted, sieve 31-35 -> 43-44 MIPS, sort 33-35 -> 39-40 and the whole
// PC 28-31 -> 37; compiled, the whole PC 175-177 -> 185-193 and sieve 96-105 -> 132-144.
// In Node the array was the slower of the two (interpreted 3-20 % by variant), so
// Node keeps plain fields.
import type { CpuState } from './cpu-state';

/** Slots of CpuState.st, by field name. */
export const INT32_SLOTS = {
  ripLo: 0, ripHi: 1, startLo: 2, startHi: 3,
  lres: 4, lresH: 5, ldst: 6, ldstH: 7, lsrc: 8, lsrcH: 9, lcf: 10,
  laLo: 11, laHi: 12, hi: 13,
  rmPage: 14, rmHi: 15, rmBase: 16, wmPage: 17, wmHi: 18, wmBase: 19,
} as const;
export type Int32Field = keyof typeof INT32_SLOTS;

/**
 * True: the fields are accessors over CpuState.st (the browser, or PACIFICA_INT32_STATE=array);
 * false: plain fields (Node, or PACIFICA_INT32_STATE=fields). Fixed when the module loads.
 */
export const INT32_STATE_IN_ARRAY: boolean = chooseLayout();

function chooseLayout(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } }).process;
  const forced = proc?.env?.PACIFICA_INT32_STATE;
  if (forced === 'array') return true;
  if (forced === 'fields') return false;
  return proc?.versions?.node === undefined;
}

/** Slots in CpuState.st: one per field. */
export const INT32_STATE_SIZE = Object.keys(INT32_SLOTS).length;

/**
 * The array layout: put an accessor per field on CpuState's prototype (CpuState then creates no
 * such fields). Each is generated with its slot as a literal, so V8 inlines it as one typed-array
 * access, as the compiled blocks' direct slots are.
 */
export function installInt32Accessors(proto: CpuState): void {
  for (const [name, slot] of Object.entries(INT32_SLOTS)) {
    Object.defineProperty(proto, name, {
      get: new Function(`return this.st[${slot}];`) as () => number,
      set: new Function('v', `this.st[${slot}] = v;`) as (v: number) => void,
      configurable: true,
    });
  }
}

/** The fields layout: the fields, zero, in the order above. */
export const INT32_FIELDS_ZERO: Readonly<Record<Int32Field, number>> = Object.fromEntries(
  Object.keys(INT32_SLOTS).map((n) => [n, 0]),
) as Record<Int32Field, number>;
