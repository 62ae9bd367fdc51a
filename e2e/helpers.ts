import { expect, type Page } from '@playwright/test';

/** Collect console errors and uncaught exceptions (page and workers). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('worker', (w) => w.on('console', (msg) => msg.type() === 'error' && errors.push(`[worker] ${msg.text()}`)));
  return errors;
}

/** A clock's numeric value (data-value of clock-<id>). */
export async function clock(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(`clock-${id}`).getAttribute('data-value'));
}

/** Expect a clock to move past its current value. */
export async function expectAdvancing(page: Page, id = 'instructions', timeout = 15_000): Promise<void> {
  const before = await clock(page, id);
  await expect.poll(() => clock(page, id), { timeout }).toBeGreaterThan(before);
}

/** A lab URL (see src/ui/lib/url.ts). */
export function labUrl(p: { cpu?: string; mhz?: number; hv?: string; guests?: string[]; bps?: string[] }): string {
  const q = new URLSearchParams();
  if (p.hv) q.set('hv', p.hv);
  if (p.cpu) q.set('cpu', p.cpu);
  if (p.mhz) q.set('mhz', String(p.mhz));
  for (const g of p.guests ?? []) q.append('g', g);
  for (const b of p.bps ?? []) q.append('bp', b);
  return '/?' + q.toString();
}
