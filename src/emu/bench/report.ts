// What a bench run reports, the same record from `pacifica bench --json`, from
// the page's worker (window.__pacificaBench) and from `pacifica bench --browser`:
// plain data (structured-clone and JSON friendly), no BigInt.
import type { Engine } from './engines';
import type { BenchWorkload } from './workloads-bench';
import type { SystemBench } from './system-bench';

export type { Engine, BenchWorkload, SystemBench };

/** One engine's figures. */
export interface EngineReport {
  engine: Engine;
  /** Median of the workloads' MIPS (NaN, null in JSON, when no workload ran). */
  medianMips: number;
  workloads: BenchWorkload[];
  /** The full-system row (null when not run). */
  system: SystemBench | null;
}

/**
 * The lab's own speed with every panel live against the same work headless.
 * The live run is the lab's setup booted again (after a first run warmed the
 * worker up) and left to run with the page rendering its snapshots; the
 * headless run replays that setup from power-on for the same number of
 * instructions on a bare Machine in the same worker, with the same engine.
 */
export interface PageLive {
  /** The setup both ran: hypervisor and guest command lines, CPU model, clock. */
  setup: string;
  engine: Engine;
  /** Wall seconds of the live run (boot to the machine's own stop, or to the end of the window). */
  wallSeconds: number;
  /** The worker's host seconds for it: time spent inside run slices (the Clocks panel's "host seconds"). */
  hostSeconds: number;
  instructions: number;
  cycles: number;
  /** instructions / host seconds: the speed the worker measured while running (the Clocks panel's MIPS). */
  mips: number;
  /** instructions / wall seconds: also pays for snapshots, the page's detail requests and yielding between slices. */
  wallMips: number;
  /** The headless replay (median of the bench's runs): MIPS, instructions (the live run's, unless the machine stopped by itself sooner) and seconds. */
  headlessMips: number;
  headlessInstructions: number;
  /** Equal to cycles when the replay ran the lab's very instruction stream. */
  headlessCycles: number;
  headlessSeconds: number;
  /** mips / headlessMips (1: the live page costs nothing). */
  ratio: number;
  /**
   * Every round, in order: a live run from boot, then its headless replay right after. The
   * fields above are the round with the median ratio: the host's speed drifts by minutes, so
   * each live run is compared with a replay next to it in time.
   */
  rounds: PageLiveRound[];
}

export interface PageLiveRound {
  mips: number;
  headlessMips: number;
  ratio: number;
}

export interface BenchReport {
  /** engines[0]'s figures at the top level: the shape of a one-engine run, as `pacifica bench --json` always printed. */
  engine: Engine;
  /** "node v20.20.2", "Chrome/140.0.7339.80", ... */
  host: string;
  medianMips: number;
  workloads: BenchWorkload[];
  system: SystemBench | null;
  /** Runs per figure (each figure is the median). */
  runs: number;
  /** Every engine measured, in the order they ran. */
  engines: EngineReport[];
  /** Only from the page, with live=1. */
  pageLive?: PageLive;
  /** ISO time the run finished. */
  date: string;
}

/** Progress: a step is about to run, or has run (with its result). */
export type BenchEvent =
  | { kind: 'start'; label: string; done: number; total: number }
  | { kind: 'workload'; engine: Engine; result: BenchWorkload; done: number; total: number }
  | { kind: 'system'; engine: Engine; result: SystemBench; done: number; total: number };
