// CPUID as data: a CPU model is a table of leaves. The CPU, the inspector and
// the docs read the same table. Bits are set only for what the core implements.
//
// Models (models.ts) are built from a family signature, a brand string and a
// set of SVM features; each SVM feature can be switched on or off by the user,
// and the table below is recomputed from that choice.

export type CpuidLeaf = readonly [eax: number, ebx: number, ecx: number, edx: number];

export interface CpuModel {
  name: string;
  leaves: ReadonlyMap<number, CpuidLeaf>;
  /** The SVM features this model reports in CPUID 8000_000Ah (and so implements). */
  svm: SvmFeatures;
}

/** Pack a 12-character vendor string into EBX, EDX, ECX order. */
function vendorWords(s: string): [number, number, number] {
  const w = (o: number) => s.charCodeAt(o) | (s.charCodeAt(o + 1) << 8) | (s.charCodeAt(o + 2) << 16) | (s.charCodeAt(o + 3) << 24);
  return [w(0), w(4), w(8)];
}

/** Pack a 48-character brand string into three leaves of four registers each. */
function brandLeaves(s: string): CpuidLeaf[] {
  const padded = s.padEnd(48, '\0');
  const out: CpuidLeaf[] = [];
  for (let l = 0; l < 3; l++) {
    const regs: number[] = [];
    for (let r = 0; r < 4; r++) {
      const o = l * 16 + r * 4;
      regs.push(padded.charCodeAt(o) | (padded.charCodeAt(o + 1) << 8) | (padded.charCodeAt(o + 2) << 16) | (padded.charCodeAt(o + 3) << 24));
    }
    out.push(regs as unknown as CpuidLeaf);
  }
  return out;
}

// Feature bits (APM Vol 3, Appendix E).
export const CPUID1_EDX = { TSC: 1 << 4, MSR: 1 << 5, CX8: 1 << 8, CMOV: 1 << 15, CLFSH: 1 << 19 } as const;
export const CPUID1_ECX = { MONITOR: 1 << 3, CX16: 1 << 13, POPCNT: 1 << 23 } as const;
export const CPUID81_ECX = { LahfSahf: 1 << 0, SVM: 1 << 2, ABM: 1 << 5, SKINIT: 1 << 12 } as const;
export const CPUID81_EDX = { NX: 1 << 20, RDTSCP: 1 << 27, LM: 1 << 29 } as const;

/**
 * CPUID 8000_000Ah EDX: the SVM features (APM Vol 3, E.4.9). Only the ones the
 * CPU implements are listed; a model reports a subset.
 */
export const SVM_FEATURE_BITS = {
  NP: 1 << 0, // nested paging
  NRIPS: 1 << 3, // next RIP saved on #VMEXIT
  VmcbClean: 1 << 5, // VMCB clean bits (the CPU reloads everything: always correct)
  FlushByAsid: 1 << 6, // TLB_CONTROL 3 and 7
  DecodeAssists: 1 << 7, // EXITINFO1 for CR/DR moves, INTn, INVLPG; instruction bytes on #PF/NPF
  VGIF: 1 << 16, // virtual GIF: a guest's STGI/CLGI set V_GIF, which masks its virtual interrupts
} as const;
export type SvmFeature = keyof typeof SVM_FEATURE_BITS;
export type SvmFeatures = Readonly<Record<SvmFeature, boolean>>;
export const SVM_FEATURE_NAMES = Object.keys(SVM_FEATURE_BITS) as SvmFeature[];

/** What a model is made of; buildModel turns it into CPUID leaves. */
export interface ModelSpec {
  id: string;
  name: string;
  brand: string;
  /** Family, model, stepping as written by AMD (family 0Fh + extended family). */
  family: number;
  model: number;
  stepping: number;
  /** SVM revision (8000_000Ah EAX) and number of ASIDs (EBX). */
  svmRevision: number;
  asids: number;
  svm: SvmFeatures;
}

function signature(family: number, model: number, stepping: number): number {
  const baseFamily = Math.min(family, 0xf);
  const extFamily = family >= 0xf ? family - 0xf : 0;
  return (extFamily << 20) | ((model >> 4) << 16) | (baseFamily << 8) | ((model & 0xf) << 4) | stepping;
}

/** The CPUID table of a model spec, with its SVM features as chosen. */
export function buildModel(spec: ModelSpec, svm: SvmFeatures = spec.svm): CpuModel {
  const [vb, vd, vc] = vendorWords('AuthenticAMD');
  const brand = brandLeaves(spec.brand);
  const sig = signature(spec.family, spec.model, spec.stepping);
  let svmEdx = 0;
  for (const k of SVM_FEATURE_NAMES) if (svm[k]) svmEdx |= SVM_FEATURE_BITS[k];
  return {
    name: spec.name,
    svm,
    leaves: new Map<number, CpuidLeaf>([
      [0x0, [0x7, vb, vc, vd]],
      [0x1, [sig, 0x00000800, CPUID1_ECX.MONITOR | CPUID1_ECX.CX16 | CPUID1_ECX.POPCNT,
        CPUID1_EDX.TSC | CPUID1_EDX.MSR | CPUID1_EDX.CX8 | CPUID1_EDX.CMOV | CPUID1_EDX.CLFSH]],
      [0x5, [64, 64, 0, 0]], // MONITOR/MWAIT: smallest and largest monitor line
      [0x7, [0, 0, 0, 0]],
      [0x80000000, [0x8000000a, vb, vc, vd]],
      [0x80000001, [sig, 0, CPUID81_ECX.LahfSahf | CPUID81_ECX.SVM | CPUID81_ECX.ABM,
        CPUID81_EDX.NX | CPUID81_EDX.RDTSCP | CPUID81_EDX.LM]],
      [0x80000002, brand[0]!],
      [0x80000003, brand[1]!],
      [0x80000004, brand[2]!],
      [0x80000008, [0x3030, 0, 0, 0]], // 48-bit virtual, 48-bit physical addresses
      [0x8000000a, [spec.svmRevision, spec.asids, 0, svmEdx]],
    ]),
  };
}

/** The values CPUID returns for a leaf (unknown leaves return zeros, as AMD parts do). */
export function cpuidLookup(model: CpuModel, leaf: number, subleaf: number): CpuidLeaf {
  void subleaf;
  return model.leaves.get(leaf >>> 0) ?? [0, 0, 0, 0];
}

// The last model asked about and its physical address width: VMRUN, VMLOAD and VMSAVE check
// their operand against it on every world switch, and the leaf lookup hashes 0x80000008 (a heap
// number) each time. A machine's model does not change while it runs.
let lastModel: CpuModel | null = null, lastBits = 0, lastLimit = 0;

function learn(model: CpuModel): void {
  lastBits = cpuidLookup(model, 0x80000008, 0)[0] & 0xff;
  lastLimit = 2 ** lastBits;
  lastModel = model;
}

/** Highest physical address bit + 1 (CPUID 8000_0008h EAX[7:0]). */
export function physAddrBits(model: CpuModel): number {
  if (model !== lastModel) learn(model);
  return lastBits;
}

/** The first physical address beyond the model's (2^physAddrBits). */
export function physAddrLimit(model: CpuModel): number {
  if (model !== lastModel) learn(model);
  return lastLimit;
}
