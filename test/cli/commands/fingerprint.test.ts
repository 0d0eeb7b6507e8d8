/** `rle fingerprint` end to end: train, classify (JSON shape), evaluate (grouped CV), the shipped default model. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, tmpDir } from '../../helpers.js';

/** A session CSV of one device at 1 Hz whose utilization follows `f`. */
function csv(dir: string, name: string, n: number, f: (i: number) => number): string {
  const file = path.join(dir, `${name}.csv`);
  const t0 = Date.UTC(2026, 0, 1) / 1000;
  const rows = Array.from({ length: n }, (_, i) => `${new Date((t0 + i) * 1000).toISOString()},cpu,${Math.max(0, Math.min(100, f(i))).toFixed(1)}`);
  fs.writeFileSync(file, ['timestamp,device,util_pct', ...rows].join('\n') + '\n');
  return file;
}

describe('rle fingerprint', () => {
  it('trains, cross-validates by session and classifies', async () => {
    const dir = tmpDir();
    const specs: string[] = [];
    for (let s = 0; s < 4; s++) {
      specs.push(`busy=${csv(dir, `busy${s}`, 150, (i) => 95 + ((i * 7 + s) % 5))}`);
      specs.push(`wave=${csv(dir, `wave${s}`, 150, (i) => 50 + 45 * Math.sin((i + s) / 3))}`);
    }
    const model = path.join(dir, 'model.json');
    const t = await runCli(['fingerprint', 'train', '-o', model, '--trees', '20', ...specs]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /2 labels, 8 sessions, 40 windows, \d+ features; grouped 5-fold CV: window accuracy [\d.]+ %/);
    const e = await runCli(['fingerprint', 'evaluate', '--folds', '4', '--trees', '20', '--json', ...specs]);
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout) as { folds: number; session_accuracy: number; confusion: Record<string, Record<string, number>>; assignments: { id: string; fold: number }[] };
    assert.equal(ev.folds, 4);
    assert.equal(ev.session_accuracy, 1);
    assert.deepEqual(ev.confusion, { busy: { busy: 4, wave: 0 }, wave: { busy: 0, wave: 4 } });
    const c = await runCli(['fingerprint', 'classify', model, csv(dir, 'probe', 90, (i) => 50 + 45 * Math.sin(i / 3)), '--json']);
    assert.equal(c.code, 0, c.stderr);
    const r = JSON.parse(c.stdout) as { label: string; probabilities: Record<string, number>; windows: number };
    assert.equal(r.label, 'wave');
    assert.equal(r.windows, 3);
    assert.deepEqual(Object.keys(r.probabilities).sort(), ['busy', 'wave']);
  });
  it('ships a default model that classifies a session CSV', async () => {
    const model = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'fingerprint-default.json'), 'utf8')) as { labels: string[]; about: { grouped_cv: { session_accuracy: number } } };
    assert.ok(model.labels.includes('stress') && model.labels.includes('idle'));
    assert.ok(model.about.grouped_cv.session_accuracy >= 0.9, `shipped model: session accuracy ${model.about.grouped_cv.session_accuracy}`);
    const r = await runCli(['fingerprint', 'classify', 'default', path.join(ROOT, 'examples', 'desktop-live.csv'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(r.stdout) as { label: string; windows: number };
    assert.ok(model.labels.includes(c.label));
    assert.ok(c.windows > 10);
  });
  it('bad arguments are clear errors', async () => {
    let r = await runCli(['fingerprint', 'train', '-o', path.join(tmpDir(), 'm.json'), 'nolabel']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /expected <label>=<session-id\|csv>, got "nolabel"/);
    const bad = path.join(tmpDir(), 'bad.json');
    fs.writeFileSync(bad, '{"x":1}');
    r = await runCli(['fingerprint', 'classify', bad, path.join(ROOT, 'examples', 'desktop-live.csv')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not an rle fingerprint model/);
  });
});
