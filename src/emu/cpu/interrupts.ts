// Interrupt and exception delivery through the IDT, the double- and triple-
// fault rules, and iret. APM Vol 2 §8 (exceptions and interrupts), §8.9
// (long-mode interrupt control transfers), §8.2.9 (double fault).
import type { Cpu } from './cpu';
import { CpuFault, DF, GP, NP, PF as PF_VEC, SS_FAULT, VECTOR_NAMES } from './fault';
import { CS, SS } from './insn';
import { RSP } from './regs';
import { getFlags, materialize, TF, NT, RF, VM, IF, IOPL, AC, ID, VIF, VIP, ARITH, DF as DFLAG } from './flags';
import { VMEXIT } from '../svm/exitcodes';
import { intercepted } from '../svm/intercept';
import { vmexit } from '../svm/world';
import { A_DB, A_L, attrDpl, checkCodeSegment, loadCodeSegment, loadDataSegment, setSegment, sysRead32, tssRead32, updateMode } from './segments';
import { canonical } from './canonical';

/**
 * exception: a fault or abort; trap: an exception raised after its instruction
 * (INT3, INTO, INT1), software-interrupt rules for the gate DPL except INT1;
 * soft: INT n; external: INTR; nmi: a non-maskable interrupt (injected).
 */
export type EventKind = 'exception' | 'trap' | 'soft' | 'external' | 'nmi';

/** EXITINTINFO's type for an event kind (APM §15.20). */
const EVENT_TYPE_OF: Record<EventKind, number> = { external: 0, nmi: 2, exception: 3, trap: 3, soft: 4 };

const CONTRIBUTORY = new Set([0, 10, 11, 12, 13]);

/** Would a fault `second` raised while delivering `first` become a double fault? (APM Table 8-7) */
function isDoubleFault(first: number, second: number): boolean {
  if (CONTRIBUTORY.has(first) && CONTRIBUTORY.has(second)) return true;
  if (first === 14 && (CONTRIBUTORY.has(second) || second === 14)) return true;
  return false;
}

/** The vector being delivered (-1: none), for the double-fault rules. */
let delivering = -1;

/**
 * Deliver an exception, software interrupt or external interrupt. RIP is the
 * return address already (the faulting instruction for faults, the next one for
 * traps and software interrupts). A fault during delivery follows the
 * double-fault rules; a fault while delivering #DF shuts the machine down.
 */
export function deliverEvent(c: Cpu, vector: number, errorCode: number, kind: EventKind, interceptable = true): void {
  const s = c.svm;
  const isException = kind === 'exception' || kind === 'trap';
  // In a guest, an intercepted exception exits before it is delivered (APM
  // §15.12): EXITINFO1 = its error code, EXITINFO2 = the #PF address; CR2 is
  // not written.
  if (s.guest && isException && interceptable && intercepted(c, VMEXIT.EXCP_BASE + vector)) {
    const pf = vector === PF_VEC && c.pfPending;
    c.pfPending = false;
    // Fault-like even for INT3/INTO/INT1: RIP is the instruction, NRIP the next one.
    let nextLo: number | undefined, nextHi = 0;
    if (kind === 'trap') {
      nextLo = c.ripLo; nextHi = c.ripHi;
      c.ripLo = c.startLo; c.ripHi = c.startHi;
    }
    vmexit(c, VMEXIT.EXCP_BASE + vector, errorCode >= 0 ? errorCode : 0, 0, pf ? c.pfLo : 0, pf ? c.pfHi : 0, nextLo, nextHi);
  }
  if (vector === PF_VEC && kind === 'exception' && c.pfPending) {
    c.cr2Lo = c.pfLo;
    c.cr2Hi = c.pfHi;
    c.pfPending = false;
  }
  const outer = delivering;
  delivering = vector;
  // The event in flight, for EXITINTINFO if its delivery ends in a #VMEXIT.
  const oValid = s.evValid, oVector = s.evVector, oType = s.evType, oError = s.evError;
  s.evValid = true;
  s.evVector = vector;
  s.evType = EVENT_TYPE_OF[kind];
  s.evError = errorCode;
  try {
    viaIdt(c, vector, errorCode, kind);
  } catch (e) {
    // A fault raised while delivering this event is delivered (or intercepted)
    // with this event still in flight: EXITINTINFO names it.
    if (!(e instanceof CpuFault)) throw e;
    delivering = outer;
    // A fault while delivering a software interrupt is reported at the INT
    // instruction itself (it is restartable), not after it.
    if (kind === 'soft' || kind === 'trap') {
      c.ripLo = c.startLo;
      c.ripHi = c.startHi;
    }
    // An intercepted exception exits as itself, before the double-fault rules
    // combine it with the event being delivered (that event is EXITINTINFO).
    if (s.guest && intercepted(c, VMEXIT.EXCP_BASE + e.vector)) deliverEvent(c, e.vector, e.errorCode, 'exception');
    if (vector === DF) {
      c.shutdown(`triple fault: ${e.toString()} while delivering #DF`);
      return;
    }
    if (kind !== 'external' && kind !== 'nmi' && isDoubleFault(vector, e.vector)) {
      deliverEvent(c, DF, 0, 'exception');
      return;
    }
    if (e.vector === vector && outer === vector) {
      c.shutdown(`${VECTOR_NAMES[vector] ?? `vector ${vector}`} recurs while being delivered`);
      return;
    }
    deliverEvent(c, e.vector, e.errorCode, 'exception');
  } finally {
    delivering = outer;
    s.evValid = oValid; s.evVector = oVector; s.evType = oType; s.evError = oError;
  }
}

function viaIdt(c: Cpu, vector: number, errorCode: number, kind: EventKind): void {
  if ((c.cr0 & 1) === 0) {
    c.shutdown(`${VECTOR_NAMES[vector] ?? `interrupt ${vector}`} in real mode (real-mode interrupts are not modelled)`);
    return;
  }
  // EXT: the event is not the program's own INT n / INT3 / INTO (an interrupt or an exception).
  const ext = kind === 'external' || kind === 'nmi' || kind === 'exception' ? 1 : 0;
  const gateErr = vector * 8 + 2 + ext;
  const long = (c.efer & 0x400) !== 0;
  const size = long ? 16 : 8;
  if (vector * size + size - 1 > c.idtrLimit) throw new CpuFault(GP, gateErr);
  const t = (c.idtrBaseLo >>> 0) + vector * size;
  const aLo = t | 0, aHi = (c.idtrBaseHi + Math.floor(t / 4294967296)) | 0;
  const w0 = sysRead32(c, aLo, aHi);
  const w1 = sysRead32(c, (aLo + 4) | 0, aHi);
  const w2 = long ? sysRead32(c, (aLo + 8) | 0, aHi) : 0;
  const type = (w1 >> 8) & 0xf;
  const gateDpl = (w1 >> 13) & 3;
  const present = (w1 & 0x8000) !== 0;
  const okTypes = long ? [0xe, 0xf] : [0x6, 0x7, 0xe, 0xf];
  if (!okTypes.includes(type)) throw new CpuFault(GP, gateErr);
  if ((kind === 'soft' || (kind === 'trap' && vector !== 1)) && gateDpl < c.cpl) throw new CpuFault(GP, vector * 8 + 2);
  if (!present) throw new CpuFault(NP, gateErr);
  const trapGate = (type & 1) !== 0;
  const gate32 = type >= 0xe;
  const sel = w0 >>> 16;
  const offLo = (w0 & 0xffff) | (w1 & 0xffff0000);
  const offHi = long ? w2 : 0;

  const cs = checkCodeSegment(c, sel, GP);
  const dpl = attrDpl(cs.attr);
  const conforming = (cs.attr & 4) !== 0;
  if (dpl > c.cpl) throw new CpuFault(GP, (sel & 0xfffc) + ext);
  if (long && !(cs.attr & A_L)) throw new CpuFault(GP, (sel & 0xfffc) + ext);
  const newCpl = conforming ? c.cpl : dpl;
  const oldCpl = c.cpl;
  const flags = getFlags(c);
  const oldCs = c.segSel[CS]!, oldSs = c.segSel[SS]!;
  const oldRspLo = c.r[RSP * 2]!, oldRspHi = c.r[RSP * 2 + 1]!;
  const retLo = c.ripLo, retHi = c.ripHi;

  if (long) {
    // 64-bit: IST or a ring stack from the TSS, aligned to 16, 8-byte pushes.
    const ist = w1 & 7;
    let spLo = oldRspLo, spHi = oldRspHi;
    if (ist !== 0) {
      spLo = tssRead32(c, 36 + (ist - 1) * 8); // IST1 at TSS+0x24
      spHi = tssRead32(c, 40 + (ist - 1) * 8);
    } else if (newCpl < oldCpl) {
      spLo = tssRead32(c, 4 + newCpl * 8);
      spHi = tssRead32(c, 8 + newCpl * 8);
    }
    spLo &= ~0xf;
    const pushes: Array<[number, number]> = [
      [oldSs, 0], [oldRspLo, oldRspHi], [flags, 0], [oldCs, 0], [retLo, retHi],
    ];
    if (errorCode >= 0) pushes.push([errorCode, 0]);
    const prevSys = c.sysAccess;
    c.sysAccess = true;
    try {
      let lo = spLo, hi = spHi;
      for (const [vl, vh] of pushes) {
        const tt = (lo >>> 0) - 8;
        lo = tt | 0;
        if (tt < 0) hi = (hi - 1) | 0;
        if (!canonical(hi)) throw new CpuFault(SS_FAULT, 0);
        c.write64(lo, hi, vl, vh);
      }
      spLo = lo; spHi = hi;
    } finally {
      c.sysAccess = prevSys;
    }
    loadCodeSegment(c, sel, cs, newCpl);
    if (newCpl !== oldCpl) setSegment(c, SS, newCpl, 0, 0, 0, c.segAttr[SS]! & A_DB | (newCpl << 5));
    c.r[RSP * 2] = spLo;
    c.r[RSP * 2 + 1] = spHi;
  } else {
    // Legacy protected mode: 32- or 16-bit gate, stack switch through the TSS on a privilege change.
    const w = gate32 ? 4 : 2;
    const pushes: number[] = [];
    if (newCpl < oldCpl) {
      const tss32 = (c.segAttr[7]! & 0xf) >= 9;
      const espN = tss32 ? tssRead32(c, 4 + newCpl * 8) : tssRead32(c, 2 + newCpl * 4) & 0xffff;
      const ssN = (tss32 ? tssRead32(c, 8 + newCpl * 8) : tssRead32(c, 4 + newCpl * 4)) & 0xffff;
      const savedCpl = c.cpl;
      c.cpl = newCpl;
      try {
        loadDataSegment(c, SS, ssN);
      } catch (e) {
        c.cpl = savedCpl;
        throw e instanceof CpuFault && e.vector === GP ? new CpuFault(10, ssN & 0xfffc) : e;
      }
      c.r[RSP * 2] = espN;
      c.r[RSP * 2 + 1] = 0;
      pushes.push(oldSs, oldRspLo);
    }
    pushes.push(flags, oldCs, retLo);
    if (errorCode >= 0) pushes.push(errorCode);
    const prevSys = c.sysAccess;
    c.sysAccess = true;
    try {
      for (const v of pushes) c.push(w, w === 2 ? v & 0xffff : v, 0);
    } finally {
      c.sysAccess = prevSys;
    }
    loadCodeSegment(c, sel, cs, newCpl);
  }
  c.ripLo = long ? offLo : gate32 ? offLo : offLo & 0xffff;
  c.ripHi = offHi;
  materialize(c);
  c.flags &= ~(TF | NT | RF | VM);
  if (!trapGate) c.flags &= ~IF;
  c.halted = false;
}

/** iret / iretd / iretq (APM Vol 3, IRET). Task returns (NT=1) are not modelled. */
export function iret(c: Cpu, osize: number): void {
  c.nmiBlocked = false; // IRET ends NMI blocking (even if it then faults: APM §8.2.3 keeps it simple)
  if ((c.cr0 & 1) === 0) throw new CpuFault(GP, 0);
  if ((c.flags & NT) && (c.efer & 0x400) === 0) throw new CpuFault(GP, 0); // task return
  const long = c.mode === 64;
  const w = osize;
  const ripLo = c.peek(w, 0), ripHi = w === 8 ? c.hi : 0;
  const cs = c.peek(w, w) & 0xffff;
  const fl = c.peek(w, 2 * w);
  const rpl = cs & 3;
  if (rpl < c.cpl) throw new CpuFault(GP, cs & 0xfffc);
  const d = checkCodeSegment(c, cs, GP);
  const conforming = (d.attr & 4) !== 0;
  if (conforming ? attrDpl(d.attr) > rpl : attrDpl(d.attr) !== rpl) throw new CpuFault(GP, cs & 0xfffc);
  const outer = rpl > c.cpl;
  let spLo = 0, spHi = 0, ss = 0;
  if (long || outer) {
    spLo = c.peek(w, 3 * w);
    spHi = w === 8 ? c.hi : 0;
    ss = c.peek(w, 4 * w) & 0xffff;
  }
  // Flags: IOPL only at CPL 0, IF only when CPL <= IOPL; VM stays clear.
  let mask = ARITH | TF | DFLAG | NT | RF | AC | ID | VIF | VIP | IF | IOPL;
  if (c.cpl > 0) mask &= ~IOPL;
  if (c.cpl > ((c.flags & IOPL) >>> 12)) mask &= ~IF;
  if (w === 2) mask &= 0xffff;
  const oldCpl = c.cpl;
  loadCodeSegment(c, cs, d, rpl);
  c.ripLo = w === 2 ? ripLo & 0xffff : ripLo;
  c.ripHi = c.mode === 64 ? ripHi : 0;
  materialize(c);
  c.flags = (c.flags & ~mask) | (fl & mask) | 2;
  if (long || outer) {
    if (long && (ss & 0xfffc) === 0 && rpl < 3) {
      setSegment(c, SS, ss, 0, 0, 0, (rpl << 5));
    } else {
      try {
        loadDataSegment(c, SS, ss);
      } catch (e) {
        c.cpl = oldCpl;
        throw e;
      }
    }
    c.r[RSP * 2] = spLo;
    c.r[RSP * 2 + 1] = c.mode === 64 || long ? spHi : 0;
    if (c.stackSize === 4) c.r[RSP * 2 + 1] = 0;
  } else {
    c.adjustSp(3 * w);
  }
  updateMode(c);
  c.irqCheck = true;
}
