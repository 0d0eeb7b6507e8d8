#!/usr/bin/env node
/**
 * The README's test command (`npm test`): lint and the test build side by side (both cached in
 * node_modules/.cache, so a re-run redoes only what changed), then every test file under
 * test/, several at a time (most of them wait on child processes, sockets or files). Exits
 * non-zero on any failure. RLE_TEST_CONCURRENCY sets how many test files run at once.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const cache = path.join(root, 'node_modules', '.cache', 'rle');
fs.mkdirSync(cache, { recursive: true });

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const [lint, build] = await Promise.all([
  run(bin('eslint'), ['--cache', '--cache-location', path.join(cache, 'eslint'), '.']),
  run(bin('tsc'), ['-p', 'tsconfig.test.json', '--incremental', '--tsBuildInfoFile', path.join(cache, 'test-build.tsbuildinfo')]),
]);
if (lint !== 0 || build !== 0) process.exit(1);

/** Test files from the sources, so a compiled test whose source was deleted never runs. */
function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}
const files = testFiles(path.join(root, 'test'))
  .sort()
  .map((f) => path.join(root, '.test-build', path.relative(root, f)).replace(/\.ts$/, '.js'));
const concurrency = Number(process.env.RLE_TEST_CONCURRENCY ?? Math.max(4, 2 * os.availableParallelism()));
process.exit(await run(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files]));
