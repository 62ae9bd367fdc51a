// Model-specific registers: numbers, names and what the core implements.
// One table shared by the CPU (rdmsr/wrmsr), the inspector and the docs.
export const MSR = {
  TSC: 0x10,
  APIC_BASE: 0x1b,
  SYSENTER_CS: 0x174,
  SYSENTER_ESP: 0x175,
  SYSENTER_EIP: 0x176,
  PAT: 0x277,
  EFER: 0xc0000080,
  STAR: 0xc0000081,
  LSTAR: 0xc0000082,
  CSTAR: 0xc0000083,
  SFMASK: 0xc0000084,
  FS_BASE: 0xc0000100,
  GS_BASE: 0xc0000101,
  KERNEL_GS_BASE: 0xc0000102,
  TSC_AUX: 0xc0000103,
  VM_CR: 0xc0010114,
  VM_HSAVE_PA: 0xc0010117,
} as const;

export const MSR_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(MSR).map(([k, v]) => [v, k]),
);

/** EFER bits (APM Vol 2 §3.1.7). */
export const EFER = { SCE: 1 << 0, LME: 1 << 8, LMA: 1 << 10, NXE: 1 << 11, SVME: 1 << 12, LMSLE: 1 << 13, FFXSR: 1 << 14 } as const;
/** EFER bits software may write (LMA is read-only, written by the CPU). */
export const EFER_WRITABLE = EFER.SCE | EFER.LME | EFER.NXE | EFER.SVME;

/** CR0 bits. */
export const CR0 = { PE: 1 << 0, MP: 1 << 1, EM: 1 << 2, TS: 1 << 3, ET: 1 << 4, NE: 1 << 5, WP: 1 << 16, AM: 1 << 18, NW: 1 << 29, CD: 1 << 30, PG: 1 << 31 } as const;
/** CR4 bits. */
export const CR4 = { VME: 1 << 0, PVI: 1 << 1, TSD: 1 << 2, DE: 1 << 3, PSE: 1 << 4, PAE: 1 << 5, MCE: 1 << 6, PGE: 1 << 7, PCE: 1 << 8, OSFXSR: 1 << 9, OSXMMEXCPT: 1 << 10 } as const;
/** CR4 bits the core accepts (others: #GP). */
export const CR4_SUPPORTED = CR4.VME | CR4.PVI | CR4.TSD | CR4.DE | CR4.PSE | CR4.PAE | CR4.MCE | CR4.PGE | CR4.PCE | CR4.OSFXSR | CR4.OSXMMEXCPT;

/** VM_CR bits (APM Vol 2 §15.30.1): SVMDIS set (by firmware, then LOCKed) disables SVM. */
export const VM_CR = { DPD: 1 << 0, R_INIT: 1 << 1, DIS_A20M: 1 << 2, LOCK: 1 << 3, SVMDIS: 1 << 4 } as const;
