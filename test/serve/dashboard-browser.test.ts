/**
 * End to end in headless Chromium (Debian's chromium, driven by playwright-core): the session
 * list, a stored session's charts with data, and a live session whose charts advance as rows
 * arrive. Screenshots go to $RLE_SCREENSHOT_DIR (default a temp folder) for a human to look at.
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
}

describe('dashboard in a browser', { skip: fs.existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)` }, () => {
  let live: LiveStore;
  let dash: Dashboard;
  let browser: import('playwright-core').Browser;
  const token = 'browser-token';
  before(async () => {
    live = liveStore();
    dash = await Dashboard.start({ db: live.db, listen: { host: '127.0.0.1', port: 0 }, token, maxStreams: 16, pollMs: 250 });
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

  it('lists the sessions with their status and collapse rate', async () => {
    const page = await browser.newPage();
    await page.goto(`${base()}/?token=${token}`);
    await page.waitForSelector('#sessions tbody tr');
    const text = await page.locator('#sessions').innerText();
    assert.match(text, /finished run\s+monitor\s+completed/);
    assert.match(text, /live run\s+train\s+running/);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-list.png'), fullPage: true });
    await page.close();
  });

  it('shows a stored session: every chart has data, gaps stay gaps', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base()}/session?id=${live.finished}&token=${token}`);
    await page.waitForFunction(() => (window as unknown as { rleState?: RleState }).rleState?.plots === 12);
    const st = await page.evaluate(() => (window as unknown as { rleState: RleState }).rleState);
    assert.equal(st.samples, 240);
    assert.equal(st.steps, 60);
    assert.equal(await page.locator('canvas').count(), 12);
    assert.ok(await page.locator('#report').isVisible(), 'finished sessions link to their report');
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-session.png'), fullPage: true });
    await page.close();
  });

  it('follows a running session live: its charts advance', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(`${base()}/session?id=${live.running}&token=${token}`);
    await page.waitForFunction(() => ((window as unknown as { rleState?: RleState }).rleState?.samples ?? 0) >= 5);
    const first = await page.evaluate(() => (window as unknown as { rleState: RleState }).rleState.samples);
    assert.match(await page.locator('#live').innerText(), /live/);
    const writer = setInterval(() => live.append(1), 200);
    try {
      await page.waitForFunction((n) => (window as unknown as { rleState: RleState }).rleState.samples >= n + 5, first, { timeout: 10_000 });
    } finally {
      clearInterval(writer);
    }
    const t0 = Date.now();
    live.append(1);
    const n = await page.evaluate(() => (window as unknown as { rleState: RleState }).rleState.samples);
    await page.waitForFunction((k) => (window as unknown as { rleState: RleState }).rleState.samples > k, n, { timeout: 5000 });
    assert.ok(Date.now() - t0 < 1500, `a new row showed after ${Date.now() - t0} ms`);
    await page.screenshot({ path: path.join(SHOTS, 'dashboard-live.png'), fullPage: true });
    live.stop();
    await page.waitForFunction(() => document.getElementById('live')!.textContent.includes('ended'), undefined, { timeout: 5000 });
    await page.close();
  });
});
