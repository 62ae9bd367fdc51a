// Why the machine stopped (snapshot.stop.message), errors, and boot progress.
import { useLab } from './labStore';

export function StatusBanner() {
  const stop = useLab((s) => (s.running ? null : s.snap?.stop ?? null));
  const error = useLab((s) => s.error);
  const warnings = useLab((s) => s.warnings);
  const booting = useLab((s) => s.running && (s.snap?.vms.length ?? 0) === 0);
  const dismiss = useLab.getState().dismissError;
  return (
    <div className="banners">
      {error && (
        <div className="banner error" role="alert" data-testid="error-banner">
          <span>{error}</span>
          <button className="icon" onClick={dismiss} aria-label="dismiss">×</button>
        </div>
      )}
      {warnings.map((w, k) => <div key={k} className="banner warn">{w}</div>)}
      {booting && (
        <div className="banner info" data-testid="booting-banner">
          The HVMM is booting (multiboot → long mode → SVM → one VMCB per guest): the guests appear once it has created their VMs (a few million
          instructions). Watch the clocks move.
        </div>
      )}
      {stop && (
        <div className={`banner stop stop-${stop.reason}`} data-testid="stop-banner" data-reason={stop.reason}>
          <strong>Stopped ({stop.reason}{stop.machine ? `: ${stop.machine}` : ''}):</strong>{' '}
          <span data-testid="stop-message">{stop.message}</span>
        </div>
      )}
    </div>
  );
}
