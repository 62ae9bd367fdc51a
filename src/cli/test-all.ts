// `npm test` / `pacifica test`: everything CI runs, with one summary line at the very end.
//
//   1. system packages (apt) the suites need: chromium, gcc, qemu, ...
//   2. typecheck (tsc --noEmit)                      -> counts as 1 test
//   3. unit tests (vitest, JSON report); then the CPU's suites again in the browser's int32 layout
//   4. end-to-end tests (Playwright in Debian's chromium, JSON report)
//
// Options: --cases N sets the native-oracle case count (PACIFICA_CASES);
//          --quick / --no-e2e (or PACIFICA_QUICK=1) skip Playwright;
//          --no-system-deps (or PACIFICA_NO_SYSTEM_DEPS=1) skip the apt check.
// The last line printed is exactly `N passed, N failed, N skipped`; the exit code is non-zero
// if anything failed or a suite crashed (a crashed suite without a report counts as 1 failure).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** System packages the test suites need. `bin` is a command on PATH or an absolute path. */
export interface SystemPackage {
  apt: string;
  bin: string;
  why: string;
}

export const SYSTEM_PACKAGES: SystemPackage[] = [
  { apt: 'chromium', bin: '/usr/bin/chromium', why: 'Playwright end-to-end tests' },
  { apt: 'gcc', bin: 'gcc', why: 'guest images, native oracle snippets' },
  { apt: 'make', bin: 'make', why: 'guests/Makefile' },
  { apt: 'qemu-system-x86', bin: 'qemu-system-x86_64', why: 'QEMU TCG+SVM oracle' },
];

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface SuiteResult extends Counts {
  name: string;
  seconds: number;
  note?: string;
}

const zero = (): Counts => ({ passed: 0, failed: 0, skipped: 0 });

function log(msg: string): void {
  process.stdout.write(`\n[pacifica test] ${msg}\n`);
}

function hasBinary(bin: string): boolean {
  if (bin.includes('/')) return existsSync(bin);
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, bin)));
}

/** Returns an error message, or null when every system package is present (or was installed). */
export function ensureSystemPackages(pkgs: SystemPackage[] = SYSTEM_PACKAGES): string | null {
  const missing = pkgs.filter((p) => !hasBinary(p.bin));
  if (missing.length === 0) {
    log(`system packages present: ${pkgs.map((p) => p.apt).join(', ')}`);
    return null;
  }
  const names = [...new Set(missing.map((p) => p.apt))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    return (
      `missing system packages: ${names.join(' ')}\n` +
      `install them with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`
    );
  }
  log(`installing system packages: ${names.join(' ')}`);
  const opts = {
    stdio: ['ignore', 'inherit', 'inherit'] as ('ignore' | 'inherit')[],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  };
  const update = spawnSync('apt-get', ['update'], opts);
  if (update.status !== 0) return `apt-get update failed (exit ${update.status ?? update.signal})`;
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...names], opts);
  if (install.status !== 0) {
    return `apt-get install ${names.join(' ')} failed (exit ${install.status ?? install.signal})`;
  }
  const still = missing.filter((p) => !hasBinary(p.bin));
  if (still.length > 0) return `still missing after install: ${still.map((p) => `${p.apt} (${p.bin})`).join(', ')}`;
  return null;
}

/** Runs a local node_modules/.bin tool, streaming its output. Resolves to the exit code. */
function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const bin = join(ROOT, 'node_modules', '.bin', tool);
  const cmd = existsSync(bin) ? bin : 'npx';
  const fullArgs = existsSync(bin) ? args : ['--no', '--', tool, ...args];
  process.stdout.write(`$ ${tool} ${args.join(' ')}\n`);
  return new Promise((res) => {
    const child = spawn(cmd, fullArgs, {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.on('error', (err) => {
      console.error(`[pacifica test] could not start ${tool}: ${err.message}`);
      res(127);
    });
    child.on('exit', (code, signal) => res(code ?? (signal ? 128 : 1)));
  });
}

function readJson(path: string): any | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

async function typecheck(): Promise<Counts & { note?: string }> {
  const code = await runTool('tsc', ['--noEmit', '-p', 'tsconfig.json']);
  return code === 0 ? { passed: 1, failed: 0, skipped: 0 } : { passed: 0, failed: 1, skipped: 0, note: `tsc exit ${code}` };
}

/**
 * The suites that run a second time with the CPU's int32 state in the browser's layout
 * (src/emu/cpu/int32-state.ts: an Int32Array behind accessors; Node's own is plain fields), so
 * the layout Chromium runs is checked against the native oracle and in lockstep too.
 */
const ARRAY_LAYOUT_FILES = [
  'src/emu/cpu/int32-state.test.ts',
  'src/emu/cpu/oracle/differential.test.ts',
  'src/emu/cpu/jit/oracle.test.ts',
  'src/emu/cpu/jit/lockstep.test.ts',
  'src/emu/cpu/kept-translations.test.ts',
  'src/emu/cpu/jit/page-memo.test.ts',
];

async function vitest(tmp: string, report = 'vitest.json', only: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Counts & { note?: string }> {
  const out = join(tmp, report);
  const code = await runTool('vitest', ['run', '--reporter=default', '--reporter=json', `--outputFile=${out}`, ...only], env);
  const j = readJson(out);
  if (!j) return { ...zero(), failed: 1, note: `no JSON report (vitest exit ${code})` };
  const c: Counts = {
    passed: j.numPassedTests ?? 0,
    failed: j.numFailedTests ?? 0,
    skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
  };
  // A test file that fails to load has no test results: count each such file as one failure.
  const files: any[] = Array.isArray(j.testResults) ? j.testResults : [];
  c.failed += files.filter((f) => f.status === 'failed' && !(f.assertionResults?.length > 0)).length;
  // An unhandled error fails the run without failing a test.
  if (code !== 0 && c.failed === 0) {
    return { ...c, failed: Math.max(1, j.numFailedTestSuites ?? 0), note: `vitest exit ${code} with no failed test` };
  }
  return c;
}

async function playwright(tmp: string): Promise<Counts & { note?: string }> {
  const out = join(tmp, 'playwright.json');
  const code = await runTool(
    'playwright',
    ['test', '--config', 'e2e/playwright.config.ts', '--reporter=list,json'],
    { PLAYWRIGHT_JSON_OUTPUT_NAME: out },
  );
  const j = readJson(out);
  if (!j?.stats) return { ...zero(), failed: 1, note: `no JSON report (playwright exit ${code})` };
  const s = j.stats;
  const c: Counts = {
    passed: (s.expected ?? 0) + (s.flaky ?? 0),
    failed: s.unexpected ?? 0,
    skipped: s.skipped ?? 0,
  };
  const errors = Array.isArray(j.errors) ? j.errors.length : 0;
  if (code !== 0 && c.failed === 0) {
    return { ...c, failed: Math.max(1, errors), note: `playwright exit ${code}${errors ? `, ${errors} global error(s)` : ''}` };
  }
  return s.flaky ? { ...c, note: `${s.flaky} flaky` } : c;
}

export async function runAll(args: string[] = []): Promise<number> {
  const quick = args.includes('--quick') || args.includes('--no-e2e') || !!process.env.PACIFICA_QUICK;
  const noDeps = args.includes('--no-system-deps') || !!process.env.PACIFICA_NO_SYSTEM_DEPS;
  // --cases N: how many native-oracle cases the instruction-core test generates (default 100,000).
  const casesAt = args.indexOf('--cases');
  if (casesAt >= 0) {
    const n = Number(args[casesAt + 1]);
    if (!Number.isInteger(n) || n <= 0) {
      console.error('pacifica test: --cases needs a positive integer');
      return 2;
    }
    process.env.PACIFICA_CASES = String(n);
    args = args.filter((_, k) => k !== casesAt && k !== casesAt + 1);
  }
  const unknown = args.filter((a) => !['--quick', '--no-e2e', '--no-system-deps'].includes(a));
  if (unknown.length) {
    console.error(`pacifica test: unknown option(s) ${unknown.join(' ')}`);
    return 2;
  }

  const results: SuiteResult[] = [];
  const tmp = mkdtempSync(join(tmpdir(), 'pacifica-test-'));
  const suite = async (name: string, fn: () => Promise<Counts & { note?: string }>) => {
    log(`=== ${name} ===`);
    const t0 = performance.now();
    let r: Counts & { note?: string };
    try {
      r = await fn();
    } catch (err) {
      r = { ...zero(), failed: 1, note: `crashed: ${err instanceof Error ? err.message : String(err)}` };
    }
    results.push({ name, ...r, seconds: (performance.now() - t0) / 1000 });
  };

  try {
    if (!noDeps) {
      await suite('system packages', async () => {
        const err = ensureSystemPackages();
        if (err) throw new Error(err);
        return zero();
      });
      const deps = results[results.length - 1]!;
      if (deps.failed) {
        console.error(`\n[pacifica test] ${deps.note}`);
        process.stdout.write(`0 passed, 1 failed\n`);
        return 1;
      }
    }
    await suite('typecheck (tsc --noEmit)', typecheck);
    await suite('unit (vitest)', () => vitest(tmp));
    await suite('unit, browser int32 layout', () => vitest(tmp, 'vitest-array.json', ARRAY_LAYOUT_FILES, {
      PACIFICA_INT32_STATE: 'array',
      PACIFICA_CASES: String(Math.min(20_000, Number(process.env.PACIFICA_CASES ?? 20_000))),
    }));
    if (quick) log('end-to-end (playwright): skipped (--quick)');
    else await suite('end-to-end (playwright)', () => playwright(tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }

  const total = results.reduce(
    (a, r) => ({ passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped }),
    zero(),
  );
  log('summary');
  for (const r of results) {
    const counts = `${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped`;
    process.stdout.write(`  ${r.failed ? 'FAIL' : 'ok  '}  ${r.name.padEnd(28)} ${counts.padEnd(36)} ${r.seconds.toFixed(1).padStart(6)}s${r.note ? `  (${r.note})` : ''}\n`);
  }
  process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  return total.failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAll(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
