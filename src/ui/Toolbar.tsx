// Run control: run, pause, step into/over/out, run to the next world switch, reset.
import { useLab } from './labStore';

export function Toolbar() {
  const running = useLab((s) => s.running);
  const busy = useLab((s) => s.busy);
  const booted = useLab((s) => s.booted);
  const finished = useLab((s) => !s.running && s.snap?.stop?.reason === 'machine' && !/^halted/.test(s.snap.stop.machine));
  const { run, pause, step, boot } = useLab.getState();
  const idle = booted && !running && !busy;
  return (
    <div className="toolbar" role="toolbar" aria-label="Run control">
      <button data-testid="btn-run" onClick={() => void run()} disabled={!idle || finished} title="Run until a breakpoint or Pause">
        ▶ Run
      </button>
      <button data-testid="btn-pause" onClick={() => void pause()} disabled={!running} title="Pause">
        ❚❚ Pause
      </button>
      <button data-testid="btn-step" onClick={() => void step('into')} disabled={!booted || !!busy} title="Execute one instruction in whichever world runs">
        Step
      </button>
      <button data-testid="btn-step-over" onClick={() => void step('over')} disabled={!booted || !!busy} title="Step over calls">
        Step over
      </button>
      <button data-testid="btn-step-out" onClick={() => void step('out')} disabled={!booted || !!busy} title="Run until the current function returns">
        Step out
      </button>
      <button data-testid="btn-step-switch" onClick={() => void step('switch')} disabled={!booted || !!busy} title="Run to the next VMRUN or #VMEXIT">
        ⇄ Next world switch
      </button>
      <button data-testid="btn-reset" className="danger" onClick={() => void boot()} disabled={busy === 'booting' || busy === 'experiment' || busy === 'bench'} title="Boot again with the setup below">
        ⟲ Reset
      </button>
      <span className="toolbar-status" data-testid="run-state" data-value={running ? 'running' : busy ?? 'stopped'}>
        {busy === 'booting' ? 'booting…' : busy === 'experiment' ? 'experiment running…' : busy === 'bench' ? 'benchmark running…' : busy === 'stepping' ? 'stepping…' : running ? 'running' : booted ? 'stopped' : 'starting…'}
      </span>
    </div>
  );
}
