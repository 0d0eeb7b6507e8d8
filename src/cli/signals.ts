/**
 * Ctrl-C and SIGTERM. By default they end the process (130/143, through main's exit). A
 * long-running command (monitor, train, run, workload) registers a graceful stop instead; a
 * second signal forces the exit.
 */
let graceful: ((signal: NodeJS.Signals) => void) | null = null;
let signalled = false;

/** @param exit how main ends the process with a code (it removes pending temp outputs first) */
export function installSignalHandlers(exit: (code: number) => void): void {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (graceful && !signalled) {
        signalled = true;
        graceful(sig);
        return;
      }
      exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
}

/** While set, the first Ctrl-C/SIGTERM calls `stop` instead of exiting. */
export function onStopSignal(stop: ((signal: NodeJS.Signals) => void) | null): void {
  graceful = stop;
  signalled = false;
}
