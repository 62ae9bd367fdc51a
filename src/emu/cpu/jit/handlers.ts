// The specialized handlers the block compiler recognizes, obtained from exec/fast.ts itself
// (identity, not names: minifiers rename). An instruction gets inline code (inline.ts) or a fused
// condition (conditions.ts) only when its bound handler is one of these, so with the fast paths
// off (setFastPaths(false)) every handler is called.
import { Insn } from '../insn';
import { specialize } from '../exec/fast';
import type { Handler } from '../insn';

function shape(fields: Partial<Insn>): Insn {
  return Object.assign(new Insn(), fields);
}
/** By the shape fast.ts specializes them for. */
export const H = {
  aluEGreg: specialize('aluEG', shape({ mem: false, osize: 8 })),
  aluGEreg: specialize('aluGE', shape({ mem: false, osize: 8 })),
  aluGEmem: specialize('aluGE', shape({ mem: true, osize: 8 })),
  aluEIreg: specialize('aluEI', shape({ mem: false, osize: 8 })),
  movEGreg: specialize('movEG', shape({ mem: false, osize: 8 })),
  movGEreg: specialize('movGE', shape({ mem: false, osize: 8 })),
  movEGmem: specialize('movEG', shape({ mem: true, osize: 8 })),
  movGEmem: specialize('movGE', shape({ mem: true, osize: 8 })),
  movEGbd: specialize('movEG', shape({ mem: true, osize: 8, base: 4 })),
  movGEbd: specialize('movGE', shape({ mem: true, osize: 8, base: 4 })),
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
  pushReg64: specialize('pushZ', shape({ osize: 8 })),
  popReg64: specialize('popZ', shape({ osize: 8 })),
  callRel64: specialize('call', shape({ osize: 8 })),
  retNear64: specialize('ret', shape({ osize: 8, op: 0xc3 })),
} as const satisfies Record<string, Handler | undefined>;

/** The ALU operation number of cmp (the /7 of 80-83, the 38-3D row). */
export const CMP = 7;
