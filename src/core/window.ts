/** The last `size` values of a series, in a fixed ring: O(size) memory however long the stream. */
export class Window {
  private readonly buf: Float64Array;
  private next = 0;
  private n = 0;

  constructor(readonly size: number) {
    this.buf = new Float64Array(size);
  }

  push(x: number): void {
    this.buf[this.next] = x;
    this.next = (this.next + 1) % this.size;
    if (this.n < this.size) this.n++;
  }

  get length(): number {
    return this.n;
  }

  /** Values currently held (order is not chronological; callers only use order-free statistics). */
  get values(): Float64Array {
    return this.buf;
  }

  mean(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += this.buf[i]!;
    return s / this.n;
  }
}
