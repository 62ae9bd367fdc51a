// The decoder: bytes -> Insn, driven entirely by the OPCODES table.
// It knows encodings (prefixes, REX, ModRM, SIB, displacements, immediates) and
// nothing about what instructions do. APM Vol 3 §1 describes the format.
import { OPCODES, type OpcodeRow } from './opcodes';
import { Insn, BASE_RIP, AH_ID, CS, DS, ES, FS, GS, SS, REP_E, REP_NE } from './insn';

/** Where instruction bytes come from; off is relative to the instruction's first byte. */
export interface ByteSource {
  byte(off: number): number;
}

const enum Pfx { Any = 0, P66 = 1, PF3 = 2, PF2 = 3, NP = 4 }
const enum Mod { Any = 0, Reg = 1, Mem = 2 }

interface Entry {
  row: number;
  pfx: Pfx;
  ext: number; // ModRM.reg extension or -1
  mod: Mod;
  rmMatch: number; // exact ModRM.rm (with mod = 3), or -1
  forceReg: boolean; // R operands: ModRM.mod is ignored, r/m is a register
  modrm: boolean;
  byteOp: boolean; // first operand is 8-bit
  imms: string[]; // immediate operand tokens in encoding order
  d64: boolean;
  f64: boolean;
  i64: boolean;
  o64: boolean;
  lock: boolean;
  zreg: number; // register from the opcode's low bits (+r rows), or -1
  byteRegs: boolean[]; // per operand: is it an 8-bit register (needs AH..BH mapping)
  sreg: number; // index of the S (segment register) operand, or -1
  ops: string[];
}

/** Per map (0 = one-byte, 1 = 0F), per opcode byte: the candidate rows. */
const maps: Entry[][][] = [[], []];
for (let m = 0; m < 2; m++) for (let i = 0; i < 256; i++) maps[m]![i] = [];
/** Per map and opcode: does any candidate take a ModRM byte? */
const hasModrm: boolean[][] = [new Array(256).fill(false), new Array(256).fill(false)];

function addRow(rowIndex: number, row: OpcodeRow): void {
  const [enc, , operands, attrs] = row;
  let parts = enc.split(' ');
  let pfx = Pfx.Any;
  if (parts[0] === 'F3' || parts[0] === 'F2' || parts[0] === 'NP' || (parts[0] === '66' && parts.length > 1)) {
    pfx = parts[0] === 'F3' ? Pfx.PF3 : parts[0] === 'F2' ? Pfx.PF2 : parts[0] === 'NP' ? Pfx.NP : Pfx.P66;
    parts = parts.slice(1);
  }
  let map = 0;
  if (parts[0] === '0F') {
    map = 1;
    parts = parts.slice(1);
  }
  let mod = Mod.Any;
  let rmMatch = -1;
  const last = parts[parts.length - 1]!;
  const lm = /^(r|m)(?:=([0-7]))?$/.exec(last);
  if (parts.length > 1 && lm) {
    mod = lm[1] === 'r' ? Mod.Reg : Mod.Mem;
    if (lm[2] !== undefined) rmMatch = Number(lm[2]);
    parts = parts.slice(0, -1);
  }
  const m = /^([0-9A-F]{2})(\+r)?(?:\/([0-7]))?$/.exec(parts[0]!);
  if (!m || parts.length !== 1) throw new Error(`opcode table: bad encoding "${enc}"`);
  const opByte = parseInt(m[1]!, 16);
  const plusR = !!m[2];
  const ext = m[3] !== undefined ? Number(m[3]) : -1;
  const ops = operands ? operands.split(',') : [];
  const attr = new Set(attrs.split(' ').filter(Boolean));
  const modrm = ext >= 0 || ops.some((o) => /^[EGMSRCD][a-z]?$/.test(o) && o !== 'DX' && o !== 'CL' && o !== 'CS' && o !== 'DS' && o !== 'SS' && o !== 'ES');
  if (ops.includes('M') || ops.some((o) => o.startsWith('M'))) mod = Mod.Mem;
  const first = ops[0] ?? '';
  const byteOp = /^(E|G|Z|O|X|Y)b$/.test(first) || ops.includes('AL') || ops.includes('Xb') || ops.includes('Yb');
  const imms = ops.filter((o) => /^[IJO][bwzvs]$|^Ap$/.test(o));
  for (let r = 0; r < (plusR ? 8 : 1); r++) {
    const e: Entry = {
      row: rowIndex, pfx, ext, mod, rmMatch, forceReg: ops.some((o) => /^R[a-z]$/.test(o)), modrm, byteOp, imms,
      d64: attr.has('d64'), f64: attr.has('f64'), i64: attr.has('i64'), o64: attr.has('o64'),
      lock: attr.has('lock'), zreg: plusR ? r : -1,
      byteRegs: ops.map((o) => /^[EGZ]b$/.test(o)), ops, sreg: ops.findIndex((o) => o === 'Sw'),
    };
    maps[map]![opByte + r]!.push(e);
    if (modrm) hasModrm[map]![opByte + r] = true;
  }
}
OPCODES.forEach((row, i) => addRow(i, row));

function select(cands: Entry[], pfx: Pfx, modrm: number): Entry | undefined {
  const reg = (modrm >> 3) & 7;
  const isReg = modrm >= 0xc0;
  let fallback: Entry | undefined;
  for (const e of cands) {
    if (e.ext >= 0 && e.ext !== reg) continue;
    if (e.mod === Mod.Reg && !isReg) continue;
    if (e.mod === Mod.Mem && isReg) continue;
    if (e.rmMatch >= 0 && (modrm & 7) !== e.rmMatch) continue;
    if (e.pfx === pfx || (e.pfx === Pfx.NP && pfx === Pfx.Any)) return e;
    if (e.pfx === Pfx.Any && !fallback) fallback = e;
  }
  return fallback;
}

function invalid(i: Insn, len: number, why: 'ud' | 'gp' = 'ud'): Insn {
  i.row = -1;
  i.len = len;
  i.fault = why;
  return i;
}

/** Map an 8-bit register number to its id: without REX, 4..7 are AH, CH, DH, BH. */
function reg8(n: number, rex: number): number {
  return rex === 0 && n >= 4 && n < 8 ? AH_ID + (n - 4) : n;
}

/**
 * Decode one instruction at src in a code segment of the given size (16, 32 or 64 bit).
 * Never throws for any byte sequence (only src.byte may throw, e.g. a fetch #PF).
 */
export function decode(src: ByteSource, mode: number): Insn {
  const i = new Insn();
  i.mode = mode;
  const long = mode === 64;
  let p = 0;
  let opsizePfx = false;
  let adsizePfx = false;
  let segOverride = -1;
  let rep = 0;
  let lock = false;
  let rex = 0;
  let b = 0;
  // Prefixes. A REX prefix counts only when it immediately precedes the opcode.
  for (;;) {
    if (p >= 15) return invalid(i, 15, 'gp');
    b = src.byte(p);
    if (long && b >= 0x40 && b <= 0x4f) {
      rex = b;
      p++;
      continue;
    }
    let isPrefix = true;
    switch (b) {
      case 0x26: segOverride = ES; break;
      case 0x2e: segOverride = CS; break;
      case 0x36: segOverride = SS; break;
      case 0x3e: segOverride = DS; break;
      case 0x64: segOverride = FS; break;
      case 0x65: segOverride = GS; break;
      case 0x66: opsizePfx = true; break;
      case 0x67: adsizePfx = true; break;
      case 0xf0: lock = true; break;
      case 0xf2: rep = REP_NE; break;
      case 0xf3: rep = REP_E; break;
      default: isPrefix = false;
    }
    if (!isPrefix) break;
    rex = 0;
    p++;
  }
  let map = 0;
  if (b === 0x0f) {
    map = 1;
    p++;
    if (p >= 15) return invalid(i, 15, 'gp');
    b = src.byte(p);
  }
  p++;
  i.op = b;
  i.map = map;
  const cands = maps[map]![b]!;
  if (cands.length === 0) return invalid(i, p);
  let modrm = -1;
  if (hasModrm[map]![b]) {
    if (p >= 15) return invalid(i, 15, 'gp');
    modrm = src.byte(p++);
  }
  const pfx = rep === REP_E ? Pfx.PF3 : rep === REP_NE ? Pfx.PF2 : opsizePfx ? Pfx.P66 : Pfx.Any;
  const e = select(cands, pfx, modrm < 0 ? 0 : modrm);
  if (!e) return invalid(i, p);
  if (long && e.i64) return invalid(i, p);
  if (!long && e.o64) return invalid(i, p);
  if (e.sreg >= 0) {
    // ModRM.reg 6 and 7 name no segment register; mov cannot load CS.
    const s = (modrm >> 3) & 7;
    if (s > GS || (e.sreg === 0 && s === CS)) return invalid(i, p);
  }

  // Operand size (APM Vol 3 §1.2.2 and Table 1-3).
  let osize: number;
  if (long) {
    if (rex & 8) osize = 8;
    else if (opsizePfx) osize = 2;
    else osize = e.d64 || e.f64 ? 8 : 4;
  } else if (mode === 32) osize = opsizePfx ? 2 : 4;
  else osize = opsizePfx ? 4 : 2;
  const vsize = osize;
  if (e.byteOp) osize = 1;
  const asize = long ? (adsizePfx ? 4 : 8) : mode === 32 ? (adsizePfx ? 2 : 4) : adsizePfx ? 4 : 2;
  i.osize = osize;
  i.asize = asize;
  i.rep = rep;
  i.lock = lock;
  i.rex = rex;
  i.cc = b & 15;
  i.row = e.row;

  let seg = DS;
  if (modrm >= 0) {
    const mod = modrm >> 6;
    const regField = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    const rmField = modrm & 7;
    i.reg = e.byteRegs[e.ops.findIndex((o) => o.startsWith('G'))] ? reg8(regField, rex) : regField;
    if (mod === 3 || e.forceReg) {
      const rmReg = rmField | ((rex & 1) << 3);
      i.rm = e.byteRegs[e.ops.findIndex((o) => o.startsWith('E'))] ? reg8(rmReg, rex) : rmReg;
    } else {
      i.mem = true;
      if (asize === 2) {
        // 16-bit addressing: fixed base/index pairs (APM Vol 3 Table A-13).
        const bases = [3, 3, 5, 5, 6, 7, 5, 3];
        const idx = [6, 7, 6, 7, -1, -1, -1, -1];
        if (mod === 0 && rmField === 6) {
          i.base = -1;
          i.dispLo = src.byte(p) | (src.byte(p + 1) << 8);
          p += 2;
        } else {
          i.base = bases[rmField]!;
          i.index = idx[rmField]!;
          if (rmField === 2 || rmField === 3 || rmField === 6) seg = SS;
        }
        if (mod === 1) {
          i.dispLo = (src.byte(p++) << 24) >> 24;
        } else if (mod === 2) {
          i.dispLo = ((src.byte(p) | (src.byte(p + 1) << 8)) << 16) >> 16;
          p += 2;
        }
        i.dispHi = i.dispLo < 0 ? -1 : 0;
      } else {
        let baseField = rmField;
        if (rmField === 4) {
          if (p >= 15) return invalid(i, 15, 'gp');
          const sib = src.byte(p++);
          const scale = sib >> 6;
          const index = ((sib >> 3) & 7) | ((rex & 2) << 2);
          baseField = sib & 7;
          i.index = index === 4 ? -1 : index;
          i.scale = scale;
          if (baseField === 5 && mod === 0) {
            i.base = -1;
          } else {
            i.base = baseField | ((rex & 1) << 3);
          }
        } else if (rmField === 5 && mod === 0) {
          i.base = long ? BASE_RIP : -1;
        } else {
          i.base = rmField | ((rex & 1) << 3);
        }
        if (i.base === 4 || i.base === 5) seg = SS;
        let dispBytes = mod === 1 ? 1 : mod === 2 ? 4 : 0;
        if (mod === 0 && baseField === 5) dispBytes = 4;
        if (p + dispBytes > 15) return invalid(i, 15, 'gp');
        if (dispBytes === 1) i.dispLo = (src.byte(p) << 24) >> 24;
        else if (dispBytes === 4) i.dispLo = src.byte(p) | (src.byte(p + 1) << 8) | (src.byte(p + 2) << 16) | (src.byte(p + 3) << 24);
        p += dispBytes;
        i.dispHi = i.dispLo < 0 ? -1 : 0;
      }
    }
  }
  // Control registers that exist: CR0, CR2, CR3, CR4, CR8 (REX.R, or AMD's
  // LOCK prefix: lock mov cr0 is CR8, APM Vol 3 "MOV CRn"); DR0..DR7.
  const altCr8 = lock && e.ops.includes('Cd');
  if (altCr8) {
    if (i.reg & 8) return invalid(i, p); // LOCK and REX.R together name no register
    i.reg |= 8;
  }
  if (e.ops.includes('Cd') && ![0, 2, 3, 4, 8].includes(i.reg)) return invalid(i, p);
  if (e.ops.includes('Dd') && i.reg > 7) return invalid(i, p);
  if (e.zreg >= 0) {
    const z = e.zreg | ((rex & 1) << 3);
    i.reg = e.byteRegs[0] ? reg8(z, rex) : z;
  }
  // In 64-bit mode the ES, CS, SS and DS overrides are ignored (their bases are zero).
  if (segOverride >= 0 && !(long && segOverride < FS)) seg = segOverride;
  i.seg = seg;

  // Immediates, displacements of moffs, relative offsets.
  let first = true;
  for (const t of e.imms) {
    let n = 0;
    let moffs = false;
    switch (t) {
      case 'Ib': case 'Jb': n = 1; break;
      case 'Iw': n = 2; break;
      case 'Iz': n = vsize === 2 ? 2 : 4; break;
      case 'Jz': n = osize === 2 ? 2 : 4; break;
      case 'Iv': n = osize; break;
      case 'Ob': case 'Ov': n = asize; moffs = true; break;
      case 'Ap': { // far pointer: offset (16 or 32 bits), then a 16-bit selector
        const w = osize === 2 ? 2 : 4;
        if (p + w + 2 > 15) return invalid(i, 15, 'gp');
        let off = 0;
        for (let k = 0; k < w; k++) off |= src.byte(p + k) << (8 * k);
        i.immLo = off;
        i.immHi = 0;
        i.imm2 = src.byte(p + w) | (src.byte(p + w + 1) << 8);
        p += w + 2;
        first = false;
        continue;
      }
      default: return invalid(i, p);
    }
    if (p + n > 15) return invalid(i, 15, 'gp');
    let lo = 0;
    let hi = 0;
    if (n === 1) { lo = (src.byte(p) << 24) >> 24; hi = lo >> 31; }
    else if (n === 2) { lo = ((src.byte(p) | (src.byte(p + 1) << 8)) << 16) >> 16; hi = lo >> 31; }
    else {
      lo = src.byte(p) | (src.byte(p + 1) << 8) | (src.byte(p + 2) << 16) | (src.byte(p + 3) << 24);
      if (n === 8) hi = src.byte(p + 4) | (src.byte(p + 5) << 8) | (src.byte(p + 6) << 16) | (src.byte(p + 7) << 24);
      else hi = lo >> 31;
    }
    p += n;
    if (moffs) {
      // An absolute address: zero-extended, no base, no index.
      i.mem = true;
      i.base = -1;
      i.index = -1;
      i.dispLo = n === 2 ? lo & 0xffff : lo;
      i.dispHi = n === 8 ? hi : 0;
    } else if (first) {
      i.immLo = lo;
      i.immHi = hi;
      first = false;
    } else {
      i.imm2 = lo;
    }
  }
  if (p > 15) return invalid(i, 15, 'gp');
  i.len = p;
  if (lock && !altCr8 && (!e.lock || !i.mem)) return invalid(i, p);
  i.fault = '';
  return i;
}

/** Decode from a byte array (tests, disassembly views); bytes past the end read as 0. */
export function decodeBytes(bytes: Uint8Array, offset: number, mode: number): Insn {
  return decode({ byte: (off) => bytes[offset + off] ?? 0 }, mode);
}

export function rowOf(i: Insn): OpcodeRow | undefined {
  return i.row >= 0 ? OPCODES[i.row] : undefined;
}
