// The benchmark in the page, small: one workload, one run, a short system run
// and a short page-live window, started by the URL as `pacifica bench --browser`
// starts it; the table shows figures for both engines and the report is on window.
import { expect, test } from '@playwright/test';
import { watchErrors } from './helpers';
import type { BenchReport } from '../src/emu/bench/report';

const QUERY = '/?bench=1&runs=1&workload=sieve&simMs=5&lagSwitches=3&sustained=2&live=1&liveSeconds=2&liveRounds=2';

test('benchmark: both engines in the page, the system row and the page-live comparison', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.goto(QUERY);
  const panel = page.getByTestId('bench');
  await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 80_000 });
  for (const row of ['sieve', 'system', 'steady', 'boot', 'lag', 'sustained', 'warm']) {
    for (const engine of ['interp', 'jit']) {
      const v = Number(await page.getByTestId(`bench-mips-${row}-${engine}`).getAttribute('data-value'));
      expect(v, `${row} ${engine}`).toBeGreaterThan(0);
    }
  }
  await expect(page.getByTestId('bench-row-sieve')).toContainText('ok');
  const r = await page.evaluate(() => window.__pacificaBench) as BenchReport;
  expect(r.engines.map((e) => e.engine)).toEqual(['interpreter', 'block compiler']);
  expect(r.engines[1]!.workloads[0]!.instructions).toBe(r.engines[0]!.workloads[0]!.instructions);
  // the headless replay executed the live run's instruction stream (same count, same cycles)
  const live = r.pageLive!;
  expect(live.mips).toBeGreaterThan(0);
  expect(live.headlessMips).toBeGreaterThan(0);
  expect(['interpreter', 'block compiler']).toContain(live.engine); // the lab's own engine (cpu.jit's default)
  expect([live.headlessInstructions, live.headlessCycles]).toEqual([live.instructions, live.cycles]);
  // two rounds of a live run and its replay; the figure is one of them
  expect(live.rounds).toHaveLength(2);
  expect(live.rounds.map((x) => x.ratio)).toContain(live.ratio);
  await expect(page.getByTestId('bench-live')).toBeVisible();
  // the lab is usable afterwards
  await expect(page.getByTestId('btn-bench')).toBeEnabled();
  expect(errors).toEqual([]);
});
