// The world-switch timeline: which VM ran when (a lane per world), each #VMEXIT a
// mark coloured by its exit code; click one for its details.
import { useEffect, useRef } from 'react';
import { useLab } from './labStore';
import { EMPTY } from './lib/format';
import type { SwitchEventInfo } from '../worker/protocol';
import { fmtInt, fmtSeconds } from './lib/format';

const WINDOW = 160;
const EXIT_COLOURS: Record<string, string> = {
  INTR: '#61afef', VMMCALL: '#98c379', IOIO: '#e5a050', HLT: '#8b95a5', CPUID: '#c678dd', NPF: '#e06c75',
  SHUTDOWN: '#ff3030', MSR: '#56b6c2', VINTR: '#d19a66', INVALID: '#ff00aa',
};
export const exitColour = (name?: string): string => {
  if (!name) return '#888';
  if (EXIT_COLOURS[name]) return EXIT_COLOURS[name]!;
  if (name.startsWith('EXCP_')) return '#be5046';
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return `hsl(${h} 55% 60%)`;
};

export function Timeline() {
  const events = useLab((s) => s.events);
  const vms = useLab((s) => s.snap?.vms ?? EMPTY);
  const now = useLab((s) => s.snap?.clocks.simSeconds ?? 0);
  const selected = useLab((s) => s.selectedEvent);
  const select = useLab.getState().selectEvent;
  const recent = events.slice(-WINDOW);
  const last = recent[recent.length - 1];
  const t0 = recent[0]?.simSeconds ?? 0;
  const t1 = Math.max(now, last?.simSeconds ?? 0, t0 + 1e-9);
  const x = (t: number) => ((t - t0) / (t1 - t0)) * 100;
  const lanes = [{ asid: 0, name: 'hypervisor' }, ...vms.map((v) => ({ asid: v.asid, name: v.name }))];
  // segments: guest a runs from its vmrun to the next vmexit; the hypervisor in between
  const segs: Array<{ asid: number; from: number; to: number }> = [];
  recent.forEach((e, k) => {
    const next = recent[k + 1];
    const end = next?.simSeconds ?? t1;
    segs.push({ asid: e.kind === 'vmrun' ? e.asid : 0, from: e.simSeconds, to: end });
  });
  const sel = selected === null ? null : events.find((e) => e.seq === selected) ?? null;
  const exitNames = [...new Set(recent.filter((e) => e.kind === 'vmexit').map((e) => e.exitName ?? '?'))];

  return (
    <section className="panel" aria-label="World-switch timeline">
      <h2>World-switch timeline <span className="muted small">last {recent.length} of {fmtInt(events.length ? events[events.length - 1]!.seq + 1 : 0)} switches · {fmtSeconds(t1 - t0)} simulated</span></h2>
      <div className="timeline" data-testid="timeline" data-count={events.length}
        data-last-kind={last?.kind ?? ''} data-last-asid={last?.asid ?? ''} data-last-seq={last?.seq ?? ''}>
        {lanes.map((lane) => (
          <div key={lane.asid} className="lane" data-testid={`lane-${lane.asid}`}>
            <div className="lane-name">{lane.asid === 0 ? 'hypervisor' : `VM ${lane.asid} · ${lane.name}`}</div>
            <div className="lane-track">
              <LaneSegments segs={segs.filter((s) => s.asid === lane.asid)} host={lane.asid === 0} t0={t0} t1={t1} />
              {lane.asid !== 0 && recent.filter((e) => e.kind === 'vmexit' && e.asid === lane.asid).map((e, k) => (
                // Keyed by slot, not by event: the window slides by hundreds of events between two
                // redraws while the lab runs, and reusing the buttons spares creating them all again.
                <button key={k} className={`exit-mark${e.seq === selected ? ' selected' : ''}`} data-testid="exit-mark"
                  title={`#VMEXIT ${e.exitName} (VM ${e.asid})`} aria-label={`#VMEXIT ${e.exitName} of VM ${e.asid}, event ${e.seq}`}
                  style={{ left: `${x(e.simSeconds)}%`, background: exitColour(e.exitName) }} onClick={() => select(e.seq)} />
              ))}
            </div>
          </div>
        ))}
      </div>
      <div className="legend">
        {exitNames.map((n) => <span key={n}><i style={{ background: exitColour(n) }} />{n}</span>)}
      </div>
      <div className="timeline-bottom">
        <table className="fields events" data-testid="event-list">
          <thead><tr><th>#</th><th>event</th><th>VM</th><th>simulated</th><th>cycles</th></tr></thead>
          <tbody>
            {recent.slice(-8).reverse().map((e) => (
              <tr key={e.seq} className={e.seq === selected ? 'selected' : ''} onClick={() => select(e.seq)} data-testid={`event-${e.seq}`}>
                <td className="muted">{e.seq}</td>
                <td>{e.kind === 'vmrun' ? 'VMRUN →' : <><i className="dot" style={{ background: exitColour(e.exitName) }} />#VMEXIT {e.exitName}</>}</td>
                <td>{e.asid}</td>
                <td className="mono">{e.simSeconds.toFixed(6)} s</td>
                <td className="mono">{fmtInt(e.cycles)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <EventDetails e={sel} />
      </div>
    </section>
  );
}

/**
 * A lane's run segments, drawn on a canvas: hundreds of them move at every redraw while the lab
 * runs, and as absolutely placed elements they were the page's most expensive panel (style,
 * layout and paint of each; measured in Chromium's trace: hiding the timeline took the main
 * thread from ~60 % to ~44 % busy).
 */
function LaneSegments({ segs, host, t0, t1 }: { segs: Array<{ from: number; to: number }>; host: boolean; t0: number; t1: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const draw = () => {
    const cv = ref.current;
    if (!cv) return;
    const w = cv.clientWidth, h = cv.clientHeight;
    const dpr = window.devicePixelRatio || 1;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(h * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(h * dpr);
    }
    const g = cv.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    g.fillStyle = host ? SEG_HOST : SEG_GUEST;
    const span = t1 - t0;
    for (const s of segs) {
      const a = ((s.from - t0) / span) * w, b = ((s.to - t0) / span) * w;
      g.fillRect(a, 3, Math.max(2, b - a), h - 6);
    }
  };
  const drawRef = useRef(draw);
  drawRef.current = draw;
  useEffect(draw);
  useEffect(() => {
    const cv = ref.current;
    if (!cv || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => drawRef.current());
    ro.observe(cv);
    return () => ro.disconnect();
  }, []);
  return <canvas ref={ref} className="lane-canvas" data-segments={segs.length} aria-hidden="true" />;
}
const SEG_HOST = '#8a63c9';
const SEG_GUEST = '#2e6b4f';

function EventDetails({ e }: { e: SwitchEventInfo | null }) {
  if (!e) return <div className="event-details muted">Click an exit mark or a row for its details.</div>;
  return (
    <dl className="event-details" data-testid="event-details">
      <dt>event</dt><dd>{e.kind === 'vmrun' ? `VMRUN into VM ${e.asid}` : `#VMEXIT ${e.exitName} (code 0x${((e.exitCode ?? 0) >>> 0).toString(16)}) from VM ${e.asid}`}</dd>
      {e.kind === 'vmexit' && <><dt>EXITINFO1</dt><dd className="mono">{e.exitInfo1}</dd><dt>EXITINFO2</dt><dd className="mono">{e.exitInfo2}</dd></>}
      <dt>guest RIP</dt><dd className="mono">{e.guestRip}</dd>
      <dt>when</dt><dd>{e.simSeconds.toFixed(9)} s simulated · {fmtInt(e.cycles)} cycles · {fmtInt(e.instructions)} instructions · {e.hostMs.toFixed(1)} host ms</dd>
    </dl>
  );
}
