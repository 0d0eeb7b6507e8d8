import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusSink } from '../../src/sinks/prometheus-sink.js';
import { SummarySink } from '../../src/sinks/summary-sink.js';
import { StatsLineSink, StatusLineSink, statusLine } from '../../src/sinks/terminal-sinks.js';
import { RleMetrics } from '../../src/serve/prometheus-metrics.js';
import type { PrometheusServer } from '../../src/serve/prometheus-server.js';
import { tick } from './ticks.js';

describe('terminal sinks', () => {
  it('the status line is rewritten in place and ended with a newline; it marks estimated power and collapses', async () => {
    const out: string[] = [];
    const s = new StatusLineSink((x) => out.push(x));
    s.write(tick(0));
    s.write(tick(1, { collapse: 1 }));
    await s.close();
    assert.equal(out.length, 3);
    assert.ok(out[0]!.startsWith('\r\u001b[K'), 'clears the line first');
    assert.match(out[0]!.slice(4), /^\[\d\d:\d\d:\d\d\] cpu 40% 55°C 50W rle 0\.5$/);
    assert.match(out[1]!, /COLLAPSE$/);
    assert.equal(out[2], '\n');
    const est = tick(0);
    est.samples[0]!.power_src = 'estimated';
    assert.match(statusLine(est), /50W\(est\)/);
  });
  it('the stats line comes every interval of session time, from the live summary', () => {
    const out: string[] = [];
    const summary = new SummarySink(1);
    const s = new StatsLineSink((x) => out.push(x), 'rle monitor: ', 10, summary, false);
    for (let k = 0; k <= 25; k++) {
      summary.write(tick(k));
      s.write(tick(k));
    }
    assert.equal(out.length, 2, 'at +10 s and +20 s');
    assert.match(out[0]!, /^rle monitor: cpu: 11 samples, rle_smoothed mean 0\.5, 0 collapse events\n$/);
  });
});

describe('PrometheusSink', () => {
  it('feeds every sample, the health and each step into the registry, and closes its server', async () => {
    const m = new RleMetrics();
    let closed = false;
    const server = { close: () => ((closed = true), Promise.resolve()) } as unknown as PrometheusServer;
    const s = new PrometheusSink(m, server, 'S1');
    s.write(tick(0, { collapse: 1, events: [{ t: 0, device: 'cpu', type: 'collapse_start' }] }));
    s.step({ step: 4, t: 1, loss: 2, grad_norm: 0.5, learning_rate: 1e-4, tokens: 512, epoch: 1 });
    const body = (await m.text()).body;
    assert.match(body, /rle_collapse_events_total\{[^}]*device="cpu"[^}]*\} 1\n/);
    assert.match(body, /rle_training_step\{[^}]*\} 4\n/);
    assert.match(body, /rle_sensor_up\{[^}]*sensor="proc-stat"\} 1\n/);
    await s.close();
    assert.equal(closed, true);
  });
});
