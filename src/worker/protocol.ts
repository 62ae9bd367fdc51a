// The one module the UI and the machine worker share: the typed comlink API and the data it carries.
// (Two record types are the emulator's own, imported as types only: nothing of src/emu is bundled by this.)
import type { SwitchEvent } from '../emu/debug/events';
import type { DecodedField } from '../emu/svm/vmcb-decode';
import type { BenchOptions } from '../emu/bench/bench';
import type { BenchEvent, BenchReport, PageLive } from '../emu/bench/report';
export type { BenchEvent, BenchOptions, BenchReport };
// Everything crossing the boundary is structured-clone friendly: 64-bit values travel as strings
// (hex for registers and addresses, decimal for benchmark results), counters as numbers.
export interface DisasmLine {
  /** 0x-hex address. */
  address: string;
  /** Instruction bytes as space-separated hex pairs. */
  bytes: string;
  /** Intel syntax, e.g. "mov rax,[rbp-8]"; branch targets annotated with <symbol+off>. */
  text: string;
  /** Set on the first instruction of a symbol (its name), for a label line. */
  label: string | null;
  /** This is the instruction at RIP. */
  current: boolean;
}

// ============================================================================
// The machine worker (machine.worker.ts, session.ts): the whole PC with the
// HVMM and its guests, driven by the debugger engine. Everything below crosses
// the worker boundary; 64-bit values travel as 0x-hex strings.
// ============================================================================

/** A guest or hypervisor image: a file under /images, or bytes the user dropped on the page. */
export interface ImageRef {
  /** File name, e.g. "g-dummy.elf" (for dropped files: their name). */
  image: string;
  /** The multiboot command line, starting with the file name as GRUB passes it. */
  cmdline: string;
}

export interface BootRequest {
  hypervisor: ImageRef;
  guests: ImageRef[];
  /** CPU model and SVM feature switches, e.g. "zen", "k8", "zen,-NP" (models.ts). Default "zen". */
  cpu?: string;
  /** CPU clock in MHz (simulated seconds = cycles / clock). Default 2000. */
  mhz?: number;
  /** RAM in MiB. Default 128. */
  ramMiB?: number;
  /** The engine: true the block compiler (cpu.jit), false the interpreter. Default: the CPU's. */
  jit?: boolean;
}

export type BreakpointRequest =
  | { kind: 'vmexit'; exitCode?: number; asid?: number }
  | { kind: 'guest-entry'; asid?: number }
  | { kind: 'address'; at: string; world?: number | 'guest' | 'any' }
  | { kind: 'io'; port: number; last?: number; access?: 'in' | 'out' | 'any' }
  | { kind: 'write'; pa: number; length?: number };

export interface BreakpointInfo {
  id: number;
  kind: BreakpointRequest['kind'];
  label: string;
  enabled: boolean;
  hits: number;
}

export interface StopInfo {
  /** breakpoint | step | switch | count | time | machine (the machine stopped by itself) | paused */
  reason: string;
  /** One line for the user, e.g. "breakpoint 2 (vmexit INTR): #VMEXIT INTR asid 1 at host 0x...". */
  message: string;
  /** For reason = machine: shutdown, debug-exit, halted, internal. */
  machine: string;
  breakpointIds: number[];
}

export interface ScreenInfo {
  /** 0: the real screen; otherwise the guest's ASID. */
  asid: number;
  name: string;
  /** 25 rows of 80 cells: character code | attribute << 8 (CP437 + VGA colours). A typed array: five of them go to the page with every snapshot, and cloning 2,000 JS numbers costs ~3x more. */
  cells: Uint16Array;
}

export interface VmInfo {
  asid: number;
  name: string;
  vmcb: string;
  runs: number;
  exits: number;
  exitCounts: Record<string, number>;
  np: boolean;
}

/** One world switch of the debugger's log (src/emu/debug/events.ts), as it crosses the boundary. */
export type SwitchEventInfo = SwitchEvent;

export interface MachineSnapshot {
  booted: boolean;
  running: boolean;
  /** Why the machine last stopped (null while running or before the first run). */
  stop: StopInfo | null;
  /** 0 in the hypervisor, else the running guest's ASID; and its name ("host", "dummy", ...). */
  world: number;
  worldName: string;
  cpl: number;
  mode: string;
  gif: boolean;
  rip: string;
  ripSymbol: string | null;
  registers: Record<string, string>;
  flagsText: string;
  clocks: {
    hostSeconds: number;
    simSeconds: number;
    instructions: number;
    cycles: number;
    mips: number;
    worldSwitches: number;
    mhz: number;
  };
  cpuModel: string;
  screens: ScreenInfo[];
  /** Serial output from `serialFrom` (the offset asked for) on, and the total length. */
  serial: { from: number; text: string; length: number };
  /** World-switch events with seq >= the seq asked for (at most 500). */
  events: SwitchEventInfo[];
  vms: VmInfo[];
}

/** A VMCB field decoded (src/emu/svm/vmcb-decode.ts), plus whether it changed since the VM's previous world switch. */
export type DecodedVmcbField = DecodedField & { changed: boolean };

export type MemorySpace = 'physical' | 'host-virtual' | 'guest-virtual' | 'guest-physical';

export interface WalkStepInfo {
  /** "guest PML4", "nested PT for guest PDPT", ... */
  level: string;
  /** Address of the entry: guest-physical for guest tables, host-physical for nested ones. */
  entryAddress: string;
  entry: string;
  /** The next table / page it points to. */
  next: string;
}

export interface PageWalkInfo {
  va: string;
  asid: number;
  steps: WalkStepInfo[];
  /** Guest-physical (for guests) and host-physical results, or null when not mapped. */
  gpa: string | null;
  hpa: string | null;
}

export interface ExperimentPoint {
  mhz: number;
  samples: number;
  hostSeconds: number;
  simSeconds: number;
  cycles: number;
  mips: number;
  /** Host µs the worker idled before each slice (the experiment's idle setting; 0: none). */
  idleUs: number;
}

/** The benchmark (src/emu/bench) in the worker: the CLI's options, plus the page-live comparison. */
export type BenchRequest = BenchOptions;

export interface MachineWorkerApi {
  /** Boot the hypervisor and guests (images fetched from /images unless given as bytes). A bad image throws and leaves the running machine untouched. */
  boot(req: BootRequest, bytes?: Record<string, Uint8Array>): Promise<MachineSnapshot>;
  /** The RAM the page can read without copies (a SharedArrayBuffer when cross-origin isolated). */
  memory(): Promise<ArrayBufferLike | null>;
  /** Run until a breakpoint, a stop, or pause(); onSnapshot gets ≥30 snapshots a second. */
  run(onSnapshot?: (s: MachineSnapshot) => void, serialFrom?: number, eventsFrom?: number): Promise<MachineSnapshot>;
  pause(): Promise<void>;
  step(kind: 'into' | 'over' | 'out' | 'switch' | 'count', n?: number): Promise<MachineSnapshot>;
  snapshot(serialFrom?: number, eventsFrom?: number): Promise<MachineSnapshot>;
  addBreakpoint(req: BreakpointRequest): Promise<BreakpointInfo>;
  removeBreakpoint(id: number): Promise<boolean>;
  enableBreakpoint(id: number, on: boolean): Promise<boolean>;
  breakpoints(): Promise<BreakpointInfo[]>;
  readMemory(space: MemorySpace, address: string, length: number, asid?: number): Promise<Uint8Array | null>;
  vmcb(asid: number): Promise<DecodedVmcbField[] | null>;
  pageWalk(asid: number, va: string): Promise<PageWalkInfo>;
  disassemble(count: number): Promise<DisasmLine[]>;
  /** The switch-lag experiment; idleUs: host µs to idle before each slice, outside the measured window. */
  experiment(mhz?: number[], switches?: number, idleUs?: number): Promise<ExperimentPoint[]>;
  /** Pause the lab's machine and run the benchmark here; the same report as `pacifica bench --json`. */
  bench(req: BenchRequest, onProgress?: (e: BenchEvent) => void): Promise<BenchReport>;
  /**
   * One page-live round: the lab's machine has just run from its boot with the page's panels live
   * (the page booted it again for that); replay the same setup headless `runs` times and compare.
   * wallSeconds: the live run's wall time, as the page saw it. The result has this round only.
   */
  pageLive(wallSeconds: number, runs: number): Promise<PageLive>;
}

// ---------------------------------------------------------------- lessons (lessons/*.json)

export interface LessonStepInfo {
  title: string;
  /** Markdown. */
  text: string;
  panels: string[];
  highlight?: { vmcb?: string[]; registers?: string[] };
  question?: { prompt: string; hint?: string };
}

export interface LessonInfo {
  id: string;
  title: string;
  refs: string[];
  steps: LessonStepInfo[];
}

export interface LessonStepResult {
  snapshot: MachineSnapshot;
  /** The lesson's setup, as the page shows it. */
  setup: BootRequest;
  /** Expectations of this step that do not hold (empty: the machine is where the lesson says). */
  mismatches: string[];
  /** The breakpoints the lesson has set by this step, with what they were made from. */
  breakpoints: Array<{ req: BreakpointRequest; info: BreakpointInfo }>;
}

export interface LessonWorkerApi {
  /** Every lesson that loads, and one message per lesson file that does not. */
  lessons(): Promise<{ lessons: LessonInfo[]; errors: string[] }>;
  /** Put the machine at step `n` of a lesson (replaying it from its start when going back). */
  lessonGoTo(id: string, n: number): Promise<LessonStepResult>;
  /** Check an answer to step `n`'s question against the machine. */
  lessonCheck(id: string, n: number, answer: string): Promise<{ correct: boolean; truth: string }>;
}
