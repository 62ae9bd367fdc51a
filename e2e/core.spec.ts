import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

const SCREENSHOT = fileURLToPath(new URL('./lab-screenshot.png', import.meta.url));

/** Collect console errors and uncaught exceptions (page and workers). */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('worker', (w) => w.on('console', (msg) => msg.type() === 'error' && errors.push(`[worker] ${msg.text()}`)));
  return errors;
}

async function instructions(page: Page): Promise<number> {
  return Number(await page.getByTestId('stat-instructions').getAttribute('data-value'));
}

async function openWorkload(page: Page, name: string): Promise<void> {
  await page.goto('/');
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  const panel = page.getByTestId('core-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: /^CPU core/ })).toBeVisible();
  // the first workload loads by itself; choose ours
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'none');
  await page.getByTestId('workload-select').selectOption(name);
  await expect(page.getByTestId('core-title')).toContainText(`${name}.elf`);
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'none');
  await expect(page.getByTestId('stat-instructions')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('disasm-current')).toBeVisible();
}

test('bench-sort runs to halt with the native result ✓', async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1320, height: 1000 });
  await openWorkload(page, 'bench-sort');
  await expect(page.getByTestId('core-status-message')).toHaveText('CPU core loaded (FlatMachine)');

  const t0 = Date.now();
  await page.getByTestId('btn-run').click();
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'running');
  // progress is published while running, and the page stays responsive
  await expect.poll(() => instructions(page), { timeout: 10_000 }).toBeGreaterThan(0);
  const mid = await instructions(page);
  await expect.poll(() => instructions(page), { timeout: 10_000 }).toBeGreaterThan(mid);
  expect(await page.evaluate(() => 6 * 7)).toBe(42);

  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'halt', { timeout: 75_000 });
  const seconds = (Date.now() - t0) / 1000;
  const n = await instructions(page);
  const mips = Number(await page.getByTestId('stat-mips').getAttribute('data-value'));
  console.log(`bench-sort: ${n} instructions to halt in ${seconds.toFixed(1)} s (${mips.toFixed(1)} MIPS in the worker)`);
  expect(n).toBeGreaterThan(50_000_000);

  await expect(page.getByTestId('result-value')).toHaveText('4292158106155573019');
  await expect(page.getByTestId('result-expected')).toHaveText('4292158106155573019');
  await expect(page.getByTestId('result')).toHaveAttribute('data-verdict', 'match');
  await expect(page.getByTestId('result-check')).toHaveText('✓');
  await expect(page.getByTestId('btn-run')).toBeDisabled();
  // after hlt, RIP is past it: the line before the current one is the hlt
  await expect(page.getByTestId('disasm')).toContainText('hlt');

  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  // The README's screenshot is refreshed on demand (PACIFICA_SCREENSHOT=1 npm test), so
  // ordinary runs leave the work tree clean.
  if (process.env.PACIFICA_SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });
  expect(errors).toEqual([]);
});

test('Pause stops progress, Run resumes', async ({ page }) => {
  const errors = watchErrors(page);
  await openWorkload(page, 'bench-sieve');
  await page.getByTestId('btn-run').click();
  await expect.poll(() => instructions(page), { timeout: 10_000 }).toBeGreaterThan(2_000_000);
  await page.getByTestId('btn-pause').click();
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'paused', { timeout: 5_000 });
  const paused = await instructions(page);
  await page.waitForTimeout(1_000);
  expect(await instructions(page)).toBe(paused);
  await expect(page.getByTestId('btn-pause')).toBeDisabled();
  await expect(page.getByTestId('btn-run')).toBeEnabled();

  await page.getByTestId('btn-run').click();
  await expect.poll(() => instructions(page), { timeout: 10_000 }).toBeGreaterThan(paused);
  await page.getByTestId('btn-pause').click();
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'paused', { timeout: 5_000 });
  expect(errors).toEqual([]);
});

test('Step advances exactly one instruction on a fresh load', async ({ page }) => {
  const errors = watchErrors(page);
  await openWorkload(page, 'bench-checksum');
  const rip0 = await page.getByTestId('reg-rip').textContent();

  await page.getByTestId('btn-step').click();
  await expect(page.getByTestId('stat-instructions')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('stat-stop')).toHaveAttribute('data-value', 'step');
  expect(await page.getByTestId('reg-rip').textContent()).not.toBe(rip0);

  await page.getByTestId('btn-step').click();
  await expect(page.getByTestId('stat-instructions')).toHaveAttribute('data-value', '2');

  // Reset reloads the image: back to 0, and one step is one instruction again
  await page.getByTestId('btn-reload').click();
  await expect(page.getByTestId('stat-instructions')).toHaveAttribute('data-value', '0');
  await expect(page.getByTestId('reg-rip')).toHaveText(rip0 ?? '');
  await page.getByTestId('btn-step').click();
  await expect(page.getByTestId('stat-instructions')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('disasm-current')).toBeVisible();
  expect(errors).toEqual([]);
});
