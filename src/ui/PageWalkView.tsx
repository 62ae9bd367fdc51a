// A guest virtual address through the guest's page table and, for each guest
// table access, the nested page table, down to host physical: step by step.
import { useState } from 'react';
import { useLab } from './labStore';
import { EMPTY } from './lib/format';
import { machine } from './lib/machineClient';
import { errorText } from './lib/format';
import type { PageWalkInfo } from '../worker/protocol';

export function PageWalkView() {
  const vms = useLab((s) => s.snap?.vms ?? EMPTY);
  const [asid, setAsid] = useState(1);
  const [va, setVa] = useState('0x100000');
  const [walk, setWalk] = useState<PageWalkInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  const go = async () => {
    try {
      const v = va.trim().startsWith('0x') ? va.trim() : '0x' + va.trim();
      setWalk(await machine().pageWalk(asid, v));
      setError(null);
    } catch (e) {
      setWalk(null);
      setError(errorText(e));
    }
  };
  return (
    <section className="panel" aria-label="Page walk">
      <h2>Page walk</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void go(); }}>
        <select value={asid} onChange={(e) => setAsid(Number(e.target.value))} aria-label="world" data-testid="walk-asid">
          <option value={0}>hypervisor</option>
          {vms.map((v) => <option key={v.asid} value={v.asid}>VM {v.asid} · {v.name}</option>)}
        </select>
        <input className="mono" value={va} onChange={(e) => setVa(e.target.value)} aria-label="virtual address" data-testid="walk-va" />
        <button type="submit" data-testid="walk-go">Walk</button>
      </form>
      {error && <p className="bad">{error}</p>}
      {walk && (
        <>
          <table className="fields walk" data-testid="walk-steps">
            <thead><tr><th>#</th><th>step</th><th>entry at</th><th>entry</th><th>→ next</th></tr></thead>
            <tbody>
              {walk.steps.map((s, k) => (
                <tr key={k} className={/nested/i.test(s.level) ? 'nested' : ''}>
                  <td className="muted">{k + 1}</td><td>{s.level}</td><td className="mono">{s.entryAddress}</td>
                  <td className="mono">{s.entry}</td><td className="mono">{s.next}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p data-testid="walk-result">
            virtual <span className="mono">{walk.va}</span>
            {walk.asid !== 0 && <> → guest physical <span className="mono">{walk.gpa ?? 'not mapped'}</span></>}
            {' '}→ host physical <strong className="mono">{walk.hpa ?? 'not mapped'}</strong>
          </p>
        </>
      )}
    </section>
  );
}
