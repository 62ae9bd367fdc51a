// SVM intercept bits (APM Vol 2 §15.9-15.15, Appendix B): which VMCB word and
// bit makes an event or instruction exit, and the exit code it produces.
import { VMEXIT } from './exitcodes';

export interface InterceptBit {
  name: string;
  /** VMCB control-area offset of the 32-bit intercept word. */
  word: number;
  bit: number;
  exit: number;
}

const MISC1 = 0x00c, MISC2 = 0x010;
const b = (name: string, word: number, bit: number, exit: number): InterceptBit => ({ name, word, bit, exit });

export const INTERCEPTS: readonly InterceptBit[] = [
  b('INTR', MISC1, 0, VMEXIT.INTR), b('NMI', MISC1, 1, VMEXIT.NMI), b('SMI', MISC1, 2, VMEXIT.SMI),
  b('INIT', MISC1, 3, VMEXIT.INIT), b('VINTR', MISC1, 4, VMEXIT.VINTR), b('CR0_SEL_WRITE', MISC1, 5, VMEXIT.CR0_SEL_WRITE),
  b('IDTR_READ', MISC1, 6, VMEXIT.IDTR_READ), b('GDTR_READ', MISC1, 7, VMEXIT.GDTR_READ),
  b('LDTR_READ', MISC1, 8, VMEXIT.LDTR_READ), b('TR_READ', MISC1, 9, VMEXIT.TR_READ),
  b('IDTR_WRITE', MISC1, 10, VMEXIT.IDTR_WRITE), b('GDTR_WRITE', MISC1, 11, VMEXIT.GDTR_WRITE),
  b('LDTR_WRITE', MISC1, 12, VMEXIT.LDTR_WRITE), b('TR_WRITE', MISC1, 13, VMEXIT.TR_WRITE),
  b('RDTSC', MISC1, 14, VMEXIT.RDTSC), b('RDPMC', MISC1, 15, VMEXIT.RDPMC), b('PUSHF', MISC1, 16, VMEXIT.PUSHF),
  b('POPF', MISC1, 17, VMEXIT.POPF), b('CPUID', MISC1, 18, VMEXIT.CPUID), b('RSM', MISC1, 19, VMEXIT.RSM),
  b('IRET', MISC1, 20, VMEXIT.IRET), b('INTN', MISC1, 21, VMEXIT.SWINT), b('INVD', MISC1, 22, VMEXIT.INVD),
  b('PAUSE', MISC1, 23, VMEXIT.PAUSE), b('HLT', MISC1, 24, VMEXIT.HLT), b('INVLPG', MISC1, 25, VMEXIT.INVLPG),
  b('INVLPGA', MISC1, 26, VMEXIT.INVLPGA), b('IOIO_PROT', MISC1, 27, VMEXIT.IOIO), b('MSR_PROT', MISC1, 28, VMEXIT.MSR),
  b('TASK_SWITCH', MISC1, 29, VMEXIT.TASK_SWITCH), b('FERR_FREEZE', MISC1, 30, VMEXIT.FERR_FREEZE),
  b('SHUTDOWN', MISC1, 31, VMEXIT.SHUTDOWN),
  b('VMRUN', MISC2, 0, VMEXIT.VMRUN), b('VMMCALL', MISC2, 1, VMEXIT.VMMCALL), b('VMLOAD', MISC2, 2, VMEXIT.VMLOAD),
  b('VMSAVE', MISC2, 3, VMEXIT.VMSAVE), b('STGI', MISC2, 4, VMEXIT.STGI), b('CLGI', MISC2, 5, VMEXIT.CLGI),
  b('SKINIT', MISC2, 6, VMEXIT.SKINIT), b('RDTSCP', MISC2, 7, VMEXIT.RDTSCP), b('ICEBP', MISC2, 8, VMEXIT.ICEBP),
  b('WBINVD', MISC2, 9, VMEXIT.WBINVD), b('MONITOR', MISC2, 10, VMEXIT.MONITOR), b('MWAIT', MISC2, 11, VMEXIT.MWAIT),
  b('MWAIT_CONDITIONAL', MISC2, 12, VMEXIT.MWAIT_CONDITIONAL), b('XSETBV', MISC2, 13, VMEXIT.XSETBV),
];

/** Names of the intercepts set in the two misc words, for the inspector. */
export function interceptNames(misc1: number, misc2: number): string[] {
  return INTERCEPTS.filter((x) => ((x.word === MISC1 ? misc1 : misc2) >>> x.bit) & 1).map((x) => x.name);
}
