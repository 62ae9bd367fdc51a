// General-purpose register numbers (x86 encoding order) and names.
export const RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSP = 4, RBP = 5, RSI = 6, RDI = 7;
export const R8 = 8, R9 = 9, R10 = 10, R11 = 11, R12 = 12, R13 = 13, R14 = 14, R15 = 15;

/**
 * A byte register of the register file r (int32 halves): ids 0-15 are the low bytes (AL..R15B),
 * 16-19 AH, CH, DH, BH (the legacy encodings 4-7 without REX, as the decoder numbers them).
 */
export function getR8(r: Int32Array, id: number): number {
  return id < 16 ? r[id << 1]! & 0xff : (r[(id - 16) << 1]! >> 8) & 0xff;
}
/** Write the byte register id (as getR8) with the low byte of v, the rest of the register kept. */
export function setR8(r: Int32Array, id: number, v: number): void {
  if (id < 16) r[id << 1] = (r[id << 1]! & ~0xff) | (v & 0xff);
  else r[(id - 16) << 1] = (r[(id - 16) << 1]! & ~0xff00) | ((v & 0xff) << 8);
}

export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
