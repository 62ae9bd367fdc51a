// The benchmark in the page: the same workloads and full-system run as
// `pacifica bench`, measured in this browser's worker, interpreter and block
// compiler side by side; optionally the lab's own speed with every panel live
// against the same work headless.
import { useState } from 'react';
import { useBench } from './benchStore';
import { useLab } from './labStore';
import { PAGE_BENCH_DEFAULTS } from './lib/bench-url';
import { fmtInt } from './lib/format';
import type { BenchReport } from '../worker/protocol';
import { ENGINES, type Engine } from '../emu/bench/engines';

const slug = (e: Engine) => (e === 'interpreter' ? 'interp' : 'jit');
const f1 = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(1) : '—');

/** One figure per engine, '—' for an engine that did not run. */
function EngineCells({ report, row, value, text }: {
  report: BenchReport; row: string;
  value: (r: BenchReport['engines'][number]) => number | undefined;
  text?: (r: BenchReport['engines'][number]) => string;
}) {
  return (
    <>
      {ENGINES.map((e) => {
        const r = report.engines.find((x) => x.engine === e);
        const v = r ? value(r) : undefined;
        return (
          <td key={e} className="mono" data-testid={`bench-mips-${row}-${slug(e)}`} data-value={v ?? ''}>
            {r && v !== undefined ? (text ? text(r) : f1(v)) : '—'}
          </td>
        );
      })}
    </>
  );
}

function ReportTable({ report }: { report: BenchReport }) {
  const first = report.engines[0]!;
  const sys = report.engines.find((e) => e.system)?.system;
  return (
    <table className="fields" data-testid="bench-table">
      <thead><tr><th>workload</th><th>instructions</th><th>interpreter MIPS</th><th>block compiler MIPS</th><th>result</th></tr></thead>
      <tbody>
        {first.workloads.map((w) => {
          const ok = report.engines.every((e) => e.workloads.find((x) => x.name === w.name)?.resultOk);
          return (
            <tr key={w.name} data-testid={`bench-row-${w.name}`}>
              <td>{w.name}</td>
              <td className="mono">{(w.instructions / 1e6).toFixed(1)} M</td>
              <EngineCells report={report} row={w.name} value={(r) => r.workloads.find((x) => x.name === w.name)?.mips} />
              <td className={ok ? 'ok' : 'bad'}>{ok ? 'ok' : 'WRONG'}</td>
            </tr>
          );
        })}
        {first.workloads.length > 0 && (
          <tr><td>median</td><td /><EngineCells report={report} row="median" value={(r) => r.medianMips} /><td /></tr>
        )}
        {sys && (
          <>
            <tr data-testid="bench-row-system">
              <td title="the HVMM with the lab's default guests, hypervisor logging off">
                hvmm+guests ({sys.simMs} simulated ms{sys.stop === 'time' ? '' : `; ran ${sys.simMsRan.toFixed(1)}: ${sys.stop}`})
              </td>
              <td className="mono">{(sys.instructions / 1e6).toFixed(1)} M</td>
              <EngineCells report={report} row="system" value={(r) => r.system?.mips} />
              <td>{fmtInt(sys.worldSwitches)} world switches</td>
            </tr>
            <tr>
              <td title="wall time and instructions from power-on to the first VMRUN">· boot: power-on → first VMRUN</td>
              <td className="mono">{(sys.boot.instructions / 1e6).toFixed(2)} M</td>
              <EngineCells report={report} row="boot" value={(r) => r.system?.boot.mips}
                text={(r) => `${((r.system?.boot.seconds ?? 0) * 1000).toFixed(1)} ms (${f1(r.system?.boot.mips)} MIPS)`} />
              <td />
            </tr>
            <tr>
              <td title="from the first VMRUN to the end of the run: guests, world switches, scheduling">· steady: after the first VMRUN</td>
              <td className="mono">{(sys.steady.instructions / 1e6).toFixed(1)} M</td>
              <EngineCells report={report} row="steady" value={(r) => r.system?.steady.mips} />
              <td />
            </tr>
            <tr>
              <td title="#VMEXIT ending guest 1's slice → guest 2's first instruction, 2 GHz, logging off">
                · switch lag: host µs, median (p95), {sys.switchLagUs.switches} switches
              </td>
              <td />
              <EngineCells report={report} row="lag" value={(r) => r.system?.switchLagUs.median}
                text={(r) => `${f1(r.system?.switchLagUs.median)} (${f1(r.system?.switchLagUs.p95)})`} />
              <td />
            </tr>
            {sys.sustained && (
              <>
                <tr data-testid="bench-row-sustained">
                  <td title="the same setup with the dummy guest printing without end, from power-on for a fixed number of instructions">· sustained: the dummy guest not ending</td>
                  <td className="mono">{(sys.sustained.instructions / 1e6).toFixed(0)} M</td>
                  <EngineCells report={report} row="sustained" value={(r) => r.system?.sustained?.mips} />
                  <td />
                </tr>
                <tr>
                  <td title="the sustained run after its first quarter: the emulator and its compiled blocks optimized by the JavaScript engine">· sustained, warm: after its first quarter</td>
                  <td className="mono">{(sys.sustained.warm.instructions / 1e6).toFixed(0)} M</td>
                  <EngineCells report={report} row="warm" value={(r) => r.system?.sustained?.warm.mips} />
                  <td />
                </tr>
              </>
            )}
          </>
        )}
      </tbody>
    </table>
  );
}

function PageLiveView({ report }: { report: BenchReport }) {
  const p = report.pageLive;
  if (!p) return null;
  return (
    <p className="small" data-testid="bench-live" data-ratio={p.ratio} data-mips={p.mips} data-headless={p.headlessMips}>
      <strong>Page live</strong> ({p.setup}; {p.engine}): <span className="mono">{f1(p.mips)}</span> MIPS while running
      (<span className="mono">{f1(p.wallMips)}</span> over {p.wallSeconds.toFixed(1)} s of wall time, snapshots and the page included)
      against <span className="mono">{f1(p.headlessMips)}</span> MIPS headless over the same {(p.instructions / 1e6).toFixed(1)} M instructions
      {p.headlessInstructions !== p.instructions && ` (headless ran ${(p.headlessInstructions / 1e6).toFixed(1)} M)`}:
      ratio <span className="mono">{p.ratio.toFixed(2)}</span>
      {p.rounds.length > 1 && <>, the median of {p.rounds.length} rounds of a live run and its replay
        (<span className="mono" data-testid="bench-live-rounds">{p.rounds.map((r) => r.ratio.toFixed(2)).join(', ')}</span>)</>}.
    </p>
  );
}

export function BenchPanel() {
  const bench = useBench();
  const booted = useLab((s) => s.booted);
  const busy = useLab((s) => s.busy);
  const [runs, setRuns] = useState(1);
  const [live, setLive] = useState(false);
  const pct = bench.total ? Math.round((100 * bench.done) / bench.total) : 0;
  return (
    <section className="panel bench" aria-label="Benchmark" data-testid="bench" data-state={bench.running ? 'running' : bench.report ? 'done' : 'idle'}>
      <h2>Benchmark: MIPS in this browser</h2>
      <div className="filters">
        <button className="primary" data-testid="btn-bench" disabled={!booted || bench.running || (!!busy && busy !== 'bench')}
          onClick={() => void bench.run({ ...PAGE_BENCH_DEFAULTS, runs, live })}>
          {bench.running ? `Measuring… ${bench.phase} ${bench.total ? `(${pct} %)` : ''}` : 'Run benchmark'}
        </button>
        <label className="small">runs <input type="number" min={1} max={9} value={runs} data-testid="bench-runs" style={{ width: '3.5em' }}
          onChange={(e) => setRuns(Math.max(1, Math.min(9, Number(e.target.value) || 1)))} /></label>
        <label className="small"><input type="checkbox" checked={live} data-testid="bench-live-toggle" onChange={(e) => setLive(e.target.checked)} /> page live first</label>
        <span className="muted small">
          The C workloads and the HVMM with its default guests, as <code>npx pacifica bench</code> runs them in Node; medians of the runs.
          The lab's machine pauses while it runs. "Page live" first reboots the lab and measures it running with every panel live.
        </span>
      </div>
      {bench.error && <p className="bad" data-testid="bench-error">{bench.error}</p>}
      {bench.report && (
        <>
          <ReportTable report={bench.report} />
          <PageLiveView report={bench.report} />
          <p className="muted small" data-testid="bench-host">
            {bench.report.host}; medians of {bench.report.runs} run{bench.report.runs === 1 ? '' : 's'}; {bench.seconds.toFixed(1)} s of wall time
          </p>
        </>
      )}
    </section>
  );
}
