import { useCore } from './store';

export function ResultView() {
  const s = useCore((st) => st.snapshot);
  if (!s || s.result === null) return null;
  const done = s.stop === 'halt';
  const match = done && s.expected !== null && s.result === s.expected;
  const verdict = !done ? 'pending' : match ? 'match' : 'mismatch';
  return (
    <div className={`result ${verdict}`} data-testid="result" data-verdict={verdict}>
      <div className="result-row">
        <span className="result-label">bench_result</span>
        <span className="mono" data-testid="result-value">
          {done ? s.result : '— (runs until halt)'}
        </span>
        <span className="result-check" data-testid="result-check" aria-label={verdict}>
          {verdict === 'match' ? '✓' : verdict === 'mismatch' ? '✗' : ''}
        </span>
      </div>
      <div className="result-row">
        <span className="result-label">native</span>
        <span className="mono" data-testid="result-expected">
          {s.expected ?? 'unknown'}
        </span>
      </div>
    </div>
  );
}
