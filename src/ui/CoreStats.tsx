import { useCore } from './store';
import { fmtInt, STOP_LABELS } from './format';

function Stat({ id, label, value, raw }: { id: string; label: string; value: string; raw?: number | string }) {
  return (
    <div className="stat">
      <div className="stat-label">{label}</div>
      <div className="stat-value" data-testid={id} data-value={raw}>
        {value}
      </div>
    </div>
  );
}

export function CoreStats() {
  const s = useCore((st) => st.snapshot);
  if (!s) return <p className="muted">Loading workload…</p>;
  const stopClass = s.stop === 'halt' ? 'ok' : s.stop === 'exception' || s.stop === 'internal' ? 'bad' : '';
  return (
    <>
      <div className="stats">
        <Stat id="stat-instructions" label="Instructions" value={fmtInt(s.instructions)} raw={s.instructions} />
        <Stat id="stat-cycles" label="Cycles" value={fmtInt(s.cycles)} raw={s.cycles} />
        <Stat id="stat-mips" label="MIPS" value={s.mips.toFixed(1)} raw={s.mips} />
        <Stat id="stat-host" label="Host seconds" value={s.hostSeconds.toFixed(2)} raw={s.hostSeconds} />
        <div className="stat">
          <div className="stat-label">Stop reason</div>
          <div className={`stat-value ${stopClass}`} data-testid="stat-stop" data-value={s.stop}>
            {STOP_LABELS[s.stop] ?? s.stop}
          </div>
        </div>
      </div>
      {s.fault && (
        <p className="bad mono" data-testid="fault">
          {s.fault}
        </p>
      )}
    </>
  );
}
