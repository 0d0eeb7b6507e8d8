import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CollapseEdges, collapseEvents } from '../../src/core/collapse-edges.js';
import { isReading, PROVENANCES } from '../../src/core/provenance.js';

describe('collapse edges', () => {
  it('finds starts and ends per device, a run at the very start included', () => {
    const e = new CollapseEdges();
    assert.deepEqual([1, 1, 0, 0, 1].map((c) => e.push('cpu', c)), ['start', null, 'end', null, 'start']);
    assert.equal(e.push('gpu0', 0), null, 'devices are independent');
  });
  it('runs of a column, with their times and lengths; an open run at the end counts', () => {
    const t = [0, 1, 2, 3, 4, 5, 6];
    assert.deepEqual(collapseEvents('gpu0', t, [0, 1, 1, 0, 0, 1, 1]), [
      { device: 'gpu0', start: 1, end: 2, duration_s: 1, samples: 2 },
      { device: 'gpu0', start: 5, end: 6, duration_s: 1, samples: 2 },
    ]);
    assert.deepEqual(collapseEvents('cpu', [], []), []);
  });
});

describe('provenance', () => {
  it('only measured and recorded values are readings', () => {
    assert.deepEqual(PROVENANCES.filter((p) => isReading(p)), ['measured', 'recorded']);
    assert.equal(isReading(null), false);
  });
});
