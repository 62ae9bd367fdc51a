import { useEffect, useState } from 'react';
import { getCoreStatus, type CoreStatus } from './coreStatus';

function CoreStatusPanel() {
  const [status, setStatus] = useState<CoreStatus | null>(null);

  useEffect(() => {
    let alive = true;
    getCoreStatus().then((s) => {
      if (alive) setStatus(s);
    });
    return () => {
      alive = false;
    };
  }, []);

  return (
    <section className="panel" data-testid="core-status">
      <h2>CPU core status</h2>
      {status === null ? (
        <p className="muted">Checking…</p>
      ) : (
        <>
          <p className={status.built ? 'ok' : 'warn'} data-testid="core-status-message">
            {status.message}
          </p>
          {status.details.length > 0 && (
            <dl>
              {status.details.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
      <p className="muted" data-testid="isolation">
        Cross-origin isolated: {String(globalThis.crossOriginIsolated === true)}
      </p>
    </section>
  );
}

export function App() {
  return (
    <div className="app">
      <header>
        <h1>Pacifica — x86-64 + AMD SVM lab</h1>
        <p className="muted">
          A bare-metal hypervisor running on an x86-64 CPU emulated in TypeScript.
        </p>
      </header>
      <main>
        <CoreStatusPanel />
      </main>
    </div>
  );
}
