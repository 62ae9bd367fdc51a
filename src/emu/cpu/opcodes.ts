// The one declarative opcode table of the instruction core.
//
// Each row says how an instruction is encoded and which handler executes it.
// The decoder (decode.ts) reads only the encoding columns; the CPU binds the
// handler column to a function from exec/*.ts. A student can read the table
// the way they read the opcode maps in AMD APM Vol 3, Appendix A.
//
// Columns: [encoding, mnemonic, operands, attributes, handler]
//
// encoding  "[PFX ]XX[ YY][/n][ r|m]"
//           PFX  mandatory prefix: F3, F2 or 66 (absent: any prefix);
//                NP: valid only without any of 66, F2, F3
//           XX   opcode byte; "0F XX" is the two-byte map
//           r=N  ModRM.mod must be 3 and ModRM.rm must be N (e.g. 0F 01 F8 = 0F 01/7 r=0)
//           +r   eight rows, register number in the low three opcode bits (Z operand)
//           /n   ModRM.reg extension; "r" = ModRM.mod must be 3, "m" = must not be
// operands  AMD/Intel operand notation, which also drives decoding:
//           E ModRM r/m, G ModRM reg, R ModRM r/m as a register whatever mod says,
//           C/D control/debug register in ModRM.reg, A far pointer immediate (offset:selector), M memory-only r/m, S segment register in ModRM.reg,
//           Z register in the opcode's low bits, I immediate, J relative offset,
//           O absolute offset (moffs); sizes b=8 w=16 d=32 q=64 v=operand size
//           z=16/32 (immediates: 32 sign-extended when the operand size is 64)
//           AL/rAX/CL/DX/1 are implicit and do not change decoding.
//           S names ES..GS (ModRM.reg 0..5; 6 and 7 are #UD), and CS is never a destination.
// attributes d64  default operand size 64 in long mode (no 32-bit form)
//           f64  operand size 64 in long mode; AMD honours 0x66 (16-bit) on these
//           i64  invalid in 64-bit mode
//           lock LOCK prefix allowed (when the destination is memory)
//           str  string instruction (REP/REPE/REPNE apply)
//           jcc  condition code is the opcode's low four bits
export type OpcodeRow = readonly [encoding: string, mnemonic: string, operands: string, attrs: string, handler: string];

const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;
export const CONDITIONS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;

const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');

function aluRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  ALU.forEach((m, n) => {
    const base = n * 8;
    const lock = m === 'cmp' ? '' : 'lock';
    rows.push(
      [hex(base + 0), m, 'Eb,Gb', lock, 'aluEG'],
      [hex(base + 1), m, 'Ev,Gv', lock, 'aluEG'],
      [hex(base + 2), m, 'Gb,Eb', '', 'aluGE'],
      [hex(base + 3), m, 'Gv,Ev', '', 'aluGE'],
      [hex(base + 4), m, 'AL,Ib', '', 'aluAI'],
      [hex(base + 5), m, 'rAX,Iz', '', 'aluAI'],
      [`80/${n}`, m, 'Eb,Ib', lock, 'aluEI'],
      [`81/${n}`, m, 'Ev,Iz', lock, 'aluEI'],
      [`82/${n}`, m, 'Eb,Ib', `${lock} i64`, 'aluEI'],
      [`83/${n}`, m, 'Ev,Ib', lock, 'aluEI'],
    );
  });
  return rows;
}

function conditionRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  CONDITIONS.forEach((c, n) => {
    rows.push(
      [hex(0x70 + n), `j${c}`, 'Jb', 'f64 jcc', 'jcc'],
      [`0F ${hex(0x80 + n)}`, `j${c}`, 'Jz', 'f64 jcc', 'jcc'],
      [`0F ${hex(0x90 + n)}`, `set${c}`, 'Eb', 'jcc', 'setcc'],
      [`0F ${hex(0x40 + n)}`, `cmov${c}`, 'Gv,Ev', 'jcc', 'cmovcc'],
    );
  });
  return rows;
}

function shiftRows(): OpcodeRow[] {
  const rows: OpcodeRow[] = [];
  SHIFTS.forEach((m, n) => {
    rows.push(
      [`C0/${n}`, m, 'Eb,Ib', '', 'shiftI'],
      [`C1/${n}`, m, 'Ev,Ib', '', 'shiftI'],
      [`D0/${n}`, m, 'Eb,1', '', 'shift1'],
      [`D1/${n}`, m, 'Ev,1', '', 'shift1'],
      [`D2/${n}`, m, 'Eb,CL', '', 'shiftCL'],
      [`D3/${n}`, m, 'Ev,CL', '', 'shiftCL'],
    );
  });
  return rows;
}

export const OPCODES: readonly OpcodeRow[] = [
  ...aluRows(),
  ...conditionRows(),
  ...shiftRows(),

  // Data movement
  ['88', 'mov', 'Eb,Gb', '', 'movEG'],
  ['89', 'mov', 'Ev,Gv', '', 'movEG'],
  ['8A', 'mov', 'Gb,Eb', '', 'movGE'],
  ['8B', 'mov', 'Gv,Ev', '', 'movGE'],
  ['8C', 'mov', 'Ev,Sw', '', 'movESeg'],
  ['8D', 'lea', 'Gv,M', '', 'lea'],
  ['8E', 'mov', 'Sw,Ew', '', 'movSegFromE'],
  ['8F/0', 'pop', 'Ev', 'd64', 'popE'],
  ['A0', 'mov', 'AL,Ob', '', 'movAO'],
  ['A1', 'mov', 'rAX,Ov', '', 'movAO'],
  ['A2', 'mov', 'Ob,AL', '', 'movOA'],
  ['A3', 'mov', 'Ov,rAX', '', 'movOA'],
  ['B0+r', 'mov', 'Zb,Ib', '', 'movZI'],
  ['B8+r', 'mov', 'Zv,Iv', '', 'movZI'],
  ['C6/0', 'mov', 'Eb,Ib', '', 'movEI'],
  ['C7/0', 'mov', 'Ev,Iz', '', 'movEI'],
  ['0F B6', 'movzx', 'Gv,Eb', '', 'movzx'],
  ['0F B7', 'movzx', 'Gv,Ew', '', 'movzx'],
  ['0F BE', 'movsx', 'Gv,Eb', '', 'movsx'],
  ['0F BF', 'movsx', 'Gv,Ew', '', 'movsx'],
  ['63', 'movsxd', 'Gv,Ed', 'o64', 'movsxd'],
  ['86', 'xchg', 'Eb,Gb', 'lock', 'xchg'],
  ['87', 'xchg', 'Ev,Gv', 'lock', 'xchg'],
  ['90+r', 'xchg', 'Zv,rAX', '', 'xchgA'], // 90 without REX.B is NOP (F3 90: PAUSE)
  ['50+r', 'push', 'Zv', 'd64', 'pushZ'],
  ['58+r', 'pop', 'Zv', 'd64', 'popZ'],
  ['68', 'push', 'Iz', 'd64', 'pushI'],
  ['6A', 'push', 'Ib', 'd64', 'pushI'],
  ['FF/6', 'push', 'Ev', 'd64', 'pushE'],
  ['0F C8+r', 'bswap', 'Zv', '', 'bswap'],
  ['98', 'cbw', '', '', 'cbw'],
  ['99', 'cwd', '', '', 'cwd'],
  ['D7', 'xlat', '', '', 'xlat'],

  // Arithmetic and logic beyond the ALU block
  ['84', 'test', 'Eb,Gb', '', 'testEG'],
  ['85', 'test', 'Ev,Gv', '', 'testEG'],
  ['A8', 'test', 'AL,Ib', '', 'testAI'],
  ['A9', 'test', 'rAX,Iz', '', 'testAI'],
  ['F6/0', 'test', 'Eb,Ib', '', 'testEI'],
  ['F6/1', 'test', 'Eb,Ib', '', 'testEI'],
  ['F7/0', 'test', 'Ev,Iz', '', 'testEI'],
  ['F7/1', 'test', 'Ev,Iz', '', 'testEI'],
  ['F6/2', 'not', 'Eb', 'lock', 'not'],
  ['F7/2', 'not', 'Ev', 'lock', 'not'],
  ['F6/3', 'neg', 'Eb', 'lock', 'neg'],
  ['F7/3', 'neg', 'Ev', 'lock', 'neg'],
  ['F6/4', 'mul', 'Eb', '', 'mul'],
  ['F7/4', 'mul', 'Ev', '', 'mul'],
  ['F6/5', 'imul', 'Eb', '', 'imul1'],
  ['F7/5', 'imul', 'Ev', '', 'imul1'],
  ['F6/6', 'div', 'Eb', '', 'div'],
  ['F7/6', 'div', 'Ev', '', 'div'],
  ['F6/7', 'idiv', 'Eb', '', 'idiv'],
  ['F7/7', 'idiv', 'Ev', '', 'idiv'],
  ['0F AF', 'imul', 'Gv,Ev', '', 'imul2'],
  ['69', 'imul', 'Gv,Ev,Iz', '', 'imul3'],
  ['6B', 'imul', 'Gv,Ev,Ib', '', 'imul3'],
  ['FE/0', 'inc', 'Eb', 'lock', 'inc'],
  ['FF/0', 'inc', 'Ev', 'lock', 'inc'],
  ['FE/1', 'dec', 'Eb', 'lock', 'dec'],
  ['FF/1', 'dec', 'Ev', 'lock', 'dec'],
  ['40+r', 'inc', 'Zv', 'i64', 'incZ'],
  ['48+r', 'dec', 'Zv', 'i64', 'decZ'],
  ['0F C0', 'xadd', 'Eb,Gb', 'lock', 'xadd'],
  ['0F C1', 'xadd', 'Ev,Gv', 'lock', 'xadd'],
  ['0F B0', 'cmpxchg', 'Eb,Gb', 'lock', 'cmpxchg'],
  ['0F B1', 'cmpxchg', 'Ev,Gv', 'lock', 'cmpxchg'],
  ['0F C7/1 m', 'cmpxchg8b', 'Mq', 'lock', 'cmpxchg8b'],

  // Double shifts, bit operations
  ['0F A4', 'shld', 'Ev,Gv,Ib', '', 'shldI'],
  ['0F A5', 'shld', 'Ev,Gv,CL', '', 'shldCL'],
  ['0F AC', 'shrd', 'Ev,Gv,Ib', '', 'shrdI'],
  ['0F AD', 'shrd', 'Ev,Gv,CL', '', 'shrdCL'],
  ['0F A3', 'bt', 'Ev,Gv', '', 'btG'],
  ['0F AB', 'bts', 'Ev,Gv', 'lock', 'btG'],
  ['0F B3', 'btr', 'Ev,Gv', 'lock', 'btG'],
  ['0F BB', 'btc', 'Ev,Gv', 'lock', 'btG'],
  ['0F BA/4', 'bt', 'Ev,Ib', '', 'btI'],
  ['0F BA/5', 'bts', 'Ev,Ib', 'lock', 'btI'],
  ['0F BA/6', 'btr', 'Ev,Ib', 'lock', 'btI'],
  ['0F BA/7', 'btc', 'Ev,Ib', 'lock', 'btI'],
  ['0F BC', 'bsf', 'Gv,Ev', '', 'bsf'],
  ['0F BD', 'bsr', 'Gv,Ev', '', 'bsr'],
  ['F3 0F BC', 'tzcnt', 'Gv,Ev', '', 'tzcnt'],
  ['F3 0F BD', 'lzcnt', 'Gv,Ev', '', 'lzcnt'],
  ['F3 0F B8', 'popcnt', 'Gv,Ev', '', 'popcnt'],

  // Control transfer
  ['EB', 'jmp', 'Jb', 'f64', 'jmp'],
  ['E9', 'jmp', 'Jz', 'f64', 'jmp'],
  ['FF/4', 'jmp', 'Ev', 'f64', 'jmpE'],
  ['E8', 'call', 'Jz', 'f64', 'call'],
  ['FF/2', 'call', 'Ev', 'f64', 'callE'],
  ['C3', 'ret', '', 'f64', 'ret'],
  ['C2', 'ret', 'Iw', 'f64', 'ret'],
  ['E0', 'loopne', 'Jb', 'f64', 'loop'],
  ['E1', 'loope', 'Jb', 'f64', 'loop'],
  ['E2', 'loop', 'Jb', 'f64', 'loop'],
  ['E3', 'jrcxz', 'Jb', 'f64', 'jrcxz'],
  ['C8', 'enter', 'Iw,Ib', 'd64', 'enter'],
  ['C9', 'leave', '', 'd64', 'leave'],

  // String instructions
  ['A4', 'movs', 'Yb,Xb', 'str', 'movs'],
  ['A5', 'movs', 'Yv,Xv', 'str', 'movs'],
  ['A6', 'cmps', 'Xb,Yb', 'str', 'cmps'],
  ['A7', 'cmps', 'Xv,Yv', 'str', 'cmps'],
  ['AA', 'stos', 'Yb,AL', 'str', 'stos'],
  ['AB', 'stos', 'Yv,rAX', 'str', 'stos'],
  ['AC', 'lods', 'AL,Xb', 'str', 'lods'],
  ['AD', 'lods', 'rAX,Xv', 'str', 'lods'],
  ['AE', 'scas', 'AL,Yb', 'str', 'scas'],
  ['AF', 'scas', 'rAX,Yv', 'str', 'scas'],

  // Flags
  ['9C', 'pushf', '', 'd64', 'pushf'],
  ['9D', 'popf', '', 'd64', 'popf'],
  ['9E', 'sahf', '', '', 'sahf'],
  ['9F', 'lahf', '', '', 'lahf'],
  ['F5', 'cmc', '', '', 'cmc'],
  ['F8', 'clc', '', '', 'clc'],
  ['F9', 'stc', '', '', 'stc'],
  ['FC', 'cld', '', '', 'cld'],
  ['FD', 'std', '', '', 'std'],

  // Miscellaneous
  ['0F 1F', 'nop', 'Ev', '', 'nop'],
  ['0F 19', 'nop', 'Ev', '', 'nop'],
  ['0F 1A', 'nop', 'Ev', '', 'nop'],
  ['0F 1B', 'nop', 'Ev', '', 'nop'],
  ['0F 1C', 'nop', 'Ev', '', 'nop'],
  ['0F 1D', 'nop', 'Ev', '', 'nop'],
  ['0F 1E', 'nop', 'Ev', '', 'nop'], // F3 0F 1E FA is endbr64: a hint NOP without CET
  ['0F 18/0 m', 'prefetchnta', 'M', '', 'nop'],
  ['0F 18/1 m', 'prefetcht0', 'M', '', 'nop'],
  ['0F 18/2 m', 'prefetcht1', 'M', '', 'nop'],
  ['0F 18/3 m', 'prefetcht2', 'M', '', 'nop'],
  ['0F 0D/0 m', 'prefetch', 'M', '', 'nop'],
  ['0F 0D/1 m', 'prefetchw', 'M', '', 'nop'],
  ['NP 0F AE/5 r', 'lfence', '', '', 'nop'],
  ['NP 0F AE/6 r', 'mfence', '', '', 'nop'],
  ['NP 0F AE/7 r', 'sfence', '', '', 'nop'],
  ['0F A2', 'cpuid', '', '', 'cpuid'],
  ['0F 31', 'rdtsc', '', '', 'rdtsc'],
  ['0F 0B', 'ud2', '', '', 'ud'],
  ['0F B9', 'ud1', 'Gv,Ev', '', 'ud'],
  ['0F FF', 'ud0', '', '', 'ud'], // AMD: no ModRM byte
  ['F4', 'hlt', '', '', 'hlt'],
  ['CC', 'int3', '', '', 'int3'],
  ['9B', 'fwait', '', '', 'nop'],
  ['DB/4 r=3', 'fninit', '', '', 'nop'], // x87 state is not modelled; init is accepted
  ['NP 0F AE/7 m', 'clflush', 'Mb', '', 'nop'],
  ['66 0F AE/7 m', 'clflushopt', 'Mb', '', 'nop'],

  // System: control, debug and model-specific registers
  ['0F 20', 'mov', 'Ry,Cd', '', 'movFromCr'],
  ['0F 22', 'mov', 'Cd,Ry', '', 'movToCr'],
  ['0F 21', 'mov', 'Ry,Dd', '', 'movFromDr'],
  ['0F 23', 'mov', 'Dd,Ry', '', 'movToDr'],
  ['0F 06', 'clts', '', '', 'clts'],
  ['0F 08', 'invd', '', '', 'privNop'],
  ['0F 09', 'wbinvd', '', '', 'privNop'],
  ['F3 0F 09', 'wbnoinvd', '', '', 'privNop'], // caches are not modelled: both are no-ops at CPL 0
  ['0F 30', 'wrmsr', '', '', 'wrmsr'],
  ['0F 32', 'rdmsr', '', '', 'rdmsr'],
  ['0F 01/7 r=1', 'rdtscp', '', '', 'rdtscp'],
  ['0F 01/7 r=0', 'swapgs', '', 'o64', 'swapgs'],
  ['0F 01/4', 'smsw', 'Ew', '', 'smsw'],
  ['0F 01/6', 'lmsw', 'Ew', '', 'lmsw'],
  ['0F 01/7 m', 'invlpg', 'Mb', '', 'invlpg'],
  ['0F 33', 'rdpmc', '', '', 'rdpmc'],
  ['NP 0F 01/1 r=0', 'monitor', '', '', 'monitor'],
  ['NP 0F 01/1 r=1', 'mwait', '', '', 'mwait'],

  // SVM (APM Vol 3; src/emu/svm/instructions.ts): 0F 01 D8..DF
  ['0F 01/3 r=0', 'vmrun', '', '', 'vmrun'],
  ['NP 0F 01/3 r=1', 'vmmcall', '', '', 'vmmcall'], // F2/F3 0F 01 D9 is VMGEXIT (SEV-ES): #UD here
  ['66 0F 01/3 r=1', 'vmmcall', '', '', 'vmmcall'],
  ['0F 01/3 r=2', 'vmload', '', '', 'vmload'],
  ['0F 01/3 r=3', 'vmsave', '', '', 'vmsave'],
  ['0F 01/3 r=4', 'stgi', '', '', 'stgi'],
  ['0F 01/3 r=5', 'clgi', '', '', 'clgi'],
  ['0F 01/3 r=6', 'skinit', '', '', 'skinit'],
  ['0F 01/3 r=7', 'invlpga', '', '', 'invlpga'],

  // System: descriptor tables and segments
  ['0F 01/0 m', 'sgdt', 'Ms', '', 'descTable'],
  ['0F 01/1 m', 'sidt', 'Ms', '', 'descTable'],
  ['0F 01/2 m', 'lgdt', 'Ms', '', 'descTable'],
  ['0F 01/3 m', 'lidt', 'Ms', '', 'descTable'],
  ['0F 00/0', 'sldt', 'Ew', '', 'storeSel'],
  ['0F 00/1', 'str', 'Ew', '', 'storeSel'],
  ['0F 00/2', 'lldt', 'Ew', '', 'loadSysSel'],
  ['0F 00/3', 'ltr', 'Ew', '', 'loadSysSel'],
  ['06', 'push', 'ES', 'i64', 'pushSeg'],
  ['07', 'pop', 'ES', 'i64', 'popSeg'],
  ['0E', 'push', 'CS', 'i64', 'pushSeg'],
  ['16', 'push', 'SS', 'i64', 'pushSeg'],
  ['17', 'pop', 'SS', 'i64', 'popSeg'],
  ['1E', 'push', 'DS', 'i64', 'pushSeg'],
  ['1F', 'pop', 'DS', 'i64', 'popSeg'],
  ['0F A0', 'push', 'FS', 'd64', 'pushSeg'],
  ['0F A1', 'pop', 'FS', 'd64', 'popSeg'],
  ['0F A8', 'push', 'GS', 'd64', 'pushSeg'],
  ['0F A9', 'pop', 'GS', 'd64', 'popSeg'],
  ['0F B2', 'lss', 'Gv,Mp', '', 'loadFarPointer'],
  ['0F B4', 'lfs', 'Gv,Mp', '', 'loadFarPointer'],
  ['0F B5', 'lgs', 'Gv,Mp', '', 'loadFarPointer'],
  ['C4 m', 'les', 'Gz,Mp', 'i64', 'loadFarPointer'],
  ['C5 m', 'lds', 'Gz,Mp', 'i64', 'loadFarPointer'],

  // System: far transfers, interrupts
  ['EA', 'jmp', 'Ap', 'i64', 'jmpFar'],
  ['9A', 'call', 'Ap', 'i64', 'callFar'],
  ['FF/5 m', 'jmp', 'Mp', '', 'jmpFar'],
  ['FF/3 m', 'call', 'Mp', '', 'callFar'],
  ['CB', 'retf', '', '', 'retFar'],
  ['CA', 'retf', 'Iw', '', 'retFar'],
  ['CD', 'int', 'Ib', '', 'intN'],
  ['CE', 'into', '', 'i64', 'into'],
  ['F1', 'int1', '', '', 'int1'],
  ['CF', 'iret', '', '', 'iret'],
  ['FA', 'cli', '', '', 'cli'],
  ['FB', 'sti', '', '', 'sti'],
  ['0F 05', 'syscall', '', '', 'syscall'],
  ['0F 07', 'sysret', '', '', 'sysret'],

  // System: port I/O
  ['E4', 'in', 'AL,Ib', '', 'inPort'],
  ['E5', 'in', 'eAX,Ib', '', 'inPort'],
  ['E6', 'out', 'Ib,AL', '', 'outPort'],
  ['E7', 'out', 'Ib,eAX', '', 'outPort'],
  ['EC', 'in', 'AL,DX', '', 'inPort'],
  ['ED', 'in', 'eAX,DX', '', 'inPort'],
  ['EE', 'out', 'DX,AL', '', 'outPort'],
  ['EF', 'out', 'DX,eAX', '', 'outPort'],
  ['6C', 'ins', 'Yb,DX', 'str', 'insOuts'],
  ['6D', 'ins', 'Yz,DX', 'str', 'insOuts'],
  ['6E', 'outs', 'DX,Xb', 'str', 'insOuts'],
  ['6F', 'outs', 'DX,Xz', 'str', 'insOuts'],
];
