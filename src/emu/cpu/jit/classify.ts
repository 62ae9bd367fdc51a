// Which instructions a block may run past, by opcode-table handler name.
//
//   PURE      with a register r/m operand (or no memory access at all: lea, nop),
//             the handler reads and writes only registers and flags: it cannot
//             write memory, walk page tables, do I/O, set cpu.stop, change the
//             mode, CPL, paging or RIP. It may still throw (#DE, #UD, an SVM
//             intercept's WorldSwitch); a throw always leaves the block.
//   CONTINUE  may touch memory (or the stack, or IF), but never the mode, CS,
//             CPL, paging controls or RIP. After one of these the block checks
//             that nothing it relies on changed (stop, its page, the TLB, RIP).
//   anything else ends the block (control transfers, I/O, system and SVM
//             instructions, CPUID, REP string instructions, invalid encodings):
//             it is compiled as the block's last instruction. Of these, the near
//             control transfers (NEAR) change only RIP and RSP: the CPU's loop may
//             chain on after them without re-checking mode, CPL, paging or world.
import { OPCODES } from '../opcodes';
import { REP_NONE, type Insn } from '../insn';

const PURE_REG = new Set([
  'aluEG', 'aluGE', 'aluAI', 'aluEI', 'testEI', 'testEG', 'testAI',
  'movGE', 'movEG', 'movEI', 'movZI', 'movzx', 'movsx', 'movsxd',
  'inc', 'dec', 'incZ', 'decZ', 'not', 'neg',
  'mul', 'imul1', 'imul2', 'imul3', 'div', 'idiv',
  'shiftI', 'shiftCL', 'shift1', 'shldI', 'shldCL', 'shrdI', 'shrdCL',
  'btI', 'btG', 'bswap', 'setcc', 'cmovcc', 'xchg', 'xchgA', 'xadd', 'cmpxchg',
  'cwd', 'cbw', 'clc', 'stc', 'cmc', 'cld', 'std', 'lahf', 'sahf',
  'popcnt', 'lzcnt', 'tzcnt', 'bsf', 'bsr',
]);
/** Pure whatever the r/m operand says (the memory operand is only an address). */
const PURE_ANY = new Set(['lea', 'nop']);

const CONTINUE = new Set([
  'pushZ', 'popZ', 'pushE', 'popE', 'pushI', 'pushf', 'popf', 'leave', 'enter',
  'xlat', 'movAO', 'movOA', 'cmpxchg8b', 'cli', 'sti', 'rdtsc',
]);
const STRING = new Set(['movs', 'stos', 'lods', 'scas', 'cmps']);
const NEAR = new Set(['jcc', 'jmp', 'jmpE', 'call', 'callE', 'ret', 'loop', 'jrcxz']);

export const enum Kind { Pure = 0, Continue = 1, End = 2 }

export function handlerName(i: Insn): string {
  return i.row >= 0 ? OPCODES[i.row]![4] : '';
}

export function classify(i: Insn): Kind {
  if (i.row < 0) return Kind.End;
  const name = OPCODES[i.row]![4];
  if (PURE_ANY.has(name)) return Kind.Pure;
  if (PURE_REG.has(name)) return i.mem ? Kind.Continue : Kind.Pure;
  if (CONTINUE.has(name)) return Kind.Continue;
  if (STRING.has(name)) return i.rep === REP_NONE ? Kind.Continue : Kind.End;
  return Kind.End;
}

/**
 * Can a block whose last instruction is i have changed the mode, CPL, paging, CS base or world,
 * or halted? Not when i runs past (Pure, Continue: the block was cut short) or is a near jump,
 * call or return. (An exception, interrupt or #VMEXIT leaves the block another way.)
 */
export function keepsContext(i: Insn): boolean {
  return classify(i) !== Kind.End || (i.row >= 0 && NEAR.has(OPCODES[i.row]![4]));
}
