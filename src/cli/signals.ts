/**
 * Ctrl-C and SIGTERM. By default they remove pending temp outputs and exit (130/143). A
 * long-running command (monitor) registers a graceful stop instead; a second signal forces
 * the exit.
 */
import { removePendingOutputs } from '../store/files.js';

let graceful: ((signal: NodeJS.Signals) => void) | null = null;
let signalled = false;

export function installSignalHandlers(): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (graceful && !signalled) {
        signalled = true;
        graceful(sig);
        return;
      }
      removePendingOutputs();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** While set, the first Ctrl-C/SIGTERM calls `stop` instead of exiting. */
export function onStopSignal(stop: ((signal: NodeJS.Signals) => void) | null): void {
  graceful = stop;
  signalled = false;
}
