// #VMEXIT codes (APM Vol 2, Appendix C): the one table the CPU, the
// hypervisor's log decoding, the inspector and the timeline colours share.
export const VMEXIT = {
  CR0_READ: 0x000, // 0x000-0x00F: CRn read
  CR0_WRITE: 0x010, // 0x010-0x01F: CRn write
  DR0_READ: 0x020,
  DR0_WRITE: 0x030,
  EXCP_BASE: 0x040, // 0x040-0x05F: exception vector n
  INTR: 0x060,
  NMI: 0x061,
  SMI: 0x062,
  INIT: 0x063,
  VINTR: 0x064,
  CR0_SEL_WRITE: 0x065,
  IDTR_READ: 0x066,
  GDTR_READ: 0x067,
  LDTR_READ: 0x068,
  TR_READ: 0x069,
  IDTR_WRITE: 0x06a,
  GDTR_WRITE: 0x06b,
  LDTR_WRITE: 0x06c,
  TR_WRITE: 0x06d,
  RDTSC: 0x06e,
  RDPMC: 0x06f,
  PUSHF: 0x070,
  POPF: 0x071,
  CPUID: 0x072,
  RSM: 0x073,
  IRET: 0x074,
  SWINT: 0x075,
  INVD: 0x076,
  PAUSE: 0x077,
  HLT: 0x078,
  INVLPG: 0x079,
  INVLPGA: 0x07a,
  IOIO: 0x07b,
  MSR: 0x07c,
  TASK_SWITCH: 0x07d,
  FERR_FREEZE: 0x07e,
  SHUTDOWN: 0x07f,
  VMRUN: 0x080,
  VMMCALL: 0x081,
  VMLOAD: 0x082,
  VMSAVE: 0x083,
  STGI: 0x084,
  CLGI: 0x085,
  SKINIT: 0x086,
  RDTSCP: 0x087,
  ICEBP: 0x088,
  WBINVD: 0x089,
  MONITOR: 0x08a,
  MWAIT: 0x08b,
  MWAIT_CONDITIONAL: 0x08c,
  XSETBV: 0x08d,
  NPF: 0x400,
  INVALID: -1,
} as const;

const NAMES = new Map<number, string>(Object.entries(VMEXIT).map(([k, v]) => [v, k]));

/** Exception mnemonics by vector, for EXCP_xx exit names. */
const EXCEPTION_NAMES = ['DE', 'DB', 'NMI', 'BP', 'OF', 'BR', 'UD', 'NM', 'DF', '9', 'TS', 'NP', 'SS', 'GP', 'PF', '15', 'MF', 'AC', 'MC', 'XF'];

/** A readable name for an exit code: 'HLT', 'CR3_WRITE', 'EXCP_PF', 'EXCP_31', 'INVALID'. */
export function exitName(code: number): string {
  if (code >= 0x000 && code <= 0x00f) return `CR${code}_READ`;
  if (code >= 0x010 && code <= 0x01f) return `CR${code - 0x10}_WRITE`;
  if (code >= 0x020 && code <= 0x02f) return `DR${code - 0x20}_READ`;
  if (code >= 0x030 && code <= 0x03f) return `DR${code - 0x30}_WRITE`;
  if (code >= 0x040 && code <= 0x05f) return `EXCP_${EXCEPTION_NAMES[code - 0x40] ?? code - 0x40}`;
  return NAMES.get(code) ?? `unknown (0x${(code >>> 0).toString(16)})`;
}
