// Port I/O: IN, OUT, INS, OUTS with the IOPL / TSS I/O-bitmap check, then the
// SVM IOIO intercept through the I/O permission map.
import type { Cpu } from '../cpu';
import { TR } from '../cpu';
import type { Insn } from '../insn';
import { ES, REP_NONE } from '../insn';
import { CpuFault, GP } from '../fault';
import { IOPL, DF } from '../flags';
import { RAX, RCX, RDX, RSI, RDI } from '../regs';
import { VMEXIT } from '../../svm/exitcodes';
import { ioIntercepted } from '../../svm/intercept';
import { exitInstruction } from '../../svm/world';
import { tssRead32 } from '../segments';
import { advance, countIsZero, indexAddr } from './string';

// ------------------------------------------------------------ port I/O

/** The I/O permission check: CPL <= IOPL, or the TSS bitmap allows every byte of the access. */
function checkIo(c: Cpu, port: number, size: number): void {
  if ((c.cr0 & 1) === 0 || c.cpl <= ((c.flags & IOPL) >>> 12)) return;
  const type = c.segAttr[TR]! & 0xf;
  if (type !== 0x9 && type !== 0xb) throw new CpuFault(GP, 0);
  const mapBase = tssRead32(c, 0x64) >>> 16;
  const off = mapBase + (port >>> 3);
  if (off + 1 > c.segLimit[TR]! >>> 0) throw new CpuFault(GP, 0);
  const bits = (tssRead32(c, off & ~3) >>> ((off & 3) * 8)) | (tssRead32(c, (off & ~3) + 4) << (32 - (off & 3) * 8));
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) throw new CpuFault(GP, 0);
}

function ioSize(i: Insn): number {
  return i.osize === 1 ? 1 : i.osize === 2 ? 2 : 4;
}

/**
 * IOIO intercept (APM §15.10.2), after the IOPL/TSS check: EXITINFO1 = port
 * (31:16), segment (12:10, OUTS), address size (9:7), operand size (6:4), REP
 * (3), string (2), IN (0); EXITINFO2 = the next instruction's RIP.
 */
function ioIntercept(c: Cpu, i: Insn, port: number, size: number, input: boolean, str: boolean): void {
  if (!ioIntercepted(c, port, size)) return;
  const info = (port << 16) | (str && !input ? (i.seg & 7) << 10 : 0) | ((i.asize === 2 ? 1 : i.asize === 4 ? 2 : 4) << 7) |
    ((size === 1 ? 1 : size === 2 ? 2 : 4) << 4) | (str && i.rep !== REP_NONE ? 8 : 0) | (str ? 4 : 0) | (input ? 1 : 0);
  exitInstruction(c, VMEXIT.IOIO, info, 0, c.ripLo, c.ripHi);
}

/** E4/E5 (imm8 port) and EC/ED (DX). */
export function inPort(c: Cpu, i: Insn): void {
  const port = i.op < 0xe8 ? i.immLo & 0xff : c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  if (c.svm.guest) ioIntercept(c, i, port, sz, true, false);
  c.setR(sz, RAX, c.io.in(port, sz), 0);
  c.irqCheck = true;
}
export function outPort(c: Cpu, i: Insn): void {
  const port = i.op < 0xe8 ? i.immLo & 0xff : c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  if (c.svm.guest) ioIntercept(c, i, port, sz, false, false);
  c.io.out(port, sz, c.getR(sz, RAX));
  c.irqCheck = true;
}

/** 6C/6D ins, 6E/6F outs, with rep. */
export function insOuts(c: Cpu, i: Insn): void {
  const port = c.r[RDX * 2]! & 0xffff;
  const sz = ioSize(i);
  checkIo(c, port, sz);
  const input = i.op < 0x6e;
  if (c.svm.guest && (i.rep === REP_NONE || !countIsZero(c, i.asize))) ioIntercept(c, i, port, sz, input, true);
  const delta = c.flags & DF ? -sz : sz;
  const once = () => {
    if (input) {
      indexAddr(c, i.asize, RDI, ES);
      const v = c.io.in(port, sz);
      c.writeSz(sz, c.laLo, c.laHi, v, 0);
      advance(c, i.asize, RDI, delta);
    } else {
      indexAddr(c, i.asize, RSI, i.seg);
      const v = c.readSz(sz, c.laLo, c.laHi);
      c.io.out(port, sz, v);
      advance(c, i.asize, RSI, delta);
    }
  };
  if (i.rep === REP_NONE) { once(); return; }
  for (let n = 0; n < 4096 && !countIsZero(c, i.asize); n++) {
    once();
    advance(c, i.asize, RCX, -1);
  }
  if (!countIsZero(c, i.asize)) { c.ripLo = c.startLo; c.ripHi = c.startHi; }
  c.irqCheck = true;
}

