/**
 * The report figure, as in the original study: per device, panels on one time axis (seconds
 * from the session start) — training loss; grad_norm with spike markers and collapse events
 * as shaded bands; rle_smoothed with its rolling peak and collapse markers, temperature on a
 * second axis — and, without training steps, utilization and power instead of the first two.
 * A Vega-Lite spec rendered to SVG by Vega in Node (no browser), and to PNG by resvg.
 * Every series is drawn from at most two points per pixel column, its smallest and largest
 * there (decimate.ts), so a day of 1 Hz telemetry and 500,000 steps make a figure of a few
 * thousand points in which a one-sample spike or a throttle dip keeps its full height.
 */
import type { CollapseEvent } from '../core/collapse-edges.js';
import { collapseEvents } from '../core/collapse-edges.js';
import { byTime } from '../analysis/coupling/align.js';
import type { DeviceCoupling } from '../analysis/coupling/coupling.js';
import type { ReportSummary } from './summary.js';
import type { DeviceSeries, SessionData } from '../replay/series.js';
import { maxPerBucket, minMaxRows } from './decimate.js';

/** Plot width, px; the time axis is decimated to one bucket per pixel column of it. */
const WIDTH = 1100;
const PANEL_H = 170;

type Row = Record<string, number | string | null>;

/** The device's telemetry panels' rows, min/max per pixel column (decimate.ts). */
function telemetryRows(d: DeviceSeries, range: [number, number]): Row[] {
  const n = d.t.length;
  const collapse_rle = new Array<number | null>(n), power_w = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    collapse_rle[i] = d.collapse[i] === 1 ? d.rle_smoothed[i]! : null;
    power_w[i] = d.power_estimated[i] === 0 ? d.power_w[i]! : null;
  }
  return minMaxRows(d.t, { rle_smoothed: d.rle_smoothed, rolling_peak: d.rolling_peak, temp_c: d.temp_c, util_pct: d.util_pct, power_w, collapse_rle }, range, WIDTH);
}

const x = (title = 'seconds from start') => ({ field: 's', type: 'quantitative', title, scale: { zero: false, nice: false }, axis: { tickCount: 12 } });

function bands(events: CollapseEvent[], t0: number): Row[] {
  return events.map((e) => ({ s: e.start - t0, s2: e.end - t0 + 1e-9 }));
}

function bandLayer(ev: Row[]): Record<string, unknown> {
  return { data: { values: ev }, mark: { type: 'rect', color: '#d62728', opacity: 0.18 }, encoding: { x: { field: 's', type: 'quantitative' }, x2: { field: 's2' } } };
}

/** What the figure draws from the report's summary: of the coupling, only each device's spikes (known before its surrogate tests). */
export type FigureSummary = Pick<ReportSummary, 'step_times' | 'throttle' | 'throttle_tax'> & { coupling: Record<string, Pick<DeviceCoupling, 'events'>> };

const CAUSE_COLOR: Record<string, string> = { thermal: '#ff7f0e', power: '#9467bd', hardware: '#8c564b', other: '#7f7f7f' };

/** Throttled intervals of the given devices as bands (seconds from t0), coloured by their first cause. */
function throttleBands(s: FigureSummary, devices: readonly string[], t0: number): Row[] {
  return devices.flatMap((d) =>
    (s.throttle[d]?.intervals ?? []).map((x) => ({ s: Date.parse(x.start) / 1000 - t0, s2: Date.parse(x.end) / 1000 - t0, cause: x.causes[0] ?? 'other', label: `${d}: ${x.causes.join(', ')}${x.inferred ? ' (inferred)' : ''}` })),
  );
}

function throttleLayer(bands: Row[]): Record<string, unknown> {
  return {
    data: { values: bands },
    mark: { type: 'rect', opacity: 0.22 },
    encoding: {
      x: { field: 's', type: 'quantitative' },
      x2: { field: 's2' },
      color: { field: 'cause', type: 'nominal', title: 'throttled', scale: { domain: Object.keys(CAUSE_COLOR), range: Object.values(CAUSE_COLOR) } },
    },
  };
}

/** Step duration over time, the throttle tax's baseline, throttled intervals shaded by cause. */
function stepTimePanel(s: FigureSummary, devices: readonly string[], range: [number, number]): Record<string, unknown> | null {
  const timed = s.step_times.filter((x) => x.duration_s !== null);
  if (timed.length < 2) return null;
  const t0 = range[0];
  const base = s.throttle_tax.baseline_step_s;
  const lost = s.throttle_tax.lost_s;
  const title = `step time${base !== null ? ` (baseline ${base.toPrecision(3)} s, dashed)` : ''}${lost !== null && s.throttle_tax.throttled_steps > 0 ? `; throttled steps lost ${lost.toFixed(1)} s` : ''}; throttled intervals shaded by cause`;
  const layers: Record<string, unknown>[] = [throttleLayer(throttleBands(s, devices, t0))];
  const pts = minMaxRows(timed.map((x) => x.end), { duration: timed.map((x) => x.duration_s) }, range, WIDTH);
  layers.push({ data: { values: pts }, mark: { type: 'line', point: pts.length <= 60, color: '#1f77b4' }, encoding: { x: x(), y: { field: 'duration', type: 'quantitative', title: 'step s', scale: { zero: true } } } });
  if (base !== null) layers.push({ data: { values: [{ b: base }] }, mark: { type: 'rule', strokeDash: [5, 4], color: '#2ca02c' }, encoding: { y: { field: 'b', type: 'quantitative' } } });
  return { title, height: PANEL_H, width: WIDTH, layer: layers };
}

/** The figure's time span: from the first sample or step to the last (no spread: a day of steps is too many arguments). */
function timeRange(data: SessionData, steps: readonly { t: number }[]): [number, number] {
  let t0 = Infinity, t1 = -Infinity;
  for (const d of data.devices) {
    if (d.t.length === 0) continue;
    t0 = Math.min(t0, d.t[0]!);
    t1 = Math.max(t1, d.t.at(-1)!);
  }
  if (steps.length > 0) {
    t0 = Math.min(t0, steps[0]!.t);
    t1 = Math.max(t1, steps.at(-1)!.t);
  }
  return [t0, t1];
}

export function figureSpec(data: SessionData, summary: FigureSummary, devices: readonly string[]): Record<string, unknown> {
  const coupling = summary.coupling;
  const steps = byTime(data.steps); // a stored session's are in time order already: no sort of 500,000 objects
  const range = timeRange(data, steps);
  const t0 = range[0];
  const panels: Record<string, unknown>[] = [];
  const stepPanel = stepTimePanel(summary, devices, range);
  if (stepPanel) panels.push(stepPanel);
  const stepT = steps.map((s) => s.t);
  const stepRows = steps.length > 0 ? minMaxRows(stepT, { loss: steps.map((s) => s.loss), grad_norm: steps.map((s) => s.grad_norm) }, range, WIDTH) : [];
  for (const d of data.devices.filter((dv) => devices.includes(dv.device))) {
    const rows = telemetryRows(d, range);
    const ev = bands(collapseEvents(d.device, d.t, d.collapse), t0);
    const tag = data.devices.length > 1 ? ` — ${d.device}` : '';
    if (steps.length > 0) {
      const spikeSteps = new Set(coupling[d.device]?.events.spike_steps ?? []);
      const spiked = steps.filter((s) => spikeSteps.has(s.step) && s.grad_norm !== null);
      const spikes = maxPerBucket(spiked.map((s) => s.t), spiked.map((s) => s.grad_norm!), range, WIDTH).map((p) => ({ s: p.s, spike: p.v }));
      const point = steps.length <= 60;
      panels.push({
        title: `training loss${tag}`, height: PANEL_H, width: WIDTH, data: { values: stepRows },
        layer: [
          bandLayer(ev),
          { mark: { type: 'line', point, color: '#1f77b4' }, encoding: { x: x(), y: { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } } } },
        ],
      });
      panels.push({
        title: `grad_norm, spikes (${coupling[d.device]?.events.spike_rule ?? 'robust'} rule) and collapse events${tag}`, height: PANEL_H, width: WIDTH, data: { values: stepRows },
        layer: [
          bandLayer(ev),
          { mark: { type: 'line', color: '#555' }, encoding: { x: x(), y: { field: 'grad_norm', type: 'quantitative', title: 'grad_norm', scale: { zero: false } } } },
          { data: { values: spikes }, mark: { type: 'point', filled: true, size: 70, color: '#d62728' }, encoding: { x: x(), y: { field: 'spike', type: 'quantitative' } } },
        ],
      });
    } else {
      panels.push({
        title: `utilization (green) and measured power (purple, right)${tag}`, height: PANEL_H, width: WIDTH, data: { values: rows },
        layer: [
          { mark: { type: 'line', color: '#2ca02c' }, encoding: { x: x(), y: { field: 'util_pct', type: 'quantitative', title: 'util %', scale: { domain: [0, 100] }, axis: { titleColor: '#2ca02c' } } } },
          { mark: { type: 'line', color: '#9467bd' }, encoding: { x: x(), y: { field: 'power_w', type: 'quantitative', title: 'W (measured)', axis: { orient: 'right', titleColor: '#9467bd' } } } },
        ],
        resolve: { scale: { y: 'independent' } },
      });
    }
    const hasTemp = d.temp_c.some((v) => v !== null);
    const rleLayers: Record<string, unknown>[] = [
      throttleLayer(throttleBands(summary, [d.device], t0)),
      bandLayer(ev),
      { mark: { type: 'line', color: '#1f77b4' }, encoding: { x: x(), y: { field: 'rle_smoothed', type: 'quantitative', title: 'rle_smoothed', scale: { zero: true } } } },
      { mark: { type: 'line', color: '#1f77b4', strokeDash: [4, 3], opacity: 0.7 }, encoding: { x: x(), y: { field: 'rolling_peak', type: 'quantitative' } } },
      { mark: { type: 'point', shape: 'triangle-down', filled: true, size: 40, color: '#d62728' }, encoding: { x: x(), y: { field: 'collapse_rle', type: 'quantitative' } } },
    ];
    const rlePanel: Record<string, unknown> = {
      title: `RLE: rle_smoothed (blue), rolling peak (dashed), collapse (red ▼, bands)${hasTemp ? ', temperature (orange, right)' : '; no temperature measured'}${tag}`, height: PANEL_H, width: WIDTH, data: { values: rows },
      layer: hasTemp
        ? [{ layer: rleLayers }, { mark: { type: 'line', color: '#ff7f0e' }, encoding: { x: x(), y: { field: 'temp_c', type: 'quantitative', title: '°C', scale: { zero: false }, axis: { orient: 'right', titleColor: '#ff7f0e', format: '.1f' } } } }]
        : rleLayers,
    };
    if (hasTemp) rlePanel.resolve = { scale: { y: 'independent' } };
    panels.push(rlePanel);
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    config: { mark: { invalid: 'break-paths-show-domains' }, axis: { labelFontSize: 12, titleFontSize: 13 }, title: { fontSize: 15, anchor: 'start' }, font: 'DejaVu Sans' },
    vconcat: panels,
    resolve: { scale: { x: 'shared' } },
  };
}

/** SVG of the figure. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vega = await import('vega');
  const { compile } = await import('vega-lite');
  const view = new vega.View(vega.parse(compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** SVG and PNG (at least 1200 px wide) of the figure. */
export async function renderFigure(spec: Record<string, unknown>): Promise<{ svg: string; png: Buffer }> {
  const { Resvg } = await import('@resvg/resvg-js');
  const svg = await renderSvg(spec);
  const png = new Resvg(svg, { fitTo: { mode: 'width', value: 1500 }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  return { svg, png: Buffer.from(png) };
}
