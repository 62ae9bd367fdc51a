// `pacifica bench --browser`: the same benchmark in Chromium. Builds the page
// (unless dist/ is newer than its sources), serves it with `vite preview`
// (COOP/COEP headers: vite.config.ts), opens `/?bench=1&live=1...` in Debian's
// Chromium with the e2e tests' flags (chromium.ts), waits for the page's report
// (window.__pacificaBench) and prints it as `pacifica bench` does. The page
// first measures the lab running with every panel live (PageLive; --no-live skips
// it; --live-engine interp|jit sets the lab's engine, default the CPU's; --live-rounds N
// live runs, each replayed headless right after it, default 3: the median round counts).
// With both engines (the default) each engine gets a page of its own, booted with that
// engine (engine=interp|jit): the lab chooses its engine at boot, and an interpreter measured
// in a worker where compiled blocks had run was slower (V8's type feedback for the CPU loop
// then includes the block dispatch: README, the twelfth round), which Node's interpreter
// column, measured first in its process, never paid.
import { endlessGuests } from '../emu/machine/default-setup.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchOptions } from './bench.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.ts';
import { ENGINES, type Engine } from '../emu/bench/engines.ts';
import { formatBenchTable } from '../emu/bench/format.ts';
import { benchToQuery } from '../ui/lib/bench-url.ts';
import type { BenchReport } from '../emu/bench/report.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VITE = join(ROOT, 'node_modules/.bin/vite');
/** The whole benchmark, both engines, three runs, takes minutes in the browser too. */
const TIMEOUT_MS = 30 * 60_000;

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** dist/ was built after every input of the page changed. */
function distFresh(): boolean {
  const built = join(ROOT, 'dist/index.html');
  if (!existsSync(built)) return false;
  const inputs = ['src', 'public', 'lessons', 'index.html', 'vite.config.ts', 'package.json'].map((p) => join(ROOT, p)).filter(existsSync);
  return statSync(built).mtimeMs >= Math.max(...inputs.map(newest));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, server: ChildProcess, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`vite preview did not answer at ${url} within ${ms / 1000} s`);
}

const say = (s: string) => process.stderr.write(`pacifica bench --browser: ${s}\n`);

/** The lab's engine= for an engine. */
const engineFlag = (e: Engine): string => (e === 'interpreter' ? 'interp' : 'jit');

/** One report from the pages' reports, in their order (the first's top-level fields, as one page gives). */
export function mergeReports(reports: BenchReport[]): BenchReport {
  const engines = reports.flatMap((r) => r.engines);
  const pageLive = reports.find((r) => r.pageLive)?.pageLive;
  const first = engines[0]!;
  return {
    ...reports[reports.length - 1]!,
    engine: first.engine, medianMips: first.medianMips, workloads: first.workloads, system: first.system,
    engines,
    ...(pageLive ? { pageLive } : {}),
  };
}

export async function benchBrowserCommand(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const k = args.indexOf('--live-seconds');
  const liveSeconds = k >= 0 ? Number(args[k + 1]) : undefined;
  const lr = args.indexOf('--live-rounds');
  const liveRounds = lr >= 0 ? Number(args[lr + 1]) : undefined;
  const e = args.indexOf('--live-engine');
  const liveEngine = e >= 0 ? args[e + 1] : undefined;
  // One page per engine (each its own query), or one page for one engine.
  const queries: string[] = [];
  try {
    const o = benchOptions(args);
    if (liveSeconds !== undefined && !(liveSeconds > 0)) throw new Error('--live-seconds needs a positive number');
    if (liveRounds !== undefined && !(Number.isInteger(liveRounds) && liveRounds > 0)) throw new Error('--live-rounds needs a positive whole number');
    if (liveEngine !== undefined && liveEngine !== 'interp' && liveEngine !== 'jit') throw new Error('--live-engine is interp or jit');
    // Both engines unless one was chosen: the page's table has a column for each.
    const engines = o.engines ?? [...ENGINES];
    const live = !args.includes('--no-live');
    // The page-live run's engine: the one asked for, else the CPU's default (the block compiler).
    const liveOn: Engine = liveEngine === 'interp' ? 'interpreter' : 'block compiler';
    let setup = '';
    // The lab's setup for the live run. 'steady' (the default): the default guests, the dummy
    // printing without end, so the lab runs (and the panels redraw) for the whole window instead
    // of the ~2 s in which the default guests finish (boot and first renders would dominate).
    const ls = args.indexOf('--live-setup');
    const liveSetup = ls >= 0 ? args[ls + 1] : 'steady';
    if (liveSetup !== 'default' && liveSetup !== 'steady') throw new Error('--live-setup is default or steady');
    if (liveSetup === 'steady') {
      setup = endlessGuests().map((g) => `&g=${encodeURIComponent(g.cmdline)}`).join('');
    }
    if (engines.length === 1) {
      // The lab's own engine (its setup's engine=), which the page-live run uses.
      queries.push(benchToQuery({ ...o, engines, live, liveSeconds, liveRounds }) + (liveEngine ? `&engine=${liveEngine}` : '') + setup);
    } else {
      for (const x of engines) {
        queries.push(benchToQuery({ ...o, engines: [x], live: live && x === liveOn, liveSeconds, liveRounds }) + `&engine=${engineFlag(x)}` + setup);
      }
    }
  } catch (e) {
    say((e as Error).message);
    return 2;
  }

  if (args.includes('--build') || !distFresh()) {
    say('building the page (vite build)…');
    const b = spawnSync(VITE, ['build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (b.status !== 0) {
      say(`vite build failed (exit ${b.status})`);
      return 1;
    }
  }
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(VITE, ['preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const reports: BenchReport[] = [];
  try {
    await waitForServer(`${base}/`, server, 30_000);
    const { chromium } = await import('@playwright/test');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
    try {
      for (const query of queries) reports.push(await runPage(browser, base, query));
    } finally {
      await browser.close();
    }
  } catch (e) {
    say((e as Error).message);
    return 1;
  } finally {
    server.kill();
  }
  if (reports.length !== queries.length) return 1;
  const report = mergeReports(reports);
  process.stdout.write(json ? JSON.stringify(report) + '\n' : formatBenchTable(report));
  return report.engines.every((e) => e.workloads.every((w) => w.resultOk)) ? 0 : 1;
}

/** Open the page with this query in a new page (a new worker) and wait for its report. */
async function runPage(browser: import('@playwright/test').Browser, base: string, query: string): Promise<BenchReport> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') errors.push(`[worker] ${m.text()}`); }));
  say(`${base}/${query} in ${CHROMIUM}`);
  await page.goto(`${base}/${query}`);
  if (!(await page.evaluate(() => window.crossOriginIsolated))) throw new Error('the page is not cross-origin isolated (COOP/COEP headers missing)');
  const t0 = Date.now();
  let last = '';
  for (;;) {
    const s = await page.evaluate(() => ({ report: window.__pacificaBench ?? null, error: window.__pacificaBenchError ?? null, progress: window.__pacificaBenchProgress ?? '' }));
    if (s.error) throw new Error(`the page's benchmark failed: ${s.error}`);
    if (s.report) { await page.close(); return s.report; }
    if (errors.length) throw new Error(`the page reported errors: ${errors.join('; ')}`);
    if (Date.now() - t0 > TIMEOUT_MS) throw new Error(`no report after ${TIMEOUT_MS / 60_000} minutes (at: ${s.progress})`);
    if (s.progress && s.progress !== last) say(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${(last = s.progress)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
