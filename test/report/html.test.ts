import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportHtml } from '../../src/report/html.js';
import { buildReportSummary } from '../../src/report/summary.js';
import { sessionData } from './session-data.js';

describe('report.html', () => {
  it('escapes what the session says, states the verdicts and what the session cannot tell, no scripts', () => {
    const data = sessionData(300, { steps: 50 });
    data.notes.push('<script>alert(1)</script>');
    const s = buildReportSummary(data, { lagsS: 5, windowS: 3, seed: 1, draws: 99, spikeRule: 'robust' }, ['cpu']);
    const html = reportHtml({ ...s, name: 'a & b' }, '<svg></svg>');
    assert.match(html, /<title>rle report — a &#38; b<\/title>|rle report — a &#38; b/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /class="verdict [\w-]+"><b>cpu: (coupled|not coupled|insufficient data)<\/b>/);
    assert.match(html, /What this session cannot tell/);
  });
});
