// String instructions: movs, cmps, stos, lods, scas, with REP/REPE/REPNE.
// Each iteration commits its register updates, so a fault in the middle of a
// rep leaves RCX/RSI/RDI describing the work done and RIP on the instruction:
// restarting it finishes the job, as on hardware. Long reps run in chunks and
// restart themselves, so interrupts are taken between chunks.
import type { Cpu } from '../cpu';
import type { Insn } from '../insn';
import { ES, REP_NONE, REP_E } from '../insn';
import { alu } from './alu';
import { DF, getZF } from '../flags';
import { RAX, RCX, RSI, RDI } from '../regs';
import { CpuFault, GP } from '../fault';
import { stosBulk, movsBulk } from './string-bulk';
import { canonical } from '../canonical';

const CHUNK = 1 << 16;

/** Linear address of an index register (RSI/RDI) of the address size, in segment seg. */
export function indexAddr(c: Cpu, asize: number, reg: number, seg: number): void {
  const r = c.r;
  if (asize === 8) {
    let lo = r[reg << 1]!, hi = r[(reg << 1) + 1]!;
    if (seg >= 4) {
      const t = (lo >>> 0) + (c.segBaseLo[seg]! >>> 0);
      hi = (hi + c.segBaseHi[seg]! + (t > 0xffffffff ? 1 : 0)) | 0;
      lo = t | 0;
    }
    if (!canonical(hi)) throw new CpuFault(GP, 0);
    c.laLo = lo;
    c.laHi = hi;
  } else {
    c.linear(seg, asize === 4 ? r[reg << 1]! : r[reg << 1]! & 0xffff);
  }
}

/** Add delta to an index register of the address size. */
export function advance(c: Cpu, asize: number, reg: number, delta: number): void {
  const r = c.r;
  const k = reg << 1;
  if (asize === 8) {
    const t = (r[k]! >>> 0) + delta;
    r[k] = t | 0;
    r[k + 1] = (r[k + 1]! + Math.floor(t / 4294967296)) | 0;
  } else if (asize === 4) {
    r[k] = (r[k]! + delta) | 0;
    r[k + 1] = 0;
  } else {
    r[k] = (r[k]! & ~0xffff) | ((r[k]! + delta) & 0xffff);
  }
}

export function countIsZero(c: Cpu, asize: number): boolean {
  const r = c.r;
  const k = RCX << 1;
  if (asize === 8) return (r[k]! | r[k + 1]!) === 0;
  if (asize === 4) return r[k] === 0;
  return (r[k]! & 0xffff) === 0;
}

function decCount(c: Cpu, asize: number): void {
  advance(c, asize, RCX, -1);
}

type Body = (c: Cpu, i: Insn, delta: number) => void;

function run(c: Cpu, i: Insn, body: Body, conditional: boolean): void {
  const delta = (c.flags & DF) !== 0 ? -i.osize : i.osize;
  if (i.rep === REP_NONE) {
    body(c, i, delta);
    return;
  }
  const asize = i.asize;
  const bulk = asize !== 2 && delta > 0 ? (body === stosBody ? stosBulk : body === movsBody ? movsBulk : null) : null;
  for (let n = 0; n < CHUNK; n++) {
    if (bulk !== null) {
      // Whole pages at a time where they can be (string-bulk.ts); the loop below does the rest.
      const done = bulk(c, i, CHUNK - n);
      if (done > 0) {
        n += done - 1;
        continue;
      }
    }
    if (countIsZero(c, asize)) return;
    body(c, i, delta);
    decCount(c, asize);
    c.cycles++;
    if (conditional && (getZF(c) !== 0) !== (i.rep === REP_E)) return;
  }
  // Not finished: execute this instruction again (RIP back to its start).
  if (!countIsZero(c, asize)) {
    c.ripLo = c.startLo;
    c.ripHi = c.startHi;
    c.instructions--; // the step loop counts the whole rep once
  }
}

const movsBody: Body = (c, i, delta) => {
  indexAddr(c, i.asize, RSI, i.seg);
  const v = c.readSz(i.osize, c.laLo, c.laHi), h = c.hi;
  indexAddr(c, i.asize, RDI, ES);
  c.writeSz(i.osize, c.laLo, c.laHi, v, h);
  advance(c, i.asize, RSI, delta);
  advance(c, i.asize, RDI, delta);
};

const cmpsBody: Body = (c, i, delta) => {
  indexAddr(c, i.asize, RSI, i.seg);
  const a = c.readSz(i.osize, c.laLo, c.laHi), aH = c.hi;
  indexAddr(c, i.asize, RDI, ES);
  const b = c.readSz(i.osize, c.laLo, c.laHi), bH = c.hi;
  alu(c, 7, i.osize, a, aH, b, bH);
  advance(c, i.asize, RSI, delta);
  advance(c, i.asize, RDI, delta);
};

const stosBody: Body = (c, i, delta) => {
  const v = c.getR(i.osize, RAX), h = c.hi;
  indexAddr(c, i.asize, RDI, ES);
  c.writeSz(i.osize, c.laLo, c.laHi, v, h);
  advance(c, i.asize, RDI, delta);
};

const lodsBody: Body = (c, i, delta) => {
  indexAddr(c, i.asize, RSI, i.seg);
  const v = c.readSz(i.osize, c.laLo, c.laHi);
  c.setR(i.osize, RAX, v, c.hi);
  advance(c, i.asize, RSI, delta);
};

const scasBody: Body = (c, i, delta) => {
  indexAddr(c, i.asize, RDI, ES);
  const b = c.readSz(i.osize, c.laLo, c.laHi), bH = c.hi;
  const a = c.getR(i.osize, RAX), aH = c.hi;
  alu(c, 7, i.osize, a, aH, b, bH);
  advance(c, i.asize, RDI, delta);
};

export function movs(c: Cpu, i: Insn): void { run(c, i, movsBody, false); }
export function cmps(c: Cpu, i: Insn): void { run(c, i, cmpsBody, true); }
export function stos(c: Cpu, i: Insn): void { run(c, i, stosBody, false); }
export function lods(c: Cpu, i: Insn): void { run(c, i, lodsBody, false); }
export function scas(c: Cpu, i: Insn): void { run(c, i, scasBody, true); }
