// CPUID as data: a CPU model is a table of leaves. The CPU, the inspector and
// the docs read the same table. Bits are set only for what the core implements.

export type CpuidLeaf = readonly [eax: number, ebx: number, ecx: number, edx: number];

export interface CpuModel {
  name: string;
  leaves: ReadonlyMap<number, CpuidLeaf>;
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
export const CPUID1_EDX = { TSC: 1 << 4, CX8: 1 << 8, CMOV: 1 << 15, CLFSH: 1 << 19 } as const;
export const CPUID1_ECX = { CX16: 1 << 13, POPCNT: 1 << 23 } as const;
export const CPUID81_ECX = { LahfSahf: 1 << 0, ABM: 1 << 5 } as const;
export const CPUID81_EDX = { LM: 1 << 29 } as const;

const [vb, vd, vc] = vendorWords('AuthenticAMD');
const brand = brandLeaves('Pacifica x86-64 (AMD SVM model)');
// Family 17h model 01h stepping 0: family 0Fh + extended family 08h.
const SIGNATURE = (0x8 << 20) | (0x0 << 16) | (0xf << 8) | (0x0 << 4) | 0x1;

export const PACIFICA_MODEL: CpuModel = {
  name: 'Pacifica (AMD family 17h, integer core)',
  leaves: new Map<number, CpuidLeaf>([
    [0x0, [0x7, vb, vc, vd]],
    [0x1, [SIGNATURE, 0x00000800, CPUID1_ECX.CX16 | CPUID1_ECX.POPCNT, CPUID1_EDX.TSC | CPUID1_EDX.CX8 | CPUID1_EDX.CMOV | CPUID1_EDX.CLFSH]],
    [0x7, [0, 0, 0, 0]],
    [0x80000000, [0x80000008, vb, vc, vd]],
    [0x80000001, [SIGNATURE, 0, CPUID81_ECX.LahfSahf | CPUID81_ECX.ABM, CPUID81_EDX.LM]],
    [0x80000002, brand[0]!],
    [0x80000003, brand[1]!],
    [0x80000004, brand[2]!],
    [0x80000008, [0x3030, 0, 0, 0]], // 48-bit virtual, 48-bit physical addresses
  ]),
};

/** The values CPUID returns for a leaf (unknown leaves return zeros, as AMD parts do). */
export function cpuidLookup(model: CpuModel, leaf: number, subleaf: number): CpuidLeaf {
  void subleaf;
  return model.leaves.get(leaf >>> 0) ?? [0, 0, 0, 0];
}
