// The paper's experiment (Table 5): CPU speed vs switch lag, measured again in the
// worker, plotted beside the paper's numbers.
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useLab } from './labStore';
import { PAPER_TABLE_5 } from '../emu/experiment/paper';
import { WARMUP_MHZ, WARMUP_SWITCHES } from '../emu/experiment/warmup';
import { fmtInt, fmtSeconds } from './lib/format';

const SPEEDS = PAPER_TABLE_5.map((p) => p.mhz);
const SWITCHES = 50;
/** Host idle before each slice (switch-lag.ts, idleUs): none, or the host time a slice takes at the paper's clocks. */
const IDLE_CHOICES = [0, 1000, 5000];

export function ExperimentPanel() {
  const exp = useLab((s) => s.experiment);
  const booted = useLab((s) => s.booted);
  const busy = useLab((s) => s.busy);
  const run = useLab.getState().runExperiment;
  const [idleUs, setIdleUs] = useState(0);
  const points = exp.points ?? [];
  const data = SPEEDS.map((mhz) => {
    const paper = PAPER_TABLE_5.find((p) => p.mhz === mhz)!;
    const ours = points.find((p) => p.mhz === mhz);
    return { mhz, paper: paper.lagMs, host: ours ? ours.hostSeconds * 1e3 : undefined, sim: ours ? ours.simSeconds * 1e3 : undefined };
  });
  const cycles = points[0]?.cycles;
  return (
    <section className="panel experiment" aria-label="Switch-lag experiment" data-testid="experiment">
      <h2>The experiment: CPU speed vs switch lag (the paper's Table 5)</h2>
      <div className="filters">
        <button className="primary" data-testid="btn-experiment" disabled={!booted || exp.running || (!!busy && busy !== 'experiment')}
          onClick={() => void run(SPEEDS, SWITCHES, idleUs)}>
          {exp.running ? 'Measuring…' : `Run the experiment (${SPEEDS.join(' / ')} MHz, ${SWITCHES} switches each)`}
        </button>
        <label className="small" title="A busy wait before each guest slice, outside the measured window: as if the slice had taken that much more host time">
          host idle before each slice{' '}
          <select data-testid="experiment-idle" value={idleUs} disabled={exp.running} onChange={(e) => setIdleUs(Number(e.target.value))}>
            {IDLE_CHOICES.map((us) => <option key={us} value={us}>{us === 0 ? 'none' : `${us / 1000} ms`}</option>)}
          </select>
        </label>
        <span className="muted small">
          Two identical guests, round robin, 1 ms slices; lag = #VMEXIT ending guest 1's slice → guest 2's first instruction. The lab's machine
          pauses while it runs (a separate machine is booted for each speed).
        </span>
      </div>
      {exp.error && <p className="bad" data-testid="experiment-error">{exp.error}</p>}
      <div className="experiment-body">
        <div className="chart" data-testid="experiment-chart" data-points={points.length} data-idle-us={points[0]?.idleUs ?? ''}>
          <ResponsiveContainer width="100%" height={320}>
            <LineChart data={data} margin={{ top: 10, right: 30, bottom: 20, left: 20 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#2a3340" />
              <XAxis dataKey="mhz" type="number" domain={[1500, 2300]} ticks={SPEEDS} stroke="#aab"
                label={{ value: 'CPU clock (MHz)', position: 'insideBottom', offset: -10, fill: '#aab' }} />
              <YAxis scale="log" domain={[0.0001, 1000]} allowDataOverflow ticks={[0.0001, 0.001, 0.01, 0.1, 1, 10, 100, 1000]} stroke="#aab"
                tickFormatter={(v: number) => (v >= 1 ? `${v} ms` : v >= 0.001 ? `${v * 1000} µs` : `${v * 1e6} ns`)} width={70} />
              <Tooltip formatter={(v) => (typeof v === 'number' ? fmtSeconds(v / 1e3) : String(v))} labelFormatter={(l) => `${l} MHz`}
                contentStyle={{ background: '#161c24', border: '1px solid #2a3340' }} />
              <Legend verticalAlign="top" />
              <Line name="paper: SimNow host seconds (Table 5)" dataKey="paper" stroke="#e5c07b" strokeWidth={3} isAnimationActive={false} className="series-paper" />
              <Line name="Pacifica: host seconds" dataKey="host" stroke="#61afef" strokeWidth={3} isAnimationActive={false} connectNulls className="series-host" />
              <Line name="Pacifica: simulated seconds" dataKey="sim" stroke="#98c379" strokeWidth={3} isAnimationActive={false} connectNulls className="series-sim" />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <div>
          <table className="fields" data-testid="experiment-table">
            <thead><tr><th>clock</th><th>paper</th><th>ours: host</th><th>ours: simulated</th><th>cycles</th><th>samples</th></tr></thead>
            <tbody>
              {data.map((d) => {
                const p = points.find((q) => q.mhz === d.mhz);
                return (
                  <tr key={d.mhz} data-testid={`experiment-row-${d.mhz}`} data-measured={!!p}>
                    <td>{(d.mhz / 1000).toFixed(1)} GHz</td>
                    <td>{d.paper} ms</td>
                    <td className="mono">{p ? fmtSeconds(p.hostSeconds) : '—'}</td>
                    <td className="mono">{p ? fmtSeconds(p.simSeconds) : '—'}</td>
                    <td className="mono">{p ? fmtInt(p.cycles) : '—'}</td>
                    <td className="mono">{p ? p.samples : '—'}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {exp.points && (
            <p className="muted small">
              measured in {exp.seconds.toFixed(1)} s of wall time
              {points[0]?.idleUs ? `; the host idled ${points[0].idleUs / 1000} ms before each slice` : ''}
            </p>
          )}
          <p className="explain">
            <strong>What the data shows.</strong> Our simulated switch lag is a fixed number of CPU cycles
            {cycles ? ` (${fmtInt(cycles)})` : ''} — the same hypervisor path at every speed — so in simulated seconds it
            is ∝ 1/clock: about a microsecond, shrinking from 1.6 to 2.2 GHz by the ratio of the clocks. The paper's
            ~80 ms is SimNow's <em>host seconds</em>: the wall time the simulator took, on three different host machines
            (the table's processors). It falls from 89 to 75 ms because a faster host runs the simulator faster — it
            measures the simulator, not the VMM. Our host-seconds series is the same kind of number for this emulator on
            this one computer: a fraction of a millisecond of JavaScript, roughly flat across the settings (up to noise),
            because choosing a faster simulated CPU does not make the host computer faster. Each run first switches
            {' '}{fmtInt(WARMUP_SWITCHES)} times at {WARMUP_MHZ} MHz, unmeasured, so that every speed is measured with the
            switch path already compiled by the browser's JavaScript engine.
          </p>
          <p className="explain">
            <strong>Host idle.</strong> At the paper's clocks a 1 ms slice takes several milliseconds of host time, and on a
            shared computer the host's caches forget the switch path meanwhile: the lag is then mostly the time to bring
            that code back. Choose an idle time and run again: the simulated lag stays the same cycles, the host lag
            grows, though the emulator did nothing different.
          </p>
        </div>
      </div>
    </section>
  );
}
