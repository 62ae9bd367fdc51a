// A probe of the host, not of Pacifica: how much slower does code run after the host has been
// idle for a while? The switch lag is a run of code executed once per switch: ~190 hypervisor
// instructions through as many interpreter handlers, plus the world switch's own functions. On a
// shared machine (a cloud VM whose core's caches serve other tenants while this one waits) that
// code leaves the caches between two switches, and the lag is bounded by how fast it comes back,
// whatever the emulator does. The probe measures the same effect on plain JavaScript that has
// nothing to do with the emulator: many distinct small functions called once each (code: the
// instruction cache), and scattered reads of an array (data), back to back and after an idle wait.
import { idleHost } from './switch-lag';
import { median } from '../bench/stats';
import { Rng } from '../cpu/oracle/rng';

export interface HostProbe {
  /** The idle wait before each cold round, host µs. */
  idleUs: number;
  /** Distinct functions called per round (each its own machine code). */
  functions: number;
  /** Median µs to call them all: right after the previous round, and after the idle wait. */
  codeWarmUs: number;
  codeColdUs: number;
  /** Scattered reads per round (one per 64-byte line of a 1 MiB array). */
  reads: number;
  readsWarmUs: number;
  readsColdUs: number;
  rounds: number;
}

export interface HostProbeOptions {
  idleUs?: number;
  functions?: number;
  rounds?: number;
}

/** Distinct functions with different constants, so V8 compiles each to its own code. */
function makeFunctions(n: number): Array<(a: number) => number> {
  const fns: Array<(a: number) => number> = [];
  for (let k = 0; k < n; k++) {
    let body = 'let x = a | 0;\n';
    for (let j = 0; j < 12; j++) body += `x = (x * ${1103515245 + k * 7 + j} + ${12345 + k + j}) | 0; if (x === ${k * 31 + j}) x ^= ${j + 1};\n`;
    fns.push(new Function('a', body + 'return x;') as (a: number) => number);
  }
  return fns;
}

/** Run the probe: `rounds` warm and `rounds` cold rounds of each kind (default 100, 300 functions, 5 ms idle). */
export function probeHostCaches(o: HostProbeOptions = {}): HostProbe {
  const idleUs = o.idleUs ?? 5000, n = o.functions ?? 300, rounds = o.rounds ?? 100;
  const fns = makeFunctions(n);
  const data = new Int32Array(1 << 18);
  const idx = new Int32Array(n);
  const rng = new Rng(12345);
  for (let k = 0; k < n; k++) idx[k] = rng.int(data.length >> 4) << 4; // a line apart at least
  let sink = 0;
  const callAll = (): number => { let s = 0; for (let k = 0; k < n; k++) s += fns[k]!(k); return s; };
  const readAll = (): number => { let s = 0; for (let k = 0; k < n; k++) s += data[idx[k]!]!; return s; };
  for (let w = 0; w < 20000; w++) sink += callAll() + readAll(); // every function optimized first
  const time = (f: () => number): number => { const t = performance.now(); sink += f(); return (performance.now() - t) * 1000; };
  const codeWarm: number[] = [], codeCold: number[] = [], readsWarm: number[] = [], readsCold: number[] = [];
  for (let r = 0; r < rounds; r++) {
    sink += callAll(); codeWarm.push(time(callAll));
    idleHost(idleUs); codeCold.push(time(callAll));
    sink += readAll(); readsWarm.push(time(readAll));
    idleHost(idleUs); readsCold.push(time(readAll));
  }
  if (sink === 0.5) throw new Error('unreachable'); // keeps the work observable
  return {
    idleUs, functions: n, reads: n, rounds,
    codeWarmUs: median(codeWarm), codeColdUs: median(codeCold),
    readsWarmUs: median(readsWarm), readsColdUs: median(readsCold),
  };
}
