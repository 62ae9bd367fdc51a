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
import * as sysregs from './sysregs';
import * as msrs from './msrs';
import * as portio from './portio';
import * as svm from '../../svm/instructions';
import { specialize, fastId } from './fast';

const modules = [alu, move, muldiv, shift, bits, control, string, misc, system, sysregs, msrs, portio, svm] as const;

// The handler names the table uses, looked up among the modules' exports (each
// name must be exported by exactly one module).
const HANDLERS = new Map<string, Handler>();
for (const name of new Set(OPCODES.map((row) => row[4]))) {
  const found = modules.filter((m) => typeof (m as Record<string, unknown>)[name] === 'function');
  if (found.length > 1) throw new Error(`opcode table: handler "${name}" is exported by more than one module`);
  if (found.length === 1) HANDLERS.set(name, (found[0] as Record<string, unknown>)[name] as Handler);
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
    i.fast = 0;
    return;
  }
  const name = OPCODES[i.row]![4];
  i.exec = (fastPaths && specialize(name, i)) || rowHandler[i.row]!;
  i.cost = rowCost[i.row]!;
  i.fast = fastId(i.exec);
}
