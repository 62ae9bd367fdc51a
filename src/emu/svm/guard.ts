// The instruction-intercept check that handlers call where the manual puts it:
// after the instruction's simple exceptions (#UD, #GP for CPL), before memory
// accesses and operand-value checks (APM Vol 2 §15.7, "Instruction
// Intercepts").
import type { Cpu } from '../cpu/cpu';
import { intercepted } from './intercept';
import { exitInstruction } from './world';

/** Exit with `code` if the running guest intercepts it; otherwise return. */
export function guard(c: Cpu, code: number, info1Lo = 0, info1Hi = 0, info2Lo = 0, info2Hi = 0): void {
  if (c.svm.guest && intercepted(c, code)) exitInstruction(c, code, info1Lo, info1Hi, info2Lo, info2Hi);
}

/** EXITINFO1 for MOV to/from CRn/DRn with decode assists: bit 63 = MOV, bits 3:0 = the GPR. */
export function movCrInfo(c: Cpu, gpr: number): [number, number] {
  return c.model.svm.DecodeAssists ? [gpr & 0xf, 0x80000000 | 0] : [0, 0];
}
