/**
 * Reading the same sysfs/procfs files ten times a second: keep each file open and re-read it
 * with one positional read at offset 0 (sysfs attributes and seq_files regenerate their
 * content on a read from 0), instead of open + fstat + read + close every time. That is one
 * syscall (procfs) or one thread-pool round trip (sysfs) per file per tick instead of four.
 *
 * A kept descriptor goes on reading the file it opened. On procfs and sysfs that is the file:
 * a sysfs node that goes away (a device unplugged) fails the next read with ENODEV, and the
 * file is reopened on the read after. Anywhere else (the fixture trees tests rewrite) a file
 * can be replaced or deleted under an open descriptor and still read its old content, so there
 * each read first checks, with one stat of the path, that the path still names the open file.
 */
import fs from 'node:fs';

/** sysfs attributes are at most a page; /proc/stat on large machines is tens of kB (bytes). */
const FIRST_BUFFER_BYTES = 4096;

/** statfs f_type of the filesystems whose files the kernel generates on each read. */
const PROC_SUPER_MAGIC = 0x9fa0;
const SYSFS_MAGIC = 0x62656572;

const NOTHING = (): void => undefined;

/** A buffer twice as large holding the first `n` bytes of `buf`. */
function doubled(buf: Buffer, n: number): Buffer {
  const bigger = Buffer.allocUnsafe(buf.length * 2);
  buf.copy(bigger, 0, 0, n);
  return bigger;
}

interface Kept {
  readonly fd: number;
  /** The open file's identity; null on procfs/sysfs, where a replaced node fails its reads. */
  readonly id: { readonly dev: number; readonly ino: number } | null;
}

/** Whether `fd` (opened from `p`) is still the file `p` names; throws ENOENT when `p` is gone. */
function stillThere(p: string, k: Kept): boolean {
  if (!k.id) return true;
  const st = fs.statSync(p);
  return st.ino === k.id.ino && st.dev === k.id.dev;
}

function identity(p: string, fd: number): Kept['id'] {
  const type = fs.statfsSync(p).type;
  if (type === PROC_SUPER_MAGIC || type === SYSFS_MAGIC) return null;
  const st = fs.fstatSync(fd);
  return { dev: st.dev, ino: st.ino };
}

export class FileHandleCache {
  private readonly kept = new Map<string, Kept>();
  private readonly buffers = new Map<string, Buffer>();
  /**
   * Told when a read has to wait for the thread pool (its owner then arms a deadline). Always a
   * function, never null: a field that changes kind makes V8 throw away the optimized code of
   * everything that read it.
   */
  onWait: () => void = NOTHING;

  /** @param procfsPrefix files under it (the set's procfs root, with a trailing `/`) are read synchronously. */
  constructor(private readonly procfsPrefix: string) {}

  /** The whole file as UTF-8; errors carry their `code` (ENOENT, EACCES…) like fs.readFile's. */
  async read(p: string): Promise<string> {
    return (await this.readBytes(p)).toString('utf8');
  }

  /** The whole file as bytes: a view of this file's reused buffer, valid until its next read. */
  readBytes(p: string): Promise<Buffer> {
    return p.startsWith(this.procfsPrefix) ? this.readNow(p) : this.readAsync(p);
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is a promise; a throw becomes its rejection
  private async readNow(p: string): Promise<Buffer> {
    return this.readSync(p);
  }

  /**
   * procfs files (/proc/stat, /proc/meminfo) are generated from kernel memory and never block:
   * read them synchronously, which saves two thread-pool hand-offs per tick. sysfs files stay
   * asynchronous: some hwmon drivers read their chip over a slow bus.
   */
  private readSync(p: string): Buffer {
    const k = this.openSync(p);
    let buf = this.buffers.get(p) ?? Buffer.allocUnsafe(FIRST_BUFFER_BYTES);
    let n = 0;
    try {
      for (;;) {
        const want = buf.length - n;
        const got = fs.readSync(k.fd, buf, n, want, n);
        n += got;
        // A short read is the end of the file: no second call just to see 0 bytes.
        if (got < want) break;
        buf = doubled(buf, n);
      }
    } catch (e) {
      this.forget(p, k);
      throw e;
    }
    this.buffers.set(p, buf);
    return buf.subarray(0, n);
  }

  /** The kept descriptor for `p`, reopened when `p` no longer names it. */
  private openSync(p: string): Kept {
    let k = this.kept.get(p);
    if (k) {
      let same: boolean;
      try {
        same = stillThere(p, k);
      } catch (e) {
        this.forget(p, k);
        throw e;
      }
      if (same) return k;
      this.forget(p, k);
    }
    const fd = fs.openSync(p, 'r');
    try {
      k = { fd, id: identity(p, fd) };
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    this.kept.set(p, k);
    return k;
  }

  private async readAsync(p: string): Promise<Buffer> {
    this.onWait();
    const k = await this.openAsync(p);
    let buf = this.buffers.get(p) ?? Buffer.allocUnsafe(FIRST_BUFFER_BYTES);
    let n = 0;
    try {
      for (;;) {
        const want = buf.length - n;
        const got = await new Promise<number>((resolve, reject) => fs.read(k.fd, buf, n, want, n, (e, bytes) => (e ? reject(e) : resolve(bytes))));
        n += got;
        if (got < want) break;
        buf = doubled(buf, n);
      }
    } catch (e) {
      // The device may have gone (hot-unplug): reopen next time.
      this.forget(p, k);
      throw e;
    }
    this.buffers.set(p, buf);
    return buf.subarray(0, n);
  }

  /**
   * As openSync, on the thread pool. Opening happens once per file (and checking identity only
   * off procfs/sysfs, in tests), so the checks themselves stay synchronous.
   */
  private async openAsync(p: string): Promise<Kept> {
    const k = this.kept.get(p);
    if (k) return this.openSync(p);
    const fd = await new Promise<number>((resolve, reject) => fs.open(p, 'r', (e, d) => (e ? reject(e) : resolve(d))));
    // Another read of the same path may have opened it meanwhile: keep one descriptor.
    const other = this.kept.get(p);
    if (other) {
      fs.close(fd, () => undefined);
      return other;
    }
    let id: Kept['id'];
    try {
      id = identity(p, fd);
    } catch (e) {
      fs.close(fd, () => undefined);
      throw e;
    }
    const kept = { fd, id };
    this.kept.set(p, kept);
    return kept;
  }

  /** Closes the kept descriptor of `p` if it is `k`. */
  private forget(p: string, k: Kept): void {
    if (this.kept.get(p) !== k) return;
    this.kept.delete(p);
    fs.close(k.fd, () => undefined);
  }

  closeAll(): Promise<void> {
    for (const k of this.kept.values()) fs.closeSync(k.fd);
    this.kept.clear();
    this.buffers.clear();
    return Promise.resolve();
  }
}
