// The lesson panel (lessons/*.json): choose a lesson, go step by step (back
// replays the lesson from its start: the machine is deterministic), read the
// step's text beside the live panels it names, and answer its question; the
// answer is checked against the machine's state in the worker. The URL names
// the lesson and step, so a teacher can share the exact moment.
import { useState, type ReactNode } from 'react';
import { useLab } from './labStore';

/** Just enough Markdown for lesson text: paragraphs, **bold**, `code`. */
function markdown(text: string): ReactNode[] {
  return text.split(/\n\s*\n/).map((para, k) => (
    <p key={k}>
      {para.split(/(\*\*[^*]+\*\*|`[^`]+`)/).map((part, j) =>
        part.startsWith('**') ? <strong key={j}>{part.slice(2, -2)}</strong>
          : part.startsWith('`') ? <code key={j}>{part.slice(1, -1)}</code>
            : part)}
    </p>
  ));
}

/** Bring a panel the step names into view (panels carry aria-labels). */
const PANEL_LABELS: Record<string, string> = {
  registers: 'Registers', disassembly: 'Disassembly', vmcb: 'VMCB inspector', timeline: 'World-switch timeline',
  breakpoints: 'Breakpoints', clocks: 'Clocks', consoles: 'Screens', serial: 'Serial port', pagewalk: 'Page walk',
  memory: 'Memory', experiment: 'Switch-lag experiment',
};
function show(panel: string): void {
  const label = PANEL_LABELS[panel] ?? panel;
  const el = [...document.querySelectorAll('section[aria-label]')].find((s) => s.getAttribute('aria-label')?.startsWith(label));
  el?.scrollIntoView({ behavior: 'smooth', block: 'start' });
}

export function LessonPanel() {
  const lessons = useLab((s) => s.lessons);
  const errors = useLab((s) => s.lessonErrors);
  const lesson = useLab((s) => s.lesson);
  const busy = useLab((s) => s.busy);
  const [choice, setChoice] = useState('');
  const [answer, setAnswer] = useState('');
  const { lessonGoTo, lessonAnswer, lessonClose } = useLab.getState();
  const current = lesson ? lessons.find((l) => l.id === lesson.id) : undefined;
  const step = current && lesson ? current.steps[lesson.step] : undefined;
  const go = (n: number) => { setAnswer(''); void lessonGoTo(lesson!.id, n); };

  return (
    <section className="panel lesson" aria-label="Lessons" data-testid="lessons">
      <h2>Lessons</h2>
      {errors.map((e) => <div key={e} className="warning" data-testid="lesson-error">{e}</div>)}
      {!current && (
        <div className="row">
          <select value={choice} onChange={(e) => setChoice(e.target.value)} aria-label="lesson" data-testid="lesson-select">
            <option value="">choose a lesson…</option>
            {lessons.map((l) => <option key={l.id} value={l.id}>{l.title}</option>)}
          </select>
          <button className="primary" disabled={!choice || busy !== null} onClick={() => { setAnswer(''); void lessonGoTo(choice, 0); }} data-testid="lesson-start">Start</button>
          <span className="muted">A guided tour of the paper's ideas on the running machine, step by step.</span>
        </div>
      )}
      {current && lesson && step && (
        <div data-testid="lesson-step" data-lesson={lesson.id} data-step={lesson.step + 1}>
          <div className="row">
            <strong>{current.title}</strong>
            <span className="muted" data-testid="lesson-progress">step {lesson.step + 1} of {current.steps.length}</span>
            <button onClick={() => go(lesson.step - 1)} disabled={lesson.step === 0 || busy !== null} data-testid="lesson-back">◀ Back</button>
            <button className="primary" onClick={() => go(lesson.step + 1)} disabled={lesson.step + 1 >= current.steps.length || busy !== null} data-testid="lesson-next">Next ▶</button>
            <button onClick={() => lessonClose()} data-testid="lesson-close">Close</button>
          </div>
          <h3 data-testid="lesson-title">{step.title}</h3>
          <div className="lesson-text">{markdown(step.text)}</div>
          {step.panels.length > 0 && (
            <div className="row">
              <span className="muted">look at:</span>
              {step.panels.map((p) => <button key={p} className="chip" onClick={() => show(p)}>{p}</button>)}
            </div>
          )}
          {lesson.mismatches.length > 0 && (
            <div className="warning" data-testid="lesson-mismatch">This step no longer matches the machine: {lesson.mismatches.join('; ')}</div>
          )}
          {step.question && (
            <form className="row" onSubmit={(e) => { e.preventDefault(); void lessonAnswer(answer); }}>
              <label>{step.question.prompt} <input className="mono" value={answer} onChange={(e) => setAnswer(e.target.value)} data-testid="lesson-answer" /></label>
              <button type="submit" disabled={busy !== null} data-testid="lesson-check">Check</button>
              {lesson.answer && (
                <span data-testid="lesson-verdict" data-correct={String(lesson.answer.correct)} data-truth={lesson.answer.truth}
                  className={lesson.answer.correct ? 'ok' : 'warning'}>
                  {lesson.answer.correct ? `Right: ${lesson.answer.truth}` : `Not quite. The machine says ${lesson.answer.truth}.${step.question.hint ? ` ${step.question.hint}` : ''}`}
                </span>
              )}
            </form>
          )}
          <div className="muted small">{current.refs.join(' · ')}</div>
        </div>
      )}
    </section>
  );
}
