// The native oracle's emulator side (oracle/emulated.ts), driven through the
// block compiler: the same memory picture and initial state, but the case runs
// with cpu.run() and cpu.jit on (blocks compiled at first sight), not with
// step(). The snippet ends where the harness's 0xCC fill begins: the int3 there
// stops the run (a trap, RIP one past it), which counts as reaching the end.
import { Cpu, StopReason } from '../cpu';
import { PhysMem } from '../../mem/phys';
import { getFlags } from '../flags';
import { BP, type CpuFault } from '../fault';
import {
  CODE_BASE, DATA_BASE, STACK_BASE, PAGE_SIZE, REGION_SIZE, fillOracleMemory, RFLAGS_INPUT_MASK,
  type OracleCase, type OracleResult,
} from '../oracle/native';

const RAM = 4 << 20;

export class JitOracle {
  readonly mem = new PhysMem(RAM);
  readonly cpu = new Cpu(this.mem);
  private readonly initial = new Uint8Array(REGION_SIZE);
  private readonly code = new Uint8Array(PAGE_SIZE);
  maxSteps = 100_000;

  constructor(jit = true) {
    this.cpu.jit = jit;
    this.cpu.blocks.opts.threshold = 1;
  }

  run(c: OracleCase): OracleResult {
    const { mem, cpu } = this;
    fillOracleMemory(c.memSeed, this.initial);
    mem.load(DATA_BASE, this.initial.subarray(0, PAGE_SIZE));
    mem.load(STACK_BASE, this.initial.subarray(PAGE_SIZE));
    this.code.fill(0xcc);
    this.code.set(c.code);
    mem.load(CODE_BASE, this.code);
    cpu.setFlat64();
    cpu.cpl = 3;
    for (let k = 0; k < 16; k++) {
      const v = BigInt.asUintN(64, BigInt(c.regs[k]!));
      cpu.r[2 * k] = Number(v & 0xffffffffn) | 0;
      cpu.r[2 * k + 1] = Number(v >> 32n) | 0;
    }
    cpu.lop = 0;
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
    // One more than the step budget: the int3 at the end.
    const stop = cpu.run(this.maxSteps + 1);
    const f = cpu.lastFault as CpuFault | null;
    if (stop === StopReason.Exception && f && f.vector === BP && f.trap && cpu.ripLo === end + 1 && cpu.ripHi === 0) {
      status = 'ok';
      cpu.ripLo = end; // the state when execution reached the end, before the int3
      cpu.instructions--;
    } else if (stop === StopReason.Exception && f) {
      status = 'fault';
      vector = f.vector;
      errorCode = Math.max(0, f.errorCode);
    } else if (stop === StopReason.Internal) {
      throw new Error(`emulator internal error: ${cpu.internalError}`);
    } else if (stop !== StopReason.Limit) {
      status = 'fault';
      vector = -1;
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
