import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SinkSet, type Sink, type SinkFailure } from '../../src/sinks/sink.js';
import { tick } from './ticks.js';

function sink(name: string, o: { required?: boolean; failAt?: number } = {}): Sink & { writes: number; closed: string | null } {
  return {
    name,
    required: o.required,
    writes: 0,
    closed: null,
    write(this: { writes: number }) {
      if (++this.writes === o.failAt) throw new Error(`${name} broke`);
    },
    flush: () => Promise.resolve(),
    close(this: { closed: string | null }, end) {
      this.closed = end;
      return Promise.resolve();
    },
  };
}

describe('SinkSet', () => {
  it('drops an optional sink that throws, reports it once, and keeps feeding the others', async () => {
    const told: [SinkFailure, boolean][] = [];
    const a = sink('a'), b = sink('b', { failAt: 3 });
    const set = new SinkSet([a, b], (f, req) => told.push([f, req]));
    for (let k = 0; k < 10; k++) await set.write(tick(k));
    assert.equal(a.writes, 10);
    assert.equal(b.writes, 3, 'not written after it failed');
    assert.deepEqual(told, [[{ sink: 'b', message: 'b broke' }, false]]);
    assert.deepEqual(set.dropped, [{ sink: 'b', message: 'b broke' }]);
    assert.equal(set.failure, null);
    await set.close('completed');
    assert.equal(a.closed, 'completed');
    assert.equal(b.closed, null, 'a dropped sink is not closed again');
  });
  it('records a required sink failure once, and still closes it (so it can end its session)', async () => {
    const told: boolean[] = [];
    const store = sink('store', { required: true, failAt: 2 });
    const set = new SinkSet([store], (_f, req) => told.push(req));
    for (let k = 0; k < 5; k++) await set.write(tick(k));
    assert.deepEqual(set.failure, { sink: 'store', message: 'store broke' });
    assert.deepEqual(told, [true]);
    await set.close('failed');
    assert.equal(store.closed, 'failed');
  });
  it('a failing close is reported like a failing write; steps and events reach the sinks that take them', async () => {
    const got: string[] = [];
    const s: Sink = {
      name: 's',
      write: () => undefined,
      step: (x) => void got.push(`step ${x.step}`),
      event: (e) => void got.push(e.type),
      flush: () => Promise.resolve(),
      close: () => Promise.reject(new Error('no space left on device')),
    };
    const told: string[] = [];
    const set = new SinkSet([s, sink('plain')], (f) => told.push(f.message));
    await set.step({ step: 3, t: 1, loss: 1, grad_norm: 1, learning_rate: 0, tokens: null, epoch: null });
    await set.event({ t: 1, device: 'cpu', type: 'marker' });
    await set.close('completed');
    assert.deepEqual(got, ['step 3', 'marker']);
    assert.deepEqual(told, ['no space left on device']);
  });
});
