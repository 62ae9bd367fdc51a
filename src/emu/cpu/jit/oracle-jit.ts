// The native oracle's emulator side (oracle/emulated.ts), driven through the
// block compiler: the same memory picture and initial state, but the case runs
// with cpu.run() and cpu.jit on (blocks compiled at first sight), not with
// step(). The snippet ends where the harness's 0xCC fill begins: the int3 there
// stops the run (a trap, RIP one past it), which counts as reaching the end.
import { StopReason } from '../cpu';
import { BP, type CpuFault } from '../fault';
import { EmulatedOracle, type OracleOutcome } from '../oracle/emulated';

export class JitOracle extends EmulatedOracle {
  constructor(jit = true) {
    super();
    this.cpu.jit = jit;
    this.cpu.blocks.opts.threshold = 1;
  }

  protected override execute(end: number): OracleOutcome {
    const cpu = this.cpu;
    // One more than the step budget: the int3 at the end.
    const stop = cpu.run(this.maxSteps + 1);
    const f = cpu.lastFault as CpuFault | null;
    if (stop === StopReason.Exception && f && f.vector === BP && f.trap && cpu.ripLo === end + 1 && cpu.ripHi === 0) {
      cpu.ripLo = end; // the state when execution reached the end, before the int3
      cpu.instructions--;
      return { status: 'ok', vector: 0, errorCode: 0 };
    }
    if (stop === StopReason.Exception && f) return { status: 'fault', vector: f.vector, errorCode: Math.max(0, f.errorCode) };
    if (stop === StopReason.Internal) throw new Error(`emulator internal error: ${cpu.internalError}`);
    if (stop !== StopReason.Limit) return { status: 'fault', vector: -1, errorCode: 0 };
    return { status: 'timeout', vector: 0, errorCode: 0 };
  }
}
