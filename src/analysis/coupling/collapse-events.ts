/** Collapse events: runs of consecutive collapse samples of one device (times in Unix s). */
export interface CollapseEvent {
  device: string;
  start: number;
  end: number;
  duration_s: number;
  samples: number;
}

export function collapseEvents(device: string, t: readonly number[], collapse: readonly number[]): CollapseEvent[] {
  const out: CollapseEvent[] = [];
  let start = -1;
  for (let i = 0; i <= t.length; i++) {
    const on = i < t.length && collapse[i] === 1;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      out.push({ device, start: t[start]!, end: t[i - 1]!, duration_s: t[i - 1]! - t[start]!, samples: i - start });
      start = -1;
    }
  }
  return out;
}
