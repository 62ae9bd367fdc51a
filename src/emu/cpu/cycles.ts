// The cycle model, as data: cycles charged per executed instruction, by handler.
// One cycle per instruction is the default; a few instructions cost more, in
// line with published latencies for AMD family 17h parts (order of magnitude,
// not a pipeline model). String instructions also add one cycle per iteration.
export const DEFAULT_CYCLES = 1;

export const CYCLES: Readonly<Record<string, number>> = {
  mul: 3,
  imul1: 3,
  imul2: 3,
  imul3: 3,
  div: 20,
  idiv: 20,
  cpuid: 100,
  rdtsc: 25,
  cmpxchg8b: 5,
  xchg: 2,
  // World switches. A VMRUN + #VMEXIT round trip for a guest that exits at once
  // was measured at 1,344-1,376 cycles on an AMD EPYC (Zen 2) by KVM developers
  // (LKML, "KVM: SVM: use vmsave/vmload for saving/restoring additional host
  // state", December 2020: pre-VMRUN to post-VMRUN TSC deltas). The split
  // between the two directions is not published; we charge VMRUN 700 and
  // #VMEXIT 650 (VMEXIT_CYCLES), ~1,350 together. VMLOAD/VMSAVE/STGI/CLGI are
  // estimates of the same order as the other microcoded system instructions.
  vmrun: 700,
  vmload: 100,
  vmsave: 100,
  stgi: 20,
  clgi: 20,
};

/** Cycles a #VMEXIT costs (charged by the CPU when it happens; see vmrun above). */
export const VMEXIT_CYCLES = 650;

export function cyclesFor(handler: string): number {
  return CYCLES[handler] ?? DEFAULT_CYCLES;
}
