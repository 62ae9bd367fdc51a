// The machine worker: one LabSession (session.ts) exposed through comlink with
// the API of protocol.ts. Runs the machine in ~10 ms slices, yielding to the
// worker's event loop between them (so pause() lands within one slice) and
// publishing a snapshot about every 30 ms (at least 30 a second; measured: no loss of speed within the noise). RAM is a
// SharedArrayBuffer when the page is cross-origin isolated, so the page reads
// memory and screens without copies.
import * as Comlink from 'comlink';
import { LabSession } from './session';
import { loadIced } from './iced';
import { loadLessons, type Lesson } from '../lessons/lesson';
import { LessonRunner } from '../lessons/runner';
import { runBench } from '../emu/bench/bench';
import { measurePageLive } from './page-live';
import type { BootRequest, BreakpointRequest, LessonInfo, LessonWorkerApi, MachineSnapshot, MachineWorkerApi, MemorySpace } from './protocol';

/** The lesson files, bundled as text (a malformed one is reported, the others load). */
const LESSON_FILES = import.meta.glob('../../lessons/*.json', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
const loaded = loadLessons(Object.entries(LESSON_FILES).sort(([a], [b]) => a.localeCompare(b)).map(([path, text]) => ({ file: path.split('/').pop()!, text })));
let lessonRunner: LessonRunner | null = null;

function lessonById(id: string): Lesson {
  const l = loaded.lessons.find((x) => x.id === id);
  if (!l) throw new Error(`no lesson '${id}'`);
  return l;
}

const SLICE_MS = 10;
const PUBLISH_MS = 25; // checked after each ~10 ms slice, so snapshots come every 25-35 ms: ≥30 a second

/** Yield to the event loop (queued comlink calls such as pause() run) without setTimeout clamping. */
const channel = new MessageChannel();
const waiters: Array<() => void> = [];
channel.port1.onmessage = () => waiters.shift()?.();
const yieldToEventLoop = () => new Promise<void>((resolve) => { waiters.push(resolve); channel.port2.postMessage(0); });

async function fetchImage(name: string): Promise<Uint8Array> {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad image name '${name}'`);
  const r = await fetch(`/images/${name}`);
  if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

/** "HeadlessChrome/140.0.7339.80", "Chrome/…", "Firefox/…": the report's host. */
function browserName(): string {
  const ua = typeof navigator !== 'undefined' ? navigator.userAgent : '';
  return /(HeadlessChrome|Chrome|Firefox)\/[\d.]+/.exec(ua)?.[0] ?? (ua || 'unknown browser');
}

const session = new LabSession(fetchImage, typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated);
let pauseRequested = false;
let running: Promise<MachineSnapshot> | null = null;

async function stopRunning(): Promise<void> {
  if (!running) return;
  pauseRequested = true;
  await running.catch(() => undefined);
}

const api: MachineWorkerApi & LessonWorkerApi = {
  async boot(req: BootRequest, bytes?: Record<string, Uint8Array>) {
    await stopRunning();
    await session.boot(req, bytes);
    return session.snapshot();
  },
  async memory() {
    return session.machine ? session.machine.mem.buffer : null;
  },
  run(onSnapshot, serialFrom = 0, eventsFrom = 0) {
    if (running) return running;
    pauseRequested = false;
    // The body may finish without ever awaiting (a breakpoint in the first slice), so the
    // promise is stored before it can clear itself.
    let p!: Promise<MachineSnapshot>;
    p = (async () => {
      await Promise.resolve();
      session.running = true;
      let last = performance.now();
      let sFrom = serialFrom, eFrom = eventsFrom;
      try {
        while (!pauseRequested && !session.finished) {
          const stop = session.runSlice(SLICE_MS);
          if (stop) break;
          const now = performance.now();
          if (onSnapshot && now - last >= PUBLISH_MS) {
            last = now;
            const s = session.snapshot(sFrom, eFrom);
            sFrom = s.serial.length;
            if (s.events.length) eFrom = s.events[s.events.length - 1]!.seq + 1;
            void Promise.resolve().then(() => onSnapshot(s)).catch(() => undefined);
          }
          await yieldToEventLoop();
        }
        if (pauseRequested) session.paused();
      } finally {
        session.running = false;
        if (running === p) running = null;
      }
      return session.snapshot(sFrom, eFrom);
    })();
    running = p;
    return p;
  },
  async pause() {
    pauseRequested = true;
  },
  async step(kind, n) {
    await stopRunning();
    session.step(kind, n);
    return session.snapshot();
  },
  async snapshot(serialFrom, eventsFrom) {
    return session.snapshot(serialFrom, eventsFrom);
  },
  async addBreakpoint(req: BreakpointRequest) { return session.addBreakpoint(req); },
  async removeBreakpoint(id) { return session.removeBreakpoint(id); },
  async enableBreakpoint(id, on) { return session.enableBreakpoint(id, on); },
  async breakpoints() { return session.breakpoints(); },
  async readMemory(space: MemorySpace, address: string, length: number, asid?: number) {
    return session.readMemory(space, Number(BigInt(address)), length, asid);
  },
  async vmcb(asid) { return session.vmcb(asid); },
  async pageWalk(asid, va) { return session.pageWalk(asid, Number(BigInt(va))); },
  async disassemble(count) { return session.disassemble(await loadIced(), count); },
  async experiment(mhz, switches, idleUs) {
    await stopRunning();
    return session.experiment(mhz, switches, idleUs);
  },
  async bench(req, onProgress) {
    await stopRunning();
    return runBench(req, fetchImage, browserName(), (e) => {
      // Fire and forget: the progress call must not hold the measuring up.
      if (onProgress) void Promise.resolve(onProgress(e)).catch(() => undefined);
    });
  },
  async pageLive(wallSeconds, runs) {
    await stopRunning();
    // The lab's machine is still where its live run ended.
    return measurePageLive(session, wallSeconds, runs);
  },
  async lessons() {
    const lessons: LessonInfo[] = loaded.lessons.map((l) => ({
      id: l.id, title: l.title, refs: l.refs,
      steps: l.steps.map((s) => ({
        title: s.title, text: s.text, panels: s.panels ?? [],
        highlight: s.highlight ? { vmcb: s.highlight.vmcb, registers: s.highlight.registers } : undefined,
        question: s.question ? { prompt: s.question.prompt, hint: s.question.hint } : undefined,
      })),
    }));
    return { lessons, errors: loaded.errors };
  },
  async lessonGoTo(id, n) {
    await stopRunning();
    const lesson = lessonById(id);
    if (!(n >= 0 && n < lesson.steps.length)) throw new Error(`lesson '${id}' has steps 1 to ${lesson.steps.length}`);
    // Forward by one: apply that step; anything else: replay from the start (the machine is deterministic).
    if (lessonRunner && lessonRunner.lesson === lesson && lessonRunner.at === n - 1) await lessonRunner.apply(n);
    else {
      lessonRunner = new LessonRunner(session, lesson);
      await lessonRunner.goTo(n);
    }
    // The breakpoint requests in force at step n (replayed from the actions), paired with the debugger's, in order.
    let reqs: BreakpointRequest[] = [];
    for (const s of lesson.steps.slice(0, n + 1)) {
      const a = s.action;
      if (a.do === 'boot' || a.do === 'clear-breakpoints' || (a.do === 'break' && a.only)) reqs = [];
      if (a.do === 'break') reqs.push(a.breakpoint);
    }
    const infos = session.breakpoints();
    return {
      snapshot: session.snapshot(), setup: lesson.setup, mismatches: lessonRunner.mismatches(lesson.steps[n]!),
      breakpoints: infos.map((info, k) => ({ req: reqs[k] ?? { kind: info.kind } as BreakpointRequest, info })),
    };
  },
  async lessonCheck(id, n, answer) {
    const lesson = lessonById(id);
    if (!lessonRunner || lessonRunner.lesson !== lesson || lessonRunner.at !== n) throw new Error('go to that step first');
    return lessonRunner.check(lesson.steps[n]!, answer);
  },
};

Comlink.expose(api);
