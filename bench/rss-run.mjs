// Runs the rle CLI in this process and reports its peak resident memory on stderr at exit.
// Usage: node bench/rss-run.mjs <rle args…>
import process from 'node:process';

process.on('exit', () => {
  process.stderr.write(`\nRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
process.argv = [process.argv[0], 'rle', ...process.argv.slice(2)];
await import('../dist/cli/main.js');
