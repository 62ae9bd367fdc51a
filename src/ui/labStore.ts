// The lab's state (zustand): what the machine worker last published, plus the
// page's own choices (setup draft, breakpoints, selections). The UI never
// computes machine state; it merges the worker's incremental snapshots (serial
// text and world-switch events arrive as deltas) and renders them, at most once
// per animation frame (and, while the machine runs, twice a second).
import { create } from 'zustand';
import type {
  BootRequest, BreakpointInfo, BreakpointRequest, DecodedVmcbField, DisasmLine, ExperimentPoint, LessonInfo, MachineSnapshot,
  SwitchEventInfo,
} from '../worker/protocol';
import { machine, proxy } from './lib/machineClient';
import { DEFAULT_LAB, imageOf, queryToSetup, setupToQuery, type LabSetup, type SavedBreakpoint } from './lib/url';
import { errorText } from './lib/format';

export type StepKind = 'into' | 'over' | 'out' | 'switch';

export interface LabBreakpoint {
  req: BreakpointRequest;
  info: BreakpointInfo;
}

export interface ExperimentState {
  running: boolean;
  points: ExperimentPoint[] | null;
  error: string | null;
  /** Wall seconds the last experiment took. */
  seconds: number;
}

/** The lesson being followed: which, at which step, and what the machine says about it. */
export interface LessonState {
  id: string;
  step: number;
  /** Expectations of the step that do not hold on this machine (a lesson that no longer matches). */
  mismatches: string[];
  /** The last answer's verdict, and the machine's answer. */
  answer: { given: string; correct: boolean; truth: string } | null;
}

export interface LabState {
  /** Lessons (lessons/*.json) and messages for lesson files that did not load. */
  lessons: LessonInfo[];
  lessonErrors: string[];
  lesson: LessonState | null;
  loadLessons(): Promise<void>;
  lessonGoTo(id: string, step: number): Promise<void>;
  lessonAnswer(text: string): Promise<void>;
  lessonClose(): void;

  /** The setup the machine was booted with. */
  setup: LabSetup;
  /** The setup being edited in the toolbar (applied by Reset). */
  draft: LabSetup;
  /** ELF files dropped on the page, by (sanitised) file name. */
  dropped: Record<string, Uint8Array>;
  booted: boolean;
  busy: null | 'booting' | 'stepping' | 'experiment' | 'bench';
  running: boolean;
  /** The last failed action (bad image, unknown symbol, ...), shown until dismissed. */
  error: string | null;
  warnings: string[];
  snap: MachineSnapshot | null;
  prevRegisters: Record<string, string>;
  serial: string;
  /** Characters of serial output before `serial` (trimmed to bound memory). */
  serialBase: number;
  events: SwitchEventInfo[];
  bps: LabBreakpoint[];
  selectedAsid: number;
  vmcb: DecodedVmcbField[] | null;
  vmcbAsid: number;
  disasm: DisasmLine[];
  selectedEvent: number | null;
  experiment: ExperimentState;

  init(search: string): Promise<void>;
  setDraft(d: Partial<LabSetup>): void;
  boot(setup?: LabSetup, extra?: Record<string, Uint8Array>): Promise<boolean>;
  run(): Promise<void>;
  pause(): Promise<void>;
  step(kind: StepKind): Promise<void>;
  addBreakpoint(req: BreakpointRequest): Promise<boolean>;
  removeBreakpoint(id: number): Promise<void>;
  enableBreakpoint(id: number, on: boolean): Promise<void>;
  selectVm(asid: number): void;
  selectEvent(seq: number | null): void;
  dropFiles(files: File[]): Promise<void>;
  runExperiment(mhz?: number[], switches?: number, idleUs?: number): Promise<void>;
  refreshDetails(): Promise<void>;
  dismissError(): void;
}

const MAX_EVENTS = 4000;
const MAX_SERIAL = 400_000;

// ---- incremental buffers (outside React; flushed once per frame) ----
let gen = 0;
let serialBuf = '';
let serialDropped = 0; // characters cut from the front to bound memory
let eventsBuf: SwitchEventInfo[] = [];
let nextSeq = 0;
let pending: MachineSnapshot | null = null;
let frame = 0; // a redraw is scheduled (a requestAnimationFrame id, or -1 while waiting for RUNNING_REDRAW_MS)
let lastFlush = 0;
/**
 * While the machine runs, the panels redraw at most this often (ms). Measured in Chromium on
 * this 2-core machine: redrawing at every snapshot (~35 a second) kept the page's main thread
 * ~90 % busy (React, style, layout, paint of every panel; the compositor another half core) and
 * the lab ran at 0.44 of the headless worker's speed; at 10 redraws a second 0.63, at 4 0.72, at
 * 2 0.79, with none 0.99 (`pacifica bench --browser`, pageLive). Stops and steps still show at once
 * (applyNow); the worker's snapshot rate (≥30 a second) is unchanged.
 */
const RUNNING_REDRAW_MS = 500;
let detailTimer: ReturnType<typeof setInterval> | null = null;

/** A short log of the page's machine actions (window.__pacificaLog), for tests and bug reports. */
const actionLog: string[] = [];
function note(what: string): void {
  actionLog.push(`${(performance.now() / 1000).toFixed(2)} ${what}`);
  if (actionLog.length > 200) actionLog.splice(0, 100);
}
if (typeof window !== 'undefined') (window as unknown as { __pacificaLog: string[] }).__pacificaLog = actionLog;

function resetBuffers(): void {
  serialBuf = '';
  serialDropped = 0;
  eventsBuf = [];
  nextSeq = 0;
  pending = null;
}

function merge(s: MachineSnapshot): void {
  const have = serialDropped + serialBuf.length;
  if (s.serial.from <= have && s.serial.from + s.serial.text.length > have) serialBuf += s.serial.text.slice(have - s.serial.from);
  if (serialBuf.length > MAX_SERIAL) {
    const cut = serialBuf.length - MAX_SERIAL / 2;
    serialBuf = serialBuf.slice(cut);
    serialDropped += cut;
  }
  for (const e of s.events) {
    if (e.seq >= nextSeq) {
      eventsBuf.push(e);
      nextSeq = e.seq + 1;
    }
  }
  if (eventsBuf.length > MAX_EVENTS) eventsBuf = eventsBuf.slice(-MAX_EVENTS / 2);
}

const serialEnd = () => serialDropped + serialBuf.length;

/** What the current lesson step asks the panels to highlight (VMCB field names, register names). */
export function useLessonHighlight(): { vmcb: Set<string>; registers: Set<string> } {
  const lesson = useLab((s) => s.lesson);
  const lessons = useLab((s) => s.lessons);
  const h = lesson ? lessons.find((l) => l.id === lesson.id)?.steps[lesson.step]?.highlight : undefined;
  return { vmcb: new Set(h?.vmcb ?? []), registers: new Set(h?.registers ?? []) };
}

function writeUrl(): void {
  const { setup, bps, lesson } = useLab.getState();
  const saved: SavedBreakpoint[] = bps.map((b) => ({ req: b.req, enabled: b.info.enabled }));
  let q = setupToQuery(setup, saved);
  if (lesson) q += `${q ? '&' : '?'}lesson=${encodeURIComponent(lesson.id)}&step=${lesson.step + 1}`;
  if (location.search !== q) history.replaceState(null, '', location.pathname + q);
}

export const useLab = create<LabState>()((set, get) => {
  /** Publish what the buffers hold, plus a snapshot, to React. */
  const flush = (s: MachineSnapshot | null) => {
    const old = get().snap;
    // never step back in time (a late progress snapshot after a stop)
    if (s && old && s.clocks.instructions < old.clocks.instructions) s = null;
    set({
      ...(s ? { snap: s, prevRegisters: old?.registers ?? {} } : {}),
      serial: serialBuf,
      serialBase: serialDropped,
      events: eventsBuf.slice(),
    });
  };
  const queue = (s: MachineSnapshot) => {
    merge(s);
    pending = s;
    if (frame) return;
    const draw = () => {
      frame = requestAnimationFrame(() => {
        frame = 0;
        lastFlush = performance.now();
        const p = pending;
        pending = null;
        flush(p);
      });
    };
    const wait = lastFlush + RUNNING_REDRAW_MS - performance.now();
    if (wait > 0) {
      frame = -1;
      setTimeout(draw, wait);
    } else draw();
  };
  const applyNow = (s: MachineSnapshot) => {
    merge(s);
    pending = null;
    flush(s);
  };
  const startDetailTimer = () => {
    if (detailTimer) return;
    detailTimer = setInterval(() => {
      if (get().running) void get().refreshDetails();
    }, 1000);
  };
  const stopDetailTimer = () => {
    if (detailTimer) clearInterval(detailTimer);
    detailTimer = null;
  };
  /** After a stop: look at the VM the stop concerns. */
  const focusStop = () => {
    const s = get().snap;
    if (!s) return;
    if (s.world !== 0) set({ selectedAsid: s.world });
    else {
      const last = eventsBuf[eventsBuf.length - 1];
      if (last && s.vms.some((v) => v.asid === last.asid)) set({ selectedAsid: last.asid });
    }
  };

  const initOnce = async (search: string): Promise<void> => {
    const { setup, breakpoints, warnings } = queryToSetup(search);
    set({ warnings, draft: setup, bps: [] });
    // breakpoints from the URL are created after the boot (each boot has a fresh debugger)
    pendingBps = breakpoints;
    void get().loadLessons();
    const q = new URLSearchParams(search);
    const lessonId = q.get('lesson');
    if (lessonId) {
      // A shared lesson step: the lesson's own setup, replayed to that step.
      await get().loadLessons();
      if (get().lessons.some((l) => l.id === lessonId)) {
        await get().lessonGoTo(lessonId, Math.max(0, (Number(q.get('step')) || 1) - 1));
        return;
      }
      set({ warnings: [...get().warnings, `no lesson '${lessonId}'`] });
    }
    const ok = await get().boot(setup);
    if (!ok && !get().booted) {
      const why = get().error;
      set({ warnings: [...get().warnings, `the shared setup did not boot (${why}); booted the default setup instead`] });
      await get().boot(DEFAULT_LAB);
    }
  };
  return {
    setup: DEFAULT_LAB,
    draft: DEFAULT_LAB,
    dropped: {},
    booted: false,
    busy: null,
    running: false,
    error: null,
    warnings: [],
    snap: null,
    prevRegisters: {},
    serial: '',
    serialBase: 0,
    events: [],
    bps: [],
    selectedAsid: 1,
    vmcb: null,
    vmcbAsid: 0,
    disasm: [],
    selectedEvent: null,
    experiment: { running: false, points: null, error: null, seconds: 0 },
    lessons: [],
    lessonErrors: [],
    lesson: null,

    async loadLessons() {
      try {
        const { lessons, errors } = await machine().lessons();
        set({ lessons, lessonErrors: errors });
      } catch (e) {
        set({ lessonErrors: [`lessons: ${errorText(e)}`] });
      }
    },

    async lessonGoTo(id, step) {
      const myGen = ++gen;
      set({ busy: 'booting', running: false });
      note(`lesson ${id} step ${step + 1}`);
      try {
        const r = await machine().lessonGoTo(id, step);
        if (myGen !== gen) return;
        const setup: LabSetup = { hv: r.setup.hypervisor.cmdline, guests: r.setup.guests.map((g) => g.cmdline), cpu: r.setup.cpu ?? 'zen', mhz: r.setup.mhz ?? 2000 };
        resetBuffers();
        set({
          setup, draft: setup, booted: true, busy: null, error: null, snap: null, prevRegisters: {}, serial: '', serialBase: 0, events: [],
          vmcb: null, disasm: [], selectedEvent: null, bps: r.breakpoints,
          lesson: { id, step, mismatches: r.mismatches, answer: null },
        });
        applyNow(r.snapshot);
        const last = r.snapshot.world || [...r.snapshot.events].reverse().find((e) => e.kind === 'vmexit')?.asid;
        if (last) set({ selectedAsid: last });
        writeUrl();
        void get().refreshDetails();
      } catch (e) {
        if (myGen === gen) set({ busy: null, error: `lesson: ${errorText(e)}` });
      }
    },

    async lessonAnswer(text) {
      const l = get().lesson;
      if (!l) return;
      try {
        const r = await machine().lessonCheck(l.id, l.step, text);
        set({ lesson: { ...l, answer: { given: text, ...r } } });
      } catch (e) {
        set({ error: `lesson: ${errorText(e)}` });
      }
    },

    lessonClose() {
      set({ lesson: null });
      writeUrl();
    },

    init(search) {
      // React StrictMode runs effects twice in development: the second call gets the first
      // call's promise, so whoever waits for the boot (the ?bench=1 autostart) really does.
      return (initializing ??= initOnce(search));
    },


    setDraft(d) {
      set({ draft: { ...get().draft, ...d } });
    },

    async boot(setup = get().draft, extra = {}) {
      const wasRunning = get().running;
      const myGen = ++gen;
      set({ busy: 'booting' });
      const req: BootRequest = {
        hypervisor: { image: imageOf(setup.hv), cmdline: setup.hv },
        guests: setup.guests.map((c) => ({ image: imageOf(c), cmdline: c })),
        cpu: setup.cpu,
        mhz: setup.mhz,
        ...(setup.engine ? { jit: setup.engine === 'jit' } : {}),
      };
      const all = { ...get().dropped, ...extra };
      const bytes: Record<string, Uint8Array> = {};
      for (const r of [req.hypervisor, ...req.guests]) if (all[r.image]) bytes[r.image] = all[r.image]!;
      let snap: MachineSnapshot;
      try {
        snap = await machine().boot(req, bytes);
      } catch (e) {
        const untouched = get().booted ? ' The running machine is untouched.' : '';
        set({ busy: null, error: `Could not boot: ${errorText(e)}.${untouched}` });
        if (wasRunning) void get().run();
        return false;
      }
      if (myGen !== gen) return false;
      resetBuffers();
      const previous = pendingBps ?? get().bps.map((b) => ({ req: b.req, enabled: b.info.enabled }));
      pendingBps = null;
      set({
        setup, draft: setup, booted: true, busy: null, error: null, snap: null, prevRegisters: {}, serial: '', serialBase: 0, events: [],
        vmcb: null, disasm: [], selectedEvent: null, selectedAsid: 1, bps: [],
        dropped: { ...get().dropped, ...extra },
      });
      applyNow(snap);
      const bps: LabBreakpoint[] = [];
      for (const b of previous) {
        try {
          let info = await machine().addBreakpoint(b.req);
          if (!b.enabled) {
            await machine().enableBreakpoint(info.id, false);
            info = { ...info, enabled: false };
          }
          bps.push({ req: b.req, info });
        } catch (e) {
          set({ warnings: [...get().warnings, `breakpoint not restored: ${errorText(e)}`] });
        }
      }
      set({ bps });
      writeUrl();
      void get().run();
      return true;
    },

    async run() {
      const st = get();
      if (st.running || !st.booted || st.busy) {
        note(`run ignored (running ${st.running}, booted ${st.booted}, busy ${st.busy})`);
        return;
      }
      const myGen = gen;
      note('run');
      set({ running: true });
      startDetailTimer();
      // The callback travels on its own MessageChannel, so a last progress snapshot may
      // arrive after run() resolved: those are dropped.
      let live = true;
      try {
        const final = await machine().run(proxy((s: MachineSnapshot) => { if (live && myGen === gen) queue(s); }), serialEnd(), nextSeq);
        live = false;
        note(`run ended at ${final.clocks.instructions}: ${final.stop?.message ?? 'no stop'}`);
        if (myGen === gen) applyNow(final);
      } catch (e) {
        set({ error: `run: ${errorText(e)}` });
      } finally {
        live = false;
        // the worker runs one machine at a time: whatever ended, nothing runs now
        set({ running: false });
        stopDetailTimer();
        if (myGen === gen) {
          focusStop();
          void get().refreshDetails();
        }
      }
    },

    async pause() {
      await machine().pause();
    },

    async step(kind) {
      if (!get().booted || get().busy) return;
      const myGen = gen;
      set({ busy: 'stepping' });
      note(`step ${kind}`);
      try {
        const s = await machine().step(kind, 1);
        if (myGen === gen) applyNow(s);
      } catch (e) {
        set({ error: `step: ${errorText(e)}` });
      }
      set({ busy: null });
      focusStop();
      await get().refreshDetails();
    },

    async addBreakpoint(req) {
      try {
        const info = await machine().addBreakpoint(req);
        note(`breakpoint ${info.id} added: ${info.label}`);
        set({ bps: [...get().bps, { req, info }] });
        writeUrl();
        return true;
      } catch (e) {
        set({ error: `Breakpoint not added: ${errorText(e)}` });
        return false;
      }
    },

    async removeBreakpoint(id) {
      set({ bps: get().bps.filter((b) => b.info.id !== id) });
      writeUrl();
      await machine().removeBreakpoint(id).catch(() => false);
    },

    async enableBreakpoint(id, on) {
      note(`breakpoint ${id} ${on ? 'enabled' : 'disabled'}`);
      // optimistic: the checkbox follows the click at once
      set({ bps: get().bps.map((b) => (b.info.id === id ? { ...b, info: { ...b.info, enabled: on } } : b)) });
      writeUrl();
      try {
        await machine().enableBreakpoint(id, on);
      } catch (e) {
        set({ error: `breakpoint ${id}: ${errorText(e)}` });
      }
    },

    selectVm(asid) {
      set({ selectedAsid: asid });
      void get().refreshDetails();
    },

    selectEvent(seq) {
      set({ selectedEvent: seq });
    },

    async dropFiles(files) {
      for (const f of files) {
        const name = f.name.replace(/\s+/g, '_') || 'dropped.elf';
        const bytes = new Uint8Array(await f.arrayBuffer());
        if (bytes.length === 0) {
          set({ error: `${name}: the file is empty. The running machine is untouched.` });
          continue;
        }
        const base = name.replace(/\.elf$/i, '').replace(/[^A-Za-z0-9_-]/g, '') || 'guest';
        const setup = { ...get().setup, guests: [...get().setup.guests, `${name} name=${base}`] };
        await get().boot(setup, { [name]: bytes });
      }
    },

    async runExperiment(mhz = [1600, 2000, 2200], switches = 50, idleUs = 0) {
      if (get().experiment.running || !get().booted) return;
      const wasRunning = get().running;
      const t0 = performance.now();
      set({ experiment: { ...get().experiment, running: true, error: null }, busy: 'experiment' });
      try {
        const points = await machine().experiment(mhz, switches, idleUs);
        set({ experiment: { running: false, points, error: null, seconds: (performance.now() - t0) / 1000 } });
      } catch (e) {
        set({ experiment: { ...get().experiment, running: false, error: errorText(e) } });
      }
      set({ busy: null });
      if (wasRunning) void get().run();
    },

    async refreshDetails() {
      if (!get().booted) return;
      const myGen = gen;
      const asid = get().selectedAsid;
      try {
        const api = machine();
        const [vmcb, disasm, infos] = await Promise.all([api.vmcb(asid), api.disassemble(24), api.breakpoints()]);
        if (myGen !== gen) return;
        const byId = new Map(infos.map((i) => [i.id, i]));
        note(`details: ${infos.map((i) => `${i.id}${i.enabled ? '+' : '-'}${i.hits}`).join(' ')}`);
        set({
          vmcb, vmcbAsid: asid, disasm,
          bps: get().bps.map((b) => ({ ...b, info: byId.get(b.info.id) ?? b.info })),
        });
      } catch (e) {
        if (myGen === gen) set({ error: `refresh: ${errorText(e)}` });
      }
    },

    dismissError() {
      set({ error: null });
    },
  };
});

let pendingBps: SavedBreakpoint[] | null = null;
let initializing: Promise<void> | null = null;
