// UI state (zustand). The UI never computes machine state: it keeps what the worker publishes.
import { create } from 'zustand';
import { coreClient, proxy } from './coreClient';
import type { CoreSnapshot, DisasmLine, WorkloadInfo } from '../worker/protocol';
import { TERMINAL_STOPS } from '../worker/protocol';

/** Instructions per slice between yields in the worker: pause lands within ~0.1 s. */
export const SLICE_INSTRUCTIONS = 1_000_000;
/** Upper bound for one Run (the bench images halt after ~110M). */
export const RUN_BUDGET = 4_000_000_000;
export const DISASM_LINES = 16;

export interface CoreState {
  workloads: WorkloadInfo[];
  selected: string | null;
  snapshot: CoreSnapshot | null;
  /** Registers whose value differs from the previous snapshot. */
  changed: ReadonlySet<string>;
  disasm: DisasmLine[];
  disasmError: string | null;
  running: boolean;
  busy: boolean;
  error: string | null;

  init(): Promise<void>;
  select(name: string): Promise<void>;
  run(): Promise<void>;
  pause(): Promise<void>;
  step(n?: number): Promise<void>;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

let initStarted = false;
let disasmInFlight = false;
let disasmAgain = false;

export const useCore = create<CoreState>()((set, get) => {
  function applySnapshot(s: CoreSnapshot): void {
    const prev = get().snapshot;
    if (prev && prev.workload === s.workload && prev.instructions === s.instructions && prev.stop === s.stop) {
      set({ snapshot: s }); // the same state again (e.g. the final progress report): keep the highlights
      return;
    }
    const changed = new Set<string>();
    if (prev && prev.workload === s.workload) {
      for (const [k, v] of Object.entries(s.registers)) if (prev.registers[k] !== v) changed.add(k);
    }
    set({ snapshot: s, changed });
    void refreshDisasm();
  }

  async function refreshDisasm(): Promise<void> {
    if (disasmInFlight) {
      disasmAgain = true;
      return;
    }
    disasmInFlight = true;
    try {
      do {
        disasmAgain = false;
        const lines = await coreClient().disassemble(DISASM_LINES);
        set({ disasm: lines, disasmError: null });
      } while (disasmAgain);
    } catch (e) {
      set({ disasmError: errText(e) });
    } finally {
      disasmInFlight = false;
    }
  }

  async function guarded(fn: () => Promise<void>): Promise<void> {
    try {
      set({ error: null });
      await fn();
    } catch (e) {
      set({ error: errText(e) });
    }
  }

  return {
    workloads: [],
    selected: null,
    snapshot: null,
    changed: new Set(),
    disasm: [],
    disasmError: null,
    running: false,
    busy: false,
    error: null,

    async init() {
      if (initStarted) return;
      initStarted = true;
      await guarded(async () => {
        const workloads = await coreClient().listWorkloads();
        set({ workloads });
        if (workloads[0]) await get().select(workloads[0].name);
      });
    },

    async select(name) {
      set({ busy: true, selected: name, snapshot: null, changed: new Set(), disasm: [] });
      await guarded(async () => {
        applySnapshot(await coreClient().load(name));
      });
      set({ busy: false });
    },

    async run() {
      const { running, snapshot } = get();
      if (running || !snapshot || TERMINAL_STOPS.includes(snapshot.stop)) return;
      set({ running: true });
      await guarded(async () => {
        const final = await coreClient().run(
          RUN_BUDGET,
          SLICE_INSTRUCTIONS,
          proxy((s: CoreSnapshot) => {
            if (get().running) applySnapshot(s);
          }),
        );
        set({ running: false });
        applySnapshot(final);
      });
      set({ running: false });
    },

    async pause() {
      await guarded(() => coreClient().pause());
    },

    async step(n = 1) {
      if (get().running) return;
      set({ busy: true });
      await guarded(async () => {
        applySnapshot(await coreClient().step(n));
      });
      set({ busy: false });
    },
  };
});
