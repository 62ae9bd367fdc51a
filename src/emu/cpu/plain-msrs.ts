// The MSRs the core only stores (no side effect when written): STAR, LSTAR, the SYSENTER
// MSRs, KERNEL_GS_BASE, PAT, VM_CR, VM_HSAVE_PA and the rest of PLAIN below. Each has a fixed
// slot of two int32 halves. VMLOAD and VMSAVE move eight of them on every world switch, and
// #VMEXIT reads VM_HSAVE_PA: in a Map keyed by MSR number (numbers above 2^31 are heap numbers,
// hashed on each lookup) with a new [lo, hi] pair per write they cost ~0.6 µs a switch.
import { MSR } from './msr';

const PLAIN = [
  'SYSENTER_CS', 'SYSENTER_ESP', 'SYSENTER_EIP', 'STAR', 'LSTAR', 'CSTAR', 'SFMASK',
  'KERNEL_GS_BASE', 'TSC_AUX', 'PAT', 'VM_CR', 'VM_HSAVE_PA',
] as const satisfies ReadonlyArray<keyof typeof MSR>;

/** Each plain MSR's slot, by name (PLAIN_SLOT.STAR ...). */
export const PLAIN_SLOT = Object.fromEntries(PLAIN.map((name, k) => [name, k])) as Record<(typeof PLAIN)[number], number>;

const SLOT_OF = new Map<number, number>(PLAIN.map((name, k) => [MSR[name] >>> 0, k]));

/** The slot of MSR n, or -1 when n is not a plain MSR. */
export function plainSlot(n: number): number {
  return SLOT_OF.get(n >>> 0) ?? -1;
}

/** The plain MSRs' values (0 until written, as after RESET). */
export class PlainMsrs {
  private readonly v = new Int32Array(PLAIN.length * 2);

  lo(slot: number): number {
    return this.v[slot * 2]!;
  }
  hi(slot: number): number {
    return this.v[slot * 2 + 1]!;
  }
  put(slot: number, lo: number, hi: number): void {
    this.v[slot * 2] = lo;
    this.v[slot * 2 + 1] = hi;
  }

  /** MSR n's value, or undefined when n is not a plain MSR (rdmsr then raises #GP). */
  get(n: number): [number, number] | undefined {
    const s = plainSlot(n);
    return s < 0 ? undefined : [this.lo(s), this.hi(s)];
  }
  /** Store MSR n (a plain MSR: writeMsr has checked it and the value). */
  set(n: number, v: readonly [number, number]): void {
    const s = plainSlot(n);
    if (s < 0) throw new Error(`MSR 0x${(n >>> 0).toString(16)} is not one the core only stores`);
    this.put(s, v[0], v[1]);
  }
}
