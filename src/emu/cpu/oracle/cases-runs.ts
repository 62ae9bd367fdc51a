// Native oracle generator: straight-line runs of register-only instructions with flag readers
// among them. A compiled block leaves out the lazy-flag stores of an instruction whose flags a
// later one sets again before anything reads them (jit/block-source.ts flagsDead), and the RIP stores
// nothing reads; these runs give that analysis flag writers, instructions that touch no flag
// (mov, lea, movsxd), and readers (adc, sbb, setcc, cmovcc, inc and dec, which keep CF, and a
// conditional jump over one instruction) in random orders.
import { baseState, type Add, type Rng, mk } from './cases-kit';
import { CODE_BASE, DATA_BASE } from './native';
import { AF } from '../flags';

/** The registers the runs use (not RSP). */
const REGS = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

/** REX (if any) + opcode + ModRM for a register-register form; w: REX.W. */
function rr(op: number[], reg: number, rm: number, w: boolean): number[] {
  const rex = (w ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
  return [...(rex !== 0 ? [0x40 | rex] : []), ...op, 0xc0 | ((reg & 7) << 3) | (rm & 7)];
}

/** One instruction of a run: a flag writer, a flag-free instruction or a flag reader. */
function runInsn(r: Rng): number[] {
  const reg = r.pick(REGS), rm = r.pick(REGS), w = r.bool(0.6);
  const k = r.int(20);
  switch (k) {
    // Writers of all six arithmetic flags (AF is left undefined by some; only the end looks at it).
    case 0: case 1: case 2: return rr([r.pick([0x01, 0x09, 0x21, 0x29, 0x31, 0x39, 0x85])], reg, rm, w); // add or and sub xor cmp test r,r
    case 3: case 4: return [...rr([0x83], r.pick([0, 1, 4, 5, 6, 7]), rm, w), r.bool(0.5) ? r.int(256) : r.pick([0, 1, 0x7f, 0x80, 0xff])]; // alu r, imm8
    case 5: return rr([0xf7], 3, rm, w); // neg
    case 6: { // shl/shr/sar by 1 (D1, or C1 with a count of 1: OF stays defined for the readers)
      const op = r.bool() ? 0xd1 : 0xc1;
      const b = rr([op], r.pick([4, 5, 7]), rm, w);
      return op === 0xc1 ? [...b, 1] : b;
    }
    case 7: return r.bool() ? [r.pick([0x04, 0x0c, 0x24, 0x2c, 0x34, 0x3c]), r.int(256)] // al, imm8
      : [0x80, 0xc0 | (r.pick([0, 1, 4, 5, 6, 7]) << 3) | r.int(8), r.int(256)]; // r8 (AL-BH), imm8
    case 8: return [0x84, 0xc0 | (r.int(8) << 3) | r.int(8)]; // test r8, r8
    // No flags.
    case 9: case 10: return rr([r.bool() ? 0x89 : 0x8b], reg, rm, w); // mov
    case 11: { // lea reg, [base + index*scale + disp8], or [rip + disp32] (a block's code reads RIP)
      if (r.bool(0.3)) return [0x48 | ((reg >> 3) << 2), 0x8d, 0x05 | ((reg & 7) << 3), ...[0, 1, 2, 3].map(() => r.int(256))];
      const base = r.pick(REGS), index = r.pick(REGS), scale = r.int(4);
      const rex = 0x48 | ((reg >> 3) << 2) | ((index >> 3) << 1) | (base >> 3);
      return [rex, 0x8d, 0x44 | ((reg & 7) << 3), (scale << 6) | ((index & 7) << 3) | (base & 7), r.int(256)];
    }
    case 12: return rr([0x63], reg, rm, true); // movsxd
    // Readers.
    case 13: return rr([r.bool() ? 0x11 : 0x19], reg, rm, w); // adc, sbb
    case 14: return [0x0f, 0x90 + r.int(16), 0xc0 | r.int(8)]; // setcc AL-BH
    case 15: case 16: return rr([0x0f, 0x40 + r.int(16)], reg, rm, w); // cmovcc
    case 17: return rr([0xff], r.int(2), rm, w); // inc, dec (CF kept)
    default: return [0x70 + r.int(16), 4, 0x48, 0x83, 0xc0 | r.int(8), 1]; // jcc over add r64, 1
  }
}

export function runCases(add: Add): void {
  add('flag runs', (r) => {
    const st = baseState(r);
    const n = 4 + r.int(10);
    const bytes: number[] = [];
    for (let k = 0; k < n; k++) bytes.push(...runInsn(r));
    return mk(`flag run of ${n}`, bytes, st, AF);
  });
}

/**
 * Returns to non-canonical addresses (#GP on the ret, nothing popped) and pops into RSP: the
 * corners of compiled blocks' inline stack code (jit/inline.ts) that call/ret and push/pop reg miss.
 */
export function stackCornerCases(add: Add): void {
  add('ret non-canonical / pop rsp', (r) => {
    const st = baseState(r);
    if (r.bool(0.5)) {
      // mov rax, imm64 (bit 47 and the bits above disagree); push rax; ret
      const hi = r.pick([0x00008000, 0x7fff0000, 0xffff7fff, 0x80000000, 0x00010000]);
      const lo = r.u32();
      const b = [0x48, 0xb8, ...[0, 8, 16, 24].map((s) => (lo >>> s) & 0xff), ...[0, 8, 16, 24].map((s) => (hi >>> s) & 0xff)];
      return mk('ret non-canonical', [...b, 0x50, 0xc3], st);
    }
    // push r; pop rsp (RSP becomes the pushed value; it is not used after)
    const reg = r.pick([0, 1, 2, 3, 5, 6, 7]);
    return mk('pop rsp', [0x50 + reg, 0x5c], st);
  });
}

/**
 * RIP-relative memory operands (loads, stores, compares, an immediate after the displacement)
 * between register instructions: compiled blocks compute the address from the instruction's end.
 */
export function ripRelativeCases(add: Add): void {
  add('rip-relative memory', (r) => {
    const st = baseState(r);
    const bytes: number[] = [];
    const n = 1 + r.int(4);
    for (let k = 0; k < n; k++) {
      if (r.bool(0.4)) bytes.push(...runInsn(r));
      // opcode bytes, then disp32, then the immediate bytes (RIP is the end of all of them).
      const [op, immLen] = r.pick<[number[], number]>([[[0x8b], 0], [[0x48, 0x8b], 0], [[0x89], 0], [[0x48, 0x89], 0],
        [[0x0f, 0xb6], 0], [[0x88], 0], [[0x3b], 0], [[0x48, 0x03], 0], [[0xc6], 1], [[0xc7], 4], [[0x80], 1]]);
      const reg = op[0] === 0xc6 || op[0] === 0xc7 ? 0 : op[0] === 0x80 ? 7 : r.int(8);
      const end = CODE_BASE + bytes.length + op.length + 1 + 4 + immLen;
      const disp = DATA_BASE + 64 + r.int(3900) - end;
      bytes.push(...op, 0x05 | (reg << 3), ...[0, 8, 16, 24].map((s) => (disp >>> s) & 0xff));
      for (let j = 0; j < immLen; j++) bytes.push(r.int(256));
    }
    return mk(`rip-relative x${n}`, bytes, st, AF);
  });
}

/** imm64 as the bytes of a mov r64, imm64 (REX.W B8+r). */
function movImm64(reg: number, lo: number, hi: number): number[] {
  const le = (v: number) => [0, 8, 16, 24].map((s) => (v >>> s) & 0xff);
  return [0x48 | (reg >> 3), 0xb8 | (reg & 7), ...le(lo), ...le(hi)];
}

/**
 * Loads and stores through [base + disp32] whose address is not canonical: a base register far
 * outside (bit 47 and the bits above disagree) or just inside with a displacement that carries
 * across bit 47 either way. The host raises #GP (#SS with RBP as the base); nothing is read or
 * written. The interpreter's [base + disp] handlers (exec/fast.ts movGEbd, movEGbd) and compiled
 * blocks sum these addresses themselves.
 */
export function nonCanonicalMemCases(add: Add): void {
  add('non-canonical [base + disp]', (r) => {
    const st = baseState(r);
    const base = r.pick([3, 5, 6, 9]); // rbx, rbp (SS), rsi, r9
    let lo: number, hi: number, disp: number;
    switch (r.int(3)) {
      case 0: lo = r.u32(); hi = r.pick([0x00008000, 0x7fff0000, 0xffff7fff, 0x80000000, 0x00010000]); disp = r.int(256) - 128; break;
      case 1: lo = (0xffffff00 + r.int(256)) | 0; hi = 0x00007fff; disp = 0x100 + r.int(0x1000); break; // carries into bit 47
      default: lo = r.int(256); hi = 0xffff8000 | 0; disp = -(0x100 + r.int(0x1000)); break; // borrows out of bit 47
    }
    const reg = r.pick([0, 1, 2, 7]), w = r.bool(0.6);
    const op = r.pick([0x8b, 0x89]);
    const rex = (w ? 8 : 0) | (base >> 3);
    const insn = [...(rex !== 0 ? [0x40 | rex] : []), op, 0x80 | (reg << 3) | (base & 7), ...[0, 8, 16, 24].map((s) => (disp >>> s) & 0xff)];
    return mk(`non-canonical ${op === 0x8b ? 'load' : 'store'}`, [...movImm64(base, lo, hi), ...insn], st);
  });
}
