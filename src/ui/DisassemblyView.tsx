// Disassembly around RIP (iced-x86 in the worker), with symbols from the ELF images.
import { useLab } from './labStore';

export function DisassemblyView() {
  const lines = useLab((s) => s.disasm);
  const world = useLab((s) => s.snap?.worldName ?? '');
  const rip = useLab((s) => s.snap?.rip ?? '');
  const sym = useLab((s) => s.snap?.ripSymbol ?? null);
  return (
    <section className="panel" aria-label="Disassembly">
      <h2>Disassembly <span className="muted small">({world}; refreshed at each stop, every second while running)</span></h2>
      <p className="where">RIP <span className="mono">{rip}</span>{' '}
        {sym ? <strong className="mono" data-testid="disasm-symbol">&lt;{sym}&gt;</strong> : <span className="muted">(no symbol)</span>}</p>
      <div className="disasm mono" data-testid="disasm">
        {lines.length === 0 && <span className="muted">—</span>}
        {lines.map((l) => (
          <div key={l.address + (l.current ? '*' : '')}>
            {l.label && <div className="disasm-label" data-testid="disasm-label">&lt;{l.label}&gt;:</div>}
            <div className={l.current ? 'disasm-line current' : 'disasm-line'} data-testid={l.current ? 'disasm-current' : undefined}>
              <span className="marker">{l.current ? '▶' : ' '}</span>
              <span className="addr">{l.address.replace(/^0x/, '')}</span>
              <span className="bytes">{l.bytes}</span>
              <span className="text">{l.text}</span>
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}
