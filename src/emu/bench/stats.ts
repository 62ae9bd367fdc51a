// Medians for the bench: every figure it reports is the median of several runs,
// so one run disturbed by the host (another process, a GC pause) does not move it.
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
