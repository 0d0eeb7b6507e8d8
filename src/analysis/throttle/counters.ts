/**
 * Rule "counters" (direct): Intel's thermal_throttle counters, cumulative since boot. One that
 * advanced since the previous sample says throttling happened in between (thermal counts and
 * throttle time → thermal, power-limit counts → power); all present and unchanged says it did
 * not. A count advances on every entry into the throttled state (TCC/PROCHOT control toggles
 * it many times a second); the total time also advances through a throttle that persists.
 *
 * A counter that went down was reset (a CPU went offline and its share left the sum): that is
 * not an advance, but another core's advance may hide behind it, so the rule cannot tell for
 * that interval. The first sample has no previous one: the rule abstains. The answer is for
 * the interval that ends at this sample, so counter intervals lag by up to one sample period.
 */
import { isNum, orderedCauses, type Cause, type ThrottleInput, type ThrottleRule } from './types.js';

const COUNTERS: readonly { key: keyof ThrottleInput; cause: Cause; label: string; unit: string }[] = [
  { key: 'thermal_throttle_count', cause: 'thermal', label: 'thermal throttle count', unit: '' },
  { key: 'throttle_time_ms', cause: 'thermal', label: 'throttle time', unit: ' ms' },
  { key: 'power_limit_count', cause: 'power', label: 'power limit count', unit: '' },
];

export const countersRule: ThrottleRule = (cur, prev) => {
  if (prev === null) return null;
  const advanced: string[] = [];
  const reset: string[] = [];
  const causes: Cause[] = [];
  let steady = 0;
  for (const c of COUNTERS) {
    const a = prev[c.key], b = cur[c.key];
    if (!isNum(a) || !isNum(b)) continue;
    if (b > a) {
      advanced.push(`${c.label} +${+(b - a).toFixed(3)}${c.unit}`);
      causes.push(c.cause);
    } else if (b < a) reset.push(c.label);
    else steady++;
  }
  if (advanced.length > 0) return { throttled: 1, causes: orderedCauses(causes), inferred: false, reason: `${advanced.join(', ')} since the previous sample` };
  if (reset.length > 0) return { throttled: null, causes: [], inferred: false, reason: `${reset.join(', ')} went down (reset: a CPU went offline?)` };
  if (steady > 0) return { throttled: 0, causes: [], inferred: false, reason: 'throttle counters unchanged since the previous sample' };
  return null;
};
