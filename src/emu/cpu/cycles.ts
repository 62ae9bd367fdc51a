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
};

export function cyclesFor(handler: string): number {
  return CYCLES[handler] ?? DEFAULT_CYCLES;
}
