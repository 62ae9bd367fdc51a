// Every lesson in lessons/ is walked from its first step to its last on the
// real machine, headless: each step's expectations must hold, each question's
// answer must be readable from the machine, and a correct answer is accepted
// while a wrong one is refused. A lesson whose steps no longer match the
// machine fails here with the lesson's and the step's names. A malformed
// lesson file gives a message naming the file and the problem, and the others
// still load.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLessons, parseLesson, answerMatches } from './lesson';
import { LessonRunner } from './runner';
import { LabSession } from '../worker/session';

const root = fileURLToPath(new URL('../../', import.meta.url));
const lessonDir = join(root, 'lessons');
const source = async (name: string) => new Uint8Array(readFileSync(join(root, 'public/images', name)));
const files = readdirSync(lessonDir).filter((f) => f.endsWith('.json')).sort();

describe('lessons', () => {
  it('there are at least six, and all of them load', () => {
    const { lessons, errors } = loadLessons(files.map((f) => ({ file: f, text: readFileSync(join(lessonDir, f), 'utf8') })));
    expect(errors).toEqual([]);
    expect(lessons.length).toBeGreaterThanOrEqual(6);
  });

  it.each(files)('%s walks from the first step to the last', async (file) => {
    const lesson = parseLesson(file, readFileSync(join(lessonDir, file), 'utf8'));
    const runner = new LessonRunner(new LabSession(source), lesson);
    await runner.session.boot(lesson.setup);
    for (let k = 0; k < lesson.steps.length; k++) {
      const step = lesson.steps[k]!;
      const where = `${lesson.title}, step ${k + 1} '${step.title}'`;
      await runner.apply(k);
      expect(runner.mismatches(step), where).toEqual([]);
      if (step.question) {
        const truth = runner.probe(step.question.answer);
        expect(truth, `${where}: the answer cannot be read from the machine`).not.toBe('');
        expect(runner.check(step, truth).correct, `${where}: the right answer`).toBe(true);
        expect(runner.check(step, 'certainly not this').correct, `${where}: a wrong answer`).toBe(false);
        console.log(`${where}: ${step.question.prompt} -> ${truth}`);
      }
    }
  }, 180_000);

  it('a malformed lesson names its file and problem; the others still load', () => {
    const good = readFileSync(join(lessonDir, files[0]!), 'utf8');
    const bad = JSON.parse(good);
    bad.steps[1].action = { do: 'teleport' };
    const { lessons, errors } = loadLessons([
      { file: 'good.json', text: good },
      { file: 'broken.json', text: '{ "id": "x", ' },
      { file: 'bad-action.json', text: JSON.stringify(bad) },
    ]);
    expect(lessons.map((l) => l.id)).toEqual([JSON.parse(good).id]);
    expect(errors[0]).toMatch(/^broken\.json: JSON: /);
    expect(errors[1]).toMatch(/^bad-action\.json: step 2 '.*': 'action\.do' must be one of/);
  });

  it('compares answers as a teacher would', () => {
    expect(answerMatches('0x1F', '31')).toBe(true);
    expect(answerMatches(' vmexit_intr ', 'INTR')).toBe(true);
    expect(answerMatches('IOIO', 'INTR')).toBe(false);
    expect(answerMatches('', '')).toBe(false);
  });
});
