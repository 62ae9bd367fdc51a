import { useCore } from './store';
import { CoreStats } from './CoreStats';
import { ResultView } from './ResultView';
import { RegistersView } from './RegistersView';
import { DisassemblyView } from './DisassemblyView';

export function CorePanel() {
  const workload = useCore((s) => s.snapshot?.workload);
  const error = useCore((s) => s.error);
  return (
    <section className="panel core-panel" data-testid="core-panel" aria-label="CPU core">
      <h2 data-testid="core-title">
        CPU core <span className="muted">— flat 64-bit{workload ? `, ${workload}.elf` : ''}</span>
      </h2>
      {error && (
        <p className="bad" data-testid="core-error">
          {error}
        </p>
      )}
      <CoreStats />
      <ResultView />
      <div className="core-columns">
        <div>
          <h3>Registers</h3>
          <RegistersView />
        </div>
        <div>
          <h3>Disassembly</h3>
          <DisassemblyView />
        </div>
      </div>
    </section>
  );
}
