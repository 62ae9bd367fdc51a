// 64- and 128-bit integer arithmetic on 32-bit halves, without BigInt.
// Results are written into a small shared Int32Array (out) to avoid allocation.

/** out[0..3]: a 128-bit value, least significant word first. */
export const out = new Int32Array(4);

/** Unsigned 32x32 -> 64: low word in out[0], high word in out[1]. */
export function mulU32(a: number, b: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  out[0] = (p00 & 0xffff) | (mid << 16);
  out[1] = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Unsigned 64x64 -> 128 into out[0..3]. */
export function mulU64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if (aHi === 0 || bHi === 0) {
    // A factor below 2^32 (gcc's division by a constant multiplies by a 64-bit reciprocal, mostly
    // numbers that fit in 32 bits): two 32x32 products, or one.
    const x = aHi === 0 ? aLo : bLo, yLo = aHi === 0 ? bLo : aLo, yHi = aHi === 0 ? bHi : aHi;
    mulU32(x, yLo);
    if (yHi === 0) {
      out[2] = 0;
      out[3] = 0;
      return;
    }
    const w0 = out[0]!, c0 = out[1]! >>> 0;
    mulU32(x, yHi);
    const s1 = c0 + (out[0]! >>> 0);
    out[0] = w0;
    out[2] = (out[1]! + (s1 > 0xffffffff ? 1 : 0)) | 0;
    out[1] = s1 | 0;
    out[3] = 0;
    return;
  }
  mulU32(aLo, bLo);
  const w0 = out[0]!, c0 = out[1]! >>> 0;
  mulU32(aLo, bHi);
  const x0 = out[0]! >>> 0, x1 = out[1]! >>> 0;
  mulU32(aHi, bLo);
  const y0 = out[0]! >>> 0, y1 = out[1]! >>> 0;
  mulU32(aHi, bHi);
  const z0 = out[0]! >>> 0, z1 = out[1]! >>> 0;
  const s1 = c0 + x0 + y0; // < 3 * 2^32
  const s2 = x1 + y1 + z0 + Math.floor(s1 / 4294967296);
  const s3 = z1 + Math.floor(s2 / 4294967296);
  out[0] = w0;
  out[1] = s1 | 0;
  out[2] = s2 | 0;
  out[3] = s3 | 0;
}

/** Signed 64x64 -> 128 into out[0..3]. */
export function mulS64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  mulU64(aLo, aHi, bLo, bHi);
  // Two's complement correction of the high 64 bits: subtract b if a < 0, a if b < 0.
  let h0 = out[2]! >>> 0, h1 = out[3]! | 0;
  if (aHi < 0) {
    const d = h0 - (bLo >>> 0);
    h1 = (h1 - bHi - (d < 0 ? 1 : 0)) | 0;
    h0 = d >>> 0;
  }
  if (bHi < 0) {
    const d = h0 - (aLo >>> 0);
    h1 = (h1 - aHi - (d < 0 ? 1 : 0)) | 0;
    h0 = d >>> 0;
  }
  out[2] = h0 | 0;
  out[3] = h1;
}

/**
 * Unsigned 128 / 64 division. Dividend n3:n2:n1:n0, divisor dHi:dLo (non-zero).
 * Returns false when the quotient does not fit in 64 bits (the caller raises #DE).
 * Quotient in out[0..1], remainder in out[2..3].
 */
export function divU128(n0: number, n1: number, n2: number, n3: number, dLo: number, dHi: number): boolean {
  const D = (dHi >>> 0) * 4294967296 + (dLo >>> 0);
  // Overflow: high 64 bits of the dividend >= divisor.
  if ((n3 >>> 0) > (dHi >>> 0) || ((n3 >>> 0) === (dHi >>> 0) && (n2 >>> 0) >= (dLo >>> 0))) return false;
  // Fast path: everything fits in a double's 53-bit mantissa.
  if (n3 === 0 && n2 === 0 && (n1 >>> 0) < 0x200000 && D <= 2 ** 53) {
    const N = (n1 >>> 0) * 4294967296 + (n0 >>> 0);
    const q = Math.floor(N / D);
    const r = N - q * D;
    out[0] = q | 0;
    out[1] = Math.floor(q / 4294967296) | 0;
    out[2] = r | 0;
    out[3] = Math.floor(r / 4294967296) | 0;
    return true;
  }
  // Restoring long division, one bit at a time; rem is kept as two halves.
  let rLo = n2 >>> 0, rHi = n3 >>> 0;
  let qLo = 0, qHi = 0;
  const dl = dLo >>> 0, dh = dHi >>> 0;
  let curLo = n0 >>> 0, curHi = n1 >>> 0;
  for (let bit = 0; bit < 64; bit++) {
    // Shift rem:cur left by one.
    const topR = rHi >>> 31;
    rHi = ((rHi << 1) | (rLo >>> 31)) >>> 0;
    rLo = ((rLo << 1) | (curHi >>> 31)) >>> 0;
    curHi = ((curHi << 1) | (curLo >>> 31)) >>> 0;
    curLo = (curLo << 1) >>> 0;
    qHi = ((qHi << 1) | (qLo >>> 31)) >>> 0;
    qLo = (qLo << 1) >>> 0;
    if (topR || rHi > dh || (rHi === dh && rLo >= dl)) {
      const s = rLo - dl;
      rHi = (rHi - dh - (s < 0 ? 1 : 0)) >>> 0;
      rLo = s >>> 0;
      qLo = (qLo | 1) >>> 0;
    }
  }
  out[0] = qLo | 0;
  out[1] = qHi | 0;
  out[2] = rLo | 0;
  out[3] = rHi | 0;
  return true;
}
