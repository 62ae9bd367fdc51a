// The benchmark in the page (zustand, beside the lab's store): runs src/emu/bench
// in the machine worker with the lab paused, and optionally first measures the
// lab's own speed with every panel live (PageLive). The report also lands on
// window.__pacificaBench (failures on window.__pacificaBenchError) for
// automation: `?bench=1` (lib/bench-url.ts) runs it once the lab has booted.
import { create } from 'zustand';
import type { BenchEvent, BenchReport } from '../worker/protocol';
import { machine, proxy } from './lib/machineClient';
import { queryToBench, type PageBenchOptions } from './lib/bench-url';
import type { PageLive } from '../emu/bench/report';
import { combinePageLive } from '../emu/bench/page-live-rounds';
import { errorText } from './lib/format';
import { useLab } from './labStore';

declare global {
  interface Window {
    __pacificaBench?: BenchReport;
    __pacificaBenchError?: string;
    /** What the benchmark is doing now (for automation that shows progress). */
    __pacificaBenchProgress?: string;
  }
}

/** The live run is preceded by one warm-up run of the same setup (V8 compiles the emulator's hot code): at most this long, and no longer than the live run. */
const WARMUP_SECONDS = 5;

export interface BenchState {
  running: boolean;
  /** What runs now, e.g. "sieve (interpreter)". */
  phase: string;
  done: number;
  total: number;
  report: BenchReport | null;
  error: string | null;
  /** Wall seconds the last benchmark took. */
  seconds: number;
  run(o: PageBenchOptions): Promise<BenchReport | null>;
  /** Run it if the URL says bench=1 (once). */
  fromUrl(search: string): Promise<void>;
}

let urlHandled = false;

/** Until the lab's run ends by itself, or `seconds` have passed (then pause it). */
function runFor(seconds: number): Promise<void> {
  if (!useLab.getState().running) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => void useLab.getState().pause(), seconds * 1000);
    const unsubscribe = useLab.subscribe((s) => {
      if (s.running) return;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    });
  });
}

export const useBench = create<BenchState>()((set, get) => {
  const phase = (text: string) => {
    window.__pacificaBenchProgress = text;
    set({ phase: text });
  };

  /**
   * The lab's setup once to warm up, then `rounds` times: again from boot with every panel
   * live, and the worker replays that run headless right after it (page-live-rounds.ts).
   */
  async function pageLive(seconds: number, rounds: number): Promise<PageLive> {
    const bootAgain = async () => {
      const lab = useLab.getState();
      if (!(await lab.boot(lab.setup))) throw new Error(`page live: the lab did not boot again (${useLab.getState().error})`);
    };
    phase('page live: warm-up run of the lab');
    if (!useLab.getState().running) await bootAgain(); // the lab's current run is the warm-up, else a new one
    await runFor(Math.min(WARMUP_SECONDS, seconds));
    const each: PageLive[] = [];
    for (let k = 1; k <= rounds; k++) {
      phase(`page live, round ${k} of ${rounds}: the lab runs from boot with every panel live`);
      await bootAgain();
      const t0 = performance.now();
      await runFor(seconds);
      const wallSeconds = (performance.now() - t0) / 1000;
      phase(`page live, round ${k} of ${rounds}: the same run headless`);
      useLab.setState({ busy: 'bench' });
      try {
        each.push(await machine().pageLive(wallSeconds, 1));
      } finally {
        useLab.setState({ busy: null });
      }
    }
    return combinePageLive(each);
  }

  return {
    running: false, phase: '', done: 0, total: 0, report: null, error: null, seconds: 0,

    async run(o) {
      if (get().running || !useLab.getState().booted || useLab.getState().busy) return null;
      const t0 = performance.now();
      set({ running: true, error: null, done: 0, total: 0 });
      window.__pacificaBenchError = undefined;
      let report: BenchReport | null = null;
      try {
        const live = o.live ? await pageLive(o.liveSeconds, Math.max(1, o.liveRounds)) : undefined;
        const wasRunning = useLab.getState().running;
        useLab.setState({ busy: 'bench' });
        phase('starting');
        const { live: _l, liveSeconds: _s, liveRounds: _r, ...opts } = o;
        try {
          const r = await machine().bench(opts, proxy((e: BenchEvent) => {
            if (e.kind === 'start') phase(e.label);
            set({ done: e.done, total: e.total });
          }));
          report = live ? { ...r, pageLive: live } : r;
        } finally {
          useLab.setState({ busy: null });
          if (wasRunning) void useLab.getState().run();
        }
        window.__pacificaBench = report;
        set({ report, running: false, phase: '', seconds: (performance.now() - t0) / 1000 });
      } catch (e) {
        const msg = errorText(e);
        window.__pacificaBenchError = msg;
        set({ error: msg, running: false, phase: '' });
      }
      return report;
    },

    async fromUrl(search) {
      if (urlHandled) return;
      urlHandled = true;
      const { auto, options } = queryToBench(search);
      if (auto) await get().run(options);
    },
  };
});
