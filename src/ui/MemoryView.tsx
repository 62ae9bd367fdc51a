// A hex view of memory in a chosen address space: physical (host RAM), the
// hypervisor's virtual addresses (its CR3), or a guest's virtual / physical addresses.
import { useEffect, useState, type ReactElement } from 'react';
import { useLab } from './labStore';
import { EMPTY } from './lib/format';
import { machine } from './lib/machineClient';
import { errorText, hexByte } from './lib/format';
import type { MemorySpace } from '../worker/protocol';

const SPACES: Array<{ id: MemorySpace; title: string; guest: boolean }> = [
  { id: 'physical', title: 'host physical', guest: false },
  { id: 'host-virtual', title: 'hypervisor virtual', guest: false },
  { id: 'guest-virtual', title: 'guest virtual', guest: true },
  { id: 'guest-physical', title: 'guest physical', guest: true },
];
const LENGTH = 256;

export function MemoryView() {
  const vms = useLab((s) => s.snap?.vms ?? EMPTY);
  const stopKey = useLab((s) => (!s.booted || s.running ? 'running' : `${s.snap?.clocks.instructions}`));
  const [space, setSpace] = useState<MemorySpace>('physical');
  const [asid, setAsid] = useState(1);
  const [address, setAddress] = useState('0xb8000');
  const [bytes, setBytes] = useState<Uint8Array | null>(null);
  const [shownAt, setShownAt] = useState(0n);
  const [error, setError] = useState<string | null>(null);
  const isGuest = SPACES.find((s) => s.id === space)!.guest;

  const read = async () => {
    try {
      const at = BigInt(address.trim().startsWith('0x') ? address.trim() : '0x' + address.trim()) & ~0xfn;
      const b = await machine().readMemory(space, '0x' + at.toString(16), LENGTH, isGuest ? asid : undefined);
      setBytes(b);
      setShownAt(at);
      setError(b ? null : 'not mapped (or outside RAM) in this address space');
    } catch (e) {
      setBytes(null);
      setError(errorText(e));
    }
  };
  // refresh at each stop
  useEffect(() => { if (stopKey !== 'running') void read(); }, [stopKey]); // eslint-disable-line react-hooks/exhaustive-deps

  const rows: ReactElement[] = [];
  if (bytes) {
    for (let off = 0; off < bytes.length; off += 16) {
      const chunk = [...bytes.subarray(off, off + 16)];
      rows.push(
        <div key={off} className="hexrow">
          <span className="addr">{(shownAt + BigInt(off)).toString(16).padStart(12, '0')}</span>
          <span className="hexbytes">{chunk.map(hexByte).join(' ')}</span>
          <span className="ascii">{chunk.map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')}</span>
        </div>,
      );
    }
  }
  return (
    <section className="panel" aria-label="Memory">
      <h2>Memory</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void read(); }}>
        <select value={space} onChange={(e) => setSpace(e.target.value as MemorySpace)} aria-label="address space" data-testid="mem-space">
          {SPACES.map((s) => <option key={s.id} value={s.id}>{s.title}</option>)}
        </select>
        {isGuest && (
          <select value={asid} onChange={(e) => setAsid(Number(e.target.value))} aria-label="guest">
            {vms.map((v) => <option key={v.asid} value={v.asid}>VM {v.asid} · {v.name}</option>)}
          </select>
        )}
        <input className="mono" value={address} onChange={(e) => setAddress(e.target.value)} aria-label="address" data-testid="mem-address" />
        <button type="submit" data-testid="mem-read">Read</button>
      </form>
      {error && <p className="bad" data-testid="mem-error">{error}</p>}
      <div className="hexview mono" data-testid="memory">{rows}</div>
    </section>
  );
}
