import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS } from '../../src/analysis/coupling/coupling.js';
import { figureSpec, renderSvg } from '../../src/report/figure.js';
import { buildReportSummary } from '../../src/report/summary.js';
import { sessionData } from './session-data.js';

type Panel = { title: string; data?: { values: unknown[] } };

describe('report figure', () => {
  it('a training session: loss, grad_norm and RLE panels; a long session is decimated for display', () => {
    const data = sessionData(20_000, { steps: 200 });
    const spec = figureSpec(data, buildReportSummary(data, { ...COUPLING_DEFAULTS, draws: 50 }, ['cpu']), ['cpu']) as { vconcat: Panel[] };
    assert.deepEqual(spec.vconcat.map((p) => p.title.split(/[,:( ]/)[0] + (p.title.startsWith('step') ? ' time' : '')), ['step time', 'training', 'grad_norm', 'RLE']);
    const rows = spec.vconcat[3]!.data!.values.length;
    assert.ok(rows <= 3000 && rows >= 2000, `${rows} points for 20 000 samples`);
  });
  it('without steps: utilization and power; without temperature the RLE panel says so', async () => {
    const data = sessionData(100, { temp: false });
    const spec = figureSpec(data, buildReportSummary(data, { ...COUPLING_DEFAULTS, draws: 50 }, ['cpu']), ['cpu']) as { vconcat: Panel[] };
    assert.match(spec.vconcat[0]!.title, /^utilization/);
    assert.match(spec.vconcat[1]!.title, /no temperature measured/);
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg/);
    assert.match(svg, /no temperature measured/);
  });
});
