// The core worker: owns one FlatMachine (src/emu/machine/flat64.ts) and runs it in slices,
// so the page stays responsive and pause() takes effect within one slice. The UI talks to it
// through the comlink API declared in ./protocol.ts.
import * as Comlink from 'comlink';
import * as flat64 from '../emu/machine/flat64';
import { FlatMachine } from '../emu/machine/flat64';
import type { ElfImage } from '../emu/machine/elf';
import { loadIced, type IcedModule } from './iced';
import {
  TERMINAL_STOPS,
  WORKLOADS,
  type CoreInfo,
  type CoreSnapshot,
  type CoreWorkerApi,
  type DisasmLine,
  type ProgressCallback,
  type StopReason,
  type WorkloadInfo,
} from './protocol';

const RAM_BYTES = 16 << 20;
/** Minimum time between two progress callbacks (≈30 per second). */
const PUBLISH_INTERVAL_MS = 33;
const GPR_ORDER = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'];
const FLAG_BITS: Array<[number, string]> = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
];

const hex64 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** Yield to the worker's event loop (so queued comlink calls such as pause() run) without setTimeout clamping. */
const yieldChannel = new MessageChannel();
const yieldWaiters: Array<() => void> = [];
yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    yieldWaiters.push(resolve);
    yieldChannel.port2.postMessage(0);
  });
}

function publish(cb: ProgressCallback | undefined, s: CoreSnapshot): void {
  if (!cb) return;
  // A comlink proxy call returns a promise; the UI may be gone, never let that surface as an error.
  void Promise.resolve()
    .then(() => cb(s))
    .catch(() => undefined);
}

class CoreWorker implements CoreWorkerApi {
  private m: FlatMachine | null = null;
  private image: ElfImage | null = null;
  private workload: string | null = null;
  private stop: StopReason = 'none';
  private fault: string | null = null;
  private hostSeconds = 0;
  /** Instructions and emulation seconds of the current/last run(), for MIPS. */
  private runInstructions = 0;
  private runSeconds = 0;
  private pauseRequested = false;
  private running: Promise<CoreSnapshot> | null = null;
  private iced: IcedModule | null = null;
  private formatter: InstanceType<IcedModule['Formatter']> | null = null;

  async coreInfo(): Promise<CoreInfo> {
    const probe = new FlatMachine(1 << 20);
    return { built: probe.cpu !== undefined, exports: Object.keys(flat64).sort(), ramBytes: RAM_BYTES };
  }

  async listWorkloads(): Promise<WorkloadInfo[]> {
    return WORKLOADS.map((w) => ({ ...w }));
  }

  async load(name: string): Promise<CoreSnapshot> {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad workload name '${name}'`);
    if (this.running) {
      this.pauseRequested = true;
      await this.running.catch(() => undefined);
    }
    const resp = await fetch(`/images/${name}.elf`);
    if (!resp.ok) throw new Error(`/images/${name}.elf: HTTP ${resp.status}`);
    const bytes = new Uint8Array(await resp.arrayBuffer());
    const m = new FlatMachine(RAM_BYTES);
    this.image = m.loadElf(bytes);
    this.m = m;
    this.workload = name;
    this.stop = 'none';
    this.fault = null;
    this.hostSeconds = 0;
    this.runInstructions = 0;
    this.runSeconds = 0;
    return this.snap();
  }

  run(maxInstructions: number, sliceInstructions: number, onProgress?: ProgressCallback): Promise<CoreSnapshot> {
    if (this.running) return this.running;
    if (!this.m || TERMINAL_STOPS.includes(this.stop)) return Promise.resolve(this.snap());
    this.running = this.runLoop(this.m, maxInstructions, Math.max(1, Math.floor(sliceInstructions)), onProgress).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runLoop(m: FlatMachine, max: number, slice: number, onProgress?: ProgressCallback): Promise<CoreSnapshot> {
    this.pauseRequested = false;
    this.stop = 'running';
    this.runInstructions = 0;
    this.runSeconds = 0;
    let lastPublish = 0;
    for (;;) {
      const left = max - this.runInstructions;
      if (left <= 0) {
        this.stop = 'limit';
        break;
      }
      const r = m.run(Math.min(slice, left));
      this.runInstructions += r.instructions;
      this.runSeconds += r.seconds;
      this.hostSeconds += r.seconds;
      if (r.stop !== 'limit') {
        this.stop = r.stop;
        this.fault = r.fault ?? null;
        break;
      }
      const now = performance.now();
      if (now - lastPublish >= PUBLISH_INTERVAL_MS) {
        lastPublish = now;
        publish(onProgress, this.snap());
      }
      await yieldToEventLoop();
      if (this.m !== m) return this.snap(); // a load() replaced the machine
      if (this.pauseRequested) {
        this.stop = 'paused';
        break;
      }
    }
    const s = this.snap();
    publish(onProgress, s);
    return s;
  }

  async pause(): Promise<void> {
    if (this.running) this.pauseRequested = true;
  }

  async step(n: number): Promise<CoreSnapshot> {
    if (this.running) {
      this.pauseRequested = true;
      await this.running.catch(() => undefined);
    }
    const m = this.m;
    if (!m || TERMINAL_STOPS.includes(this.stop)) return this.snap();
    const r = m.run(Math.max(1, Math.floor(n)));
    this.runInstructions = r.instructions;
    this.runSeconds = r.seconds;
    this.hostSeconds += r.seconds;
    this.stop = r.stop === 'limit' ? 'step' : r.stop;
    this.fault = r.fault ?? null;
    return this.snap();
  }

  async snapshot(): Promise<CoreSnapshot> {
    return this.snap();
  }

  private rip(): bigint {
    const cpu = this.m!.cpu;
    return (BigInt(cpu.ripHi >>> 0) << 32n) | BigInt(cpu.ripLo >>> 0);
  }

  private symbolName(addr: bigint): string | null {
    const hit = this.image?.symbolAt(addr);
    if (!hit) return null;
    return hit.offset === 0n ? hit.symbol.name : `${hit.symbol.name}+0x${hit.offset.toString(16)}`;
  }

  private snap(): CoreSnapshot {
    const m = this.m;
    const expected = WORKLOADS.find((w) => w.name === this.workload)?.expected ?? null;
    if (!m) {
      return {
        workload: null, registers: {}, rip: hex64(0n), ripSymbol: null, rflags: '00000000', flagsText: '',
        instructions: 0, cycles: 0, hostSeconds: 0, mips: 0, stop: 'none', fault: null, result: null, expected,
      };
    }
    const regs = m.registers();
    const registers: Record<string, string> = {};
    for (const n of GPR_ORDER) registers[n] = hex64(regs[n] ?? 0n);
    const rip = this.rip();
    const flags = m.cpu.getFlags() >>> 0;
    let result: string | null = null;
    const sym = this.image?.lookup('bench_result');
    if (sym && sym.value + 8n <= BigInt(m.mem.size)) result = m.readU64(Number(sym.value)).toString();
    return {
      workload: this.workload,
      registers,
      rip: hex64(rip),
      ripSymbol: this.symbolName(rip),
      rflags: flags.toString(16).padStart(8, '0'),
      flagsText: FLAG_BITS.filter(([b]) => (flags >>> b) & 1).map(([, n]) => n).join(' '),
      instructions: m.cpu.instructions,
      cycles: m.cpu.cycles,
      hostSeconds: this.hostSeconds,
      mips: this.runSeconds > 0 ? this.runInstructions / this.runSeconds / 1e6 : 0,
      stop: this.stop,
      fault: this.fault,
      result,
      expected,
    };
  }

  async disassemble(count: number): Promise<DisasmLine[]> {
    const m = this.m;
    if (!m) return [];
    const iced = (this.iced ??= await loadIced());
    if (!this.formatter) {
      const f = new iced.Formatter(iced.FormatterSyntax.Intel);
      f.hexPrefix = '0x';
      f.hexSuffix = '';
      f.uppercaseHex = false;
      f.spaceAfterOperandSeparator = true;
      f.firstOperandCharIndex = 8;
      f.branchLeadingZeros = false;
      f.showBranchSize = false;
      this.formatter = f;
    }
    const rip = this.rip();
    const total = Math.max(1, Math.min(64, Math.floor(count)));
    const wantBefore = Math.min(5, Math.floor(total / 3));

    // Instructions before RIP: decode forward from a start that lands exactly on RIP —
    // the enclosing symbol when it is near, else the farthest byte offset that synchronises.
    let before: Array<DisasmLine & { invalid: boolean }> = [];
    if (wantBefore > 0) {
      const starts: bigint[] = [];
      const hit = this.image?.symbolAt(rip);
      if (hit && hit.offset > 0n && hit.offset <= 4096n) starts.push(hit.symbol.value);
      for (let k = 48n; k >= 1n; k--) if (rip - k >= 0n) starts.push(rip - k);
      for (const [k, s] of starts.entries()) {
        let lines = this.decode(iced, s, rip, 1 << 12);
        const last = lines[lines.length - 1];
        const clean = lines.every((l) => !l.invalid);
        if (!clean || !last || BigInt('0x' + last.address) + BigInt(last.bytes.split(' ').length) !== rip) continue;
        // From the symbol start every line is certain; from an arbitrary byte the first two may not be.
        const fromSymbol = k === 0 && hit !== undefined && s === hit.symbol.value;
        if (!fromSymbol) lines = lines.slice(2);
        if (lines.length > before.length) before = lines.slice(-wantBefore);
        if (before.length >= wantBefore) break;
      }
    }
    const after = this.decode(iced, rip, null, total - before.length);
    if (after[0]) after[0].current = true;
    return [...before, ...after].map(({ invalid: _, ...line }) => line);
  }

  /** Decode from addr until `end` (exclusive; null = no end) or `max` instructions. */
  private decode(iced: IcedModule, addr: bigint, end: bigint | null, max: number): Array<DisasmLine & { invalid: boolean }> {
    const m = this.m!;
    const out: Array<DisasmLine & { invalid: boolean }> = [];
    const size = BigInt(m.mem.size);
    if (addr < 0n || addr >= size) return out;
    const span = end !== null ? end - addr : BigInt(max * 15);
    const hi = addr + span > size ? size : addr + span;
    const bytes = m.mem.u8.slice(Number(addr), Number(hi));
    const dec = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
    try {
      dec.ip = addr;
      while (dec.canDecode && out.length < max) {
        const ins = dec.decode();
        try {
          const ip = ins.ip;
          const len = ins.length;
          let text = this.formatter!.format(ins);
          const fc = ins.flowControl;
          if (fc === iced.FlowControl.UnconditionalBranch || fc === iced.FlowControl.ConditionalBranch || fc === iced.FlowControl.Call) {
            const target = ins.nearBranchTarget;
            const name = target !== 0n ? this.symbolName(target) : null;
            if (name) text += `  <${name}>`;
          }
          const off = Number(ip - addr);
          const hit = this.image?.symbolAt(ip);
          out.push({
            address: hex64(ip),
            bytes: Array.from(bytes.subarray(off, off + len), (b) => b.toString(16).padStart(2, '0')).join(' '),
            text,
            label: hit && hit.offset === 0n ? hit.symbol.name : null,
            current: false,
            invalid: ins.isInvalid,
          });
        } finally {
          ins.free();
        }
      }
    } finally {
      dec.free();
    }
    return out;
  }
}

Comlink.expose(new CoreWorker());
