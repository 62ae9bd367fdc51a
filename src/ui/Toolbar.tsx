import { useCore } from './store';
import { TERMINAL_STOPS } from '../worker/protocol';

export function Toolbar() {
  const workloads = useCore((s) => s.workloads);
  const selected = useCore((s) => s.selected);
  const snapshot = useCore((s) => s.snapshot);
  const running = useCore((s) => s.running);
  const busy = useCore((s) => s.busy);
  const { select, run, pause, step } = useCore.getState();

  const finished = snapshot !== null && TERMINAL_STOPS.includes(snapshot.stop);
  const canRun = snapshot !== null && !running && !busy && !finished;

  return (
    <div className="toolbar" role="toolbar" aria-label="Core controls">
      <label>
        Workload{' '}
        <select
          data-testid="workload-select"
          value={selected ?? ''}
          disabled={running || workloads.length === 0}
          onChange={(e) => void select(e.target.value)}
        >
          {workloads.map((w) => (
            <option key={w.name} value={w.name}>
              {w.name} — {w.title}
            </option>
          ))}
        </select>
      </label>
      <button data-testid="btn-run" className="primary" disabled={!canRun} onClick={() => void run()}>
        ▶ Run
      </button>
      <button data-testid="btn-pause" disabled={!running} onClick={() => void pause()}>
        ❚❚ Pause
      </button>
      <button data-testid="btn-step" disabled={!canRun} onClick={() => void step(1)}>
        ⤼ Step
      </button>
      <button
        data-testid="btn-reload"
        disabled={running || busy || selected === null}
        onClick={() => selected && void select(selected)}
        title="Reload the image and reset the CPU"
      >
        ↺ Reset
      </button>
    </div>
  );
}
