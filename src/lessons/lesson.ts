// Lessons as data (lessons/*.json): a title, the machine setup, and steps. Each
// step has text (Markdown) for the class, an action on the machine, what the
// page should point at, optionally what must be true afterwards (`expect`) and
// a question whose answer is read from the machine's state (`answer`).
//
// This module is the format and its checker: parseLesson gives a clear message
// naming the file and the problem, so one malformed lesson never stops the
// others from loading. It has no DOM and no Node APIs: the page and the tests
// both use it.
import type { BootRequest, BreakpointRequest, MemorySpace } from '../worker/protocol';

/** What a step does to the machine (all deterministic: replaying a lesson reaches the same states). */
export type LessonAction =
  | { do: 'boot' } // (re)boot the lesson's setup
  | { do: 'break'; breakpoint: BreakpointRequest; only?: boolean } // add a breakpoint (stays; `only`: remove the others first)
  | { do: 'clear-breakpoints' }
  | { do: 'run' } // run until a breakpoint or the machine stops (bounded)
  | { do: 'step'; count?: number } // step N instructions (whichever world runs)
  | { do: 'step-over' }
  | { do: 'run-to-switch' }
  | { do: 'none' }; // text only: look at what the panels show

/** A value read from the machine after the step's action: the answer to a question, or an expectation. */
export type StateProbe =
  | { read: 'world' } // "hypervisor" or the running guest's name
  | { read: 'last-exit' } // the last #VMEXIT's code name (e.g. "INTR")
  | { read: 'last-exit-asid' }
  | { read: 'last-io-port' } // the port of the last IOIO exit (EXITINFO1 bits 31:16), hex
  | { read: 'vmcb'; asid: number; field: string; as?: 'value' | 'decoded' }
  | { read: 'register'; name: string }
  | { read: 'stop-reason' } // breakpoint | step | switch | count | time | machine
  | { read: 'hpa'; asid: number; va: string } // the host-physical address a guest virtual address maps to
  | { read: 'memory'; space: MemorySpace; address: string; length: number; asid?: number } // hex bytes
  | { read: 'serial-contains'; text: string } // "yes" / "no"
  | { read: 'cpuid-svm' }; // "yes" when CPUID 8000_0001h ECX.SVM is set on this CPU model

export interface LessonQuestion {
  prompt: string;
  answer: StateProbe;
  /** Shown after a wrong answer. */
  hint?: string;
}

export interface LessonStep {
  title: string;
  text: string;
  action: LessonAction;
  /** Panels the page opens or highlights for this step (ids of the page's panels). */
  panels?: string[];
  /** VMCB fields, registers or memory the page highlights. */
  highlight?: { vmcb?: string[]; registers?: string[]; memory?: { space: MemorySpace; address: string; length: number; asid?: number } };
  /** Must hold after the action, or the lesson no longer matches the machine. */
  expect?: Array<{ probe: StateProbe; equals: string }>;
  question?: LessonQuestion;
}

export interface Lesson {
  id: string;
  title: string;
  /** Where it comes from: the paper's section and the AMD manual's. */
  refs: string[];
  setup: BootRequest;
  steps: LessonStep[];
}

export class LessonError extends Error {}

const ACTIONS = ['boot', 'break', 'clear-breakpoints', 'run', 'step', 'step-over', 'run-to-switch', 'none'];
const PROBES = ['world', 'last-exit', 'last-exit-asid', 'last-io-port', 'vmcb', 'register', 'stop-reason', 'hpa', 'memory', 'serial-contains', 'cpuid-svm'];

function fail(file: string, where: string, what: string): never {
  throw new LessonError(`${file}: ${where}: ${what}`);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => typeof v === 'string' && v.length > 0;

function checkProbe(file: string, where: string, p: unknown): void {
  if (!isObj(p) || !PROBES.includes(p.read as string)) fail(file, where, `'read' must be one of ${PROBES.join(', ')}`);
  if (p.read === 'vmcb' && (typeof p.asid !== 'number' || !str(p.field))) fail(file, where, "a vmcb probe needs 'asid' (number) and 'field'");
  if (p.read === 'register' && !str(p.name)) fail(file, where, "a register probe needs 'name'");
  if (p.read === 'hpa' && (typeof p.asid !== 'number' || !str(p.va))) fail(file, where, "an hpa probe needs 'asid' and 'va'");
  if (p.read === 'memory' && (!str(p.space) || !str(p.address) || typeof p.length !== 'number')) fail(file, where, "a memory probe needs 'space', 'address' and 'length'");
  if (p.read === 'serial-contains' && !str(p.text)) fail(file, where, "a serial-contains probe needs 'text'");
}

/** Parse and check one lesson file's text. Throws LessonError naming the file and the problem. */
export function parseLesson(file: string, text: string): Lesson {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    fail(file, 'JSON', (e as Error).message);
  }
  if (!isObj(j)) fail(file, 'top level', 'must be an object');
  for (const k of ['id', 'title'] as const) if (!str(j[k])) fail(file, 'top level', `'${k}' must be a non-empty string`);
  if (!Array.isArray(j.refs) || !j.refs.every(str)) fail(file, 'refs', 'must be a list of references (paper and manual sections)');
  const setup = j.setup;
  if (!isObj(setup) || !isObj(setup.hypervisor) || !str(setup.hypervisor.image) || !Array.isArray(setup.guests)) {
    fail(file, 'setup', "needs 'hypervisor' {image, cmdline} and 'guests' [{image, cmdline}]");
  }
  if (!Array.isArray(j.steps) || j.steps.length === 0) fail(file, 'steps', 'must be a non-empty list');
  j.steps.forEach((s: unknown, n: number) => {
    const where = `step ${n + 1}`;
    if (!isObj(s) || !str(s.title) || !str(s.text)) fail(file, where, "needs 'title' and 'text'");
    const wh = `step ${n + 1} '${s.title as string}'`;
    if (!isObj(s.action) || !ACTIONS.includes(s.action.do as string)) fail(file, wh, `'action.do' must be one of ${ACTIONS.join(', ')}`);
    if (s.action.do === 'break' && !isObj(s.action.breakpoint)) fail(file, wh, "a 'break' action needs 'breakpoint'");
    if (s.expect !== undefined) {
      if (!Array.isArray(s.expect)) fail(file, wh, "'expect' must be a list");
      s.expect.forEach((e: unknown) => {
        if (!isObj(e) || typeof e.equals !== 'string') fail(file, wh, "each expectation needs 'probe' and 'equals' (a string)");
        checkProbe(file, wh, e.probe);
      });
    }
    if (s.question !== undefined) {
      if (!isObj(s.question) || !str(s.question.prompt)) fail(file, wh, "a question needs 'prompt' and 'answer'");
      checkProbe(file, wh, s.question.answer);
    }
  });
  return j as unknown as Lesson;
}

/** Load many lesson files: the good ones, and one message per bad one (the others still load). */
export function loadLessons(files: Array<{ file: string; text: string }>): { lessons: Lesson[]; errors: string[] } {
  const lessons: Lesson[] = [], errors: string[] = [];
  for (const f of files) {
    try {
      lessons.push(parseLesson(f.file, f.text));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return { lessons, errors };
}

/** Does a student's answer match the machine's? Case and spacing do not matter; numbers compare by value (0x1F = 31). */
export function answerMatches(given: string, truth: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/^vmexit_/, '');
  const num = (s: string) => (/^(0x[0-9a-f]+|\d+)$/i.test(s.trim()) ? BigInt(s.trim()) : null);
  const a = num(given), b = num(truth);
  if (a !== null && b !== null) return a === b;
  return norm(given) === norm(truth) && norm(truth) !== '';
}
