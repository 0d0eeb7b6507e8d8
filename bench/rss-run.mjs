// Runs the rle CLI in this process and reports its peak resident memory and CPU time on stderr at exit.
// Usage: node bench/rss-run.mjs <rle args…>
import process from 'node:process';

process.on('exit', () => {
  const u = process.resourceUsage();
  process.stderr.write(`\nRSS_KB=${u.maxRSS}\nCPU_US=${u.userCPUTime + u.systemCPUTime}\n`);
});
process.argv = [process.argv[0], 'rle', ...process.argv.slice(2)];
await import('../dist/cli/main.js');
