import { expect, test } from '@playwright/test';

test('page loads, is cross-origin isolated, shows the core status panel', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));

  const response = await page.goto('/');
  expect(response?.ok()).toBe(true);
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');

  await expect(page).toHaveTitle('Pacifica');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Pacifica — x86-64 + AMD SVM lab');

  const panel = page.getByTestId('core-status');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'CPU core status' })).toBeVisible();
  // Either the core loaded or the placeholder message: the status check must have finished.
  await expect(page.getByTestId('core-status-message')).toHaveText(
    /^(CPU core not built yet|CPU core loaded \(FlatMachine\))$/,
  );

  expect(await page.evaluate(() => window.crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');

  expect(errors).toEqual([]);
});
