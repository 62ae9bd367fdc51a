// Canonical 64-bit addresses (48-bit linear addresses, CPUID 8000_0008h EAX[15:8] = 48): bits
// 63:47 all equal. With an address as int32 halves, the high half's bits 31:15 all equal, i.e.
// the high half is its own low 16 bits sign-extended.

/** Is hi, an address's high half, that of a canonical address? */
export const canonical = (hi: number): boolean => ((hi << 16) >> 16) === hi;

/** The same test as JavaScript source over the expression `hi` (for compiled blocks). */
export const canonicalSrc = (hi: string): string => `((${hi} << 16) >> 16) === ${hi}`;
