/**
 * End to end in headless Chromium (Debian's chromium, driven by playwright-core): the
 * dashboard opened on a store nothing has been recorded in, a session appearing there and
 * followed live with its throttled stretches; a stored session's charts with data, throttle
 * bands and step times; a session with missing sensors that says what is not measured and
 * why. Screenshots go to $RLE_SCREENSHOT_DIR (default a temp folder) for a human to look at.
 * Skips, saying why, where Chromium is not installed (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Dashboard } from '../../src/serve/dashboard.js';
import { tmpDir } from '../helpers.js';
import { liveStore, type LiveStore } from './live-helpers.js';

const CHROMIUM = process.env.RLE_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.RLE_SCREENSHOT_DIR ?? tmpDir();

interface RleState {
  samples: number;
  steps: number;
  plots: number;
  bands: number;
  missing: number;
}
type W = Window & { rleState?: RleState };

describe('dashboard in a browser', { skip: fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)` }, () => {
  let live: LiveStore | undefined;
  let dash: Dashboard;
  let browser: import('playwright-core').Browser;
  const token = 'browser-token';
  const db = path.join(tmpDir(), 'rle.db');
  before(async () => {
    dash = await Dashboard.start({ db, listen: { host: '127.0.0.1', port: 0 }, token, maxStreams: 16, pollMs: 250 });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await browser?.close();
    await dash?.close();
    live?.close();
  });
  const base = (): string => `http://127.0.0.1:${dash.address.port}`;
  const state = (page: import('playwright-core').Page): Promise<RleState> => page.evaluate(() => (window as W).rleState!);

  it('opens on an empty store, then shows a session as it is recorded and follows it live, throttled stretches and all', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base()}/?token=${token}`);
    await page.waitForSelector('#sessions tbody tr.empty');
    assert.match(await page.locator('#sessions').innerText(), /no sessions yet — run rle monitor or rle train/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-empty.png'), fullPage: true });
    // a recording starts in "another process": the store appears, then its sessions
    live = liveStore(db);
    await page.waitForSelector('text=live run', { timeout: 10_000 });
    const text = await page.locator('#sessions').innerText();
    assert.match(text, /finished run\s+monitor\s+completed/);
    assert.match(text, /live run\s+train\s+running/);
    assert.match(text, /bare machine.*n\/a \(no temperature\)/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-list.png'), fullPage: true });

    await page.click('text=live run');
    await page.waitForFunction(() => ((window as W).rleState?.samples ?? 0) >= 10);
    const first = (await state(page)).samples;
    assert.match(await page.locator('#live').innerText(), /live/);
    assert.match(await page.locator('#status').innerText(), /^train · running/);
    const writer = setInterval(() => live!.append(1), 100);
    try {
      // gpu0 throttles from its 20th sample on: the band shows while the run goes on
      await page.waitForFunction((n) => (window as W).rleState!.samples >= n + 40 && (window as W).rleState!.bands >= 1, first, { timeout: 15_000 });
    } finally {
      clearInterval(writer);
    }
    const t0 = Date.now();
    live.append(1);
    const n = (await state(page)).samples;
    await page.waitForFunction((k) => (window as W).rleState!.samples > k, n, { timeout: 5000 });
    assert.ok(Date.now() - t0 < 1500, `a new row showed after ${Date.now() - t0} ms`);
    assert.match(await page.locator('section[data-device="gpu0"] .throttle').innerText(), /^throttling: THROTTLED .*thermal, power/);
    assert.match(await page.locator('section[data-device="cpu"] .throttle').innerText(), /^throttling: cannot tell \(no throttle evidence/);
    assert.equal(await page.locator('.chart[data-kind="steptime"]').count(), 1, 'steps have times: their durations are drawn');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-live-throttled.png'), fullPage: true });
    await page.locator('section[data-device="gpu0"] .chart[data-kind="util"]').screenshot({ path: path.join(SHOTS, 'dashboard-live-band.png') });
    live.stop();
    await page.waitForFunction(() => document.getElementById('status')!.textContent.includes('completed'), undefined, { timeout: 5000 });
    const status = await page.locator('p.meta').innerText();
    assert.doesNotMatch(status, /running/, 'the header says how the session ended, and only that');
    assert.match(status, /^train · completed · started .* UTC · ran \d+ s/);
    assert.ok(await page.locator('#report').isVisible());
    await page.close();
  });

  it('keeps a bounded live window', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const store = (await import('../../src/store/session-store.js')).SessionStore.open(db);
    const id = store.createSession({ kind: 'monitor', name: 'long run', startedAt: Date.now() / 1000 - 2000, manifest: {} });
    const { row } = await import('./live-helpers.js');
    const t0 = Date.now() / 1000 - 2000;
    store.append(id, Array.from({ length: 200 }, (_, i) => row(t0 + i * 10, i, 'cpu')));
    try {
      await page.goto(`${base()}/session?id=${id}&token=${token}`);
      await page.waitForFunction(() => ((window as W).rleState?.samples ?? 0) > 0);
      assert.equal((await state(page)).samples, 61, 'the last 10 min of a running session');
      assert.match(await page.locator('#window').innerText(), /last 10 min/);
      store.append(id, [row(t0 + 2300, 230, 'cpu')]);
      await page.waitForFunction(() => (window as W).rleState!.samples === 31, undefined, { timeout: 5000 });
    } finally {
      store.finish(id, 'completed', Date.now() / 1000);
      store.close();
      await page.close();
    }
  });

  it('shows a stored session: every chart has data, gaps stay gaps, throttled stretches are bands, steps have their times', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base()}/session?id=${live!.finished}&token=${token}`);
    await page.waitForFunction(() => (window as W).rleState?.plots === 13);
    const st = await state(page);
    assert.equal(st.samples, 240);
    assert.ok(st.steps > 30);
    assert.equal(st.bands, 3, 'gpu0 throttles three times');
    assert.equal(await page.locator('canvas').count(), 13);
    assert.ok(await page.locator('#report').isVisible(), 'finished sessions link to their report');
    // utilization is a percentage: its axis is 0–100 whatever the data
    const range = await page.evaluate(() => {
      const box = document.querySelector('section[data-device="cpu"] .chart[data-kind="util"]') as HTMLElement & { rlePlot: { scales: { y: { min: number; max: number } } } };
      return [box.rlePlot.scales.y.min, box.rlePlot.scales.y.max];
    });
    assert.deepEqual(range, [0, 100]);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-session.png'), fullPage: true });
    await page.close();
  });

  it('says what a session with missing sensors did not measure, and why', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base()}/session?id=${live!.bare}&token=${token}`);
    await page.waitForFunction(() => (window as W).rleState?.plots === 5);
    const temp = page.locator('.chart[data-kind="temp"]');
    assert.equal(await temp.locator('.missing').innerText(), 'temperature: not measured (no hwmon chips in /sys/class/hwmon; no thermal zones in /sys/class/thermal)');
    assert.equal(await temp.locator('.uplot').isVisible(), false, 'no empty chart');
    assert.match(await page.locator('.chart[data-kind="power"] .missing').innerText(), /^measured power: not measured \(no RAPL zones in \/sys\/class\/powercap\); the dashed line is the estimate/);
    assert.match(await page.locator('.chart[data-kind="eff"] .missing').innerText(), /^E_th: not measured \(no temperature/);
    assert.match(await page.locator('.chart[data-kind="rle"] .missing').innerText(), /collapses: cannot be detected \(no temperature\)/);
    assert.match(await page.locator('.throttle').innerText(), /^throttling: cannot tell/);
    const notes = await page.locator('#notes').innerText();
    assert.match(notes, /What this session cannot tell/);
    assert.match(notes, /cpu: no temperature reading; t_sustain_s stays at its cap and collapses cannot be detected/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-missing-sensors.png'), fullPage: true });
    await page.close();
  });
});
