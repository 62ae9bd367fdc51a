// The VMCB inspector: per VM, every control-area and state-save field with its
// value, what it means (decoded) and the one-line doc; changed fields highlighted.
import { useState } from 'react';
import { useLab, useLessonHighlight } from './labStore';
import { EMPTY } from './lib/format';

export function VmcbInspector() {
  const highlight = useLessonHighlight();
  const vms = useLab((s) => s.snap?.vms ?? EMPTY);
  const selected = useLab((s) => s.selectedAsid);
  const fields = useLab((s) => s.vmcb);
  const fieldsAsid = useLab((s) => s.vmcbAsid);
  const selectVm = useLab.getState().selectVm;
  const [filter, setFilter] = useState('');
  const [onlyChanged, setOnlyChanged] = useState(false);
  const vm = vms.find((v) => v.asid === selected);
  const shown = (fields ?? []).filter((f) =>
    (!onlyChanged || f.changed) && (!filter || `${f.name} ${f.decoded} ${f.doc}`.toLowerCase().includes(filter.toLowerCase())));
  const exitcode = fields?.find((f) => f.name === 'exitcode');
  return (
    <section className="panel vmcb" aria-label="VMCB inspector" data-testid="vmcb-inspector" data-asid={fieldsAsid}>
      <h2>VMCB inspector</h2>
      <div className="tabs" role="tablist">
        {vms.map((v) => (
          <button key={v.asid} role="tab" aria-selected={v.asid === selected} data-testid={`vm-tab-${v.asid}`}
            className={v.asid === selected ? 'tab active' : 'tab'} onClick={() => selectVm(v.asid)}>
            VM {v.asid} · {v.name}
          </button>
        ))}
        {vms.length === 0 && <span className="muted">no VMs yet (the hypervisor creates them while it boots)</span>}
      </div>
      {vm && (
        <p className="vm-summary" data-testid="vm-summary">
          VMCB at host <span className="mono">{vm.vmcb}</span> · {vm.runs} VMRUNs · {vm.exits} exits · nested paging {vm.np ? 'on' : 'off'}
          {exitcode && fieldsAsid === selected && (
            <> · last exit <strong className="mono" data-testid="vmcb-exitcode">{exitcode.decoded || exitcode.value}</strong></>
          )}
          <br />
          <span className="muted small">exits by code: {Object.entries(vm.exitCounts).map(([k, n]) => `${k} ${n}`).join(', ') || '—'}</span>
        </p>
      )}
      {fields && fieldsAsid === selected && (
        <>
          <div className="filters">
            <input placeholder="filter fields (name, meaning)…" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="filter VMCB fields" />
            <label><input type="checkbox" checked={onlyChanged} onChange={(e) => setOnlyChanged(e.target.checked)} /> only changed</label>
            <span className="muted small">highlighted: changed since this VM's previous world switch</span>
          </div>
          <div className="scroll tall">
            <table className="fields">
              <thead><tr><th>offset</th><th>field</th><th>value</th><th>decoded</th><th>meaning</th></tr></thead>
              <tbody>
                {(['control', 'save'] as const).map((area) => [
                  <tr key={area} className="area-row"><td colSpan={5}>{area === 'control' ? 'Control area (0x000–0x3FF)' : 'State-save area (0x400–)'}</td></tr>,
                  ...shown.filter((f) => f.area === area).map((f) => (
                    <tr key={f.name} className={`${f.changed ? 'changed' : ''}${highlight.vmcb.has(f.name) ? ' lesson-highlight' : ''}`} data-testid={`vmcb-field-${f.name}`} data-changed={f.changed} data-lesson-highlight={highlight.vmcb.has(f.name)}>
                      <td className="mono muted">{f.offset.toString(16).padStart(3, '0')}</td>
                      <td className="mono">{f.name}</td>
                      <td className="mono">{f.value}</td>
                      <td className="decoded">{f.decoded}</td>
                      <td className="doc muted">{f.doc}</td>
                    </tr>
                  )),
                ])}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
