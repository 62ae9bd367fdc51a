// VMRUN's consistency checks on the guest state and controls (APM Vol 2
// §15.5.1, "Canonicalization and Consistency Checks"). Any failure makes VMRUN
// end in #VMEXIT(INVALID) with nothing of the guest loaded. The message says
// which check failed, for the debugger and the inspector.
import type { Cpu } from '../cpu/cpu';
import { CR0, CR4_SUPPORTED, EFER } from '../cpu/msr';
import { physAddrBits, physAddrLimit } from '../cpu/cpuid';
import { OFF, type VmcbPage } from './vmcb-access';

/** EFER bits this CPU implements; any other set bit is MBZ for VMRUN. */
const EFER_VALID = EFER.SCE | EFER.LME | EFER.LMA | EFER.NXE | EFER.SVME;
const A_L = 1 << 9, A_DB = 1 << 10;

/** '' when the VMCB (bound to its page) may be run, else the failed check. */
export function consistencyCheck(c: Cpu, v: VmcbPage): string {
  const efer = v.r32(OFF.efer!), eferHi = v.r32(OFF.efer! + 4);
  const cr0 = v.r32(OFF.cr0!), cr0Hi = v.r32(OFF.cr0! + 4);
  const cr3Hi = v.r32(OFF.cr3! + 4);
  const cr4 = v.r32(OFF.cr4!), cr4Hi = v.r32(OFF.cr4! + 4);
  const dr6Hi = v.r32(OFF.dr6! + 4);
  const dr7Hi = v.r32(OFF.dr7! + 4);
  const csAttr = v.r16(OFF['cs.attrib']!);
  const maxPa = physAddrBits(c.model);

  if (!(efer & EFER.SVME)) return 'EFER.SVME is zero';
  if (!(cr0 & CR0.CD) && (cr0 & CR0.NW)) return 'CR0.CD is zero and CR0.NW is set';
  if (cr0Hi !== 0) return 'CR0[63:32] are not zero';
  const longMode = (efer & EFER.LME) !== 0 && (cr0 & CR0.PG) !== 0;
  if (longMode ? (cr3Hi >>> (maxPa - 32)) !== 0 : cr3Hi !== 0) return 'an MBZ bit of CR3 is set';
  if (cr4Hi !== 0 || (cr4 & ~CR4_SUPPORTED) !== 0) return 'an MBZ bit of CR4 is set';
  if (dr6Hi !== 0) return 'DR6[63:32] are not zero';
  if (dr7Hi !== 0) return 'DR7[63:32] are not zero';
  if (eferHi !== 0 || (efer & ~EFER_VALID) !== 0) return 'an MBZ bit of EFER is set';
  if (longMode && !(cr4 & (1 << 5))) return 'EFER.LME and CR0.PG are set and CR4.PAE is zero';
  if (longMode && !(cr0 & CR0.PE)) return 'EFER.LME and CR0.PG are set and CR0.PE is zero';
  if (longMode && (cr4 & (1 << 5)) && (csAttr & A_L) && (csAttr & A_DB)) return 'EFER.LME, CR0.PG, CR4.PAE, CS.L and CS.D are all set';
  if ((v.r32(0x010) & 1) === 0) return 'the VMRUN intercept bit is clear';
  const limit = physAddrLimit(c.model);
  const iopm = v.rAddr(OFF.iopm_base_pa!) - (v.r32(OFF.iopm_base_pa!) & 0xfff);
  const msrpm = v.rAddr(OFF.msrpm_base_pa!) - (v.r32(OFF.msrpm_base_pa!) & 0xfff);
  if (msrpm + 0x2000 > limit) return 'the MSR permission map extends past the largest physical address';
  if (iopm + 0x3000 > limit) return 'the I/O permission map extends past the largest physical address';
  const inj = v.r32(OFF.eventinj!);
  if (inj & 0x80000000) {
    const type = (inj >>> 8) & 7;
    if (type === 1 || type >= 5) return `EVENTINJ has the reserved type ${type}`;
    if (type === 3 && (inj & 0xff) === 2) return 'EVENTINJ injects vector 2 (NMI) as an exception';
  }
  if (v.r32(OFF.guest_asid!) === 0) return 'the guest ASID is zero';
  return '';
}
