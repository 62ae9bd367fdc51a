// The emulator side of the native oracle: runs an OracleCase on the instruction
// core with exactly the memory picture the native harness builds (code page,
// data page, stack page, the same pseudo-random fill) and reports the final
// state in the same OracleResult shape, so the two can be compared field by field.
import { Cpu, StopReason } from '../cpu';
import { PhysMem } from '../../mem/phys';
import { getFlags } from '../flags';
import type { CpuFault } from '../fault';
import {
  CODE_BASE, DATA_BASE, STACK_BASE, PAGE_SIZE, REGION_SIZE, fillOracleMemory, RFLAGS_INPUT_MASK,
  type OracleCase, type OracleResult,
} from './native';

const RAM = 4 << 20; // covers the code, data and stack pages

/** How a case ended: the OracleResult fields the run decides. */
export interface OracleOutcome {
  status: OracleResult['status'];
  vector: number;
  errorCode: number;
}

export class EmulatedOracle {
  readonly mem = new PhysMem(RAM);
  readonly cpu = new Cpu(this.mem);
  private readonly initial = new Uint8Array(REGION_SIZE);
  private readonly code = new Uint8Array(PAGE_SIZE);
  /** Instruction budget per case: a snippet that loops longer is a timeout. */
  maxSteps = 100_000;

  run(c: OracleCase): OracleResult {
    this.load(c);
    return this.result(this.execute(CODE_BASE + c.code.length));
  }

  /** The memory picture and initial state the native harness builds for the case. */
  private load(c: OracleCase): void {
    const { mem, cpu } = this;
    fillOracleMemory(c.memSeed, this.initial);
    mem.load(DATA_BASE, this.initial.subarray(0, PAGE_SIZE));
    mem.load(STACK_BASE, this.initial.subarray(PAGE_SIZE));
    this.code.fill(0xcc);
    this.code.set(c.code);
    mem.load(CODE_BASE, this.code);
    cpu.setFlat64();
    cpu.cpl = 3; // the native snippets run in user mode (popf cannot change IF, hlt faults)
    for (let k = 0; k < 16; k++) {
      const v = BigInt.asUintN(64, BigInt(c.regs[k]!));
      cpu.r[2 * k] = Number(v & 0xffffffffn) | 0;
      cpu.r[2 * k + 1] = Number(v >> 32n) | 0;
    }
    cpu.lop = 0;
    // User mode runs with IF set, as the native harness's process does.
    cpu.flags = (Number(c.rflags) & RFLAGS_INPUT_MASK) | 2 | 0x200;
    cpu.ripLo = CODE_BASE;
    cpu.ripHi = 0;
    cpu.stop = StopReason.None;
    cpu.halted = false;
    cpu.lastFault = null;
  }

  /** Run the snippet up to `end` (its first byte past the code), one step() at a time. */
  protected execute(end: number): OracleOutcome {
    const cpu = this.cpu;
    for (let n = 0; n < this.maxSteps; n++) {
      if (cpu.ripLo === end && cpu.ripHi === 0) return { status: 'ok', vector: 0, errorCode: 0 };
      cpu.step();
      if (cpu.stop !== StopReason.None) {
        const f = cpu.lastFault as CpuFault | null; // set by step()
        if (cpu.stop === StopReason.Exception && f) return { status: 'fault', vector: f.vector, errorCode: Math.max(0, f.errorCode) };
        if (cpu.stop === StopReason.Internal) throw new Error(`emulator internal error: ${cpu.internalError}`);
        return { status: 'fault', vector: -1, errorCode: 0 }; // hlt: user-mode hardware raises #GP; the flat core halts
      }
    }
    return { status: 'timeout', vector: 0, errorCode: 0 };
  }

  /** The final state in the native harness's shape: registers, RIP, flags, changed bytes. */
  private result(o: OracleOutcome): OracleResult {
    const { mem, cpu } = this;
    const regs: bigint[] = [];
    for (let k = 0; k < 16; k++) regs.push((BigInt(cpu.r[2 * k + 1]! >>> 0) << 32n) | BigInt(cpu.r[2 * k]! >>> 0));
    const changed: Array<[number, number]> = [];
    const init32 = new Int32Array(this.initial.buffer);
    for (let w = 0; w < REGION_SIZE / 4; w++) {
      const o4 = w * 4;
      const pa = o4 < PAGE_SIZE ? DATA_BASE + o4 : STACK_BASE + o4 - PAGE_SIZE;
      if (mem.i32[pa >> 2] === init32[w]) continue;
      for (let b = 0; b < 4; b++) {
        const v = mem.u8[pa + b]!;
        if (v !== this.initial[o4 + b]) changed.push([o4 + b, v]);
      }
    }
    return {
      ...o, regs,
      rip: (BigInt(cpu.ripHi >>> 0) << 32n) | BigInt(cpu.ripLo >>> 0),
      rflags: BigInt(getFlags(cpu) >>> 0),
      signo: 0, siCode: 0, faultAddr: 0n, changed,
    };
  }
}
