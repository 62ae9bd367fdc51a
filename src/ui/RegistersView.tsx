// Registers of whichever world runs now; changed since the last update highlighted.
import { useLab, useLessonHighlight } from './labStore';
import { groupHex, EMPTY_OBJ } from './lib/format';

const ORDER = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags', 'cr0', 'cr2', 'cr3', 'cr4', 'efer'];
const SEGS = ['cs', 'ds', 'es', 'fs', 'gs', 'ss'];

export function RegistersView() {
  const highlight = useLessonHighlight();
  const regs = useLab((s) => s.snap?.registers ?? EMPTY_OBJ);
  const prev = useLab((s) => s.prevRegisters);
  const flags = useLab((s) => s.snap?.flagsText ?? '');
  const rip = useLab((s) => s.snap?.rip ?? '');
  const sym = useLab((s) => s.snap?.ripSymbol ?? null);
  const cell = (n: string, long: boolean) => {
    const v = regs[n];
    if (v === undefined) return null;
    const changed = prev[n] !== undefined && prev[n] !== v;
    return (
      <div key={n} className={`reg${changed ? ' changed' : ''}${highlight.registers.has(n) ? ' lesson-highlight' : ''}`} data-testid={`reg-${n}`} data-changed={changed}>
        <span className="reg-name">{n}</span>
        <span className="mono">{long ? groupHex(v) : v}</span>
      </div>
    );
  };
  return (
    <section className="panel" aria-label="Registers">
      <h2>Registers</h2>
      <div className="regs">{ORDER.map((n) => cell(n, true))}</div>
      <div className="regs segs">{SEGS.map((n) => cell(n, false))}</div>
      <p className="small">flags <span className="mono" data-testid="flags">{flags || '—'}</span> · next instruction at{' '}
        <span className="mono">{rip}</span>{sym && <> &lt;<span className="mono" data-testid="rip-symbol">{sym}</span>&gt;</>}</p>
    </section>
  );
}
