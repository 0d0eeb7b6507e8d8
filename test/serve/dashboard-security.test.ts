/**
 * The dashboard's (and --prometheus's) security: loopback by default, a token required beyond
 * it and checked on every request and stream, static files from a fixed table only, and live
 * streams capped and released when clients go away.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import vm from 'node:vm';
import v8 from 'node:v8';
import { after, before, describe, it } from 'node:test';
import { Dashboard } from '../../src/serve/dashboard.js';
import { runCli } from '../helpers.js';
import { liveStore, type LiveStore } from './live-helpers.js';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
        if (res.headers['content-type']?.startsWith('text/event-stream') && body.includes('\n\n')) res.destroy(); // first event is enough
      });
      res.on('close', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('dashboard security', () => {
  let live: LiveStore;
  let dash: Dashboard;
  before(async () => {
    live = liveStore();
    dash = await Dashboard.start({ db: live.db, listen: { host: '127.0.0.1', port: 0 }, token: 's3cret-token', maxStreams: 150, pollMs: 200 });
  });
  after(async () => {
    await dash.close();
    live.close();
  });

  it('refuses to listen beyond loopback without a token (dashboard and --prometheus)', async () => {
    let r = await runCli(['dashboard', '--host', '0.0.0.0', '--port', '0', '--db', live.db], { env: { RLE_TOKEN: '' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
    r = await runCli(['monitor', '--duration', '1', '--prometheus', '0.0.0.0:0', '--nvidia-smi', 'none', '--db', live.db], { env: { RLE_TOKEN: '' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
  });

  it('answers 401 without the right token on pages, API, streams, reports and /metrics', async () => {
    const port = dash.address.port;
    for (const p of ['/', '/session', '/app.js', '/api/sessions', `/api/sessions/${live.running}`, `/api/sessions/${live.running}/stream`, `/report/${live.finished}`, '/metrics']) {
      for (const auth of [{}, { Authorization: 'Bearer wrong' }, { Authorization: 'Bearer s3cret-tokenX' }] as Record<string, string>[]) {
        assert.equal((await get(port, p, auth)).status, 401, `${p} ${JSON.stringify(auth)}`);
      }
      assert.equal((await get(port, `${p}${p.includes('?') ? '&' : '?'}token=nope`)).status, 401);
    }
    assert.equal((await get(port, '/api/sessions', { Authorization: 'Bearer s3cret-token' })).status, 200);
    assert.equal((await get(port, '/api/sessions?token=s3cret-token')).status, 200);
    const s = await get(port, `/api/sessions/${live.running}/stream?token=s3cret-token`);
    assert.equal(s.status, 200);
    assert.match(s.body, /^retry: 2000/);
  });

  it('never serves a file outside its table: traversal, encoded, absolute paths', async () => {
    const port = dash.address.port;
    const auth = { Authorization: 'Bearer s3cret-token' };
    for (const p of ['/../package.json', '/..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/vendor/../../package.json', '/vendor/..%2F..%2Fpackage.json', '/vendor/%2e%2e%5c%2e%2e%5cpackage.json', '//etc/passwd', '/etc/passwd', '/app.js/../../../etc/passwd', '/web/app.js', '/node_modules/uplot/package.json', `/api/sessions/..%2f..%2fetc%2fpasswd`, '/report/%2e%2e']) {
      const r = await get(port, p, auth);
      // URL parsing resolves dot segments (%2e%2e too): such a path may land on a page of ours, nothing else
      assert.ok([400, 404].includes(r.status) || (r.status === 200 && /<title>rle — sessions<\/title>/.test(r.body)), `${p}: ${r.status}`);
      assert.doesNotMatch(r.body, /"name": "rle"|root:x:0:0|"name": "uplot"/, p);
    }
  });

  it('sends conservative headers', async () => {
    const r = await get(dash.address.port, '/', { Authorization: 'Bearer s3cret-token' });
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
  });

  it('caps live streams, and releases each when its client goes away', async () => {
    const port = dash.address.port;
    const open: http.ClientRequest[] = [];
    const connect = (): Promise<number> =>
      new Promise((resolve) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/api/sessions/${live.running}/stream?token=s3cret-token` }, (res) => {
          resolve(res.statusCode ?? 0);
          res.resume();
        });
        open.push(req);
      });
    const codes = await Promise.all(Array.from({ length: 152 }, connect));
    assert.equal(codes.filter((c) => c === 200).length, 150);
    assert.equal(codes.filter((c) => c === 503).length, 2);
    for (const r of open) r.destroy();
    for (let i = 0; i < 50 && dash.openStreams > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(dash.openStreams, 0);
  });

  it('100 live clients for a while: they get data, and memory returns when they leave', { timeout: 180_000 }, async (t) => {
    // A short run in the suite; RLE_TEST_STREAM_S=60 (or more) is the soak.
    const seconds = Number(process.env.RLE_TEST_STREAM_S ?? 3);
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const port = dash.address.port;
    gc();
    const before = process.memoryUsage().heapUsed;
    const received = new Array<number>(100).fill(0);
    const reqs: http.ClientRequest[] = [];
    await Promise.all(
      Array.from({ length: 100 }, (_, k) =>
        new Promise<void>((resolve) => {
          const req = http.get({ host: '127.0.0.1', port, path: `/api/sessions/${live.running}/stream?token=s3cret-token&after=0` }, (res) => {
            res.on('data', (d: Buffer) => (received[k] = received[k]! + (d.toString().match(/event: data/g) ?? []).length));
            resolve();
          });
          reqs.push(req);
        }),
      ),
    );
    const writer = setInterval(() => live.append(1), 250);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    clearInterval(writer);
    assert.equal(dash.openStreams, 100);
    assert.ok(received.every((n) => n >= Math.min(10, seconds)), `events per client: min ${Math.min(...received)}`);
    for (const r of reqs) r.destroy();
    for (let i = 0; i < 100 && dash.openStreams > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(dash.openStreams, 0);
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const growth = (process.memoryUsage().heapUsed - before) / 1e6;
    t.diagnostic(`100 clients × ${seconds} s: min ${Math.min(...received)} events per client; heap ${(before / 1e6).toFixed(1)} MB before, growth ${growth.toFixed(2)} MB after they left`);
    assert.ok(growth < 5, `heap grew ${growth.toFixed(2)} MB`);
  });
});
