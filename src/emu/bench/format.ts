// The bench report as text: one Markdown table, engines side by side, so the
// Node CLI and `pacifica bench --browser` print the same thing and the README
// can take it as is.
import { DEFAULT_SETUP } from '../machine/default-setup';
import type { BenchReport, EngineReport, PageLive } from './report';

const mi = (n: number) => `${(n / 1e6).toFixed(1)} M`;
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function systemRows(engines: EngineReport[]): string[] {
  const s0 = engines.find((e) => e.system)?.system;
  if (!s0) return [];
  const per = (f: (s: NonNullable<EngineReport['system']>) => string) => engines.map((e) => (e.system ? f(e.system) : '—'));
  const ran = s0.stop === 'time' ? '' : ` (ran ${s0.simMsRan.toFixed(1)}: ${s0.stop})`;
  return [
    row([`${s0.name}: HVMM + ${DEFAULT_SETUP.guests.length} guests, ${s0.simMs} simulated ms${ran}`, mi(s0.instructions), ...per((s) => f1(s.mips)), '']),
    row(['· boot: power-on → first VMRUN', mi(s0.boot.instructions), ...per((s) => `${ms(s.boot.seconds)} (${f1(s.boot.mips)} MIPS)`), s0.boot.reachedVmrun ? '' : 'no VMRUN']),
    row(['· steady: first VMRUN → end', mi(s0.steady.instructions), ...per((s) => f1(s.steady.mips)), '']),
    row([`· switch lag, host µs: median (p95), ${s0.switchLagUs.switches} switches`, '', ...per((s) => `${f1(s.switchLagUs.median)} (${f1(s.switchLagUs.p95)})`), '']),
    ...(s0.sustained ? [
      row(['· sustained: the dummy guest not ending, from power-on', mi(s0.sustained.instructions), ...per((s) => f1(s.sustained?.mips ?? NaN)), '']),
      row(['· sustained, warm: after its first quarter', mi(s0.sustained.warm.instructions), ...per((s) => f1(s.sustained?.warm.mips ?? NaN)), '']),
    ] : []),
  ];
}

export function formatPageLive(p: PageLive): string {
  return `page live (${p.setup}; ${p.engine}): ${f1(p.mips)} MIPS while running (${f1(p.wallMips)} over ${p.wallSeconds.toFixed(1)} s of wall time), ` +
    `headless ${f1(p.headlessMips)} MIPS over the same ${mi(p.instructions)} instructions` +
    `${p.headlessInstructions === p.instructions ? '' : ` (headless: ${mi(p.headlessInstructions)})`}: ratio ${p.ratio.toFixed(2)}` +
    (p.rounds.length > 1 ? `, the median of ${p.rounds.length} rounds (live run, then its replay): ${p.rounds.map((r) => r.ratio.toFixed(2)).join(', ')}` : '');
}

export function formatBenchTable(r: BenchReport): string {
  const engines = r.engines;
  const lines = [
    row(['workload', 'instructions', ...engines.map((e) => `${e.engine} MIPS`), 'result']),
    row(['---', '---', ...engines.map(() => '---'), '---']),
  ];
  for (const w of engines[0]?.workloads ?? []) {
    const each = engines.map((e) => e.workloads.find((x) => x.name === w.name));
    const ok = each.every((x) => x?.resultOk);
    lines.push(row([w.name, mi(w.instructions), ...each.map((x) => (x ? f1(x.mips) : '—')), ok ? 'ok' : 'WRONG']));
  }
  if (engines[0]?.workloads.length) lines.push(row(['median', '', ...engines.map((e) => f1(e.medianMips)), '']));
  lines.push(...systemRows(engines));
  lines.push('', `${r.host}; medians of ${r.runs} run${r.runs === 1 ? '' : 's'}; ${r.date}`);
  if (r.pageLive) lines.push(formatPageLive(r.pageLive));
  return lines.join('\n') + '\n';
}
