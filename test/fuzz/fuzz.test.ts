/**
 * #15's fuzz test: seeded mutations of the real inputs — session CSVs (the golden inputs),
 * the earlier tools' training log, JSONL datasets, --batches files, a checkpoint (config
 * dimensions, safetensors header, dtype, offsets, truncation) and the shipped fingerprint
 * model — each run through the CLI as a user would, under a time limit. Every run must exit
 * 0, 1 or 2, print no stack trace nor internal error, end within the limit, leave no output
 * file, temp file or session after a failure, and leave sane output after a success. The
 * cases run in-process in host processes (test/fuzz/host.ts: the CLI's own execute(), node's
 * start-up paid once); every CLI_EVERY-th also through a spawned rle, which must agree on the
 * exit code and the error line. The counts are printed. RLE_FUZZ_SEED, RLE_FUZZ_CASES and
 * RLE_FUZZ_CLI_EVERY change the seed, the number of cases and the share spawned.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../../src/core/random.js';
import { SessionStore } from '../../src/store/session-store.js';
import { FIXTURES, ROOT, fixtureText, runCli, tmpDir, type CliResult } from '../helpers.js';
import type { HostCase, HostResult } from './host.js';

const SEED = Number(process.env.RLE_FUZZ_SEED ?? 15);
const CASES = Number(process.env.RLE_FUZZ_CASES ?? 300);
/** Every this many cases also run through a spawned CLI, the real process exit included. */
const CLI_EVERY = Number(process.env.RLE_FUZZ_CLI_EVERY ?? 10);
const LIMIT_MS = 20_000;
const CONCURRENCY = Math.max(2, os.availableParallelism());

type Rand = () => number;
const pick = <T>(r: Rand, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Text that breaks parsers: control characters, quotes, huge and impossible numbers, a BOM, a long run. */
const NASTY = ['\0', '\r', '\r\n', '\n', '\u001b]0;x\u0007', '"', ',', ',,,,', '1e308', '-1e308', '-5', 'NaN', 'Infinity', '', '\uFEFF', '9'.repeat(3000), '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2025-13-45T99:99:99Z', 'null', '{', ']', '\\', '\u2028', 'ÿ', '1e15'];
const EXTREME: unknown[] = [0, -1, 1e15, 1e300, -1e300, 1e-300, 2 ** 53, 1.5, null, 'x', '', [], {}, true, [[1]], -100];

/** 1–4 byte-level edits of `text`: flips, inserts of NASTY, deletions, duplications, truncation. */
function mutateText(r: Rand, text: string): string {
  let s = text;
  for (let k = int(r, 1, 4); k > 0; k--) {
    const at = int(r, 0, Math.max(0, s.length - 1));
    switch (int(r, 0, 5)) {
      case 0:
        s = s.slice(0, at) + String.fromCharCode(int(r, 0, 255)) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + pick(r, NASTY) + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + int(r, 1, 200));
        break;
      case 3: {
        const len = int(r, 1, 300);
        s = s.slice(0, at) + s.slice(at, at + len).repeat(int(r, 2, 4)) + s.slice(at + len);
        break;
      }
      case 4:
        s = s.slice(0, at);
        break;
      default:
        s = s.replace(/-?\d+(\.\d+)?/, () => pick(r, ['1e308', '-1', '', 'nan', '1e400', '0x10', '101', '-273']));
    }
  }
  return s;
}

/** A random value set at a random place of a JSON document (depth-first walk to a random node). */
function mutateJson(r: Rand, doc: unknown, edits = int(r, 1, 3)): unknown {
  const root = structuredClone(doc);
  for (let k = 0; k < edits; k++) {
    let node = root as Record<string, unknown>;
    for (let depth = 0; depth < 8; depth++) {
      if (typeof node !== 'object' || node === null) break;
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = pick(r, keys);
      const child = node[key];
      if (typeof child !== 'object' || child === null || r() < 0.3) {
        if (r() < 0.15) delete node[key];
        else node[key] = structuredClone(pick(r, EXTREME));
        break;
      }
      node = child as Record<string, unknown>;
    }
  }
  return root;
}

interface Case {
  readonly kind: string;
  /** Arguments, given the case's folder. */
  readonly args: string[];
  /** What must hold after exit 0. */
  readonly sane: (r: CliResult) => string | null;
  /** Files that must not exist after a failure. */
  readonly outputs: string[];
  /** A store that must hold no session after a failure. */
  readonly db: string | null;
}

const SESSIONS = ['golden/pc_rle_20251027_09.in.csv.gz', 'golden/laptop_rle_20251030_20.in.csv.gz', 'golden/training_reproducibility_test_1_rle_data_20251028_195412.in.csv.gz', 'golden/phone_phone_rle_wildlife.in.csv.gz'];
const sessionHeads = SESSIONS.map((f) => fixtureText(f).split('\n').slice(0, 140).join('\n') + '\n');
const LOG = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'training', 'training_log_20251028_195412.json'), 'utf8')) as Record<string, unknown>[];
const LOG_SESSION = fixtureText(SESSIONS[2]!).split('\n').slice(0, 400).join('\n') + '\n';
const MICRO = path.join(FIXTURES, 'training', 'torch-micro');
const MODEL = JSON.parse(fs.readFileSync(path.join(ROOT, 'models', 'fingerprint-default.json'), 'utf8')) as unknown;
const DATASET = ['{"instruction": "Say hi.", "response": "Hi!"}', '{"text": "A short text about CPU caches."}', '{"instruction": "Add 2 and 2.", "response": "4"}'];
const BATCHES = [{ input_ids: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], labels: [[2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13]] }];
const TRAIN = ['--steps', '1', '--no-monitor', '--no-report', '--kernels', 'js', '--threads', '1'];

const csvLooksSane = (text: string): string | null => {
  if (!text.startsWith('timestamp,device,rle_smoothed')) return 'output CSV lacks the spec header';
  if (!text.endsWith('\n')) return 'output CSV does not end with a newline';
  if (/Infinity|NaN|undefined/.test(text)) return 'output CSV holds Infinity/NaN/undefined';
  return null;
};
const jsonLooksSane = (s: string): string | null => {
  try {
    const v = JSON.parse(s) as unknown;
    return /Infinity|NaN|undefined/.test(s) || v === null ? 'JSON output holds Infinity/NaN/undefined' : null;
  } catch {
    return 'stdout is not JSON';
  }
};
const ID = /^\d{8}-\d{6}-[0-9a-f]{6}\n$/;

/** One seeded case, its files written into `dir`. */
function makeCase(r: Rand, i: number, dir: string): Case {
  // Weighted by cost: a training case starts a worker and a model (~1 s), a session case ~0.3 s.
  const kind = pick(r, ['session', 'session', 'session', 'session', 'session', 'session', 'session', 'session', 'log', 'log', 'model', 'model', 'batches', 'checkpoint', 'checkpoint', 'dataset']);
  const db = path.join(dir, 'rle.db');
  if (kind === 'session') {
    const file = path.join(dir, r() < 0.2 ? 'in.csv.gz' : 'in.csv');
    const text = mutateText(r, pick(r, sessionHeads));
    fs.writeFileSync(file, file.endsWith('.gz') ? Buffer.from(text) /* not gzip: a corrupt .gz */ : text);
    const out = path.join(dir, 'out.csv');
    switch (pick(r, ['augment', 'analyze', 'import', 'export-roundtrip'])) {
      case 'augment':
        return { kind: 'session/augment', args: ['augment', file, '-o', out], outputs: [out], db: null, sane: () => csvLooksSane(fs.readFileSync(out, 'utf8')) };
      case 'analyze':
        return { kind: 'session/analyze', args: ['analyze', file, '--json'], outputs: [], db: null, sane: (x) => jsonLooksSane(x.stdout) };
      default:
        return { kind: 'session/import', args: ['import', file, '--db', db], outputs: [], db, sane: (x) => (ID.test(x.stdout) ? null : `import printed ${JSON.stringify(x.stdout)}`) };
    }
  }
  if (kind === 'log') {
    const session = path.join(dir, 'session.csv');
    fs.writeFileSync(session, LOG_SESSION);
    const log = path.join(dir, 'log.json');
    fs.writeFileSync(log, r() < 0.3 ? mutateText(r, JSON.stringify(LOG)) : JSON.stringify(mutateJson(r, LOG, int(r, 1, 6))));
    return { kind: 'training log', args: ['import', session, '--training', log, '--db', db], outputs: [], db, sane: (x) => (ID.test(x.stdout) ? null : 'no session id') };
  }
  const stepsRan = (x: CliResult): string | null => (/step 1\/1 \| loss/.test(x.stdout) ? null : 'no step line');
  if (kind === 'dataset') {
    const file = path.join(dir, 'data.jsonl');
    fs.writeFileSync(file, mutateText(r, DATASET.join('\n') + '\n'));
    return { kind: 'dataset', args: ['train', '--dataset', file, '--seq', '8', '--batch', '1', ...TRAIN, '--db', db], outputs: [], db, sane: stepsRan };
  }
  if (kind === 'batches') {
    const file = path.join(dir, 'batches.json');
    fs.writeFileSync(file, r() < 0.3 ? mutateText(r, JSON.stringify(BATCHES)) : JSON.stringify(mutateJson(r, BATCHES, int(r, 1, 3))));
    return { kind: 'batches', args: ['train', '--model', MICRO, '--batches', file, ...TRAIN, '--db', db], outputs: [], db, sane: stepsRan };
  }
  if (kind === 'checkpoint') {
    const model = path.join(dir, 'model');
    fs.mkdirSync(model);
    const cfg = JSON.parse(fs.readFileSync(path.join(MICRO, 'config.json'), 'utf8')) as Record<string, unknown>;
    const st = fs.readFileSync(path.join(MICRO, 'model.safetensors'));
    let cfgText = JSON.stringify(cfg);
    let stBytes: Buffer = st;
    const what = pick(r, ['config', 'header', 'dtype', 'offsets', 'prefix', 'truncate', 'shape']);
    if (what === 'config') {
      const key = pick(r, ['n_layer', 'n_embd', 'n_head', 'vocab_size', 'n_positions', 'n_ctx', 'layer_norm_epsilon', 'model_type', 'tie_word_embeddings']);
      cfg[key] = pick(r, [...EXTREME, 1e9, 1e5, 65536, 7, 'gpt2', 'llama']);
      cfgText = r() < 0.2 ? mutateText(r, JSON.stringify(cfg)) : JSON.stringify(cfg);
    } else {
      const n = Number(st.readBigUInt64LE(0));
      const header = JSON.parse(st.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      const t = header[pick(r, names)]!;
      if (what === 'dtype') t.dtype = pick(r, ['I64', 'F8_E4M3', 'BOOL', 'F16', 'U8', 'xx', 'F64']);
      if (what === 'offsets') t.data_offsets = [t.data_offsets[0] + int(r, -8, 8), t.data_offsets[1] + pick(r, [-4, 0, 4, 1e9])];
      if (what === 'shape') t.shape = pick(r, [[], [0], [1e9, 1e9], [...t.shape].reverse(), [-1]]);
      let json = JSON.stringify(header);
      if (what === 'header') json = mutateText(r, json);
      const body = Buffer.from(json.padEnd(n, ' ').slice(0, Math.max(n, json.length)));
      const prefix = Buffer.alloc(8);
      prefix.writeBigUInt64LE(BigInt(what === 'prefix' ? pick(r, [0, 1, n + 7, 2 ** 40, st.length]) : body.length));
      stBytes = Buffer.concat([prefix, body, st.subarray(8 + n)]);
      if (what === 'truncate') stBytes = st.subarray(0, int(r, 0, st.length - 1));
    }
    fs.writeFileSync(path.join(model, 'config.json'), cfgText);
    fs.writeFileSync(path.join(model, 'model.safetensors'), stBytes);
    const batches = path.join(dir, 'batches.json');
    fs.writeFileSync(batches, JSON.stringify(BATCHES));
    return { kind: `checkpoint/${what}`, args: ['train', '--model', model, '--batches', batches, ...TRAIN, '--db', db], outputs: [], db, sane: stepsRan };
  }
  // a fingerprint model
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(file, r() < 0.25 ? mutateText(r, JSON.stringify(MODEL)) : JSON.stringify(mutateJson(r, MODEL, int(r, 1, 3))));
  const session = path.join(dir, 'session.csv');
  fs.writeFileSync(session, sessionHeads[0]!);
  return {
    kind: 'fingerprint model',
    args: ['fingerprint', 'classify', file, session, '--json'],
    outputs: [],
    db: null,
    sane: (x) => {
      const bad = jsonLooksSane(x.stdout);
      if (bad) return bad;
      const c = JSON.parse(x.stdout) as { label: string; probabilities: Record<string, number> };
      const sum = Object.values(c.probabilities).reduce((a, b) => a + b, 0);
      return Math.abs(sum - 1) < 1e-6 && c.label in c.probabilities ? null : `probabilities ${JSON.stringify(c.probabilities)} for ${c.label}`;
    },
  };
}

function sessionsIn(db: string): number {
  if (!fs.existsSync(db)) return 0;
  const s = SessionStore.open(db);
  try {
    return s.list().length;
  } finally {
    s.close();
  }
}

const STACK = /\n\s+at .+[:(]\d+:\d+|^\s+at /m;
const HOST = path.join(path.dirname(fileURLToPath(import.meta.url)), 'host.js');
const ENV = { RLE_MEMORY_BUDGET_MB: '2048' };

/** One host process, replaced when a case kills it or runs past the limit. */
class Host {
  private child: ChildProcess | null = null;
  private stderr = '';
  constructor(private readonly cwd: string) {}

  run(id: number, args: readonly string[]): Promise<CliResult> {
    const child = (this.child ??= this.start());
    return new Promise((resolve) => {
      const done = (r: CliResult): void => {
        clearTimeout(timer);
        child.off('message', onMessage).off('exit', onExit);
        resolve(r);
      };
      const onMessage = (m: HostResult): void => done({ code: m.code, stdout: m.stdout, stderr: m.stderr });
      const onExit = (code: number | null, signal: string | null): void => {
        this.child = null;
        done({ code: code ?? -1, stdout: '', stderr: `host ended (${signal ?? code}): ${this.stderr}` });
      };
      const timer = setTimeout(() => {
        child.off('exit', onExit);
        child.kill('SIGKILL');
        this.child = null;
        done({ code: -1, stdout: '', stderr: '', timedOut: true });
      }, LIMIT_MS);
      child.on('message', onMessage).on('exit', onExit);
      child.send({ id, args, env: ENV } satisfies HostCase);
    });
  }

  close(): void {
    this.child?.kill();
  }

  private start(): ChildProcess {
    this.stderr = '';
    const child = fork(HOST, [], { cwd: this.cwd, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.stderr = (this.stderr + d).slice(-2000)));
    return child;
  }
}

interface Counts {
  cases: number;
  ok: number;
  cleanErrors: number;
  crashes: number;
  hangs: number;
  halfWritten: number;
  insane: number;
}

/** Sorts one result into `counts`; a problem is described in `problems`. */
function judge(c: Case, dir: string, where: string, r: CliResult, counts: Counts, problems: string[]): void {
  counts.cases++;
  if (r.timedOut) {
    counts.hangs++;
    problems.push(`${where}: no end within ${LIMIT_MS} ms`);
    return;
  }
  if (![0, 1, 2].includes(r.code) || STACK.test(r.stderr) || /internal error/.test(r.stderr)) {
    counts.crashes++;
    problems.push(`${where}: exit ${r.code}: ${r.stderr.slice(0, 400)}`);
    return;
  }
  if (r.code === 0) {
    const why = c.sane(r);
    if (why) {
      counts.insane++;
      problems.push(`${where}: exit 0 but ${why}`);
    } else counts.ok++;
    return;
  }
  const left = [...c.outputs.filter((f) => fs.existsSync(f)), ...fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))];
  const sessions = c.db ? sessionsIn(c.db) : 0;
  if (left.length > 0 || sessions > 0) {
    counts.halfWritten++;
    problems.push(`${where}: failed (${r.stderr.trim().slice(0, 200)}) but left ${[...left, ...(sessions ? [`${sessions} session(s)`] : [])].join(', ')}`);
    return;
  }
  if (!/^rle: error: .+/m.test(r.stderr)) {
    counts.crashes++;
    problems.push(`${where}: exit ${r.code} without an "rle: error:" line: ${r.stderr.slice(0, 300)}`);
    return;
  }
  counts.cleanErrors++;
}

const zero = (): Counts => ({ cases: 0, ok: 0, cleanErrors: 0, crashes: 0, hangs: 0, halfWritten: 0, insane: 0 });
const report = (label: string, n: Counts, s: string): string =>
  `# fuzz ${label} (seed ${SEED}): ${n.cases} cases in ${s} s: ${n.ok} ok, ${n.cleanErrors} clean errors, ${n.crashes} crashes, ${n.hangs} hangs, ${n.halfWritten} half-written, ${n.insane} insane successes`;

describe('#15 fuzz: seeded mutations of real inputs through the CLI', () => {
  it(`${CASES} cases (seed ${SEED}) in-process and every ${CLI_EVERY}th also through a spawned rle: exit 0/1/2, no stack trace, no hang, nothing half-written, sane successes, both agree`, { timeout: 300_000 }, async () => {
    const rand = mulberry32(SEED);
    const root = tmpDir();
    const cases = Array.from({ length: CASES }, (_, i) => {
      const dir = path.join(root, String(i));
      fs.mkdirSync(dir);
      return { i, dir, c: makeCase(rand, i, dir) };
    });
    const inProcess = zero();
    const spawned = zero();
    const problems: string[] = [];
    const t0 = performance.now();
    let next = 0;
    const hosts = Array.from({ length: CONCURRENCY }, () => new Host(root));
    const worker = async (host: Host): Promise<void> => {
      while (next < cases.length) {
        const { i, dir, c } = cases[next++]!;
        const where = (how: string): string => `case ${i} (${c.kind}, ${how}): rle ${c.args.map((a) => (path.isAbsolute(a) ? path.relative(dir, a) || "." : a)).join(' ')}`;
        const r = await host.run(i, c.args);
        judge(c, dir, where('in-process'), r, inProcess, problems);
        if (i % CLI_EVERY !== 0) continue;
        // A success left its outputs: the spawned run must succeed on them again.
        const s = await runCli(c.args, { cwd: dir, timeoutMs: LIMIT_MS, env: ENV });
        judge(c, dir, where('spawned'), s, spawned, problems);
        const line = (x: CliResult): string => x.stderr.split('\n').find((l) => l.startsWith('rle: error:')) ?? '';
        if (s.code !== r.code || line(s) !== line(r)) problems.push(`${where('both')}: in-process exit ${r.code} ${JSON.stringify(line(r))}, spawned exit ${s.code} ${JSON.stringify(line(s))}`);
      }
    };
    try {
      await Promise.all(hosts.map(worker));
    } finally {
      for (const h of hosts) h.close();
    }
    const s = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(report('in-process', inProcess, s));
    console.log(report('spawned', spawned, s));
    for (const p of problems.slice(0, 20)) console.log(`#   ${p.replace(/\n/g, '\\n')}`);
    assert.equal(inProcess.cases, CASES);
    const bad = (n: Counts): Partial<Counts> => ({ crashes: n.crashes, hangs: n.hangs, halfWritten: n.halfWritten, insane: n.insane });
    assert.deepEqual([bad(inProcess), bad(spawned)], [bad(zero()), bad(zero())], problems.join('\n'));
    assert.deepEqual(problems, []);
  });
});
