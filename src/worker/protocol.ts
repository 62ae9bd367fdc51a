// The one module the UI and the core worker share: the typed comlink API and the data it carries.
// Everything crossing the boundary is structured-clone friendly: 64-bit values travel as strings
// (hex for registers and addresses, decimal for benchmark results), counters as numbers.
import { WORKLOADS as BENCH_WORKLOADS } from '../emu/machine/workloads';

export interface WorkloadInfo {
  /** File name under /images without `.elf`, e.g. "bench-sort". */
  name: string;
  /** One-line description for the workload select. */
  title: string;
  /** bench_result from native execution of the same C (decimal). */
  expected: string;
}

/** The flat 64-bit benchmark images (public/images) and their native results, from the one table in src/emu. */
export const WORKLOADS: readonly WorkloadInfo[] = BENCH_WORKLOADS.map((w) => ({
  name: w.image.replace(/\.elf$/, ''),
  title: w.title,
  expected: w.expected.toString(),
}));

/**
 * Why the core is not executing right now.
 * - none: loaded, nothing run yet; running: a run() is in progress; paused: pause() ended a run;
 * - step: step() ran its instructions; limit: run() used up maxInstructions;
 * - halt / exception / internal: the machine stopped by itself (terminal until reload).
 */
export type StopReason = 'none' | 'running' | 'paused' | 'step' | 'limit' | 'halt' | 'exception' | 'internal';

export const TERMINAL_STOPS: readonly StopReason[] = ['halt', 'exception', 'internal'];

export interface CoreSnapshot {
  /** Loaded workload name, or null before the first load(). */
  workload: string | null;
  /** General-purpose registers by name (rax … r15), 16 hex digits, no prefix. */
  registers: Record<string, string>;
  /** 16 hex digits. */
  rip: string;
  /** `name+0xoff` of RIP from the ELF symbols, when there is one. */
  ripSymbol: string | null;
  /** 8 hex digits. */
  rflags: string;
  /** Set flags, e.g. "ZF PF IF". */
  flagsText: string;
  /** Retired instructions since load. */
  instructions: number;
  /** Simulated cycles since load. */
  cycles: number;
  /** Host seconds spent emulating since load (wall time inside the interpreter). */
  hostSeconds: number;
  /** Emulation speed: instructions / host seconds of the current (or last) run, in millions. */
  mips: number;
  stop: StopReason;
  /** Exception or internal error text when stop is exception / internal. */
  fault: string | null;
  /** The 64-bit value at ELF symbol bench_result (decimal), null if the image has none. */
  result: string | null;
  /** Native result for this workload (decimal), null if unknown. */
  expected: string | null;
}

export interface DisasmLine {
  /** 16 hex digits. */
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

export interface CoreInfo {
  /** FlatMachine constructed fine in the worker. */
  built: boolean;
  /** Exports of src/emu/machine/flat64.ts seen by the worker. */
  exports: string[];
  /** RAM of the flat machine, bytes. */
  ramBytes: number;
}

export type ProgressCallback = (snapshot: CoreSnapshot) => void;

/** The API the core worker exposes with Comlink.expose (all methods are async over comlink). */
export interface CoreWorkerApi {
  coreInfo(): Promise<CoreInfo>;
  listWorkloads(): Promise<WorkloadInfo[]>;
  /** Fetch /images/<name>.elf, reset the machine, load it. */
  load(name: string): Promise<CoreSnapshot>;
  /**
   * Emulate up to maxInstructions, in slices of sliceInstructions, yielding to the worker's
   * event loop between slices (so pause() lands within one slice). onProgress (pass it through
   * Comlink.proxy) receives a snapshot at most ~30 times a second, and once at the end.
   */
  run(maxInstructions: number, sliceInstructions: number, onProgress?: ProgressCallback): Promise<CoreSnapshot>;
  /** Ask a running run() to stop after its current slice. */
  pause(): Promise<void>;
  /** Execute exactly n instructions (fewer if the machine stops by itself). */
  step(n: number): Promise<CoreSnapshot>;
  snapshot(): Promise<CoreSnapshot>;
  /** About `count` instructions around RIP (a few before it, the rest from RIP on). */
  disassemble(count: number): Promise<DisasmLine[]>;
}
