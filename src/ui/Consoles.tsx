// The consoles (xterm.js): the machine's real VGA screen, one per guest (its private
// screen behind the nested page table), and the serial port.
import { useEffect, useRef } from 'react';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useLab } from './labStore';
import { screenToAnsi, screenToText } from './lib/vga';

const FONT = { fontFamily: '"DejaVu Sans Mono", "Liberation Mono", ui-monospace, monospace', fontSize: 13 };

/** An 80x25 VGA text screen, redrawn when its cells change (at most every 100 ms). */
function VgaConsole({ asid, name }: { asid: number; name: string }) {
  const host = useRef<HTMLDivElement>(null);
  const textRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const term = new Terminal({ cols: 80, rows: 25, ...FONT, cursorBlink: false, disableStdin: true, scrollback: 0, theme: { background: '#000000' } });
    term.open(host.current!);
    let shown: Uint16Array | null = null; // what the terminal shows: the next write sends only the rows that differ
    let lastDraw = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const draw = () => {
      timer = null;
      lastDraw = performance.now();
      const screen = useLab.getState().snap?.screens.find((s) => s.asid === asid);
      if (!screen) return;
      const ansi = screenToAnsi(screen.cells, shown);
      if (ansi === '') return;
      shown = screen.cells.slice();
      term.write(ansi);
      if (textRef.current) textRef.current.textContent = screenToText(screen.cells);
    };
    draw();
    const unsub = useLab.subscribe((s, p) => {
      if (s.snap === p.snap || timer) return;
      timer = setTimeout(draw, Math.max(0, 100 - (performance.now() - lastDraw)));
    });
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
      term.dispose();
    };
  }, [asid]);
  return (
    <figure className="console" data-testid={`screen-${asid}`} data-name={name}>
      <figcaption>{asid === 0 ? 'Real screen (hypervisor, VGA 0xB8000)' : `Guest ${asid} · ${name} — private screen (guest-physical 0xB8000)`}</figcaption>
      <div ref={host} className="xterm-host" />
      {/* the same text, for copy/paste, search and screen readers */}
      <pre ref={textRef} className="sr-only" data-testid={`screen-text-${asid}`} />
    </figure>
  );
}

export function Screens() {
  const screens = useLab((s) => (s.snap?.screens ?? []).map((x) => `${x.asid}:${x.name}`).join('|'));
  const list = screens ? screens.split('|').map((x) => { const i = x.indexOf(':'); return { asid: Number(x.slice(0, i)), name: x.slice(i + 1) }; }) : [];
  return (
    <section className="panel" aria-label="Screens">
      <h2>Screens</h2>
      {list.length <= 1 && <p className="muted">Guests' screens appear when the hypervisor has created their VMs.</p>}
      <div className="consoles">
        {list.map((s) => <VgaConsole key={s.asid} asid={s.asid} name={s.name} />)}
      </div>
    </section>
  );
}

/** The serial port (COM1), appended incrementally. */
export function SerialConsole() {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const term = new Terminal({ cols: 100, rows: 16, ...FONT, convertEol: true, disableStdin: true, scrollback: 5000 });
    term.open(host.current!);
    let written = 0; // serial characters written so far (absolute offset)
    const update = (serial: string, base: number) => {
      const end = base + serial.length;
      if (end < written) { term.reset(); written = 0; }
      if (end === written) return;
      term.write(serial.slice(Math.max(0, written - base)));
      written = end;
    };
    update(useLab.getState().serial, useLab.getState().serialBase);
    const unsub = useLab.subscribe((s, p) => { if (s.serial !== p.serial) update(s.serial, s.serialBase); });
    return () => { unsub(); term.dispose(); };
  }, []);
  const length = useLab((s) => s.serial.length);
  return (
    <section className="panel" aria-label="Serial port">
      <h2>Serial port (COM1, 0x3F8) <span className="muted small">{length.toLocaleString('en-US')} characters</span></h2>
      <div ref={host} className="xterm-host serial" data-testid="serial" />
    </section>
  );
}
