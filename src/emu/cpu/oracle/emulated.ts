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

export class EmulatedOracle {
  readonly mem = new PhysMem(RAM);
  readonly cpu = new Cpu(this.mem);
  private readonly initial = new Uint8Array(REGION_SIZE);
  private readonly code = new Uint8Array(PAGE_SIZE);
  /** Instruction budget per case: a snippet that loops longer is a timeout. */
  maxSteps = 100_000;

  run(c: OracleCase): OracleResult {
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
    const end = CODE_BASE + c.code.length;
    let status: OracleResult['status'] = 'timeout';
    let vector = 0;
    let errorCode = 0;
    for (let n = 0; n < this.maxSteps; n++) {
      if (cpu.ripLo === end && cpu.ripHi === 0) { status = 'ok'; break; }
      cpu.step();
      if (cpu.stop !== StopReason.None) {
        const f = cpu.lastFault as CpuFault | null; // set by step()
        if (cpu.stop === StopReason.Exception && f) {
          status = 'fault';
          vector = f.vector;
          errorCode = Math.max(0, f.errorCode);
        } else if (cpu.stop === StopReason.Internal) {
          throw new Error(`emulator internal error: ${cpu.internalError}`);
        } else {
          status = 'fault'; // hlt: user-mode hardware raises #GP; the flat core halts
          vector = -1;
        }
        break;
      }
    }
    const regs: bigint[] = [];
    for (let k = 0; k < 16; k++) regs.push((BigInt(cpu.r[2 * k + 1]! >>> 0) << 32n) | BigInt(cpu.r[2 * k]! >>> 0));
    const changed: Array<[number, number]> = [];
    const init32 = new Int32Array(this.initial.buffer);
    for (let w = 0; w < REGION_SIZE / 4; w++) {
      const o = w * 4;
      const pa = o < PAGE_SIZE ? DATA_BASE + o : STACK_BASE + o - PAGE_SIZE;
      if (mem.i32[pa >> 2] === init32[w]) continue;
      for (let b = 0; b < 4; b++) {
        const v = mem.u8[pa + b]!;
        if (v !== this.initial[o + b]) changed.push([o + b, v]);
      }
    }
    return {
      status, vector, errorCode, regs,
      rip: (BigInt(cpu.ripHi >>> 0) << 32n) | BigInt(cpu.ripLo >>> 0),
      rflags: BigInt(getFlags(cpu) >>> 0),
      signo: 0, siCode: 0, faultAddr: 0n, changed,
    };
  }
}
