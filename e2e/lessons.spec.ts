// Every lesson, walked in the page as a student would: start it, go through every
// step with Next, answer each question wrongly once (the page says so and shows the
// machine's answer) and then rightly; each step must match the machine (no
// "no longer matches" warning). Back replays to the previous step, and the URL names
// the lesson and step.
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { watchErrors } from './helpers';

const dir = fileURLToPath(new URL('../lessons/', import.meta.url));
const lessons = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
    id: string; title: string; steps: Array<{ title: string; question?: unknown; highlight?: { vmcb?: string[]; registers?: string[] } }>;
  });

test.describe.configure({ mode: 'serial' });

for (const lesson of lessons) {
  test(`lesson: ${lesson.title}`, async ({ page }) => {
    test.setTimeout(120_000);
    const errors = watchErrors(page);
    await page.goto(`/?lesson=${encodeURIComponent(lesson.id)}&step=1`);
    const stepBox = page.getByTestId('lesson-step');
    await expect(stepBox).toHaveAttribute('data-lesson', lesson.id, { timeout: 60_000 });
    for (let k = 0; k < lesson.steps.length; k++) {
      const where = `${lesson.title}, step ${k + 1} '${lesson.steps[k]!.title}'`;
      await expect(stepBox, where).toHaveAttribute('data-step', String(k + 1), { timeout: 60_000 });
      await expect(page.getByTestId('lesson-title'), where).toHaveText(lesson.steps[k]!.title);
      await expect(page.getByTestId('lesson-mismatch'), where).toHaveCount(0);
      expect(new URL(page.url()).searchParams.get('step'), where).toBe(String(k + 1));
      // The fields and registers the step points at are highlighted in their panels.
      for (const f of lesson.steps[k]!.highlight?.vmcb ?? []) {
        await expect(page.getByTestId(`vmcb-field-${f}`), `${where}: VMCB ${f}`).toHaveAttribute('data-lesson-highlight', 'true', { timeout: 20_000 });
      }
      for (const r of lesson.steps[k]!.highlight?.registers ?? []) {
        await expect(page.getByTestId(`reg-${r}`), `${where}: register ${r}`).toHaveClass(/lesson-highlight/, { timeout: 20_000 });
      }
      if (lesson.steps[k]!.question) {
        await page.getByTestId('lesson-answer').fill('certainly not this');
        await page.getByTestId('lesson-check').click();
        const verdict = page.getByTestId('lesson-verdict');
        await expect(verdict, where).toHaveAttribute('data-correct', 'false');
        const truth = await verdict.getAttribute('data-truth');
        expect(truth, `${where}: the machine's answer`).toBeTruthy();
        await page.getByTestId('lesson-answer').fill(truth!);
        await page.getByTestId('lesson-check').click();
        await expect(verdict, where).toHaveAttribute('data-correct', 'true');
      }
      if (k + 1 < lesson.steps.length) await page.getByTestId('lesson-next').click();
    }
    if (lesson.steps.length > 1) {
      await page.getByTestId('lesson-back').click();
      await expect(stepBox).toHaveAttribute('data-step', String(lesson.steps.length - 1), { timeout: 60_000 });
      await expect(page.getByTestId('lesson-mismatch')).toHaveCount(0);
    }
    expect(errors).toEqual([]);
  });
}
