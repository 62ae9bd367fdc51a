import { useCore } from './store';
import { groupHex } from './format';

export function RegistersView() {
  const s = useCore((st) => st.snapshot);
  const changed = useCore((st) => st.changed);
  if (!s) return null;
  return (
    <div className="registers" data-testid="registers">
      {Object.entries(s.registers).map(([name, value]) => (
        <div key={name} className={`reg${changed.has(name) ? ' changed' : ''}`} data-testid={`reg-${name}`}>
          <span className="reg-name">{name}</span>
          <span className="reg-value">{groupHex(value)}</span>
        </div>
      ))}
      <div className="reg wide" data-testid="reg-rip">
        <span className="reg-name">rip</span>
        <span className="reg-value">{groupHex(s.rip)}</span>
        {s.ripSymbol && <span className="reg-sym">&lt;{s.ripSymbol}&gt;</span>}
      </div>
      <div className="reg wide" data-testid="reg-rflags">
        <span className="reg-name">rflags</span>
        <span className="reg-value">{s.rflags}</span>
        <span className="reg-sym">{s.flagsText}</span>
      </div>
    </div>
  );
}
