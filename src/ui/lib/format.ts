// Display helpers (BigInt is fine here: formatting only).

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** "0x0000000000401000" -> "0000_0000_0040_1000" for legibility. */
export const groupHex = (h: string): string => h.replace(/^0x/, '').replace(/(.{4})(?=.)/g, '$1_');

/** Seconds with a unit that keeps 3-4 significant digits: "1.234 s", "12.5 ms", "0.997 µs". */
export function fmtSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a >= 1) return s.toFixed(3) + ' s';
  if (a >= 1e-3) return (s * 1e3).toFixed(3) + ' ms';
  if (a >= 1e-6) return (s * 1e6).toFixed(3) + ' µs';
  return (s * 1e9).toFixed(1) + ' ns';
}

export const hexByte = (b: number): string => b.toString(16).padStart(2, '0');

/** The error text of anything thrown across comlink. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Stable empty values for zustand selectors (a fresh [] each call would re-render forever). */
export const EMPTY: readonly never[] = Object.freeze([]);
export const EMPTY_OBJ: Readonly<Record<string, never>> = Object.freeze({});
