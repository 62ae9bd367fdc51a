// CPU models are data: each reports the SVM features it implements in CPUID
// 8000_000Ah, every feature can be switched, and the signature decodes to the
// family the model claims (the way software decodes it: base + extended family).
import { describe, expect, it } from 'vitest';
import { MODEL_SPECS, withFeatures, modelSpec, parseCpu } from './models';
import { cpuidLookup, SVM_FEATURE_BITS, CPUID81_ECX } from './cpuid';


function family(eax: number): number {
  const base = (eax >>> 8) & 0xf;
  return base === 0xf ? base + ((eax >>> 20) & 0xff) : base;
}

describe('CPU models', () => {
  it('the paper-era, nested-paging and recent models report SVM and what they implement', () => {
    for (const spec of MODEL_SPECS) {
      const m = withFeatures(spec.id);
      expect(cpuidLookup(m, 0x80000001, 0)[2] & CPUID81_ECX.SVM, spec.id).toBe(CPUID81_ECX.SVM);
      expect(cpuidLookup(m, 0x80000001, 0)[2] & CPUID81_ECX.SKINIT, 'SKINIT is not implemented').toBe(0);
      expect(family(cpuidLookup(m, 1, 0)[0]), spec.id).toBe(spec.family);
      expect(cpuidLookup(m, 0x80000000, 0)[0] >>> 0).toBeGreaterThanOrEqual(0x8000000a);
      const [rev, asids, , edx] = cpuidLookup(m, 0x8000000a, 0);
      expect(rev).toBe(spec.svmRevision);
      expect(asids).toBe(spec.asids);
      expect(!!(edx & SVM_FEATURE_BITS.NP)).toBe(spec.svm.NP);
    }
    expect(modelSpec('k8').svm.NP).toBe(false); // the paper's Athlon 64 X2 had no nested paging
    expect(modelSpec('fam10h').svm.NP).toBe(true);
    expect(Object.values(modelSpec('zen').svm).every(Boolean)).toBe(true);
  });

  it('switches features on and off, and names what it does not know', () => {
    const m = withFeatures('zen', '-NP,-nrips');
    expect(m.svm.NP).toBe(false);
    expect(m.svm.NRIPS).toBe(false);
    expect(cpuidLookup(m, 0x8000000a, 0)[3] & (SVM_FEATURE_BITS.NP | SVM_FEATURE_BITS.NRIPS)).toBe(0);
    expect(withFeatures('k8', { NP: true }).svm.NP).toBe(true);
    expect(() => withFeatures('zen', '+AVIC')).toThrow(/unknown SVM feature 'AVIC'.*NP/);
    expect(() => withFeatures('pentium')).toThrow(/unknown CPU model 'pentium'/);
    expect(parseCpu('fam10h,+NRIPS').svm).toMatchObject({ NP: true, NRIPS: true, DecodeAssists: false });
    expect(() => parseCpu('486')).toThrow(/models: k8, fam10h, zen/);
  });
});
