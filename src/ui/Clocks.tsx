// SimNow-style clocks: host and simulated seconds, instructions, MIPS, world switches,
// the running world, GIF, CPL and mode.
import { useLab } from './labStore';
import { fmtInt } from './lib/format';

function Clock({ id, label, value, text, title }: { id: string; label: string; value: string | number; text: string; title?: string }) {
  return (
    <div className="clock" title={title}>
      <div className="clock-label">{label}</div>
      <div className="clock-value mono" data-testid={`clock-${id}`} data-value={String(value)}>{text}</div>
    </div>
  );
}

export function Clocks() {
  const snap = useLab((s) => s.snap);
  if (!snap) return <section className="panel clocks" aria-label="Clocks"><span className="muted">starting the machine worker…</span></section>;
  const c = snap.clocks;
  return (
    <section className="panel clocks" aria-label="Clocks" data-testid="clocks">
      <Clock id="host" label="host seconds" value={c.hostSeconds} text={c.hostSeconds.toFixed(3)} title="wall time the emulator has spent running (SimNow's host seconds)" />
      <Clock id="sim" label="simulated seconds" value={c.simSeconds} text={c.simSeconds.toFixed(6)} title={`cycles / ${c.mhz} MHz`} />
      <Clock id="instructions" label="instructions" value={c.instructions} text={fmtInt(c.instructions)} />
      <Clock id="cycles" label="cycles" value={c.cycles} text={fmtInt(c.cycles)} />
      <Clock id="mips" label="MIPS" value={c.mips} text={c.mips.toFixed(1)} />
      <Clock id="switches" label="world switches" value={c.worldSwitches} text={fmtInt(c.worldSwitches)} title="VMRUNs + #VMEXITs" />
      <div className={`clock world world-${snap.world === 0 ? 'host' : 'guest'}`}>
        <div className="clock-label">world</div>
        <div className="clock-value" data-testid="clock-world" data-value={snap.world} data-name={snap.worldName}>
          {snap.world === 0 ? 'hypervisor' : `guest ${snap.world} · ${snap.worldName}`}
        </div>
      </div>
      <Clock id="gif" label="GIF" value={snap.gif ? 1 : 0} text={snap.gif ? '1' : '0'} title="global interrupt flag (STGI/CLGI)" />
      <Clock id="cpl" label="CPL" value={snap.cpl} text={String(snap.cpl)} />
      <Clock id="mode" label="mode" value={snap.mode} text={snap.mode} />
      <Clock id="cpu" label="CPU" value={snap.cpuModel} text={`${snap.cpuModel} @ ${c.mhz} MHz`} />
    </section>
  );
}
