import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { computeSession } from '../../src/core/engine.js';
import { StoredReplay } from '../../src/replay/stored.js';
import { loadStoredSession } from '../../src/replay/series.js';
import { SessionStore, type StoredRow } from '../../src/store/session-store.js';
import { tmpDir } from '../helpers.js';

function rows(n: number, powerSrc: 'measured' | 'estimated' | 'recorded' | null): StoredRow[] {
  return Array.from({ length: n }, (_, i) => ({
    sample: { device: 'gpu0', t: 1000 + i, scheduled_t: null, util_pct: 50 + 20 * Math.sin(i), temp_c: 60 + i / 10, power_w: powerSrc ? 150 + i : null, util_src: 'measured', temp_src: 'measured', power_src: powerSrc },
    // stored metrics deliberately wrong: replay recomputes them from the readings
    metric: { rle_smoothed: -1, rle_raw: -1, rle_norm: -1, E_th: -1, E_pw: -1, a_load: -1, t_sustain_s: -1, rolling_peak: -1, collapse: 0, power_source: 'measured' },
  }));
}

describe('StoredReplay', () => {
  it('recomputes metrics from the stored readings with the rated power the recording resolved, incrementally', () => {
    const store = SessionStore.open(path.join(tmpDir(), 'rle.db'));
    const id = store.createSession({ kind: 'monitor', startedAt: 1000, manifest: { engine: { rated: { gpu0: 700 } } } });
    store.append(id, rows(10, 'measured'));
    const replay = new StoredReplay(store, store.get(id));
    const first = [...replay.next()];
    assert.equal(first.length, 10);
    const want = computeSession(rows(10, 'measured').map((r) => r.sample), { rated: { gpu0: 700 } });
    first.forEach((r, i) => assert.equal(r.metric.rle_smoothed, want[i]!.rle_smoothed));
    assert.equal(first[0]!.metric.a_load, 150 / 700, 'GPU rated power from the manifest');
    assert.deepEqual([...replay.next()], [], 'nothing new');
    store.append(id, rows(13, 'measured').slice(10));
    const more = [...replay.next()];
    assert.equal(more.length, 3);
    assert.equal(more[2]!.metric.rle_smoothed, computeSession(rows(13, 'measured').map((r) => r.sample), { rated: { gpu0: 700 } })[12]!.rle_smoothed, 'engine state carried over');
    store.close();
  });
  it('passes provenance through: an estimate stays an estimate, an import stays recorded', () => {
    const store = SessionStore.open(path.join(tmpDir(), 'rle.db'));
    for (const src of ['estimated', 'recorded'] as const) {
      const id = store.createSession({ kind: 'x', startedAt: 1000, manifest: {} });
      store.append(id, rows(3, src));
      const r = [...new StoredReplay(store, store.get(id)).next()];
      assert.deepEqual(r.map((x) => x.metric.power_source), [src, src, src]);
      const data = loadStoredSession(store, id);
      const d = data.devices[0]!;
      if (src === 'estimated') {
        assert.deepEqual(d.power_w, [null, null, null], 'an estimate is not a power reading');
        assert.equal(data.summary.devices.gpu0!.power_w.measured_share, 0);
      } else assert.equal(data.summary.devices.gpu0!.power_w.measured_share, 1);
      assert.deepEqual(d.power_provenance, { [src]: 3 });
    }
    store.close();
  });
});
