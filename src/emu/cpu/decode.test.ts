// Differential test of the decoder against iced-x86 (the oracle for instruction
// lengths, DESIGN.md principle 4), configured as an AMD decoder like our CPU.
//
// Random 16-byte sequences, biased towards interesting encodings (prefixes, REX,
// the 0F escape, ModRM/SIB/displacement combinations, opcodes from our table),
// are decoded by both. The rules:
//   - our decoder never throws; a valid instruction is 1..15 bytes long;
//   - when we decode a valid instruction, iced decodes one too, of the same
//     length and with a compatible mnemonic (MNEMONIC_ALIASES below);
//   - when iced decodes an instruction that one of our OPCODES rows claims (same
//     map, opcode byte, ModRM.reg group and a compatible mnemonic), we decode it
//     too. iced instructions no row claims (x87, SSE, system, ...) are #UD for us.
//
// PACIFICA_DECODER_CASES scales the number of sequences (default 1,000,000 in
// 64-bit mode; 32-bit and 16-bit mode get a tenth and a twentieth of that).
import { describe, expect, it } from 'vitest';
import { Code, CodeExt, Decoder, DecoderOptions, EncodingKind, Instruction, MandatoryPrefix, Mnemonic, OpCodeTableKind } from 'iced-x86';
import { decodeBytes } from './decode';
import { OPCODES } from './opcodes';

const SEQ = 16; // bytes per sequence: an instruction (at most 15 bytes) always fits
const CASES64 = Math.max(1, Number(process.env.PACIFICA_DECODER_CASES ?? 1_000_000) | 0);
const CASES32 = Math.max(1, Math.round(CASES64 / 10));
const CASES16 = Math.max(1, Math.round(CASES64 / 20));
/** Rows decoded at least once (valid in both), over all modes: the generator's coverage. */
const rowsSeen = new Uint8Array(OPCODES.length);
let sequencesRun = 0;

// ---------------------------------------------------------------------------
// Which iced mnemonics each of our mnemonics stands for. Our default is the
// capitalised name (add -> Add, jb -> Jb, cmovae -> Cmovae); only the
// exceptions are listed, each with the reason it is the same instruction.
const MNEMONIC_ALIASES: Record<string, readonly string[]> = {
  // String instructions: iced spells the operand size into the mnemonic.
  movs: ['Movsb', 'Movsw', 'Movsd', 'Movsq'],
  cmps: ['Cmpsb', 'Cmpsw', 'Cmpsd', 'Cmpsq'],
  stos: ['Stosb', 'Stosw', 'Stosd', 'Stosq'],
  lods: ['Lodsb', 'Lodsw', 'Lodsd', 'Lodsq'],
  scas: ['Scasb', 'Scasw', 'Scasd', 'Scasq'],
  xlat: ['Xlatb'],
  // Sign extension of rAX, named by operand size.
  cbw: ['Cbw', 'Cwde', 'Cdqe'],
  cwd: ['Cwd', 'Cdq', 'Cqo'],
  pushf: ['Pushf', 'Pushfd', 'Pushfq'],
  popf: ['Popf', 'Popfd', 'Popfq'],
  jrcxz: ['Jcxz', 'Jecxz', 'Jrcxz'],
  // 90 without REX.B is NOP (any operand size); F3 90 is PAUSE, a spin-loop hint.
  xchg: ['Xchg', 'Nop', 'Pause'],
  // The hint-NOP space 0F 19..1F: iced names the forms that later extensions
  // gave a meaning and that execute as NOPs on a CPU without them (our CPUID
  // reports no CET, no CLDEMOTE, no MPX).
  nop: ['Nop', 'Reservednop', 'Endbr64', 'Endbr32', 'Rdsspd', 'Rdsspq', 'Cldemote'],
  // REX.W 0F C7 /1 is CMPXCHG16B; the cmpxchg8b handler implements both.
  cmpxchg8b: ['Cmpxchg8b', 'Cmpxchg16b'],
  // System and I/O string instructions, again named by operand size by iced.
  ins: ['Insb', 'Insw', 'Insd'],
  outs: ['Outsb', 'Outsw', 'Outsd'],
  iret: ['Iret', 'Iretd', 'Iretq'],
  sysret: ['Sysret', 'Sysretd', 'Sysretq'],
  fwait: ['Wait'],
};

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);
const icedNamesOf = (ours: string) => MNEMONIC_ALIASES[ours] ?? [cap(ours)];
const compatible = (ours: string, iced: Mnemonic) => icedNamesOf(ours).includes(Mnemonic[iced]);

// ---------------------------------------------------------------------------
// The encodings our table claims, parsed from the encoding column (the same
// grammar decode.ts reads: "[PFX ]XX[ YY][+r][/n][ r|m]"). A row without a
// prefix claims iced's forms with any mandatory prefix; an NP row those with none.
interface Claim { mnemonic: string; map: number; op: number; plusR: boolean; ext: number; pfx: string }
const CLAIMS: Claim[] = OPCODES.map(([enc, mnemonic]) => {
  let parts = enc.split(' ');
  let pfx = '';
  if (parts.length > 1 && ['F3', 'F2', '66', 'NP'].includes(parts[0]!)) pfx = parts.shift()!;
  let map = 0;
  if (parts[0] === '0F') { map = 1; parts.shift(); }
  const m = /^([0-9A-F]{2})(\+r)?(?:\/([0-7]))?$/.exec(parts[0]!);
  if (!m) throw new Error(`bad encoding ${enc}`);
  return { mnemonic, map, op: parseInt(m[1]!, 16), plusR: !!m[2], ext: m[3] ? Number(m[3]) : -1, pfx };
});
const PFX_OF: Record<number, string> = { [MandatoryPrefix.P66]: '66', [MandatoryPrefix.PF3]: 'F3', [MandatoryPrefix.PF2]: 'F2' };

/** Per iced Code: does one of our rows claim it? (Computed once per code.) */
const claimedCache = new Map<Code, boolean>();
function claimed(code: Code, mnemonic: Mnemonic): boolean {
  let c = claimedCache.get(code);
  if (c !== undefined) return c;
  const info = CodeExt.opCode(code);
  try {
    const map = info.table === OpCodeTableKind.Normal ? 0 : info.table === OpCodeTableKind.T0F ? 1 : -1;
    const icedPfx = PFX_OF[info.mandatoryPrefix] ?? '';
    c = info.encoding === EncodingKind.Legacy && map >= 0 && CLAIMS.some((r) =>
      r.map === map &&
      (r.plusR ? info.opCode >= r.op && info.opCode < r.op + 8 : info.opCode === r.op) &&
      (r.ext < 0 || (info.isGroup && info.groupIndex === r.ext)) &&
      (r.pfx === '' || r.pfx === (icedPfx || 'NP')) &&
      compatible(r.mnemonic, mnemonic));
  } finally {
    info.free();
  }
  claimedCache.set(code, c);
  return c;
}

// ---------------------------------------------------------------------------
// Sequence generator: xoshiro128**, seeded, so failures reproduce.
function rng(seed: number) {
  let a = seed >>> 0 || 1, b = 0x9e3779b9, c = 0x85ebca6b, d = 0xc2b2ae35;
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return r;
  };
}
const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

const LEGACY_PREFIXES = [0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x36];
/** Opcode bytes our table uses, per map, so the generator hits them often. */
const TABLE_OPS: number[][] = [[], []];
for (const r of CLAIMS) for (let k = 0; k < (r.plusR ? 8 : 1); k++) TABLE_OPS[r.map]!.push(r.op + k);

function fill(buf: Uint8Array, at: number, mode: number, next: () => number): void {
  const rnd = (n: number) => next() % n;
  const slot = buf.subarray(at, at + SEQ);
  for (let k = 0; k < SEQ; k++) slot[k] = next() & 0xff;
  const kind = rnd(100);
  if (kind < 15) return; // fully uniform bytes
  let p = 0;
  if (kind < 18) {
    // Long prefix runs: around and past the 15-byte limit.
    const n = 10 + rnd(6);
    for (let k = 0; k < n; k++) slot[p++] = LEGACY_PREFIXES[rnd(LEGACY_PREFIXES.length)]!;
  } else {
    const r = rnd(10);
    const n = r < 4 ? 0 : r < 7 ? 1 : r < 9 ? 2 : 3 + rnd(3);
    for (let k = 0; k < n; k++) {
      // Mostly the ones that change decoding; sometimes a stray REX before a legacy prefix.
      if (mode === 64 && rnd(8) === 0) slot[p++] = 0x40 + rnd(16);
      slot[p++] = LEGACY_PREFIXES[rnd(LEGACY_PREFIXES.length)]!;
    }
  }
  if (mode === 64 && rnd(2) === 0 && p < SEQ) slot[p++] = 0x40 + rnd(16);
  if (p >= SEQ - 1) return;
  const map = rnd(2);
  if (map === 1) slot[p++] = 0x0f;
  const fromTable = rnd(3) !== 0;
  const ops = TABLE_OPS[map]!;
  slot[p++] = fromTable ? ops[rnd(ops.length)]! : next() & 0xff;
  if (p >= SEQ) return;
  // ModRM: a spread of mod values, SIB (rm=4) and disp32/RIP (mod=0, rm=5) often.
  const mod = rnd(4);
  const rmPick = rnd(8);
  const rm = rmPick < 2 ? 4 : rmPick === 2 ? 5 : rnd(8);
  slot[p++] = (mod << 6) | (rnd(8) << 3) | rm;
  if (p < SEQ && rm === 4 && mod !== 3) {
    const base = rnd(4) === 0 ? 5 : rnd(8); // base=5 with mod=0: disp32, no base
    slot[p++] = (rnd(4) << 6) | (rnd(8) << 3) | base;
  }
  // The rest (displacement, immediates) stays random.
}

// ---------------------------------------------------------------------------
interface Verdict { valid: boolean; len: number; mnem: string }
interface Mismatch { mode: number; bytes: string; ours: Verdict; iced: Verdict; why: string }
interface Stats { sequences: number; validBoth: number; invalidBoth: number; icedOnlyUnclaimed: number; mismatches: number; first: Mismatch[] }

const hexOf = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const show = (v: Verdict) => (v.valid ? `len ${v.len} ${v.mnem}` : `invalid${v.mnem ? ` (${v.mnem})` : ''}`);

/** Decode every SEQ-byte slot of buf with both decoders and compare. */
function compare(buf: Uint8Array, mode: 16 | 32 | 64, stats: Stats): void {
  const n = buf.length / SEQ;
  const decoder = new Decoder(mode, buf, DecoderOptions.AMD);
  const instr = new Instruction();
  try {
    for (let k = 0; k < n; k++) {
      const at = k * SEQ;
      decoder.position = at;
      decoder.decodeOut(instr);
      const icode = instr.code;
      const iValid = icode !== Code.INVALID;
      const iLen = iValid ? instr.length : 0;
      const iMnem: Mnemonic = iValid ? instr.mnemonic : Mnemonic.INVALID;

      let ours: Verdict;
      let why = '';
      try {
        const i = decodeBytes(buf, at, mode);
        if (i.row >= 0) {
          rowsSeen[i.row] = 1;
          ours = { valid: true, len: i.len, mnem: OPCODES[i.row]![1] };
          if (!(i.len >= 1 && i.len <= 15)) why = 'length out of 1..15';
          else if (!iValid) why = 'we decode, iced does not';
          else if (iLen !== i.len) why = 'length differs';
          else if (!compatible(ours.mnem, iMnem)) why = 'mnemonic differs';
        } else {
          ours = { valid: false, len: i.len, mnem: i.fault };
          if (i.fault !== 'ud' && i.fault !== 'gp') why = `invalid without a fault kind`;
          else if (iValid && claimed(icode, iMnem)) why = 'iced decodes a form we claim, we do not';
        }
      } catch (e) {
        ours = { valid: false, len: 0, mnem: `threw ${String(e)}` };
        why = 'decoder threw';
      }
      stats.sequences++;
      sequencesRun++;
      if (why) {
        stats.mismatches++;
        if (stats.first.length < 20) {
          stats.first.push({ mode, bytes: hexOf(buf.subarray(at, at + SEQ)), ours, iced: { valid: iValid, len: iLen, mnem: iValid ? Mnemonic[iMnem] : '' }, why });
        }
      } else if (ours.valid) stats.validBoth++;
      else if (!iValid) stats.invalidBoth++;
      else stats.icedOnlyUnclaimed++;
    }
  } finally {
    instr.free();
    decoder.free();
  }
}

function run(mode: 16 | 32 | 64, cases: number, seed: number): Stats {
  const stats: Stats = { sequences: 0, validBoth: 0, invalidBoth: 0, icedOnlyUnclaimed: 0, mismatches: 0, first: [] };
  const next = rng(seed);
  const BATCH = 1 << 16; // sequences per buffer handed to iced
  for (let done = 0; done < cases; done += BATCH) {
    const n = Math.min(BATCH, cases - done);
    const buf = new Uint8Array(n * SEQ);
    for (let k = 0; k < n; k++) fill(buf, k * SEQ, mode, next);
    compare(buf, mode, stats);
  }
  return stats;
}

function report(mode: number, s: Stats, ms: number): string {
  const lines = [
    `decoder vs iced-x86 (AMD), ${mode}-bit: ${s.sequences} sequences, ${s.validBoth} valid in both, ` +
      `${s.invalidBoth} invalid in both, ${s.icedOnlyUnclaimed} valid only in iced (forms we do not claim), ` +
      `${s.mismatches} mismatches (${(ms / 1000).toFixed(1)} s)`,
  ];
  for (const m of s.first) lines.push(`  [${m.mode}] ${m.bytes}  ${m.why}: ours ${show(m.ours)} | iced ${show(m.iced)}`);
  return lines.join('\n');
}

describe('decoder vs iced-x86', () => {
  for (const [mode, cases, seed] of [[64, CASES64, 0x5eed64], [32, CASES32, 0x5eed32], [16, CASES16, 0x5eed16]] as const) {
    it(`agrees on ${cases} random ${mode}-bit sequences`, () => {
      const t0 = performance.now();
      const s = run(mode, cases, seed);
      const text = report(mode, s, performance.now() - t0);
      console.log(text);
      expect(s.sequences).toBe(cases);
      expect(s.validBoth).toBeGreaterThan(cases / 5); // the generator does reach real instructions
      expect(s.mismatches, text).toBe(0);
    });
  }

  it('reaches every row of the opcode table', () => {
    const missed = OPCODES.filter((_, k) => !rowsSeen[k]).map((r) => `${r[0]} ${r[1]}`);
    console.log(`opcode rows reached: ${OPCODES.length - missed.length} of ${OPCODES.length}${missed.length ? `; missed: ${missed.join(', ')}` : ''}`);
    if (sequencesRun >= 100_000) expect(missed).toEqual([]); // (when the random tests above ran)
  });

  it('rejects instructions longer than 15 bytes, like iced', () => {
    const cases: [mode: 16 | 32 | 64, bytes: number[], valid: boolean][] = [];
    for (const mode of [16, 32, 64] as const) {
      for (const pfx of [0x66, 0x2e, 0xf3, 0x67, 0x64]) {
        cases.push([mode, [...Array(14).fill(pfx), 0x90], true]); // 15 bytes: the limit
        cases.push([mode, [...Array(15).fill(pfx), 0x90], false]);
        cases.push([mode, [...Array(14).fill(pfx), 0x0f, 0xa2], false]); // cpuid: 16 bytes
        cases.push([mode, [...Array(13).fill(pfx), 0x05, 1, 2, 3, 4], false]); // add eAX, imm16/32: 16 or 18 bytes
        cases.push([mode, [...Array(11).fill(pfx), 0x81, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8], false]); // add [mem], imm: 17+ bytes
      }
      if (mode === 64) {
        cases.push([mode, [0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8], true]); // mov rax, imm64: 15 bytes
        cases.push([mode, [0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8], false]);
        cases.push([mode, [...Array(14).fill(0x40), 0x90], true]);
        cases.push([mode, [...Array(15).fill(0x48), 0x90], false]);
        // add qword [rsp+disp32], imm32 with REX.W: 11 bytes, plus 4 or 5 prefixes
        const addMem = [0x48, 0x81, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8];
        cases.push([mode, [0x2e, 0x64, 0xf0, ...addMem], true]);
        cases.push([mode, [0x2e, 0x64, 0xf0, 0x67, ...addMem], false]);
      }
    }
    const lines: string[] = [];
    for (const [mode, bytes, valid] of cases) {
      const buf = new Uint8Array(32);
      buf.set(bytes);
      const ours = decodeBytes(buf, 0, mode);
      const decoder = new Decoder(mode, buf, DecoderOptions.AMD);
      const instr = decoder.decode();
      const iValid = instr.code !== Code.INVALID;
      const iLen = instr.length;
      instr.free();
      decoder.free();
      const ok = valid
        ? ours.row >= 0 && ours.len === bytes.length && iValid && iLen === bytes.length
        : ours.row < 0 && ours.fault === 'gp' && !iValid;
      if (!ok) lines.push(`[${mode}] ${hexOf(Uint8Array.from(bytes))}: expected ${valid ? 'valid' : 'invalid'}; ours row ${ours.row} len ${ours.len} fault '${ours.fault}', iced ${iValid ? `len ${iLen}` : 'invalid'}`);
    }
    expect(lines, lines.join('\n')).toEqual([]);
  });
});
