// Architectural exceptions raised by instructions. They are thrown as JS
// exceptions inside the CPU and caught by the step loop, which rewinds RIP to
// the faulting instruction (faults) or leaves it after it (traps) and delivers
// the vector. Nothing a guest does escapes the CPU as a JS exception.

export const DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8;
export const TS = 10, NP = 11, SS_FAULT = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18;

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow',
  5: '#BR bound range', 6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault',
  10: '#TS invalid TSS', 11: '#NP segment not present', 12: '#SS stack fault', 13: '#GP general protection',
  14: '#PF page fault', 16: '#MF x87 error', 17: '#AC alignment check', 18: '#MC machine check',
};

export class CpuFault {
  constructor(
    readonly vector: number,
    readonly errorCode: number = -1, // -1: the vector pushes no error code
    readonly trap: boolean = false, // trap-like: RIP already points after the instruction
  ) {}
  toString(): string {
    const name = VECTOR_NAMES[this.vector] ?? `vector ${this.vector}`;
    return this.errorCode >= 0 ? `${name} (error code ${this.errorCode.toString(16)}h)` : name;
  }
}

export function fault(vector: number, errorCode = -1): never {
  throw new CpuFault(vector, errorCode);
}
