import { Fragment } from 'react';
import { useCore } from './store';

export function DisassemblyView() {
  const lines = useCore((st) => st.disasm);
  const error = useCore((st) => st.disasmError);
  return (
    <div className="disasm" data-testid="disasm">
      {error && <p className="warn">Disassembler unavailable: {error}</p>}
      {lines.length === 0 && !error && <p className="muted">…</p>}
      {lines.map((l) => (
        <Fragment key={l.address}>
          {l.label && <div className="disasm-label">{l.label}:</div>}
          <div className={`disasm-line${l.current ? ' current' : ''}`} data-testid={l.current ? 'disasm-current' : undefined}>
            <span className="disasm-marker">{l.current ? '▶' : ''}</span>
            <span className="disasm-addr">{l.address.replace(/^0{8}/, '')}</span>
            <span className="disasm-bytes">{l.bytes}</span>
            <span className="disasm-text">{l.text}</span>
          </div>
        </Fragment>
      ))}
    </div>
  );
}
