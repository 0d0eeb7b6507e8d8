/** The report summary built at once, or with each device's surrogate tests run elsewhere meanwhile: the same summary. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUPLING_DEFAULTS, type SurrogateJob } from '../../src/analysis/coupling/coupling.js';
import { lagCorrelationTests, type PairTest } from '../../src/analysis/coupling/surrogate-test.js';
import type { FigureSummary } from '../../src/report/figure.js';
import { surrogateThreads } from '../../src/app/report-threads.js';
import { buildReportSummary, buildReportSummaryAsync } from '../../src/report/summary.js';
import { emptySeries } from '../../src/replay/series.js';
import { sessionData } from './session-data.js';

describe('report summary', () => {
  // Two devices with steps, and one without readings to test (its tests are skipped, not run).
  const data = sessionData(3000, { steps: 9000 });
  data.devices.push({ ...data.devices[0]!, device: 'gpu0', temp_c: data.devices[0]!.temp_c.map((v, i) => (v === null ? null : v + Math.sin(i / 7))) }, { ...emptySeries('npu'), device: 'npu' });
  data.summary.devices.gpu0 = data.summary.devices.cpu!;
  data.summary.devices.npu = data.summary.devices.cpu!;
  const o = { ...COUPLING_DEFAULTS, draws: 300 };

  it('with the surrogate tests on worker threads equals the one built at once', async () => {
    const want = buildReportSummary(data, o);
    const got = await buildReportSummaryAsync(data, o, undefined, surrogateThreads());
    assert.deepEqual(got, want);
    assert.deepEqual(Object.keys(got.coupling), ['cpu', 'gpu0', 'npu']);
    assert.ok(got.coupling.cpu!.xcorr.some((e) => e.draws > 0));
  });
  it('only the devices asked for, and the runner sees each device with something to test once', async () => {
    const jobs: number[] = [];
    const got = await buildReportSummaryAsync(data, o, ['gpu0'], (job) => {
      jobs.push(job.pairs.length);
      return Promise.resolve(lagCorrelationTests(job.training, job.pairs, job.K, job.stop, job.seed));
    });
    assert.deepEqual(got, buildReportSummary(data, o, ['gpu0']));
    assert.equal(jobs.length, 1);
  });
  it('meanwhile runs before any surrogate test is awaited, and gets the spikes, step times and throttle the summary ends with', async () => {
    const pending: (() => void)[] = [];
    let seen: FigureSummary | null = null;
    const run = (job: SurrogateJob): Promise<PairTest[]> => new Promise((done) => pending.push(() => done(lagCorrelationTests(job.training, job.pairs, job.K, job.stop, job.seed))));
    const building = buildReportSummaryAsync(data, o, undefined, run, (s) => {
      seen = s;
      assert.equal(pending.length, 2, 'both devices with tests are handed out, none answered yet');
      pending.forEach((go) => go());
      return Promise.resolve();
    });
    const got = await building;
    assert.ok(seen, 'meanwhile was called');
    const s = seen as FigureSummary;
    for (const d of ['cpu', 'gpu0', 'npu']) assert.deepEqual(s.coupling[d]!.events, got.coupling[d]!.events);
    assert.deepEqual([s.step_times, s.throttle, s.throttle_tax], [got.step_times, got.throttle, got.throttle_tax]);
    assert.deepEqual(got, buildReportSummary(data, o));
  });
  it('a runner that fails fails the summary', async () => {
    await assert.rejects(buildReportSummaryAsync(data, o, undefined, () => Promise.reject(new Error('no thread'))), /no thread/);
  });
});
