/** `rle monitor`: sample this machine's sensors, compute RLE live, store the session. */
import { Command } from 'commander';
import { positive } from '../options.js';
import { addRecordingOptions, Recording, type RecordingFlags } from '../../app/recorder.js';
import { onStopSignal } from '../signals.js';
import { renderSummary } from './analyze.js';

interface MonitorFlags extends RecordingFlags {
  duration?: number;
}

export async function monitor(flags: MonitorFlags): Promise<void> {
  const rec = await Recording.start(flags, {
    kind: 'monitor',
    durationS: flags.duration ?? null,
    info: (s) => void (flags.json ? process.stderr : process.stdout).write(s + '\n'),
    statusLine: process.stderr.isTTY && !flags.json,
  });
  onStopSignal(() => void rec.mon.stop('completed'));
  let result;
  try {
    await rec.mon.run();
    result = await rec.end('completed');
  } catch (e) {
    await rec.end('failed').catch(() => undefined);
    throw e;
  } finally {
    onStopSignal(null);
  }
  const { status, summary } = result;
  if (flags.json) process.stdout.write(JSON.stringify({ session: rec.mon.sessionId, status, summary }, null, 2) + '\n');
  else process.stdout.write('\n' + renderSummary(summary, rec.mon.summary.notes()));
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description('sample this machine (utilization, temperature, power), compute RLE live, store the session')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)', positive)
    .option('--json', 'print {"session", "status", "summary"} as JSON at the end');
  addRecordingOptions(cmd);
  return cmd.action((flags: MonitorFlags) => monitor(flags));
}
