#!/usr/bin/env node
/**
 * Builds the trainer's native kernels (native/*.c → build/Release/rle_kernels.node) with the
 * node-gyp that npm ships, during `npm ci`. Optional by design: without python3, make or a C
 * compiler the build fails, this says so, and `rle train` uses its portable kernels; the
 * install itself always succeeds. RLE_NATIVE=0 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const say = (s) => process.stderr.write(`rle: ${s}\n`);

if (process.env.RLE_NATIVE === '0') {
  say('native kernels skipped (RLE_NATIVE=0); rle train will use the portable kernels');
  process.exit(0);
}
const candidates = [
  process.env.npm_config_node_gyp,
  path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const nodeGyp = candidates.find((p) => existsSync(p));
if (!nodeGyp) {
  say('native kernels not built: node-gyp not found (it comes with npm); rle train will use the portable kernels');
  process.exit(0);
}
const args = [nodeGyp, 'rebuild'];
// Outside npm (no npm_config_nodedir), build against this Node's installed headers when present.
if (!process.env.npm_config_nodedir && existsSync('/usr/include/node/node_api.h') && process.execPath.startsWith('/usr/')) args.push('--nodedir=/usr');
const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
if (r.status !== 0) {
  const why = `${r.stderr ?? ''}\n${r.stdout ?? ''}`
    .split('\n')
    .filter((l) => /error|not found|ERR!/i.test(l) && !/gyp ERR! (cwd|node -v|node-gyp -v|System|command|not ok)/.test(l))
    .slice(0, 4)
    .join('\n    ');
  say(`native kernels not built (${r.error ? r.error.message : `node-gyp exited with ${r.status}`}); rle train will use the portable kernels.`);
  if (why) say(`  ${why}`);
  say('  They need python3, make and a C compiler; run `npm rebuild` or `node scripts/build-native.mjs` after installing them.');
  process.exit(0);
}
try {
  const addon = createRequire(import.meta.url)(path.join(root, 'build', 'Release', 'rle_kernels.node'));
  say(`native kernels built (GEMM micro-kernel: ${addon.init(2)})`);
} catch (e) {
  say(`native kernels built but do not load (${e.message.split('\n')[0]}); rle train will use the portable kernels`);
}
