/**
 * Drives a fake machine's files from a worker thread, every 10 ms by the wall clock, so that
 * the test's own event loop (waiting on rle) never stalls the machine. workerData: the
 * machine's options and root, the throttle window (Unix s), the two states, and when to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FakeMachine, type MachineOptions, type MachineState } from '../fake-machine.js';

interface Job {
  options: MachineOptions;
  root: string;
  from: number;
  to: number;
  until: number;
  normal: MachineState;
  hot: MachineState;
}

const j = workerData as Job;
const m = new FakeMachine(j.options, j.root);
let last = Date.now() / 1000;
const timer = setInterval(() => {
  const now = Date.now() / 1000;
  m.set(now >= j.from && now < j.to ? j.hot : j.normal, now - last);
  last = now;
  if (now > j.until) {
    clearInterval(timer);
    parentPort?.postMessage('done');
  }
}, 10);
