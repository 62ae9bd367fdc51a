// The CPU models Pacifica offers, as data. Each is an AMD part of an SVM
// generation; what differs between them, for this lab, is which SVM features
// CPUID 8000_000Ah reports (and so which the CPU implements while that model is
// chosen). Every feature can be switched on or off by the user (withFeatures).
//
//   k8     the paper's machine: Athlon 64 X2 (family 0Fh, revision F), SVM
//          without nested paging: a hypervisor must shadow the guest's page tables
//          or, like the paper's HVMM, run guests that share the host's paging.
//   fam10h Phenom (family 10h, "Barcelona"): nested paging (RVI) arrives.
//   zen    a recent part (family 17h): nested paging, next-RIP saving, VMCB clean
//          bits, flush by ASID, decode assists, virtual GIF.
import { buildModel, type CpuModel, type ModelSpec, type SvmFeature, type SvmFeatures, SVM_FEATURE_NAMES } from './cpuid';

const NONE: SvmFeatures = { NP: false, NRIPS: false, VmcbClean: false, FlushByAsid: false, DecodeAssists: false, VGIF: false };

export const MODEL_SPECS: readonly ModelSpec[] = [
  {
    id: 'k8',
    name: 'AMD Athlon 64 X2 (family 0Fh, SVM without nested paging)',
    brand: 'AMD Athlon(tm) 64 X2 Dual Core Processor 4000+',
    family: 0xf, model: 0x6b, stepping: 2,
    svmRevision: 1, asids: 64,
    svm: NONE,
  },
  {
    id: 'fam10h',
    name: 'AMD Phenom (family 10h, nested paging)',
    brand: 'AMD Phenom(tm) 9600 Quad-Core Processor',
    family: 0x10, model: 0x02, stepping: 3,
    svmRevision: 1, asids: 64,
    svm: { ...NONE, NP: true },
  },
  {
    id: 'zen',
    name: 'AMD Zen (family 17h: NP, NRIPS, VMCB clean, flush by ASID, decode assists, virtual GIF)',
    brand: 'AMD Ryzen 7 1700 Eight-Core Processor (Pacifica)',
    family: 0x17, model: 0x01, stepping: 1,
    svmRevision: 1, asids: 4096,
    svm: { NP: true, NRIPS: true, VmcbClean: true, FlushByAsid: true, DecodeAssists: true, VGIF: true },
  },
];

export const DEFAULT_MODEL_ID = 'zen';

export function modelSpec(id: string): ModelSpec {
  const s = MODEL_SPECS.find((m) => m.id === id);
  if (!s) throw new Error(`unknown CPU model '${id}' (known: ${MODEL_SPECS.map((m) => m.id).join(', ')})`);
  return s;
}

/**
 * A model with some SVM features switched: `changes` like "-NP,+NRIPS" or
 * {NP: false}. Unknown feature names are an error (naming the known ones).
 */
export function withFeatures(id: string, changes: string | Partial<Record<SvmFeature, boolean>> = ''): CpuModel {
  const spec = modelSpec(id);
  const svm: Record<SvmFeature, boolean> = { ...spec.svm };
  const set = (name: string, on: boolean) => {
    const k = SVM_FEATURE_NAMES.find((f) => f.toLowerCase() === name.toLowerCase());
    if (!k) throw new Error(`unknown SVM feature '${name}' (known: ${SVM_FEATURE_NAMES.join(', ')})`);
    svm[k] = on;
  };
  if (typeof changes === 'string') {
    for (const part of changes.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (part[0] === '+' || part[0] === '-') set(part.slice(1), part[0] === '+');
      else set(part, true);
    }
  } else {
    for (const [k, v] of Object.entries(changes)) if (v !== undefined) set(k, v);
  }
  return buildModel(spec, svm);
}

/** "zen", "k8,+NP", "fam10h,-NP,+NRIPS": a model id, then feature switches (the CLI's --cpu, the page's setting). */
export function parseCpu(spec: string): CpuModel {
  const [id, ...changes] = spec.split(',');
  if (!MODEL_SPECS.some((m) => m.id === id)) {
    throw new Error(`unknown CPU model '${id}' (models: ${MODEL_SPECS.map((m) => m.id).join(', ')}; default ${DEFAULT_MODEL_ID})`);
  }
  return withFeatures(id!, changes.join(','));
}

/** The default model (Zen-style, every implemented SVM feature on). */
export const PACIFICA_MODEL: CpuModel = withFeatures(DEFAULT_MODEL_ID);
