// Exact conversion from simulated CPU cycles to a device's input clock.
//
// A device clock of devHz driven by a CPU clock of cpuHz advances by
// cycles * devHz / cpuHz ticks. Both rates are reduced by their gcd to Q/P and the
// fractional remainder (in units of 1/P tick) is carried from call to call, so that
// advancing by a+b cycles gives exactly the same ticks as advancing by a and then
// b: the device timeline depends only on the total cycle count (determinism).
// All arithmetic is on integers below 2^53 (no BigInt); the constructor rejects
// rate pairs whose reduced product P*Q would not fit (any integer CPU clock that is
// a multiple of 1 kHz and below 10 GHz is fine with both the PIT and the APIC bus).

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

const LIMIT = 2 ** 53;

/** floor(n / d) and n mod d for integers 0 <= n < 2^53, d > 0, exactly. */
export function divmod(n: number, d: number): [number, number] {
  let q = Math.floor(n / d);
  let r = n - q * d;
  if (r < 0) { q--; r += d; } else if (r >= d) { q++; r -= d; }
  return [q, r];
}

export interface ClockRatioState { frac: number }

export class ClockRatio {
  /** Reduced CPU cycles per period (P) and device ticks per period (Q). */
  readonly p: number;
  readonly q: number;
  /** Carried remainder, 0 <= frac < p, in units of 1/p device tick. */
  frac = 0;

  constructor(readonly cpuHz: number, readonly devHz: number) {
    if (!Number.isSafeInteger(cpuHz) || cpuHz <= 0) throw new Error(`CPU clock must be a positive integer number of Hz, got ${cpuHz}`);
    if (!Number.isSafeInteger(devHz) || devHz <= 0) throw new Error(`device clock must be a positive integer number of Hz, got ${devHz}`);
    const g = gcd(cpuHz, devHz);
    this.p = cpuHz / g;
    this.q = devHz / g;
    if (this.p * this.q >= LIMIT) throw new Error(`CPU clock ${cpuHz} Hz and device clock ${devHz} Hz have no exact integer ratio here; use a CPU clock that is a multiple of 1 kHz`);
  }

  /** Advance by `cycles` (non-negative integer) CPU cycles; returns the device ticks that elapsed. */
  advance(cycles: number): number {
    if (!(cycles > 0)) return 0;
    const [whole, r] = divmod(cycles, this.p);
    const [t, frac] = divmod(r * this.q + this.frac, this.p);
    this.frac = frac;
    return whole * this.q + t;
  }

  /**
   * The fewest CPU cycles after which advance() reports at least `ticks` device ticks.
   * For very large tick counts (ticks * p >= 2^53) the answer is an earlier, safe point.
   * Infinity for Infinity; 0 for ticks <= 0.
   */
  cyclesUntil(ticks: number): number {
    if (ticks === Infinity) return Infinity;
    if (ticks <= 0) return 0;
    const maxTicks = Math.floor((LIMIT - 1) / this.p);
    if (ticks > maxTicks) ticks = maxTicks;
    const need = ticks * this.p - this.frac; // > 0 since frac < p
    const [c, r] = divmod(need, this.q);
    return r ? c + 1 : c;
  }

  saveState(): ClockRatioState { return { frac: this.frac }; }
  loadState(s: ClockRatioState): void {
    const f = Math.floor(Number(s.frac));
    this.frac = f >= 0 && f < this.p ? f : 0;
  }
}
