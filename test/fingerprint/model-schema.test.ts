/**
 * #15 failure 6 (fingerprint model JSON not validated: internal errors, `"undefined": null`,
 * version never checked) and failure 2's classify hang (window_s 0, negative, null or tiny
 * spun forever at 100 % CPU, deaf to SIGTERM).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseModel } from '../../src/fingerprint/model-schema.js';
import { sessionWindows } from '../../src/fingerprint/features.js';
import type { DeviceSeries } from '../../src/replay/series.js';
import { CLI, ROOT, fixtureFile, runCli, tmpDir } from '../helpers.js';

const DEFAULT = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'fingerprint-default.json'), 'utf8')) as Record<string, unknown>;
/** The parts of a model document the cases edit. */
interface Doc {
  forest: { baseModel: { estimators: { root: unknown }[] } } | null;
  labels: string[];
  features: string[];
  medians: number[];
  version: number;
  window_s: number | null;
}
const clone = (): Doc => structuredClone(DEFAULT) as unknown as Doc;
const tree0 = (m: Doc): { root: unknown } => m.forest!.baseModel.estimators[0]!;

function deepTree(depth: number): unknown {
  let node: unknown = { distribution: [[1]] };
  for (let i = 0; i < depth; i++) node = { splitColumn: 0, splitValue: 0.5, left: node, right: { distribution: [[1]] } };
  return node;
}

/** deepTree(depth) as JSON text, built without recursion. */
function deepText(depth: number): string {
  return '{"splitColumn":0,"splitValue":0.5,"left":'.repeat(depth) + '{"distribution":[[1]]}' + ',"right":{"distribution":[[1]]}}'.repeat(depth);
}

const CASES: [string, (m: Doc) => void, RegExp][] = [
  ['forest: null', (m) => (m.forest = null), /"forest"/],
  ['labels: []', (m) => (m.labels = []), /"labels": needs at least two labels/],
  ['features: []', (m) => ((m.features = []), (m.medians = [])), /"features": needs at least one feature/],
  ['a 20,000-deep tree', (m) => (tree0(m).root = deepTree(20_000)), /tree 0: deeper than 100 levels/],
  ['labels: ["a","b"] for a four-class forest', (m) => (m.labels = ['a', 'b']), /tree \d+: a leaf at depth \d+ has no distribution over 1 to 2 classes/],
  ['version 2', (m) => (m.version = 2), /version 2 is not supported \(this rle reads version 1\)/],
  ['window_s 0', (m) => (m.window_s = 0), /"window_s"/],
  ['window_s -30', (m) => (m.window_s = -30), /"window_s"/],
  ['window_s null', (m) => (m.window_s = null), /"window_s"/],
  ['window_s 1e-300', (m) => (m.window_s = 1e-300), /"window_s"/],
  ['medians one short', (m) => void m.medians.pop(), /"medians" has 16 values for 17 features/],
  ['an unknown feature', (m) => (m.features[0] = 'bogus'), /"features\.0"/],
  ['a split on a column the tree lacks', (m) => ((tree0(m).root as { splitColumn: number }).splitColumn = 99), /tree 0: a split at depth 1 is on column 99/],
];

describe('#15 failure 6: fingerprint model JSON is not validated', () => {
  it('the shipped model is valid', () => {
    assert.ok('model' in parseModel(DEFAULT));
  });
  for (const [name, edit, want] of CASES) {
    it(`${name}: a clear error, not an internal one`, () => {
      const m = clone();
      edit(m);
      const r = parseModel(m);
      assert.ok('problem' in r, 'rejected');
      assert.match(r.problem, want);
    });
  }

  it('through the CLI: exit 1 naming the file, no stack trace, no "undefined"', async () => {
    const dir = tmpDir();
    const session = fixtureFile('golden/example_baseline_session.in.csv.gz', dir);
    for (const [name, edit] of CASES) {
      const file = path.join(dir, 'model.json');
      const m = clone();
      // JSON.stringify itself cannot nest 20,000 deep: that tree is spliced in as text.
      const deep = name.includes('deep');
      if (deep) tree0(m).root = '@DEEP@';
      else edit(m);
      fs.writeFileSync(file, JSON.stringify(m).replace('"@DEEP@"', deep ? deepText(20_000) : '"@DEEP@"'));
      const r = await runCli(['fingerprint', 'classify', file, session], { timeoutMs: 20_000 });
      assert.equal(r.timedOut, false, name);
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(r.stderr, /model\.json: not an rle fingerprint model: .* \[E_INPUT_FORMAT\]/, name);
      assert.doesNotMatch(r.stderr + r.stdout, /internal error|undefined|at .*\.js:\d+/, name);
    }
  });

  it('a model with a BOM is read like one without (as CSV and JSONL are)', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'model.json');
    fs.writeFileSync(file, '\uFEFF' + JSON.stringify(DEFAULT));
    const r = await runCli(['fingerprint', 'classify', file, fixtureFile('golden/example_baseline_session.in.csv.gz', dir), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as { label: string }).label);
  });
});

describe('#15 failure 2: rle fingerprint classify spins forever on window_s 0, negative, null or tiny', () => {
  it('windows always advance: any window length ends', () => {
    const n = 200;
    const d = { device: 'cpu', t: Array.from({ length: n }, (_, i) => 1.7e9 + i), util_pct: Array(n).fill(50), temp_c: Array(n).fill(null), power_w: Array(n).fill(null), power_estimated: Array(n).fill(0), rle_smoothed: Array(n).fill(1), E_th: Array(n).fill(null), E_pw: Array(n).fill(null), collapse: Array(n).fill(0) } as unknown as DeviceSeries;
    for (const w of [0, -5, 1e-300, NaN]) assert.deepEqual(sessionWindows(d, w), []);
  });

  it('--window outside 1–3600 s is a usage error', async () => {
    for (const w of ['0', '-1', '1e-9', '1e9', 'abc']) {
      const r = await runCli(['fingerprint', 'evaluate', 'a=x.csv', 'b=y.csv', '--window', w]);
      assert.equal(r.code, 2, `--window ${w}: ${r.stderr}`);
      assert.match(r.stderr, /--window.*give seconds from 1 to 3600/);
    }
  });

  it('SIGTERM ends a classify of a long session within a second', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'long.csv');
    const lines = ['timestamp,device,util_pct,temp_c,power_w'];
    for (let i = 0; i < 300_000; i++) lines.push(`${new Date(Date.UTC(2025, 0, 1) + i * 100).toISOString()},cpu,${(i * 7) % 100},${40 + (i % 13)},${10 + (i % 7)}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const child = spawn(process.execPath, [CLI, 'fingerprint', 'classify', 'default', file], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = performance.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.once('close', (c, sig) => r(c ?? (sig ? -1 : null))));
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `SIGTERM took ${ms.toFixed(0)} ms`);
    assert.ok(code === 143 || code === 0, `exit ${code}`);
  });
});
