import { useEffect, useState } from 'react';
import { getCoreStatus, type CoreStatus } from './coreStatus';
import { coreClient } from './coreClient';

export function CoreStatusPanel() {
  const [status, setStatus] = useState<CoreStatus | null>(null);

  useEffect(() => {
    let alive = true;
    getCoreStatus(() => coreClient().coreInfo()).then((s) => {
      if (alive) setStatus(s);
    });
    return () => {
      alive = false;
    };
  }, []);

  return (
    <section className="panel status-panel" data-testid="core-status">
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
