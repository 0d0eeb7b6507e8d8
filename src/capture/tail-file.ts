/**
 * Follows a file another process appends to (a training script's metrics JSONL), by polling:
 * fs.watch is unreliable across filesystems, and a few reads a second cost nothing.
 */
import fsp from 'node:fs/promises';

/** Poll period, ms. */
const POLL_MS = 200;

export class FileTail {
  private offset = 0;
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly onData: (chunk: Buffer) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.reading = this.reading.then(() => this.readNew());
    }, POLL_MS);
  }

  private async readNew(): Promise<void> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.file, 'r');
    } catch {
      return; // not created yet
    }
    try {
      const { size } = await fh.stat();
      if (size < this.offset) this.offset = 0; // truncated and rewritten
      if (size === this.offset) return;
      const buf = Buffer.allocUnsafe(size - this.offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
      this.offset += bytesRead;
      if (bytesRead > 0) this.onData(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  }

  /** Stops polling after one last read. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.reading;
    await this.readNew();
  }
}
