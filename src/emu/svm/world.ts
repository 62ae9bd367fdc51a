// The world switch: VMRUN (host -> guest) and #VMEXIT (guest -> host),
// APM Vol 2 §15.5 and §15.6, in the order the manual gives.
//
// VMRUN saves the host's state in the host save area (VM_HSAVE_PA, laid out
// like a VMCB's state-save area, as the manual leaves the format to the
// implementation), checks and loads the guest's state and controls from the
// VMCB, sets GIF, honours TLB_CONTROL and injects EVENTINJ. #VMEXIT writes the
// guest's state and the exit information back, reloads the host's state and
// clears GIF. Both happen between instructions; an exit in the middle of an
// instruction or an event delivery abandons it by throwing WorldSwitch.
import { StopReason, type Cpu } from '../cpu/cpu';
import { CS, DS, ES, SS } from '../cpu/insn';
import { RAX, RSP } from '../cpu/regs';
import { getFlags, materialize, IF } from '../cpu/flags';
import { setSegment, updateMode } from '../cpu/segments';
import { EFER } from '../cpu/msr';
import { PLAIN_SLOT } from '../cpu/plain-msrs';
import { OFF, type VmcbPage } from './vmcb-access';
import { VMEXIT } from './exitcodes';
import { WorldSwitch } from './state';
import { consistencyCheck } from './checks';
import { injectEvent } from './events';
import { VMEXIT_CYCLES } from '../cpu/cycles';

/** The segment registers VMRUN and #VMEXIT move, with their VMCB offsets (resolved once: this is the switch path). */
const SEGS: ReadonlyArray<readonly [number, number]> = ([[ES, 'es'], [CS, 'cs'], [SS, 'ss'], [DS, 'ds']] as const)
  .map(([seg, name]) => [seg, OFF[`${name}.selector`]!] as const);

// ------------------------------------------------------------ segment fields

export function saveSeg(c: Cpu, v: VmcbPage, at: number, seg: number): void {
  v.w16(at, c.segSel[seg]! & 0xffff);
  v.w16(at + 2, c.segAttr[seg]! & 0xfff);
  v.w32(at + 4, c.segLimit[seg]!);
  v.w64(at + 8, c.segBaseLo[seg]!, c.segBaseHi[seg]!);
}

export function loadSeg(c: Cpu, v: VmcbPage, at: number, seg: number): void {
  setSegment(c, seg, v.r16(at), v.r32(at + 8), v.r32(at + 12), v.r32(at + 4), v.r16(at + 2) & 0xfff);
}

/** The state VMRUN loads / #VMEXIT saves: ES, CS, SS, DS, GDTR, IDTR, control registers, RFLAGS, RIP, RSP, RAX. */
function saveState(c: Cpu, v: VmcbPage, ripLo: number, ripHi: number): void {
  for (let k = 0; k < 4; k++) saveSeg(c, v, SEGS[k]![1], SEGS[k]![0]);
  v.w32(OFF['gdtr.limit']!, c.gdtrLimit & 0xffff);
  v.w64(OFF['gdtr.base']!, c.gdtrBaseLo, c.gdtrBaseHi);
  v.w32(OFF['idtr.limit']!, c.idtrLimit & 0xffff);
  v.w64(OFF['idtr.base']!, c.idtrBaseLo, c.idtrBaseHi);
  v.w64(OFF.efer!, c.efer, 0);
  v.w64(OFF.cr0!, c.cr0, 0);
  v.w64(OFF.cr3!, c.cr3Lo, c.cr3Hi);
  v.w64(OFF.cr4!, c.cr4, 0);
  v.w64(OFF.rflags!, getFlags(c), 0);
  v.w64(OFF.rip!, ripLo, ripHi);
  v.w64(OFF.rsp!, c.r[RSP * 2]!, c.r[RSP * 2 + 1]!);
  v.w64(OFF.rax!, c.r[RAX * 2]!, c.r[RAX * 2 + 1]!);
  v.w8(OFF.cpl!, c.cpl);
}

function loadState(c: Cpu, v: VmcbPage): void {
  c.gdtrLimit = v.r16(OFF['gdtr.limit']!);
  c.gdtrBaseLo = v.r32(OFF['gdtr.base']!);
  c.gdtrBaseHi = v.r32(OFF['gdtr.base']! + 4);
  c.idtrLimit = v.r16(OFF['idtr.limit']!);
  c.idtrBaseLo = v.r32(OFF['idtr.base']!);
  c.idtrBaseHi = v.r32(OFF['idtr.base']! + 4);
  c.cr0 = v.r32(OFF.cr0!) | 0x10; // ET is fixed at 1
  c.cr4 = v.r32(OFF.cr4!);
  c.cr3Lo = v.r32(OFF.cr3!);
  c.cr3Hi = v.r32(OFF.cr3! + 4) & 0xfffff;
  let efer = v.r32(OFF.efer!);
  // EFER.LMA follows LME and CR0.PG (the canonicalization of APM §15.5.1).
  efer = (efer & EFER.LME) && (c.cr0 & (1 << 31)) ? efer | EFER.LMA : efer & ~EFER.LMA;
  c.efer = efer;
  const fl = v.r32(OFF.rflags!);
  materialize(c);
  c.flags = (fl & 0x3f7fd5) | 2; // defined RFLAGS bits; bit 1 reads as one
  c.lop = 0;
  c.ripLo = v.r32(OFF.rip!);
  c.ripHi = v.r32(OFF.rip! + 4);
  c.r[RSP * 2] = v.r32(OFF.rsp!);
  c.r[RSP * 2 + 1] = v.r32(OFF.rsp! + 4);
  c.r[RAX * 2] = v.r32(OFF.rax!);
  c.r[RAX * 2 + 1] = v.r32(OFF.rax! + 4);
  for (let k = 0; k < 4; k++) loadSeg(c, v, SEGS[k]![1], SEGS[k]![0]);
  c.cpl = v.r8(OFF.cpl!) & 3;
}

/** Paging and mode follow CR0/CR4/EFER and CS (nested paging also needs the MMU). */
function settle(c: Cpu): void {
  c.paging = (c.cr0 & (1 << 31)) !== 0 || c.mmu.np;
  updateMode(c);
}

// ------------------------------------------------------------ VMRUN

/**
 * VMRUN with rAX = the VMCB's physical address (already checked: aligned,
 * in range; CPL 0; EFER.SVME; not intercepted). RIP is already past VMRUN:
 * that is the host's resume point.
 */
export function vmrun(c: Cpu, vmcb: number): void {
  const mem = c.mem;
  const s = c.svm;
  const host = hsavePa(c); // laid out like a VMCB (its state-save area used)
  const v = s.guestPage.at(mem, vmcb);

  // The host's state goes to the host save area first (§15.5.1).
  saveState(c, s.hostPage.at(mem, host), c.ripLo, c.ripHi);
  s.hostIf = (c.flags & IF) !== 0;
  s.vmruns++;

  const why = consistencyCheck(c, v);
  if (why) {
    // #VMEXIT(INVALID): nothing of the guest was loaded; the host goes on after VMRUN.
    s.invalidReason = why;
    v.w64(OFF.exitcode!, -1, -1);
    v.w64(OFF.exitinfo1!, 0, 0);
    v.w64(OFF.exitinfo2!, 0, 0);
    v.w64(OFF.exitintinfo!, 0, 0);
    s.gif = false;
    s.exits++;
    s.invalidCount++;
    s.lastExitCode = VMEXIT.INVALID;
    if (s.onSwitch !== null && s.onSwitch('vmexit', VMEXIT.INVALID)) c.stop = StopReason.Breakpoint;
    return;
  }
  s.invalidReason = '';

  // Control area: cached for the guest's run.
  s.vmcb = vmcb;
  for (let k = 0; k < 6; k++) s.icpt[k] = v.r32(4 * k);
  s.iopm = v.rAddr(OFF.iopm_base_pa!) - (v.r32(OFF.iopm_base_pa!) & 0xfff);
  s.msrpm = v.rAddr(OFF.msrpm_base_pa!) - (v.r32(OFF.msrpm_base_pa!) & 0xfff);
  s.tscOffset = v.r32(OFF.tsc_offset! + 4) * 4294967296 + (v.r32(OFF.tsc_offset!) >>> 0);
  s.asid = v.r32(OFF.guest_asid!) >>> 0;
  const vintr = v.r32(OFF.v_intr!), vintrHi = v.r32(OFF.v_intr! + 4);
  s.vTpr = vintr & 0xf;
  s.vIrq = (vintr & (1 << 8)) !== 0;
  s.vIntrPrio = (vintr >>> 16) & 0xf;
  s.vIgnTpr = (vintr & (1 << 20)) !== 0;
  s.vIntrMasking = (vintr & (1 << 24)) !== 0;
  s.vIntrVector = vintrHi & 0xff;
  s.vGifEnable = c.model.svm.VGIF && (vintr & (1 << 25)) !== 0;
  s.vGif = (vintr & (1 << 9)) !== 0;
  const np = c.model.svm.NP && (v.r32(OFF.np_enable!) & 1) !== 0;

  // Guest state.
  const hostCr0 = c.cr0, hostCr4 = c.cr4, hostEfer = c.efer;
  loadState(c, v);
  c.cr2Lo = v.r32(OFF.cr2!);
  c.cr2Hi = v.r32(OFF.cr2! + 4);
  c.dr[7] = v.rAddr(OFF.dr7!);
  c.dr[6] = v.rAddr(OFF.dr6!);
  if (np) {
    s.gPatLo = v.r32(OFF.g_pat!); // memory types are not modelled: kept for VMSAVE-free round trips
    s.gPatHi = v.r32(OFF.g_pat! + 4);
    const nLo = v.r32(OFF.n_cr3!), nHi = v.r32(OFF.n_cr3! + 4);
    c.mmu.setNested(true, nLo & ~0xfff, nHi & 0xfffff, hostCr0, hostCr4, hostEfer);
  } else {
    c.mmu.setNested(false);
  }
  c.mmu.setAsid(s.asid);
  s.vms.entered(s.asid, vmcb, np, np ? v.rAddr(OFF.n_cr3!) - (v.r32(OFF.n_cr3!) & 0xfff) : 0);
  const tlb = v.r8(OFF.tlb_control!);
  if (tlb === 1) c.mmu.flushAll();
  else if (c.model.svm.FlushByAsid && (tlb === 3 || tlb === 7)) c.mmu.flushAsid(s.asid, tlb === 7);
  settle(c);

  s.guest = true;
  s.gif = true;
  c.halted = false;
  // The guest starts in an interrupt shadow if the VMCB says so.
  c.shadowAt = (v.r32(OFF.interrupt_shadow!) & 1) ? c.instructions + 1 : -1;
  c.irqCheck = true;

  if (s.onSwitch !== null && s.onSwitch('vmrun', 0)) c.stop = StopReason.Breakpoint;
  // EVENTINJ: delivered now, as the guest's first action (§15.20).
  const ej = v.r32(OFF.eventinj!), ejErr = v.r32(OFF.eventinj! + 4);
  if (ej & 0x80000000) injectEvent(c, ej & 0xff, (ej >>> 8) & 7, (ej & (1 << 11)) !== 0 ? ejErr : -1);
}

/** The host save area's physical address (VM_HSAVE_PA): the host's state while a guest runs. */
export function hsavePa(c: Cpu): number {
  const k = PLAIN_SLOT.VM_HSAVE_PA;
  return (c.msrs.hi(k) >>> 0) * 4294967296 + ((c.msrs.lo(k) & ~0xfff) >>> 0);
}

// ------------------------------------------------------------ #VMEXIT

/**
 * #VMEXIT with this exit code and information. The guest's RIP is c.ripLo/Hi
 * as the caller left it (the intercepted instruction for instruction
 * intercepts; the return point for exceptions and interrupts). `nextLo/Hi` is
 * the next RIP for NRIPS (undefined: 0). Never returns: throws WorldSwitch.
 */
export function vmexit(c: Cpu, code: number, info1Lo = 0, info1Hi = 0, info2Lo = 0, info2Hi = 0,
  nextLo?: number, nextHi = 0): never {
  switchToHost(c, code, info1Lo, info1Hi, info2Lo, info2Hi, nextLo, nextHi);
  throw new WorldSwitch(code);
}

/**
 * #VMEXIT at an instruction boundary (an intercepted interrupt, NMI or virtual interrupt):
 * nothing is being executed, so nothing needs unwinding and the caller returns true (an event
 * was taken) instead of catching a throw. Keeps the caller, guestInterrupt, a function that
 * returns: with vmexit's throw inside it never left V8's bytecode interpreter (no feedback, ~5 %
 * of a warm world switch), and the throw itself costs ~0.4 µs (V8 walks the stack for it).
 */
export function exitAtBoundary(c: Cpu, code: number): true {
  switchToHost(c, code, 0, 0, 0, 0, undefined, 0);
  return true;
}

/**
 * The #VMEXIT's work; vmexit throws after it. Kept apart because V8 counts a function's
 * runs toward its optimization only when it returns: with the throw inside, this body
 * never left V8's bytecode interpreter (measured 3.5 µs an exit, most of a world switch).
 */
function switchToHost(c: Cpu, code: number, info1Lo: number, info1Hi: number, info2Lo: number, info2Hi: number,
  nextLo: number | undefined, nextHi: number): void {
  const mem = c.mem;
  const s = c.svm;
  const vmcb = s.vmcb;
  if (s.onExitBegin !== null) s.onExitBegin(code);
  const v = s.guestPage.at(mem, vmcb);
  s.exitStartCycles = c.cycles;

  // Guest state into the VMCB.
  saveState(c, v, c.ripLo, c.ripHi);
  v.w64(OFF.cr2!, c.cr2Lo, c.cr2Hi);
  const dr7 = c.dr[7]!, dr6 = c.dr[6]!;
  v.w64(OFF.dr7!, dr7 % 4294967296 | 0, Math.floor(dr7 / 4294967296) | 0);
  v.w64(OFF.dr6!, dr6 % 4294967296 | 0, Math.floor(dr6 / 4294967296) | 0);
  if (c.mmu.np) v.w64(OFF.g_pat!, s.gPatLo, s.gPatHi);
  // V_TPR and V_IRQ are written back (the rest of V_INTR is the hypervisor's).
  const vintr = v.r32(OFF.v_intr!);
  v.w32(OFF.v_intr!, (vintr & ~0x10f) | (s.vTpr & 0xf) | (s.vIrq ? 1 << 8 : 0));
  if (s.vGifEnable) v.w32(OFF.v_intr!, (v.r32(OFF.v_intr!) & ~(1 << 9)) | (s.vGif ? 1 << 9 : 0));
  s.vGifEnable = false;
  const shadow = c.shadowAt === c.instructions ? 1 : 0;
  const gif = (c.flags & IF) ? 2 : 0; // GUEST_INTERRUPT_MASK: the guest's IF (bit 1)
  v.w64(OFF.interrupt_shadow!, shadow | gif, 0);

  v.w64(OFF.exitcode!, code, code < 0 ? -1 : 0);
  v.w64(OFF.exitinfo1!, info1Lo, info1Hi);
  v.w64(OFF.exitinfo2!, info2Lo, info2Hi);
  if (s.evValid) {
    const t = s.evVector | (s.evType << 8) | (s.evError >= 0 ? 1 << 11 : 0) | 0x80000000;
    v.w64(OFF.exitintinfo!, t, s.evError >= 0 ? s.evError : 0);
  } else {
    v.w64(OFF.exitintinfo!, 0, 0);
  }
  if (c.model.svm.NRIPS) v.w64(OFF.next_rip!, nextLo ?? 0, nextLo === undefined ? 0 : nextHi);
  if (c.model.svm.DecodeAssists && (code === VMEXIT.NPF || code === VMEXIT.EXCP_BASE + 14)) guestInsnBytes(c, vmcb);
  // The injected event is consumed (or, if its delivery exited, is in EXITINTINFO).
  v.w32(OFF.eventinj! + 4, 0);
  v.w32(OFF.eventinj!, 0);

  // Host state back from the host save area.
  loadState(c, s.hostPage.at(mem, hsavePa(c)));
  c.cr0 |= 1; // PE: the host always resumes in protected mode
  c.cpl = 0;
  c.dr[7] = 0x400; // all breakpoints disabled
  c.mmu.setNested(false);
  c.mmu.setAsid(0);
  settle(c);
  s.guest = false;
  s.gif = false;
  s.evValid = false;
  s.exits++;
  s.lastExitCode = code;
  s.vms.exited(code);
  c.cycles += VMEXIT_CYCLES;
  c.halted = false;
  c.shadowAt = -1;
  c.pfPending = false;
  c.irqCheck = true;
  if (s.onSwitch !== null && s.onSwitch('vmexit', code)) c.stop = StopReason.Breakpoint;
}

/**
 * Decode assists for #PF and NPF exits (APM §15.33.4): up to 15 bytes of the
 * guest's instruction at RIP, as far as they can be fetched (the count is
 * written too; 0 when even the first byte cannot be).
 */
function guestInsnBytes(c: Cpu, vmcb: number): void {
  let n = 0;
  const base = c.mode === 64 ? 0 : c.segBaseLo[CS]!;
  for (; n < 15; n++) {
    const t = (c.ripLo >>> 0) + n + (base >>> 0);
    const lo = t | 0, hi = c.mode === 64 ? (c.ripHi + Math.floor(t / 4294967296)) | 0 : 0;
    const pa = c.paging ? c.mmu.probe(lo, hi).pa : lo >>> 0;
    if (pa < 0) break;
    c.mem.write8(vmcb + OFF.guest_insn_bytes! + n, c.mem.read8(pa));
  }
  c.mem.write8(vmcb + OFF.guest_insn_len!, n);
}

/**
 * An intercepted instruction: the guest's RIP stays at the instruction (it did
 * not execute) and NRIP is the one after it.
 */
export function exitInstruction(c: Cpu, code: number, info1Lo = 0, info1Hi = 0, info2Lo = 0, info2Hi = 0): never {
  const nextLo = c.ripLo, nextHi = c.ripHi;
  c.ripLo = c.startLo;
  c.ripHi = c.startHi;
  return vmexit(c, code, info1Lo, info1Hi, info2Lo, info2Hi, nextLo, nextHi);
}

