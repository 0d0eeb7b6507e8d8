/** `rle monitor`: sample this machine's sensors, compute RLE live, store the session. */
import { Command } from 'commander';
import { Recorder } from '../../app/recorder.js';
import { renderSummary } from '../../report/text-summary.js';
import { positive } from '../options.js';
import { addRecordingOptions, recorderOptions, type RecordingFlags } from '../recording-options.js';
import { onStopSignal } from '../signals.js';

interface MonitorFlags extends RecordingFlags {
  duration?: number;
}

export async function monitor(flags: MonitorFlags): Promise<void> {
  const rec = await Recorder.start(
    recorderOptions(flags, {
      kind: 'monitor',
      durationS: flags.duration ?? null,
      log: (s) => void (flags.json ? process.stderr : process.stdout).write(s + '\n'),
      statusLine: process.stderr.isTTY && !flags.json,
    }),
  );
  // Ctrl-C is how a monitor without --duration is meant to end: the session is complete.
  onStopSignal(() => rec.stop());
  let result;
  try {
    await rec.run();
    result = await rec.end('completed');
  } catch (e) {
    await rec.end('failed').catch(() => undefined);
    throw e;
  } finally {
    onStopSignal(null);
  }
  if (flags.json) process.stdout.write(JSON.stringify({ session: rec.id, status: result.status, summary: result.summary }, null, 2) + '\n');
  else process.stdout.write('\n' + renderSummary(result.summary, result.notes));
  if (rec.outputFailure) throw rec.outputFailure;
}

export function monitorCommand(): Command {
  const cmd = new Command('monitor')
    .description('sample this machine (utilization, temperature, power), compute RLE live, store the session')
    .option('--duration <s>', 'stop after this many seconds (default: until Ctrl-C)', positive)
    .option('--json', 'print {"session", "status", "summary"} as JSON at the end');
  addRecordingOptions(cmd);
  return cmd.action((flags: MonitorFlags) => monitor(flags));
}
