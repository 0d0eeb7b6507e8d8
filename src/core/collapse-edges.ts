/**
 * Where collapse events begin and end: the one place an edge of a run of collapse samples is
 * found. The sampler turns edges into stored events, Prometheus counts the starts, and
 * summaries and the coupling analysis count runs with it. Pure.
 */
export type CollapseEdge = 'start' | 'end' | null;

export class CollapseEdges {
  private readonly on = new Map<string, boolean>();

  /** The edge this sample makes for its device (the first sample of a run is a start). */
  push(device: string, collapse: number): CollapseEdge {
    const was = this.on.get(device) ?? false;
    const now = collapse === 1;
    this.on.set(device, now);
    return now && !was ? 'start' : !now && was ? 'end' : null;
  }
}

/** A run of consecutive collapse samples of one device (times in Unix s). */
export interface CollapseEvent {
  device: string;
  start: number;
  /** Time of the run's last collapse sample. */
  end: number;
  duration_s: number;
  samples: number;
}

/** The runs of a device's collapse column, in order. */
export function collapseEvents(device: string, t: readonly number[], collapse: readonly number[]): CollapseEvent[] {
  const out: CollapseEvent[] = [];
  const edges = new CollapseEdges();
  let start = -1;
  for (let i = 0; i <= t.length; i++) {
    const edge = edges.push(device, i < t.length ? (collapse[i] ?? 0) : 0);
    if (edge === 'start') start = i;
    if (edge === 'end') out.push({ device, start: t[start]!, end: t[i - 1]!, duration_s: t[i - 1]! - t[start]!, samples: i - start });
  }
  return out;
}
