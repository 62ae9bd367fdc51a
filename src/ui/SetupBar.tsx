// The machine's setup: CPU model (+ feature switches), clock, which guests to boot
// (built-in images, several instances, ELF files dropped on the page). Applied by Reset.
import { useRef, useState } from 'react';
import { useLab } from './labStore';
import { imageOf } from './lib/url';

const BUILT_IN = ['g-dummy.elf', 'g-hcall.elf', 'g-serial.elf', 'g-crash.elf', 'skeletal.elf'];
const MODELS = [
  { id: 'k8', title: 'k8 — Athlon 64 X2 (the paper\'s CPU; no nested paging, which this HVMM needs: it says so and stops)' },
  { id: 'fam10h', title: 'fam10h — Barcelona (nested paging)' },
  { id: 'zen', title: 'zen — NP, NRIPS, VMCB clean, decode assists' },
];
const SPEEDS = [1600, 2000, 2200];

export function SetupBar() {
  const draft = useLab((s) => s.draft);
  const setup = useLab((s) => s.setup);
  const dropped = useLab((s) => s.dropped);
  const { setDraft, boot, dropFiles } = useLab.getState();
  const fileRef = useRef<HTMLInputElement>(null);
  const [addImage, setAddImage] = useState('g-dummy.elf');
  const [model, ...switches] = draft.cpu.split(',');
  const custom = !SPEEDS.includes(draft.mhz);
  const dirty = JSON.stringify(draft) !== JSON.stringify(setup);
  const images = [...BUILT_IN, ...Object.keys(dropped)];

  const setGuest = (k: number, cmdline: string) => setDraft({ guests: draft.guests.map((g, j) => (j === k ? cmdline : g)) });
  const nextName = (image: string) => {
    const base = image.replace(/\.elf$/, '').replace(/^g-/, '');
    let n = 1;
    while (draft.guests.some((g) => g.includes(`name=${base}${n > 1 ? n : ''} `) || g.endsWith(`name=${base}${n > 1 ? n : ''}`))) n++;
    return `${base}${n > 1 ? n : ''}`;
  };

  return (
    <section className="panel setup" aria-label="Machine setup">
      <div className="setup-row">
        <label>
          CPU model{' '}
          <select data-testid="cpu-model" value={model} onChange={(e) => setDraft({ cpu: [e.target.value, ...switches].join(',') })}>
            {MODELS.map((m) => <option key={m.id} value={m.id} title={m.title}>{m.id}</option>)}
          </select>
        </label>
        <label title="feature switches, e.g. -NP,-NRIPS">
          switches{' '}
          <input data-testid="cpu-switches" className="short" value={switches.join(',')} placeholder="e.g. -NP"
            onChange={(e) => setDraft({ cpu: [model, ...e.target.value.split(',').map((x) => x.trim()).filter(Boolean)].join(',') })} />
        </label>
        <label>
          speed{' '}
          <select data-testid="cpu-speed" value={custom ? 'custom' : String(draft.mhz)}
            onChange={(e) => setDraft({ mhz: e.target.value === 'custom' ? 1000 : Number(e.target.value) })}>
            {SPEEDS.map((m) => <option key={m} value={m}>{(m / 1000).toFixed(1)} GHz</option>)}
            <option value="custom">custom…</option>
          </select>
        </label>
        {custom && (
          <label>
            MHz <input data-testid="cpu-mhz" type="number" min={1} className="short" value={draft.mhz}
              onChange={(e) => Number(e.target.value) > 0 && setDraft({ mhz: Number(e.target.value) })} />
          </label>
        )}
        <button data-testid="btn-boot" className={dirty ? 'primary' : ''} onClick={() => void boot(draft)}>
          {dirty ? 'Boot with these changes' : 'Boot again'}
        </button>
      </div>
      <div className="guests" data-testid="guest-list">
        <span className="label">Guests (one VM each, in ASID order):</span>
        {draft.guests.map((g, k) => (
          <span key={k} className="guest-chip" data-testid={`guest-${k + 1}`}>
            <span className="asid">#{k + 1}</span>
            <input value={g} aria-label={`guest ${k + 1} command line`} size={Math.max(12, g.length)} onChange={(e) => setGuest(k, e.target.value)} />
            <button className="icon" aria-label={`remove guest ${k + 1}`} onClick={() => setDraft({ guests: draft.guests.filter((_, j) => j !== k) })}>×</button>
          </span>
        ))}
        <span className="add-guest">
          <select value={addImage} onChange={(e) => setAddImage(e.target.value)} aria-label="image to add">
            {images.map((i) => <option key={i}>{i}</option>)}
          </select>
          <button data-testid="btn-add-guest" onClick={() => setDraft({ guests: [...draft.guests, `${addImage} name=${nextName(addImage)}`] })}>+ add</button>
        </span>
        <span className="drop-hint">
          or drop a guest ELF anywhere on the page /{' '}
          <button onClick={() => fileRef.current?.click()}>choose file…</button>
          <input ref={fileRef} data-testid="elf-input" type="file" hidden multiple
            onChange={(e) => { const f = [...(e.target.files ?? [])]; e.target.value = ''; void dropFiles(f); }} />
        </span>
      </div>
      <div className="muted small">
        Hypervisor: <span className="mono">{setup.hv}</span> · images: <span className="mono">{[...new Set(setup.guests.map(imageOf))].join(', ') || 'none'}</span>
        {dirty && <strong className="warn"> · changes apply when you boot</strong>}
      </div>
    </section>
  );
}
