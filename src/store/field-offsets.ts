/**
 * The fields of one CSV line as offsets into its text, not as strings: the reader slices only
 * the fields it keeps (the time, extra columns) and reads numbers in place.
 */
export class FieldOffsets {
  /** Field i is text[starts[i]…starts[i + 1] − 1) (the − 1: its separator). */
  private starts = new Int32Array(64);
  /** Fields of the line split last. */
  count = 0;

  /** Splits text[from…to) at `sep` (one character); returns the number of fields. */
  split(text: string, from: number, to: number, sep: string): number {
    let starts = this.starts;
    let n = 0;
    starts[n++] = from;
    for (let i = text.indexOf(sep, from); i >= 0 && i < to; i = text.indexOf(sep, i + 1)) {
      if (n + 1 >= starts.length) {
        const grown = new Int32Array(2 * starts.length);
        grown.set(starts);
        this.starts = starts = grown;
      }
      starts[n++] = i + 1;
    }
    starts[n] = to + 1;
    return (this.count = n);
  }

  /** Whether the line split last has field i. */
  has(i: number): boolean {
    return i >= 0 && i < this.count;
  }

  /** Where field i starts (call when has(i)). */
  from(i: number): number {
    return this.starts[i]!;
  }

  /** Where field i ends (call when has(i)). */
  to(i: number): number {
    return this.starts[i + 1]! - 1;
  }

  /** Field i of the line split last, as a string ('' when the line has fewer fields). */
  field(text: string, i: number): string {
    return this.has(i) ? text.slice(this.from(i), this.to(i)) : '';
  }
}
