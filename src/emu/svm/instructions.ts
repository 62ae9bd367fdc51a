// The SVM instructions (APM Vol 3: VMRUN, VMLOAD, VMSAVE, VMMCALL, STGI,
// CLGI, INVLPGA, SKINIT), as opcode-table handlers. Each checks, in the
// manual's order: #UD (EFER.SVME clear, or not in protected mode), #GP (CPL
// not 0), the intercept (in a guest), then its rAX operand (#GP(0) unless
// 4 KiB aligned and below the largest physical address).
import type { Cpu } from '../cpu/cpu';
import type { Insn } from '../cpu/insn';
import { FS, GS, LDTR, TR } from '../cpu/insn';
import { CpuFault, GP, UD } from '../cpu/fault';
import { EFER } from '../cpu/msr';
import { PLAIN_SLOT } from '../cpu/plain-msrs';
import { RAX, RCX } from '../cpu/regs';
import { physAddrLimit } from '../cpu/cpuid';
import { VMEXIT } from './exitcodes';
import { guard } from './guard';
import { vmrun as worldVmrun, saveSeg, loadSeg } from './world';
import { OFF } from './vmcb-access';

function svmChecks(c: Cpu, code: number): void {
  if (!(c.efer & EFER.SVME) || !(c.cr0 & 1)) throw new CpuFault(UD);
  if (c.cpl !== 0) throw new CpuFault(GP, 0);
  guard(c, code);
}

/** rAX as a VMCB's physical address (EAX, AX outside 64-bit addressing). */
function vmcbAddress(c: Cpu, i: Insn): number {
  const lo = c.r[RAX * 2]! >>> 0;
  const pa = i.asize === 8 ? (c.r[RAX * 2 + 1]! >>> 0) * 4294967296 + lo : i.asize === 4 ? lo : lo & 0xffff;
  if (pa % 4096 !== 0 || pa >= physAddrLimit(c.model)) throw new CpuFault(GP, 0);
  return pa;
}

/** 0F 01 D8: run the guest whose VMCB rAX points to. */
export function vmrun(c: Cpu, i: Insn): void {
  svmChecks(c, VMEXIT.VMRUN);
  worldVmrun(c, vmcbAddress(c, i));
}

/** 0F 01 D9: a call to the hypervisor; #UD unless intercepted (any CPL). */
export function vmmcall(c: Cpu, _i: Insn): void {
  guard(c, VMEXIT.VMMCALL);
  throw new CpuFault(UD);
}

/**
 * The state VMLOAD and VMSAVE move: FS, GS, TR, LDTR with hidden state, and the
 * syscall MSRs, with their VMCB offsets resolved once (hypervisors run these on
 * every world switch).
 */
const SEGS: ReadonlyArray<readonly [number, number]> = ([[FS, 'fs'], [GS, 'gs'], [TR, 'tr'], [LDTR, 'ldtr']] as const)
  .map(([seg, name]) => [seg, OFF[`${name}.selector`]!] as const);
/** [plain-MSR slot, VMCB offset] of the MSRs VMLOAD and VMSAVE move. */
const MSRS: ReadonlyArray<readonly [number, number]> = ([
  ['KERNEL_GS_BASE', 'kernel_gs_base'], ['STAR', 'star'], ['LSTAR', 'lstar'], ['CSTAR', 'cstar'],
  ['SFMASK', 'sfmask'], ['SYSENTER_CS', 'sysenter_cs'], ['SYSENTER_ESP', 'sysenter_esp'], ['SYSENTER_EIP', 'sysenter_eip'],
] as const).map(([msr, name]) => [PLAIN_SLOT[msr], OFF[name]!] as const);

/** 0F 01 DA */
export function vmload(c: Cpu, i: Insn): void {
  svmChecks(c, VMEXIT.VMLOAD);
  const v = c.svm.operandPage.at(c.mem, vmcbAddress(c, i));
  for (let k = 0; k < SEGS.length; k++) loadSeg(c, v, SEGS[k]![1], SEGS[k]![0]);
  for (let k = 0; k < MSRS.length; k++) c.msrs.put(MSRS[k]![0], v.r32(MSRS[k]![1]), v.r32(MSRS[k]![1] + 4));
}

/** 0F 01 DB */
export function vmsave(c: Cpu, i: Insn): void {
  svmChecks(c, VMEXIT.VMSAVE);
  const v = c.svm.operandPage.at(c.mem, vmcbAddress(c, i));
  for (let k = 0; k < SEGS.length; k++) saveSeg(c, v, SEGS[k]![1], SEGS[k]![0]);
  for (let k = 0; k < MSRS.length; k++) v.w64(MSRS[k]![1], c.msrs.lo(MSRS[k]![0]), c.msrs.hi(MSRS[k]![0]));
}

/** 0F 01 DC: set GIF; held interrupts may now be taken. */
export function stgi(c: Cpu, _i: Insn): void {
  svmChecks(c, VMEXIT.STGI);
  if (c.svm.guest && c.svm.vGifEnable) { c.svm.vGif = true; c.irqCheck = true; return; } // V_GIF (APM §15.33.5)
  c.svm.gif = true;
  c.irqCheck = true;
}

/** 0F 01 DD: clear GIF. */
export function clgi(c: Cpu, _i: Insn): void {
  svmChecks(c, VMEXIT.CLGI);
  if (c.svm.guest && c.svm.vGifEnable) { c.svm.vGif = false; return; }
  c.svm.gif = false;
}

/** 0F 01 DE: SKINIT is not implemented (CPUID 8000_0001h ECX.SKINIT is clear): #UD. */
export function skinit(_c: Cpu, _i: Insn): void {
  throw new CpuFault(UD);
}

/** 0F 01 DF: invalidate the TLB mapping of rAX (a virtual address) in ASID ECX. */
export function invlpga(c: Cpu, i: Insn): void {
  svmChecks(c, VMEXIT.INVLPGA);
  const lo = c.r[RAX * 2]!;
  const hi = i.asize === 8 ? c.r[RAX * 2 + 1]! : 0;
  c.mmu.invalidateAsid(i.asize === 2 ? lo & 0xffff : lo, hi, c.r[RCX * 2]!);
}

