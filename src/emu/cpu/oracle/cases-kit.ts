// Shared pieces of the native oracle's case generators (cases.ts and cases-*.ts):
// the random source, edge values, initial states, ModRM/SIB encoding and the
// case record. Each generator is one instruction form (an opcode with its
// operand shapes); it picks operand sizes, registers (including r8..r15 and the
// legacy high-byte registers), register or memory operands, immediates and
// initial values (edge values around 0, sign boundaries and the 32-bit halves,
// plus random ones), and says which flags the manuals leave undefined for that
// case so the comparison can ignore exactly those.
import { CODE_BASE, DATA_BASE, DEFAULT_RSP, type OracleCase } from './native';
import { CF, PF, AF, ZF, SF, OF } from '../flags';
import type { Rng } from './rng';

export interface GenCase extends OracleCase {
  name: string;
  /** Flags whose value is undefined for this case (ignored in the comparison). */
  undef: number;
  /** Registers whose final value is undefined (ignored), as a bit mask over RAX..R15. */
  undefRegs?: number;
}

export { Rng } from './rng';

export const EDGE32 = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];
export const EDGE_HI = [0, 0, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff];

export function val64(r: Rng): bigint {
  const k = r.int(10);
  let lo: number, hi: number;
  if (k < 3) { lo = r.pick(EDGE32); hi = r.pick(EDGE_HI); }
  else if (k < 6) { lo = r.u32(); hi = r.u32(); }
  else if (k < 8) { lo = r.int(70); hi = r.bool(0.2) ? 0xffffffff : 0; if (hi) lo = (0x100000000 - lo) >>> 0; }
  else { lo = r.u32(); hi = r.bool() ? 0 : (lo & 0x80000000 ? 0xffffffff : 0); }
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function imm(r: Rng, n: number): number[] {
  const out: number[] = [];
  const edge = r.bool(0.3);
  const v = edge ? r.pick(EDGE32) : r.u32();
  for (let k = 0; k < n; k++) out.push(k < 4 ? (v >>> (8 * k)) & 0xff : r.bool(0.5) ? 0xff : r.int(256));
  return out;
}

export function randomFlags(r: Rng): number {
  return (r.u32() & (CF | PF | AF | ZF | SF | OF)) | 2;
}

/** A fresh state: random GPRs, RSP in the stack page. */
export function baseState(r: Rng): { regs: bigint[]; rflags: number; memSeed: number } {
  const regs: bigint[] = [];
  for (let k = 0; k < 16; k++) regs.push(val64(r));
  regs[4] = BigInt(DEFAULT_RSP);
  return { regs, rflags: randomFlags(r), memSeed: r.u32() || 1 };
}

export type Size = 1 | 2 | 4 | 8;

export interface ModrmForm {
  /** Opcode bytes after prefixes/REX (e.g. [0x01] or [0x0f, 0xaf]). */
  op: number[];
  /** Operand size: 1 means a byte form (no 66/REX.W choice). */
  size: Size;
  ext?: number; // ModRM.reg extension
  memOnly?: boolean;
  regOnly?: boolean;
  /** Extra legacy prefix before 66/REX (e.g. F3 for popcnt). */
  pre?: number[];
}

/** Build prefix + REX + opcode + ModRM (+SIB +disp) with random registers and a valid memory operand. */
export function encodeModrm(r: Rng, f: ModrmForm, regs: bigint[], opts: { mem?: boolean; avoid?: number[] } = {}): { bytes: number[]; reg: number; rm: number; mem: boolean; addr: number } {
  const bytes: number[] = [...(f.pre ?? [])];
  if (f.size === 2) bytes.push(0x66);
  const useMem = f.memOnly ? true : f.regOnly ? false : opts.mem ?? r.bool(0.4);
  let reg = f.ext ?? r.int(16);
  let rex = f.size === 8 ? 0x48 : 0;
  let modrm: number;
  const tail: number[] = [];
  let rm = 0;
  let addr = 0;
  if (useMem) {
    // base + optional index*scale + disp8, all inside the data page.
    const bases = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 14, 15].filter((b) => !opts.avoid?.includes(b));
    const base = r.pick(bases);
    const disp = r.int(128) - 64;
    const useSib = r.bool(0.3);
    let idx = -1, scale = 0, idxVal = 0;
    if (useSib) {
      do idx = r.pick(bases); while (idx === base);
      scale = r.int(4);
      idxVal = r.int(32);
    }
    addr = DATA_BASE + 256 + r.int(3300);
    const baseVal = addr - disp - (idxVal << scale);
    if (f.ext === undefined && reg === base) reg = (reg + 1) & 15; // keep the address register intact
    if (f.ext === undefined && reg === idx) reg = (reg + 2) & 15;
    if (f.ext === undefined && (reg === base || reg === idx)) reg = 12;
    regs[base] = BigInt(baseVal);
    if (idx >= 0) regs[idx] = BigInt(idxVal);
    rm = base;
    if (useSib) {
      modrm = 0x40 | ((reg & 7) << 3) | 4;
      tail.push((scale << 6) | ((idx & 7) << 3) | (base & 7));
      if (idx & 8) rex |= 0x42;
    } else {
      modrm = 0x40 | ((reg & 7) << 3) | (base & 7);
    }
    tail.push(disp & 0xff);
    if (base & 8) rex |= 0x41;
  } else {
    do rm = r.int(16); while (opts.avoid?.includes(rm));
    modrm = 0xc0 | ((reg & 7) << 3) | (rm & 7);
    if (rm & 8) rex |= 0x41;
  }
  if (reg & 8) rex |= 0x44;
  // Byte forms without REX address AH..BH for 4..7; with any REX, SPL..DIL.
  if (f.size === 1 && rex === 0 && r.bool(0.3)) rex = 0x40;
  if (rex) bytes.push(rex);
  bytes.push(...f.op, modrm, ...tail);
  return { bytes, reg, rm, mem: useMem, addr };
}

export const ALL = CF | PF | AF | ZF | SF | OF;
export const SIZES: Size[] = [1, 2, 4, 8];
export const WSIZES: Size[] = [2, 4, 8];

export type Gen = (r: Rng) => GenCase;

export function mk(name: string, bytes: number[], st: ReturnType<typeof baseState>, undef = 0, undefRegs = 0): GenCase {
  return { name, code: Uint8Array.from(bytes), regs: st.regs, rflags: st.rflags, memSeed: st.memSeed, undef, undefRegs };
}

/** Operand-size prefix bytes for a non-ModRM opcode (+r forms, accumulator forms). */
export function sizePrefix(sz: Size, rexExtra = 0): number[] {
  const out: number[] = [];
  if (sz === 2) out.push(0x66);
  const rex = (sz === 8 ? 0x48 : 0) | rexExtra;
  if (rex) out.push(rex | 0x40);
  return out;
}

export function immBytes(sz: Size): number {
  return sz === 1 ? 1 : sz === 2 ? 2 : 4;
}

/** Registers a generator (cases.ts keeps them in order: the order decides each seed's cases). */
export type Add = (name: string, g: Gen) => void;
