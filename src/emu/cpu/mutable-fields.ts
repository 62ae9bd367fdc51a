// V8 marks a field that has only been initialized as constant, and optimized code that
// reads it can depend on that; the field's first later store turns it mutable for every
// object of the class and throws away all such code at once. The flat machine's `hlt` was
// the first to store cpu.irqCheck, at the end of a benchmark run: every compiled block
// and the CPU loop were deoptimized together, and the next machine's run (the median of
// three) went through V8's tiers again (format 62 -> 106 MIPS from its second run to its
// third). Storing each field once more when the object is made settles them as mutable
// before any code is optimized.

/** Store every own field of o again (its value unchanged). */
export function settleMutableFields(o: object): void {
  const rec = o as Record<string, unknown>;
  for (const k of Object.keys(rec)) rec[k] = rec[k];
}
