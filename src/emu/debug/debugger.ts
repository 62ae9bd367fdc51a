// The headless debugger: breakpoints, stepping, the world-switch log, symbols and
// disassembly over one Machine. It drives the machine only through Machine.run,
// so devices keep their simulated time and a debugged run is the same run as a
// free one: the same breakpoint is hit at the same instruction count every time.
//
// Hooks are installed only while something needs them: the per-instruction hook
// (cpu.insnHook) for address breakpoints and stepping, the port hook for I/O
// breakpoints, watched pages for write breakpoints, and the world-switch hook for
// #VMEXIT / guest-entry breakpoints and the event log. With none, the machine
// runs at full speed.
import { StopReason, type Cpu } from '../cpu/cpu';
import type { Machine, MachineStop } from '../machine/machine';
import { WATCH_PAGE } from '../mem/phys';
import { exitName } from '../svm/exitcodes';
import { BreakpointTable, worldMatches, type Breakpoint, type BreakpointSpec, type WorldFilter } from './breakpoints';
import { disassemble, type DisasmLine, type IcedModule } from './disasm';
import { EventLog, switchContext } from './events';
import { stepInto, stepOut, stepOver, untilInstructions, type Stepper } from './stepping';
import { SymbolTable } from './symbols';
import { currentWorld, hexAddr, readLinear, ripLinear, toAddr, worldName } from './world';

export interface Hit {
  breakpoint: Breakpoint;
  /** What happened: "#VMEXIT HLT asid 1", "out 0x3f8 <- 0x41", "write 0x1000 (4 bytes)", ... */
  detail: string;
}

export type DebugStopReason =
  | 'breakpoint' // one or more breakpoints hit (hits)
  | 'step' // a step / step over / step out finished
  | 'switch' // runToSwitch: a world switch happened
  | 'count' // runInstructions: the count was reached
  | 'time' // the cycle budget ran out
  | 'machine'; // the machine stopped by itself (machine: shutdown, debug-exit, halted, internal)

export interface DebugStop {
  reason: DebugStopReason;
  machine: MachineStop;
  hits: Hit[];
  /** Where the CPU is now: world (0 host, else ASID), next instruction's linear address, its symbol. */
  world: number;
  worldName: string;
  address: number;
  rip: string;
  symbol?: string;
  instructions: number;
  cycles: number;
  /** One line for the user: "breakpoint 3 (vmexit HLT): #VMEXIT HLT asid 1 at host 0x1012ab <vm_boot+0x2b>". */
  message: string;
}

/** Default cycle budget of a run or step (10 simulated seconds at 2 GHz). */
export const DEFAULT_BUDGET = 2e10;

export class Debugger {
  readonly breakpoints = new BreakpointTable();
  readonly symbols = new SymbolTable();
  readonly log: EventLog;
  lastStop: DebugStop | null = null;

  private readonly cpu: Cpu;
  private stepper: Stepper | null = null;
  private stepReason: DebugStopReason = 'step';
  private stopAtSwitch = false;
  private hits: Hit[] = [];
  private stepDone = false;
  /** Skip address breakpoints once at the resume point (instruction count, address, world). */
  private skipInsn = -1;
  private skipAddr = 0;
  private skipWorld = -1;
  private watched = new Set<number>();
  private syncedVersion = -1;

  constructor(readonly machine: Machine, opts: { logCapacity?: number } = {}) {
    this.cpu = machine.cpu;
    this.log = new EventLog(opts.logCapacity ?? 10_000, machine.cpuHz);
    this.sync();
  }

  // ------------------------------------------------------------ breakpoints

  /** Add a breakpoint (address expressions resolve through the symbol table; throws if unknown). */
  addBreakpoint(spec: BreakpointSpec): Breakpoint {
    let resolved: { address: number; world: WorldFilter; name?: string } | undefined;
    if (spec.kind === 'address') {
      if (typeof spec.at === 'string') {
        const world = typeof spec.world === 'number' ? spec.world : undefined;
        const r = this.symbols.resolve(spec.at, world);
        if (!r) throw new Error(`unknown symbol or address '${spec.at}'`);
        resolved = { address: r.address, world: spec.world ?? r.world, name: spec.at };
      } else {
        resolved = { address: toAddr(spec.at), world: spec.world ?? 0 };
      }
    }
    const bp = this.breakpoints.add(spec, resolved);
    this.sync();
    return bp;
  }

  removeBreakpoint(id: number): boolean {
    const ok = this.breakpoints.remove(id);
    this.sync();
    return ok;
  }

  enableBreakpoint(id: number, on = true): boolean {
    const ok = this.breakpoints.setEnabled(id, on);
    this.sync();
    return ok;
  }

  disableBreakpoint(id: number): boolean {
    return this.enableBreakpoint(id, false);
  }

  listBreakpoints(): Breakpoint[] {
    return this.breakpoints.list();
  }

  /** Switch the world-switch log on or off. */
  setLogging(on: boolean): void {
    this.log.enabled = on;
    this.sync(true);
  }

  // ------------------------------------------------------------ running

  /** Run until a breakpoint, the machine stops, or `cycles` simulated cycles pass. */
  run(cycles = DEFAULT_BUDGET): DebugStop {
    return this.go(cycles, null, 'step', false);
  }

  /** One instruction in whichever world runs (over VMRUN into the guest; from an intercepted instruction into the host). */
  step(budget = DEFAULT_BUDGET): DebugStop {
    return this.go(budget, stepInto(this.cpu), 'step', false);
  }

  /** Over a call (E8, FF /2): until the next instruction at the same stack depth in the same world. Otherwise a step. */
  stepOver(budget = DEFAULT_BUDGET): DebugStop {
    return this.go(budget, stepOver(this.cpu), 'step', false);
  }

  /** Until a ret leaves the current frame (same world). */
  stepOut(budget = DEFAULT_BUDGET): DebugStop {
    return this.go(budget, stepOut(this.cpu), 'step', false);
  }

  /** Until the next VMRUN or #VMEXIT (or a breakpoint). */
  runToSwitch(budget = DEFAULT_BUDGET): DebugStop {
    return this.go(budget, null, 'switch', true);
  }

  /** Exactly n more instructions (unless a breakpoint or the machine stops first). */
  runInstructions(n: number, budget = DEFAULT_BUDGET): DebugStop {
    return this.go(budget, untilInstructions(this.cpu.instructions + n), 'count', false);
  }

  private go(budget: number, stepper: Stepper | null, reason: DebugStopReason, atSwitch: boolean): DebugStop {
    const c = this.cpu;
    this.hits = [];
    this.stepDone = false;
    this.stepper = stepper;
    this.stepReason = reason;
    this.stopAtSwitch = atSwitch;
    this.sync(true);
    let ms: MachineStop;
    if (stepper !== null && stepper(c)) {
      ms = { kind: 'breakpoint' }; // nothing to run (runInstructions(0))
      this.stepDone = true;
    } else ms = this.machine.run(budget);
    this.stepper = null;
    this.stopAtSwitch = false;
    this.sync(true);
    // Stopped on (or stepped to) an instruction: resuming executes it before its address
    // breakpoints can hit again. A run that merely ran out of cycles skips nothing.
    this.skipInsn = ms.kind === 'breakpoint' ? c.instructions : -1;
    this.skipAddr = ripLinear(c);
    this.skipWorld = currentWorld(c);
    return (this.lastStop = this.report(ms));
  }

  // ------------------------------------------------------------ hooks

  /** Install exactly the hooks the enabled breakpoints, the log and a running step need. */
  private sync(force = false): void {
    const t = this.breakpoints;
    if (!force && t.version === this.syncedVersion) return;
    this.syncedVersion = t.version;
    const n = t.enabledCount;
    this.cpu.insnHook = this.stepper !== null || n.address > 0 ? this.insnHook : null;
    this.machine.ioHook = n.io > 0 ? this.ioHook : null;
    this.cpu.svm.onSwitch = this.log.enabled || this.stopAtSwitch || n.vmexit > 0 || n['guest-entry'] > 0 ? this.switchHook : null;
    const pages = t.watchedPages();
    const cp = this.machine.mem.codePage;
    for (const p of this.watched) if (!pages.has(p) && p < cp.length) cp[p]! &= ~WATCH_PAGE;
    for (const p of pages) if (p < cp.length) cp[p]! |= WATCH_PAGE;
    this.watched = pages;
    this.machine.mem.onWatchedWrite = pages.size > 0 ? this.watchHook : null;
  }

  /**
   * A stop requested outside an instruction (a #VMEXIT while delivering an
   * interrupt, a write while pushing an interrupt frame) is honoured by the CPU
   * only after the next instruction; the instruction hook stops before it.
   */
  private requestStop(): void {
    this.cpu.stop = StopReason.Breakpoint;
    if (this.cpu.insnHook === null) this.cpu.insnHook = this.insnHook;
  }

  private readonly insnHook = (c: Cpu): boolean => {
    if (c.stop === StopReason.Breakpoint) return true; // see requestStop
    let stop = false;
    const st = this.stepper;
    if (st !== null && st(c)) {
      this.stepDone = true;
      stop = true;
    }
    const t = this.breakpoints;
    if (t.enabledCount.address === 0) return stop;
    const a = ripLinear(c);
    const list = t.byAddress.get(a);
    if (list === undefined) return stop;
    const w = currentWorld(c);
    if (c.instructions === this.skipInsn && a === this.skipAddr && w === this.skipWorld) return stop;
    for (const bp of list) {
      if (bp.enabled && worldMatches(bp.world ?? 0, w)) {
        bp.hits++;
        this.hits.push({ breakpoint: bp, detail: `${worldName(w)} ${hexAddr(a)}` });
        stop = true;
      }
    }
    return stop;
  };

  private readonly ioHook = (port: number, size: number, write: boolean, value: number): boolean => {
    const list = this.breakpoints.matchIo(port, write);
    for (const bp of list) {
      bp.hits++;
      const v = `0x${(value >>> 0).toString(16)}`;
      this.hits.push({ breakpoint: bp, detail: write ? `out 0x${port.toString(16)} <- ${v} (${size} byte${size > 1 ? 's' : ''})` : `in 0x${port.toString(16)} -> ${v} (${size} byte${size > 1 ? 's' : ''})` });
    }
    return list.length > 0;
  };

  private readonly watchHook = (pa: number, size: number): void => {
    const list = this.breakpoints.matchWrite(pa, size);
    if (list.length === 0) return;
    for (const bp of list) {
      bp.hits++;
      this.hits.push({ breakpoint: bp, detail: `write 0x${pa.toString(16)} (${size} byte${size > 1 ? 's' : ''}) in ${worldName(currentWorld(this.cpu))}` });
    }
    this.requestStop();
  };

  private readonly switchHook = (kind: 'vmrun' | 'vmexit', code: number): boolean => {
    const c = this.cpu;
    if (this.log.enabled) this.log.record(c, kind, code);
    const t = this.breakpoints;
    let list: Breakpoint[] = [];
    if (t.enabledCount.vmexit + t.enabledCount['guest-entry'] > 0) {
      const { asid } = switchContext(c, kind, code);
      list = kind === 'vmexit' ? t.matchExit(code, asid) : t.matchEntry(asid);
      const detail = kind === 'vmexit' ? `#VMEXIT ${exitName(code)} asid ${asid}` : `guest entry asid ${asid}`;
      for (const bp of list) {
        bp.hits++;
        this.hits.push({ breakpoint: bp, detail });
      }
    }
    const stop = list.length > 0 || this.stopAtSwitch;
    if (stop) {
      if (this.stopAtSwitch) this.stepDone = true;
      this.requestStop();
    }
    return stop;
  };

  // ------------------------------------------------------------ reports

  /** Where the CPU is: world, linear address of the next instruction, symbol. */
  where(): { world: number; worldName: string; address: number; rip: string; symbol?: string } {
    const c = this.cpu;
    const world = currentWorld(c);
    const address = ripLinear(c);
    const symbol = this.symbols.describe(address, world);
    return { world, worldName: worldName(world), address, rip: hexAddr(address), ...(symbol ? { symbol } : {}) };
  }

  private report(ms: MachineStop): DebugStop {
    const c = this.cpu;
    const at = this.where();
    const hits = this.hits;
    let reason: DebugStopReason;
    if (ms.kind === 'breakpoint') reason = hits.length > 0 ? 'breakpoint' : this.stepDone ? this.stepReason : 'breakpoint';
    else if (ms.kind === 'time') reason = 'time';
    else reason = 'machine';
    const place = `${at.worldName} ${at.rip}${at.symbol ? ` <${at.symbol}>` : ''}`;
    let message: string;
    if (hits.length > 0) message = hits.map((h) => `breakpoint ${h.breakpoint.id} (${h.breakpoint.label}): ${h.detail}`).join('; ') + ` — at ${place}`;
    else if (reason === 'machine') message = `machine stopped (${ms.kind}${'reason' in ms ? `: ${ms.reason}` : ''}${'code' in ms ? ` code ${ms.code}` : ''}) at ${place}`;
    else message = `${reason} at ${place}`;
    return { reason, machine: ms, hits, ...at, instructions: c.instructions, cycles: c.cycles, message };
  }

  // ------------------------------------------------------------ disassembly

  /**
   * Disassemble `count` instructions at `address` (default RIP) in the current
   * world: host-linear in the host, guest-virtual in a guest (through the MMU).
   * `bitness` defaults to the CPU's current code size.
   */
  disassemble(iced: IcedModule, opts: { address?: number | bigint; count?: number; bitness?: 16 | 32 | 64 } = {}): DisasmLine[] {
    const c = this.cpu;
    const world = currentWorld(c);
    const address = opts.address === undefined ? ripLinear(c) : toAddr(opts.address);
    const count = opts.count ?? 16;
    const bytes = readLinear(c, address, count * 15) ?? new Uint8Array(0);
    return disassemble(iced, bytes, address, opts.bitness ?? c.mode, count, (a) => this.symbols.describe(a, world));
  }

  /** Remove every hook the debugger installed (the machine runs as if it had none). */
  detach(): void {
    for (const bp of this.breakpoints.list()) this.breakpoints.setEnabled(bp.id, false);
    this.log.enabled = false;
    this.sync(true);
    this.machine.mem.onWatchedWrite = null;
  }
}
