// Breakpoints: #VMEXIT (by exit code, by VM), guest entry (by VM), instruction
// address or symbol, I/O port, memory write. Enable/disable, hit counts.
import { useState } from 'react';
import { useLab } from './labStore';
import { EMPTY } from './lib/format';
import { VMEXIT } from '../emu/svm/exitcodes';
import type { BreakpointRequest } from '../worker/protocol';

type Kind = BreakpointRequest['kind'];
const KINDS: Array<{ id: Kind; title: string }> = [
  { id: 'vmexit', title: '#VMEXIT' },
  { id: 'guest-entry', title: 'guest entry (VMRUN)' },
  { id: 'address', title: 'address / symbol' },
  { id: 'io', title: 'I/O port' },
  { id: 'write', title: 'memory write' },
];
const EXIT_CODES = Object.entries(VMEXIT).filter(([n]) => n !== 'EXCP_BASE');

const num = (s: string) => Number(s.trim().startsWith('0x') || /^\d+$/.test(s.trim()) ? s.trim() : '0x' + s.trim());

export function BreakpointsPanel() {
  const bps = useLab((s) => s.bps);
  const vms = useLab((s) => s.snap?.vms ?? EMPTY);
  const hitIds: readonly number[] = useLab((s) => (s.running ? EMPTY : s.snap?.stop?.breakpointIds ?? EMPTY));
  const { addBreakpoint, removeBreakpoint, enableBreakpoint } = useLab.getState();
  const [kind, setKind] = useState<Kind>('vmexit');
  const [exitCode, setExitCode] = useState('any');
  const [asid, setAsid] = useState('any');
  const [at, setAt] = useState('handle_vmexit');
  const [port, setPort] = useState('0x3f8');
  const [pa, setPa] = useState('0xb8000');
  const [len, setLen] = useState('4000');

  const asidOpt = asid === 'any' ? {} : { asid: Number(asid) };
  const request = (): BreakpointRequest => {
    switch (kind) {
      case 'vmexit': return { kind, ...(exitCode === 'any' ? {} : { exitCode: Number(exitCode) }), ...asidOpt };
      case 'guest-entry': return { kind, ...asidOpt };
      case 'address': return { kind, at: at.trim(), ...(asid === 'any' ? {} : { world: Number(asid) }) };
      case 'io': return { kind, port: num(port) };
      case 'write': return { kind, pa: num(pa), length: Math.max(1, Number(len) || 1) };
    }
  };
  const vmSelect = (label: string, allowHost: boolean) => (
    <select value={asid} onChange={(e) => setAsid(e.target.value)} aria-label={label} data-testid="bp-asid">
      <option value="any">any {allowHost ? 'world' : 'VM'}</option>
      {allowHost && <option value="0">hypervisor</option>}
      {vms.map((v) => <option key={v.asid} value={v.asid}>VM {v.asid} · {v.name}</option>)}
    </select>
  );

  return (
    <section className="panel" aria-label="Breakpoints" data-testid="breakpoints">
      <h2>Breakpoints</h2>
      <form className="filters bp-form" onSubmit={(e) => { e.preventDefault(); void addBreakpoint(request()); }}>
        <select value={kind} onChange={(e) => { setKind(e.target.value as Kind); setAsid('any'); }} aria-label="breakpoint kind" data-testid="bp-kind">
          {KINDS.map((k) => <option key={k.id} value={k.id}>{k.title}</option>)}
        </select>
        {kind === 'vmexit' && (
          <>
            <select value={exitCode} onChange={(e) => setExitCode(e.target.value)} aria-label="exit code" data-testid="bp-exitcode">
              <option value="any">any exit code</option>
              {EXIT_CODES.map(([n, c]) => <option key={n} value={c}>{n} ({c < 0 ? '-1' : '0x' + c.toString(16)})</option>)}
            </select>
            {vmSelect('VM', false)}
          </>
        )}
        {kind === 'guest-entry' && vmSelect('VM', false)}
        {kind === 'address' && (
          <>
            <input className="mono" value={at} onChange={(e) => setAt(e.target.value)} aria-label="symbol or address" data-testid="bp-at" placeholder="symbol, image:symbol+0x10 or 0xaddress" />
            {vmSelect('world', true)}
          </>
        )}
        {kind === 'io' && <input className="mono short" value={port} onChange={(e) => setPort(e.target.value)} aria-label="port" data-testid="bp-port" />}
        {kind === 'write' && (
          <>
            <input className="mono short" value={pa} onChange={(e) => setPa(e.target.value)} aria-label="physical address" data-testid="bp-pa" />
            <input className="mono short" value={len} onChange={(e) => setLen(e.target.value)} aria-label="length" data-testid="bp-length" />
            <span className="muted small">bytes (host physical)</span>
          </>
        )}
        <button type="submit" className="primary" data-testid="bp-add">Add breakpoint</button>
      </form>
      {bps.length === 0 ? <p className="muted">No breakpoints.</p> : (
        <table className="fields bps">
          <thead><tr><th>on</th><th>#</th><th>breakpoint</th><th>hits</th><th /></tr></thead>
          <tbody>
            {bps.map(({ info }) => (
              <tr key={info.id} data-testid={`bp-${info.id}`} className={hitIds.includes(info.id) ? 'hit' : ''}>
                <td><input type="checkbox" checked={info.enabled} aria-label={`enable breakpoint ${info.id}`} data-testid={`bp-enable-${info.id}`}
                  onChange={(e) => void enableBreakpoint(info.id, e.target.checked)} /></td>
                <td className="muted">{info.id}</td>
                <td className="mono">{info.label}</td>
                <td className="mono" data-testid={`bp-hits-${info.id}`}>{info.hits}</td>
                <td><button className="icon" aria-label={`remove breakpoint ${info.id}`} onClick={() => void removeBreakpoint(info.id)}>×</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
