import { expect, test } from '@playwright/test';
import { watchErrors } from './helpers';

// That the machine runs, not how fast: on a busy 2-core host (two test workers, each page's
// worker compiling blocks) the first million instructions have taken over 10 s.
const RUNS = { timeout: 45_000 };

test('page loads cross-origin isolated and boots the default lab', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchErrors(page);
  const response = await page.goto('/');
  expect(response?.ok()).toBe(true);
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await expect(page).toHaveTitle('Pacifica');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pacifica — x86-64 + AMD SVM lab');
  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);

  for (const name of ['Breakpoints', 'World-switch timeline', 'Screens', 'Registers', 'Disassembly', 'VMCB inspector', 'Memory', 'Page walk']) {
    await expect(page.getByRole('heading', { name: new RegExp(`^${name}`) })).toBeVisible();
  }
  // the default setup (DEFAULT_SETUP: four guests) is booted and recorded in the URL
  await expect(page.getByTestId('guest-list').locator('.guest-chip')).toHaveCount(4);
  await expect(page).toHaveURL(/g=g-dummy\.elf/);
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-value', 'running');
  await expect.poll(async () => Number(await page.getByTestId('clock-instructions').getAttribute('data-value')), RUNS).toBeGreaterThan(1_000_000);

  // Pause stops the clocks and says so; Run resumes. The default guests finish within seconds
  // (they print a dozen messages and end), so this part runs one that keeps going.
  await page.goto(`/?g=${encodeURIComponent('g-dummy.elf name=long count=1000000')}`);
  await expect(page.getByTestId('guest-list').locator('.guest-chip')).toHaveCount(1);
  await expect.poll(async () => Number(await page.getByTestId('clock-instructions').getAttribute('data-value')), RUNS).toBeGreaterThan(1_000_000);
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-value', 'running');
  await page.getByTestId('btn-pause').click();
  await expect(page.getByTestId('stop-banner')).toHaveAttribute('data-reason', 'paused');
  await expect(page.getByTestId('run-state')).toHaveAttribute('data-value', 'stopped');
  const paused = await page.getByTestId('clock-instructions').getAttribute('data-value');
  await page.waitForTimeout(500);
  await expect(page.getByTestId('clock-instructions')).toHaveAttribute('data-value', paused!);
  await page.getByTestId('btn-run').click();
  await expect.poll(async () => Number(await page.getByTestId('clock-instructions').getAttribute('data-value'))).toBeGreaterThan(Number(paused));
  expect(errors).toEqual([]);
});
