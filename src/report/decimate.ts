/**
 * Series thinned for display with their extremes kept: time is cut into one bucket per pixel
 * column of the plot, and each bucket keeps, per field, its smallest and its largest value, in
 * the order they came (min/max decimation, the extremes half of M4 — Jugel et al. 2014). A line
 * through those points covers, in every pixel column, exactly the range the full series covers
 * there, so a one-sample spike or a throttle dip stays as tall as it is; averaging buckets
 * would flatten both. The two rows of a bucket stand at its first and last sample's time, the
 * earlier extreme first (within a pixel column the time is not information); the series' first
 * and last samples are kept as they are too, so each line starts and ends where the data does.
 * At most two rows per bucket and the two ends; a series short enough to draw as it is, is.
 * A field with no finite value in a bucket is null there (the line breaks). One pass: O(n).
 */

export type Row = Record<string, number | null>;

type Column = ArrayLike<number | null | undefined>;

const finite = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

/**
 * Rows `{ s, …fields }` with s = t − t0: at most 2 per bucket of (t1 − t0) / buckets seconds, and the first and last sample.
 * @param t times, ascending
 * @param fields columns aligned with t
 * @param range the plotted time span [t0, t1] (the figure's shared x axis)
 */
export function minMaxRows(t: ArrayLike<number>, fields: Record<string, Column>, range: [number, number], buckets: number): Row[] {
  const names = Object.keys(fields);
  const cols = names.map((k) => fields[k]!);
  const n = t.length;
  const [t0, t1] = range;
  const sample = (i: number): Row => {
    const r: Row = { s: t[i]! - t0 };
    names.forEach((k, j) => (r[k] = finite(cols[j]![i]) ? cols[j]![i] : null));
    return r;
  };
  if (n <= 2 * buckets || !(t1 > t0)) return Array.from({ length: n }, (_, i) => sample(i));
  const width = (t1 - t0) / buckets;
  const out: Row[] = [sample(0)];
  const lo = new Float64Array(names.length), hi = new Float64Array(names.length);
  const loAt = new Int32Array(names.length), hiAt = new Int32Array(names.length);
  let i = 0;
  while (i < n) {
    const b = Math.floor((t[i]! - t0) / width);
    const first = i;
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (; i < n && Math.floor((t[i]! - t0) / width) === b; i++) {
      for (let j = 0; j < cols.length; j++) {
        const v = cols[j]![i];
        if (!finite(v)) continue;
        if (v < lo[j]!) { lo[j] = v; loAt[j] = i; }
        if (v > hi[j]!) { hi[j] = v; hiAt[j] = i; }
      }
    }
    const last = i - 1;
    const a: Row = { s: t[first]! - t0 }, z: Row = { s: t[last]! - t0 };
    names.forEach((k, j) => {
      const some = lo[j]! <= hi[j]!;
      const loFirst = loAt[j]! <= hiAt[j]!;
      a[k] = some ? (loFirst ? lo[j]! : hi[j]!) : null;
      z[k] = some ? (loFirst ? hi[j]! : lo[j]!) : null;
    });
    out.push(a);
    if (last > first) out.push(z);
  }
  out.push(sample(n - 1));
  return out;
}

/** Of points (t, value), t ascending, the largest value per bucket as { s: t − t0, v }: markers (spikes) thinned to one per pixel column. */
export function maxPerBucket(t: ArrayLike<number>, v: ArrayLike<number>, range: [number, number], buckets: number): { s: number; v: number }[] {
  const n = t.length;
  const [t0, t1] = range;
  const out: { s: number; v: number }[] = [];
  if (n <= buckets || !(t1 > t0)) {
    for (let i = 0; i < n; i++) out.push({ s: t[i]! - t0, v: v[i]! });
    return out;
  }
  const width = (t1 - t0) / buckets;
  let bucket = NaN;
  for (let i = 0; i < n; i++) {
    const b = Math.floor((t[i]! - t0) / width);
    if (b !== bucket) {
      bucket = b;
      out.push({ s: t[i]! - t0, v: v[i]! });
    } else if (v[i]! > out.at(-1)!.v) out[out.length - 1] = { s: t[i]! - t0, v: v[i]! };
  }
  return out;
}
