/**
 * `report.html`: one self-contained page (figure inline as SVG, no scripts, no network) with
 * the verdicts, the training and thermal summaries, the coupling statistics and what the
 * session's provenance leaves unsaid.
 */
import type { ReportSummary } from './summary.js';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function num(x: unknown, digits = 3): string {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (x !== 0 && Math.abs(x) < 1e-3) return x.toExponential(1);
  return Number(x.toPrecision(digits)).toString();
}

function table(head: string[], rows: unknown[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${typeof c === 'number' ? num(c) : esc(c ?? '—')}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Throttling per device, the throttle tax and energy: was it throttled, when, why, what it cost. */
function throttleSection(s: ReportSummary): string {
  const rows = Object.entries(s.throttle).map(([d, t]) => {
    const when = t.intervals.map((x) => `${x.start.slice(11, 19)}–${x.end.slice(11, 19)} (${num(x.duration_s)} s, ${x.causes.join(', ')}${x.inferred ? ', inferred' : ''})`).join('; ');
    return [d, t.evidence.join(', ') || 'none', t.limit_c === null ? '—' : `${num(t.limit_c)} °C (${t.limit_source})`, t.throttled_share === null ? 'cannot tell' : `${num(t.throttled_s)} s (${num(100 * t.throttled_share, 2)} %)`, when || '—', t.note ?? ''];
  });
  const tax = s.throttle_tax;
  const lost = tax.lost_s === null ? '—' : `${num(tax.lost_s)} s${tax.lost_s_interval ? ` (${num(tax.lost_s_interval[0])} … ${num(tax.lost_s_interval[1])})` : ''}`;
  const energy = Object.entries(s.energy).map(([d, e]) => [d, e.source ?? '—', e.joules, e.joules_per_step.median, e.joules_per_token, e.note ?? '']);
  return (
    '<h2>Throttling</h2>' +
    table(['device', 'evidence', 'temperature limit', 'throttled', 'when (UTC)', 'note'], rows) +
    '<h3>Throttle tax</h3>' +
    table(['steps', 'warm-up', 'baseline step s', 'throttled steps', 'lost (95 % interval)', 'share of wall time', 'note'], [[tax.steps, tax.warmup_steps, tax.baseline_step_s, tax.throttled_steps, lost, tax.lost_share, tax.note ?? '']]) +
    '<h3>Energy</h3>' +
    table(['device', 'from', 'J', 'J/step (median)', 'J/token', 'note'], energy)
  );
}

export function reportHtml(s: ReportSummary, svg: string): string {
  const title = `rle report — ${s.name ?? s.session}`;
  const parts: string[] = [];
  parts.push(`<h1>${esc(title)}</h1><p class="meta">session <code>${esc(s.session)}</code> · ${esc(s.kind ?? 'csv')} · ${esc(s.status ?? '')} · started ${esc(s.started_at ?? '—')}</p>`);
  parts.push(`<p class="headline">${esc(s.headline)}</p>`);
  for (const [dev, c] of Object.entries(s.coupling)) {
    parts.push(`<div class="verdict ${c.verdict.replace(/ /g, '-')}"><b>${esc(dev)}: ${esc(c.verdict)}</b> — ${esc(c.reason)}</div>`);
  }
  if (s.notes.length > 0) parts.push(`<h2>What this session cannot tell</h2><ul>${s.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  parts.push(`<h2>Figure</h2><div class="fig">${svg}</div>`);
  if (s.training) {
    const t = s.training;
    parts.push('<h2>Training</h2>' + table(['steps', 'loss first', 'loss last', 'change %', 'wall s', 'samples/s', 'tokens/s'], [[t.steps, t.loss_first, t.loss_last, t.loss_change_pct, t.wall_s, t.samples_per_s, t.tokens_per_s]]));
  } else parts.push('<h2>Training</h2><p>No training steps in this session: thermal report only.</p>');
  parts.push(
    '<h2>Thermal summary</h2>' +
      table(
        ['device', 'samples', 'duration s', 'collapse rate', 'collapse events', 'rle_smoothed mean', 'E_th mean', 'E_pw mean', 'power mean W', 'power measured share', 'temp mean °C', 'temp max °C', 'util mean %'],
        Object.entries(s.thermal).map(([d, x]) => [d, x.samples, x.duration_s, x.collapse_rate, x.collapse_events, x.rle_smoothed.mean, x.E_th_mean, x.E_pw_mean, x.power_w.mean, x.power_w.measured_share, x.temp_c.mean, x.temp_c.max, x.util_pct_mean]),
      ),
  );
  parts.push(throttleSection(s));
  for (const [dev, c] of Object.entries(s.coupling)) {
    parts.push(`<h2>Coupling — ${esc(dev)}</h2><p>${c.aligned_samples} telemetry samples with a training step in their interval.</p>`);
    parts.push(
      table(
        ['training metric', 'thermal series', 'family', 'peak r', '95 % interval', 'at lag s', 'p (all lags)', 'p (Holm)', 'pairs', 'note'],
        c.xcorr.map((e) => [e.training_metric, e.metric, e.family, e.peak_r, e.ci95 ? `${num(e.ci95[0], 2)} … ${num(e.ci95[1], 2)}` : '—', e.peak_lag_s, e.p_value, e.p_adjusted, e.n, e.note ?? '']),
      ),
    );
    const ev = c.events;
    parts.push(table(['spike rule', 'spikes', 'collapse events', 'window ±s', 'coincidences', 'expected', 'p'], [[ev.spike_rule, ev.spikes, ev.collapse_events, ev.window_s, ev.coincidences, ev.expected, ev.p_value]]));
  }
  const o = s.options;
  parts.push(`<h2>Method</h2><p>Steps and telemetry share the session clock. ${esc(o.method)} Spikes: ${o.spike_rule === 'robust' ? 'above the rolling median (21 steps) + 3 × scaled MAD' : 'above mean + 1 sd of the run (the original study\'s rule)'}; seed ${o.seed}.</p>`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#222;padding:0 12px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.meta{color:#666}code{background:#f3f3f3;padding:1px 4px}
table{border-collapse:collapse;margin:8px 0;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}
.headline{font-size:16px;padding:8px 12px;background:#fff8e1;border-left:5px solid #ff9800}
.verdict{padding:8px 12px;margin:8px 0;border-left:5px solid #999;background:#f7f7f7}.verdict.coupled{border-color:#d62728}.verdict.not-coupled{border-color:#2ca02c}.verdict.insufficient-data{border-color:#999}
.fig svg{max-width:100%;height:auto}
</style></head><body>${parts.join('\n')}</body></html>\n`;
}
