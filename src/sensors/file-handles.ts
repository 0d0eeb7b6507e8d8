/**
 * Reading the same sysfs/procfs files ten times a second: keep each file open and re-read it
 * with one positional read at offset 0 (sysfs attributes and seq_files regenerate their
 * content on a read from 0), instead of open + fstat + read + close every time. That is one
 * thread-pool round trip per file per tick instead of four.
 */
import fs from 'node:fs';

/** sysfs attributes are at most a page; /proc/stat on large machines is tens of kB (bytes). */
const FIRST_BUFFER_BYTES = 4096;

/** A buffer twice as large holding the first `n` bytes of `buf`. */
function doubled(buf: Buffer, n: number): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger, 0, 0, n);
  return bigger;
}

export class FileHandleCache {
  private readonly handles = new Map<string, Promise<fs.promises.FileHandle>>();
  private readonly buffers = new Map<string, Buffer>();
  private readonly fds = new Map<string, number>();

  /** @param procfsPrefix files under it (the set's procfs root, with a trailing `/`) are read synchronously. */
  constructor(private readonly procfsPrefix: string) {}

  /** The whole file as UTF-8; errors carry their `code` (ENOENT, EACCES…) like fs.readFile's. */
  async read(p: string): Promise<string> {
    return p.startsWith(this.procfsPrefix) ? this.readSync(p) : this.readAsync(p);
  }

  /**
   * procfs files (/proc/stat, /proc/meminfo) are generated from kernel memory and never block:
   * read them synchronously, which saves two thread-pool hand-offs per tick. sysfs files stay
   * asynchronous: some hwmon drivers read their chip over a slow bus.
   */
  private readSync(p: string): string {
    let fd = this.fds.get(p);
    if (fd === undefined) {
      fd = fs.openSync(p, 'r');
      this.fds.set(p, fd);
    }
    let buf = this.buffers.get(p) ?? Buffer.allocUnsafe(FIRST_BUFFER_BYTES);
    let n = 0;
    try {
      for (;;) {
        const want = buf.length - n;
        const got = fs.readSync(fd, buf, n, want, n);
        n += got;
        if (got < want) break;
        buf = doubled(buf, n);
      }
    } catch (e) {
      this.fds.delete(p);
      fs.closeSync(fd);
      throw e;
    }
    this.buffers.set(p, buf);
    return buf.toString('utf8', 0, n);
  }

  private async readAsync(p: string): Promise<string> {
    let h = this.handles.get(p);
    if (!h) {
      h = fs.promises.open(p, 'r');
      this.handles.set(p, h);
      h.catch(() => this.handles.delete(p));
    }
    let fh: fs.promises.FileHandle;
    try {
      fh = await h;
    } catch (e) {
      this.handles.delete(p);
      throw e;
    }
    let buf = this.buffers.get(p) ?? Buffer.allocUnsafe(FIRST_BUFFER_BYTES);
    let n = 0;
    try {
      for (;;) {
        const want = buf.length - n;
        const { bytesRead } = await fh.read(buf, n, want, n);
        n += bytesRead;
        // A short read is the end of the file: no second call just to see 0 bytes.
        if (bytesRead < want) break;
        buf = doubled(buf, n);
      }
    } catch (e) {
      // The device may have gone (hot-unplug): reopen next time.
      this.handles.delete(p);
      await fh.close().catch(() => undefined);
      throw e;
    }
    this.buffers.set(p, buf);
    return buf.toString('utf8', 0, n);
  }

  async closeAll(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    this.buffers.clear();
    await Promise.all(all.map((h) => h.then((fh) => fh.close()).catch(() => undefined)));
  }
}
