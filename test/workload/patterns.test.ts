import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetAt, type PatternSpec } from '../../src/workload/patterns.js';

const spec = (over: Partial<PatternSpec>): PatternSpec => ({ pattern: 'constant', intensity: 0.8, periodS: 4, durationS: 10, ...over });

describe('workload patterns', () => {
  it('constant, ramp, sine and square targets, as fractions of a core', () => {
    assert.equal(targetAt(spec({}), 7), 0.8);
    assert.equal(targetAt(spec({ pattern: 'ramp' }), 0), 0);
    assert.equal(targetAt(spec({ pattern: 'ramp' }), 5), 0.4);
    assert.equal(targetAt(spec({ pattern: 'ramp' }), 20), 0.8, 'held at the peak after the duration');
    assert.ok(Math.abs(targetAt(spec({ pattern: 'sine' }), 1) - 0.8) < 1e-12, 'peak a quarter period in');
    assert.ok(Math.abs(targetAt(spec({ pattern: 'sine' }), 3)) < 1e-12);
    assert.equal(targetAt(spec({ pattern: 'square' }), 1.9), 0.8);
    assert.equal(targetAt(spec({ pattern: 'square' }), 2.1), 0);
    assert.equal(targetAt(spec({ pattern: 'square' }), -0.5), 0, 'negative times wrap');
  });
});
