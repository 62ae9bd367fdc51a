// Binds each opcode row's handler name to its function and cycle cost.
import type { Insn, Handler } from '../insn';
import { OPCODES } from '../opcodes';
import { cyclesFor } from '../cycles';
import * as alu from './alu';
import * as move from './move';
import * as muldiv from './muldiv';
import * as shift from './shift';
import * as bits from './bits';
import * as control from './control';
import * as string from './string';
import * as misc from './misc';
import * as system from './system';
import { specialize } from './fast';

const modules = [alu, move, muldiv, shift, bits, control, string, misc, system] as const;

const HANDLERS = new Map<string, Handler>();
for (const m of modules) {
  for (const [name, fn] of Object.entries(m)) {
    if (typeof fn === 'function' && fn.length === 2) HANDLERS.set(name, fn as Handler);
  }
}

/** Per row: the bound handler and its cost; resolved once, checked at startup. */
const rowHandler: Handler[] = [];
const rowCost: number[] = [];
OPCODES.forEach((row, k) => {
  const fn = HANDLERS.get(row[4]);
  if (!fn) throw new Error(`opcode table: no handler "${row[4]}" for ${row[0]} ${row[1]}`);
  rowHandler[k] = fn;
  rowCost[k] = cyclesFor(row[4]);
});

/** Specialized handlers on (default) or off: the oracle tests run both ways. */
let fastPaths = true;
export function setFastPaths(on: boolean): void {
  fastPaths = on;
}

export function bindHandler(i: Insn): void {
  if (i.row < 0) {
    i.exec = misc.invalid;
    i.cost = 1;
    return;
  }
  const name = OPCODES[i.row]![4];
  i.exec = (fastPaths && specialize(name, i)) || rowHandler[i.row]!;
  i.cost = rowCost[i.row]!;
}

export function handlerNames(): string[] {
  return [...HANDLERS.keys()];
}
