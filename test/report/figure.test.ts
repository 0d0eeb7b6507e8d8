import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { figureSpec, renderSvg } from '../../src/report/figure.js';
import { sessionData } from './session-data.js';

type Panel = { title: string; data?: { values: unknown[] } };

describe('report figure', () => {
  it('a training session: loss, grad_norm and RLE panels; a long session is decimated for display', () => {
    const spec = figureSpec(sessionData(20_000, { steps: 200 }), {}, ['cpu']) as { vconcat: Panel[] };
    assert.deepEqual(spec.vconcat.map((p) => p.title.split(/[,:]/)[0]), ['training loss', 'grad_norm', 'RLE']);
    const rows = spec.vconcat[2]!.data!.values.length;
    assert.ok(rows <= 3000 && rows >= 2000, `${rows} points for 20 000 samples`);
  });
  it('without steps: utilization and power; without temperature the RLE panel says so', async () => {
    const spec = figureSpec(sessionData(100, { temp: false }), {}, ['cpu']) as { vconcat: Panel[] };
    assert.match(spec.vconcat[0]!.title, /^utilization/);
    assert.match(spec.vconcat[1]!.title, /no temperature measured/);
    const svg = await renderSvg(spec);
    assert.match(svg, /^<svg/);
    assert.match(svg, /no temperature measured/);
  });
});
