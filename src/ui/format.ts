// Display helpers (BigInt is fine here: formatting only).

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "0000000000401000" -> "0000_0000_0040_1000" for legibility. */
export const groupHex = (h: string): string => h.replace(/(.{4})(?=.)/g, '$1_');

export const STOP_LABELS: Record<string, string> = {
  none: 'loaded (not started)',
  running: 'running',
  paused: 'paused',
  step: 'stepped',
  limit: 'instruction budget used up',
  halt: 'halt',
  exception: 'exception',
  internal: 'internal error',
};
