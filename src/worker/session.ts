// One lab session: a Machine booted with the hypervisor and guests, the
// debugger engine over it, and the views the page asks for (snapshots, memory,
// VMCBs, page walks, disassembly, the experiment). Pure TypeScript with no
// Worker or DOM API, so tests drive it in Node exactly as the worker does.
import { Machine } from '../emu/machine/machine';
import { parseElf } from '../emu/machine/elf';
import { parseCpu } from '../emu/cpu/models';
import type { CpuModel } from '../emu/cpu/cpuid';
import { Debugger, type Breakpoint, type DebugStop, type IcedModule } from '../emu/debug';
import { currentWorld } from '../emu/debug/world';
import { exitName } from '../emu/svm/exitcodes';
import { decodeVmcb } from '../emu/svm/vmcb-decode';
import { nestedTranslator, readGuestPhys } from '../emu/svm/guest-memory';
import { runSwitchLag } from '../emu/experiment/switch-lag';
import { getFlags } from '../emu/cpu/flags';
import { readSpace, pageWalk, hostControl } from './address-spaces';
import type {
  BootRequest, BreakpointInfo, BreakpointRequest, DecodedVmcbField, DisasmLine, ExperimentPoint, MachineSnapshot,
  MemorySpace, PageWalkInfo, ScreenInfo, StopInfo, VmInfo,
} from './protocol';

const GPRS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const SEGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
const FLAG_BITS: Array<[number, string]> = [[0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF']];
const hex64 = (lo: number, hi: number) => '0x' + ((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toString(16).padStart(16, '0');
const MAX_EVENTS = 500;

export type ImageSource = (name: string) => Promise<Uint8Array>;

export interface BootRecord {
  req: BootRequest;
  hypervisor: { bytes: Uint8Array; cmdline: string };
  guests: Array<{ bytes: Uint8Array; cmdline: string }>;
  /** The Machine's options except its RAM buffer. */
  options: { ramMiB: number; cpuHz: number; cpuModel: CpuModel };
}

export class LabSession {
  machine: Machine | null = null;
  debugger: Debugger | null = null;
  private req: BootRequest | null = null;
  private booted: Omit<BootRecord, 'req'> | null = null;
  private names = new Map<number, string>();
  private lastStop: StopInfo | null = null;
  private hostSeconds = 0;
  private mipsWindow = { instructions: 0, seconds: 0 };
  private vmcbSeen = new Map<number, { exits: number; bytes: Uint8Array; prev: Uint8Array | null }>();
  /** Emulated cycles per wall millisecond, measured; sizes run slices. */
  private cyclesPerMs = 20_000;
  running = false;

  constructor(private readonly source: ImageSource, private readonly shared = false) {}

  /**
   * Boot: fetch and check every image first (a bad one throws naming it, and
   * the running machine is untouched), then build a new machine.
   */
  async boot(req: BootRequest, given: Record<string, Uint8Array> = {}): Promise<void> {
    const load = async (name: string) => {
      const bytes = given[name] ?? (await this.source(name));
      try {
        parseElf(bytes);
      } catch (e) {
        throw new Error(`${name}: ${(e as Error).message}`);
      }
      return bytes;
    };
    const hv = await load(req.hypervisor.image);
    const guests = [];
    for (const g of req.guests) guests.push({ bytes: await load(g.image), cmdline: g.cmdline });
    const ramMiB = req.ramMiB ?? 128;
    const mhz = req.mhz ?? 2000;
    if (!(mhz > 0) || !(ramMiB >= 16)) throw new Error('the CPU clock must be positive and RAM at least 16 MiB');
    const cpuModel = parseCpu(req.cpu ?? 'zen');
    const options = { ramMiB, cpuHz: Math.round(mhz * 1e6), cpuModel };
    const m = new Machine({ ...options, ramBuffer: this.ramBuffer(ramMiB) });
    if (req.jit !== undefined) m.cpu.jit = req.jit;
    m.bootMultiboot(hv, { cmdline: req.hypervisor.cmdline, modules: guests });
    const d = new Debugger(m);
    d.symbols.load(req.hypervisor.image.replace(/\.elf$/, ''), hv, 0);
    // Guests' symbols apply in any guest world (their link addresses are guest-virtual).
    const seen = new Set<string>();
    for (const g of req.guests) {
      const name = g.image.replace(/\.elf$/, '');
      if (seen.has(name)) continue;
      seen.add(name);
      try { d.symbols.load(name, await load(g.image), 'guest'); } catch { /* a guest without symbols is fine */ }
    }
    this.debugger?.detach();
    this.machine = m;
    this.debugger = d;
    this.req = req;
    this.booted = { hypervisor: { bytes: hv, cmdline: req.hypervisor.cmdline }, guests, options };
    this.names.clear();
    this.lastStop = null;
    this.hostSeconds = 0;
    this.vmcbSeen.clear();
  }

  /** RAM's backing store: shared with the page when it is cross-origin isolated. */
  ramBuffer(ramMiB: number): ArrayBufferLike | undefined {
    return this.shared && typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(ramMiB << 20) : undefined;
  }

  /** What the machine was booted from (images, command lines, machine options): a replay boots the same machine. */
  get bootRecord(): BootRecord | null {
    return this.booted && this.req ? { ...this.booted, req: this.req } : null;
  }

  private need(): { m: Machine; d: Debugger } {
    if (!this.machine || !this.debugger) throw new Error('nothing is booted');
    return { m: this.machine, d: this.debugger };
  }

  /** Run for about `ms` of wall time; the stop if one happened (null: the slice just ended). */
  runSlice(ms: number): StopInfo | null {
    const { m, d } = this.need();
    const t0 = performance.now();
    const c0 = m.cpu.cycles, i0 = m.cpu.instructions;
    const stop = d.run(Math.max(10_000, Math.round(this.cyclesPerMs * ms)));
    const dt = performance.now() - t0;
    this.account(dt, m.cpu.cycles - c0, m.cpu.instructions - i0);
    if (stop.reason === 'time') return null;
    return (this.lastStop = this.stopInfo(stop));
  }

  private account(ms: number, cycles: number, instructions: number): void {
    this.hostSeconds += ms / 1000;
    if (ms > 0.5 && cycles > 0) this.cyclesPerMs = 0.7 * this.cyclesPerMs + 0.3 * (cycles / ms);
    this.mipsWindow = { instructions, seconds: ms / 1000 };
  }

  /**
   * Run for at most `cycles` simulated cycles (deterministic, unlike runSlice's
   * wall-time budget): lessons and tests use it. The stop, or null when the budget ran out.
   */
  runCycles(cycles: number): StopInfo | null {
    const { m, d } = this.need();
    const t0 = performance.now();
    const c0 = m.cpu.cycles, i0 = m.cpu.instructions;
    const stop = d.run(cycles);
    this.account(performance.now() - t0, m.cpu.cycles - c0, m.cpu.instructions - i0);
    this.lastStop = this.stopInfo(stop);
    return stop.reason === 'time' ? null : this.lastStop;
  }

  /** Why the machine last stopped ('' before any run). */
  get stopReason(): string {
    return this.lastStop?.reason ?? '';
  }

  /** Remove every breakpoint. */
  clearBreakpoints(): void {
    for (const b of this.breakpoints()) this.removeBreakpoint(b.id);
  }

  /** Mark a pause (the worker stopped asking for slices). */
  paused(): void {
    this.lastStop = { reason: 'paused', message: 'paused', machine: '', breakpointIds: [] };
  }

  step(kind: 'into' | 'over' | 'out' | 'switch' | 'count', n = 1): StopInfo {
    const { m, d } = this.need();
    const t0 = performance.now();
    const c0 = m.cpu.cycles, i0 = m.cpu.instructions;
    const s = kind === 'into' ? d.step() : kind === 'over' ? d.stepOver() : kind === 'out' ? d.stepOut()
      : kind === 'switch' ? d.runToSwitch() : d.runInstructions(n);
    this.account(performance.now() - t0, m.cpu.cycles - c0, m.cpu.instructions - i0);
    return (this.lastStop = this.stopInfo(s));
  }

  private stopInfo(s: DebugStop): StopInfo {
    const mk = s.machine.kind;
    return {
      reason: s.reason,
      message: s.message,
      machine: s.reason === 'machine' ? (mk === 'debug-exit' ? `debug-exit ${(s.machine as { code: number }).code}` : mk) : '',
      breakpointIds: s.hits.map((h) => h.breakpoint.id),
    };
  }

  /** Whether the machine stopped for good (shutdown, debug-exit, internal error). */
  get finished(): boolean {
    const r = this.lastStop;
    return r !== null && r.reason === 'machine' && !/^halted/.test(r.machine);
  }

  // ------------------------------------------------------------ breakpoints

  addBreakpoint(req: BreakpointRequest): BreakpointInfo {
    return info(this.need().d.addBreakpoint(req));
  }
  removeBreakpoint(id: number): boolean { return this.need().d.removeBreakpoint(id); }
  enableBreakpoint(id: number, on: boolean): boolean { return this.need().d.enableBreakpoint(id, on); }
  breakpoints(): BreakpointInfo[] { return this.debugger ? this.debugger.listBreakpoints().map(info) : []; }

  // ------------------------------------------------------------ views

  /** The VM names the hypervisor announced ("hvmm: VM 2 'hcall': asid 2"), else "asid N". */
  private vmName(asid: number): string {
    if (!this.names.has(asid) && this.machine) {
      for (const m of this.machine.serial().matchAll(/VM \d+ '([^']*)': asid (\d+)/g)) this.names.set(Number(m[2]), m[1]!);
    }
    return this.names.get(asid) ?? `asid ${asid}`;
  }

  snapshot(serialFrom = 0, eventsFrom = 0): MachineSnapshot {
    const m = this.machine;
    if (!m || !this.debugger) return emptySnapshot(this.running);
    const c = m.cpu;
    const d = this.debugger;
    const where = d.where();
    const regs: Record<string, string> = {};
    GPRS.forEach((n, k) => { regs[n] = hex64(c.r[2 * k]!, c.r[2 * k + 1]!); });
    regs.rip = hex64(c.ripLo, c.ripHi);
    const fl = getFlags(c);
    regs.rflags = hex64(fl, 0);
    regs.cr0 = hex64(c.cr0, 0); regs.cr2 = hex64(c.cr2Lo, c.cr2Hi); regs.cr3 = hex64(c.cr3Lo, c.cr3Hi);
    regs.cr4 = hex64(c.cr4, 0); regs.efer = hex64(c.efer, 0);
    SEGS.forEach((n, k) => { regs[n] = '0x' + (c.segSel[k]! & 0xffff).toString(16).padStart(4, '0'); });
    const serial = m.serial();
    const events = d.log.entries().filter((e) => e.seq >= eventsFrom).slice(-MAX_EVENTS);
    const world = currentWorld(c);
    return {
      booted: true,
      running: this.running,
      stop: this.running ? null : this.lastStop,
      world,
      worldName: world === 0 ? 'hypervisor' : this.vmName(world),
      cpl: c.cpl,
      mode: (c.cr0 & 1) === 0 ? 'real' : c.mode === 64 ? 'long (64-bit)' : (c.efer & 0x400) ? `compatibility (${c.mode}-bit)` : `protected (${c.mode}-bit)`,
      gif: c.svm.gif,
      rip: where.rip,
      ripSymbol: where.symbol ?? null,
      registers: regs,
      flagsText: FLAG_BITS.filter(([b]) => (fl >> b) & 1).map(([, n]) => n).join(' '),
      clocks: {
        hostSeconds: this.hostSeconds,
        simSeconds: m.simSeconds,
        instructions: c.instructions,
        cycles: c.cycles,
        mips: this.mipsWindow.seconds > 0 ? this.mipsWindow.instructions / this.mipsWindow.seconds / 1e6 : 0,
        worldSwitches: c.svm.vmruns + c.svm.exits,
        mhz: m.cpuHz / 1e6,
      },
      cpuModel: c.model.name,
      screens: this.screens(),
      serial: { from: serialFrom, text: serial.slice(serialFrom), length: serial.length },
      events: events.map((e) => ({ ...e })),
      vms: this.vms(),
    };
  }

  screens(): ScreenInfo[] {
    const m = this.need().m;
    const host = new Uint16Array(2000);
    for (let k = 0; k < 2000; k++) host[k] = m.mem.read16(0xb8000 + 2 * k);
    const out: ScreenInfo[] = [{ asid: 0, name: 'hypervisor (real screen)', cells: host }];
    const h = hostControl(m);
    for (const vm of [...m.cpu.svm.vms.byAsid.values()].sort((a, b) => a.asid - b.asid)) {
      const bytes = readGuestPhys(m.mem, nestedTranslator(m.mem, vm, h.cr4, h.efer), 0xb8000, 4000);
      const cells = new Uint16Array(2000);
      for (let k = 0; k < 2000; k++) cells[k] = bytes[2 * k]! | (bytes[2 * k + 1]! << 8);
      out.push({ asid: vm.asid, name: this.vmName(vm.asid), cells });
    }
    return out;
  }

  vms(): VmInfo[] {
    const m = this.machine;
    if (!m) return [];
    return [...m.cpu.svm.vms.byAsid.values()].sort((a, b) => a.asid - b.asid).map((vm) => ({
      asid: vm.asid, name: this.vmName(vm.asid), vmcb: '0x' + vm.vmcb.toString(16), runs: vm.runs, exits: vm.exits, np: vm.np,
      exitCounts: Object.fromEntries([...vm.exitCounts].map(([code, n]) => [exitName(code), n])),
    }));
  }

  readMemory(space: MemorySpace, address: number, length: number, asid = 0): Uint8Array | null {
    if (!(length > 0 && length <= 1 << 20)) throw new Error('length must be 1 byte to 1 MiB');
    return readSpace(this.need().m, space, address, length, asid);
  }

  /** The VM's VMCB decoded; `changed` marks fields that differ from how it looked at its previous world switch. */
  vmcb(asid: number): DecodedVmcbField[] | null {
    const m = this.need().m;
    const vm = m.cpu.svm.vms.byAsid.get(asid);
    if (!vm) return null;
    const bytes = m.mem.u8.slice(vm.vmcb, vm.vmcb + 4096);
    let seen = this.vmcbSeen.get(asid);
    if (!seen) seen = { exits: vm.exits, bytes, prev: null };
    else if (seen.exits !== vm.exits) seen = { exits: vm.exits, bytes, prev: seen.bytes };
    this.vmcbSeen.set(asid, seen);
    const prev = seen.prev;
    return decodeVmcb(m.mem, vm.vmcb).map((f) => ({
      ...f,
      changed: prev !== null && bytes.subarray(f.offset, f.offset + f.size).some((b, k) => b !== prev[f.offset + k]),
    }));
  }

  pageWalk(asid: number, va: number): PageWalkInfo {
    return pageWalk(this.need().m, asid, va);
  }

  disassemble(iced: IcedModule, count: number): DisasmLine[] {
    const { d } = this.need();
    const at = d.where().address;
    return d.disassemble(iced, { count }).map((l) => ({
      address: l.addr, bytes: l.bytes, text: l.text,
      label: l.symbol && /\+0x0$|^[^+]*$/.test(l.symbol) ? l.symbol.replace(/\+0x0$/, '') : null,
      current: l.address === at,
    }));
  }

  /** The paper's switch-lag experiment on this session's hypervisor and first guest image. */
  async experiment(mhz?: number[], switches = 100, idleUs = 0): Promise<ExperimentPoint[]> {
    const req = this.req;
    if (!req) throw new Error('nothing is booted');
    const guest = req.guests.find((g) => /g-dummy/.test(g.image)) ?? req.guests[0];
    if (!guest) throw new Error('the experiment needs a guest image');
    return runSwitchLag({
      hvmm: await this.source(req.hypervisor.image),
      guest: await this.source(guest.image),
      mhz, switches, cpuModel: req.cpu, idleUs,
    });
  }
}

function info(b: Breakpoint): BreakpointInfo {
  return { id: b.id, kind: b.spec.kind, label: b.label, enabled: b.enabled, hits: b.hits };
}

function emptySnapshot(running: boolean): MachineSnapshot {
  return {
    booted: false, running, stop: null, world: 0, worldName: 'hypervisor', cpl: 0, mode: '', gif: true, rip: '0x0',
    ripSymbol: null, registers: {}, flagsText: '',
    clocks: { hostSeconds: 0, simSeconds: 0, instructions: 0, cycles: 0, mips: 0, worldSwitches: 0, mhz: 0 },
    cpuModel: '', screens: [], serial: { from: 0, text: '', length: 0 }, events: [], vms: [],
  };
}
