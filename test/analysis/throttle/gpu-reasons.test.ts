/** Rule "gpu reasons": the NVML clocks_event_reasons bitmask. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { THROTTLE_DEFAULTS as O } from '../../../src/analysis/throttle/constants.js';
import { decodeGpuReasons, GPU_REASON_BITS, gpuReasonsRule } from '../../../src/analysis/throttle/gpu-reasons.js';
import { input } from './synth.js';

describe('gpu reason decoder', () => {
  it('names every NVML bit with its cause; idle and application clocks are not throttles', () => {
    assert.deepEqual(GPU_REASON_BITS.map((b) => b.bit), [0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40, 0x80, 0x100]);
    assert.deepEqual(decodeGpuReasons(0x3), { names: ['gpu_idle', 'applications_clocks_setting'], causes: [], throttling: false });
    assert.deepEqual(decodeGpuReasons(0x60), { names: ['sw_thermal_slowdown', 'hw_thermal_slowdown'], causes: ['thermal'], throttling: true });
    assert.deepEqual(decodeGpuReasons(0x4)!.causes, ['power']);
    assert.deepEqual(decodeGpuReasons(0x80)!.causes, ['power']);
    assert.deepEqual(decodeGpuReasons(0x8)!.causes, ['hardware']);
    assert.deepEqual(decodeGpuReasons(0x110), { names: ['sync_boost', 'display_clock_setting'], causes: ['other'], throttling: true });
    assert.deepEqual(decodeGpuReasons(0x1ff)!.causes, ['thermal', 'power', 'hardware', 'other']);
  });
  it('unknown bits, above 2^32 too, are throttles of cause other', () => {
    const d = decodeGpuReasons(2 ** 40 + 0x1)!;
    assert.deepEqual(d, { names: ['gpu_idle', 'unknown_0x10000000000'], causes: ['other'], throttling: true });
    assert.deepEqual(decodeGpuReasons(0x200n | 0x20n)!.names, ['sw_thermal_slowdown', 'unknown_0x200']);
    assert.deepEqual(decodeGpuReasons(0), { names: [], causes: [], throttling: false });
  });
  it('rejects what is not a mask', () => {
    for (const m of [-1, 1.5, NaN, 2 ** 60]) assert.equal(decodeGpuReasons(m), null, String(m));
  });
});

describe('rule: gpu reasons', () => {
  it('abstains without a mask', () => assert.equal(gpuReasonsRule(input({ temp_c: 80 }), null, O), null));
  it('thermal slowdown bits → throttled thermal (direct); SW power cap → power', () => {
    const a = gpuReasonsRule(input({ gpu_reasons: 0x20 }), null, O)!;
    assert.deepEqual([a.throttled, a.causes, a.inferred], [1, ['thermal'], false]);
    assert.match(a.reason!, /0x20: sw_thermal_slowdown/);
    assert.deepEqual(gpuReasonsRule(input({ gpu_reasons: 0x4 }), null, O)!.causes, ['power']);
  });
  it('idle and application-clock bits only, or none → not throttled', () => {
    for (const m of [0, 0x1, 0x2, 0x3]) assert.equal(gpuReasonsRule(input({ gpu_reasons: m }), null, O)!.throttled, 0, String(m));
  });
  it('a malformed mask → cannot tell, saying so', () => {
    const a = gpuReasonsRule(input({ gpu_reasons: -4 }), null, O)!;
    assert.equal(a.throttled, null);
    assert.match(a.reason!, /not a bitmask/);
  });
});
