// The page-live comparison (see PageLive in src/emu/bench/report.ts): the lab's
// session has just run its setup from boot with the page's panels live; take
// the speed the worker measured over that run, then replay the same setup for
// the same number of instructions on a bare Machine (benchWindow) with the same
// engine and the same kind of RAM buffer, and compare.
import { benchWindow } from '../emu/bench/window-bench';
import { engineOf } from '../emu/bench/engines';
import { median } from '../emu/bench/stats';
import type { PageLive } from '../emu/bench/report';
import type { LabSession } from './session';

/**
 * `wallSeconds`: the live run's wall time, as the page measured it (boot to its
 * stop). The replay runs `runs` times (the median counts), the live run once.
 */
export function measurePageLive(session: LabSession, wallSeconds: number, runs: number): PageLive {
  const rec = session.bootRecord;
  const m = session.machine;
  if (!rec || !m) throw new Error('page live: nothing is booted');
  const c = session.snapshot(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER).clocks;
  if (!(c.hostSeconds > 0 && c.instructions > 0)) throw new Error('page live: the lab has not run since its boot');
  const jit = m.cpu.jit;
  const replays = Array.from({ length: Math.max(1, runs) }, () => benchWindow({
    hypervisor: rec.hypervisor, guests: rec.guests, jit, instructions: c.instructions,
    machine: { ...rec.options, ramBuffer: session.ramBuffer(rec.options.ramMiB) },
  }));
  const seconds = median(replays.map((r) => r.seconds));
  const h = { ...replays[0]!, seconds, mips: replays[0]!.instructions / seconds / 1e6 };
  const mips = c.instructions / c.hostSeconds / 1e6;
  const guests = rec.req.guests.map((g) => g.image.replace(/\.elf$/, '')).join(', ');
  return {
    setup: `${rec.req.hypervisor.cmdline} with ${guests}; ${rec.options.cpuModel.name} @ ${rec.options.cpuHz / 1e6} MHz`,
    engine: engineOf(jit),
    wallSeconds,
    hostSeconds: c.hostSeconds,
    instructions: c.instructions,
    cycles: c.cycles,
    mips,
    wallMips: wallSeconds > 0 ? c.instructions / wallSeconds / 1e6 : 0,
    headlessMips: h.mips,
    headlessInstructions: h.instructions,
    headlessCycles: h.cycles,
    headlessSeconds: h.seconds,
    ratio: mips / h.mips,
    rounds: [{ mips, headlessMips: h.mips, ratio: mips / h.mips }],
  };
}
