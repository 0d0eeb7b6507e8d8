/**
 * Rule "inferred": for a device without counters or reason bits (AMD CPUs, ARM boards), from
 * temperature, its limit and the clock ratio. It names thermal throttling only:
 * loaded, at the limit (temp ≥ limit − margin) and slowed (clock ratio < min) → throttled.
 *
 * It says "not throttled" only where that is seen: the clock at (near) its max, whatever the
 * load; or a device below the load gate, whose low clock is the governor saving power (and
 * whose slowdown would cost nothing). Everything else is "cannot tell", with the reason: a low
 * clock while loaded but below the limit may be a power limit or the governor, not heat; at the
 * limit without a clock ratio a slowdown cannot be seen; without utilization, power saving
 * cannot be told from a throttle. With neither temperature+limit nor a clock ratio it abstains.
 */
import { isNum, type ThrottleRule, type ThrottleSample } from './types.js';

const answer = (throttled: 0 | 1 | null, reason: string): ThrottleSample => ({ throttled, causes: throttled === 1 ? ['thermal'] : [], inferred: true, reason });
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);

export const inferredRule: ThrottleRule = (cur, _prev, o) => {
  const temp = isNum(cur.temp_c) && isNum(cur.temp_limit_c) ? cur.temp_c : null;
  const limit = temp === null ? null : cur.temp_limit_c;
  const r = isNum(cur.clock_ratio) ? cur.clock_ratio : null;
  const u = isNum(cur.util_pct) ? cur.util_pct : null;
  if (temp === null && r === null) return null;
  if (r !== null && r >= o.clockRatioMin) return answer(0, `clock at ${f2(r)} of max (≥ ${o.clockRatioMin})`);
  if (u !== null && u < o.loadedPct) return answer(0, `not loaded (${f1(u)} % < ${o.loadedPct} %): a low clock is power saving`);
  if (u === null) return answer(null, 'utilization unknown: power saving cannot be told from a throttle');
  const hot = temp !== null && limit !== null ? temp >= limit - o.limitMarginC : null;
  const where = temp !== null && limit !== null ? `${f1(temp)} °C, limit ${f1(limit)} °C` : '';
  if (r === null) return answer(null, `${hot ? 'at' : 'below'} the limit (${where}) with no clock ratio: a slowdown cannot be seen`);
  if (hot === null) return answer(null, `clock at ${f2(r)} of max while loaded, no temperature limit: heat cannot be told from a power limit`);
  if (!hot) return answer(null, `clock at ${f2(r)} of max while loaded but below the limit (${where}): a power limit or the governor, not heat`);
  return answer(1, `loaded (${f1(u)} %), at the limit (${where}), clock at ${f2(r)} of max (< ${o.clockRatioMin})`);
};
