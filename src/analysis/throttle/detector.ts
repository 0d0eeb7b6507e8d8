/**
 * The throttle detector: direct rules first (counters, GPU reason bits); any that says
 * throttled wins (causes united), else any that says not throttled; the inferred rule is asked
 * only when no direct rule answered. With no rule answering, the sample is "cannot tell".
 * A streaming class (per device) and the batch function (./device.ts) share `judge`.
 */
import { THROTTLE_DEFAULTS, type ThrottleParams } from './constants.js';
import { countersRule } from './counters.js';
import { gpuReasonsRule } from './gpu-reasons.js';
import { inferredRule } from './inferred.js';
import { orderedCauses, type ThrottleInput, type ThrottleRule, type ThrottleSample } from './types.js';

export const DIRECT_RULES: readonly ThrottleRule[] = [countersRule, gpuReasonsRule];

export function judge(cur: ThrottleInput, prev: ThrottleInput | null, o: ThrottleParams = THROTTLE_DEFAULTS): ThrottleSample {
  const direct = DIRECT_RULES.map((r) => r(cur, prev, o)).filter((a): a is ThrottleSample => a !== null);
  for (const v of [1, 0] as const) {
    const hit = direct.filter((a) => a.throttled === v);
    if (hit.length > 0) return { throttled: v, causes: orderedCauses(hit.flatMap((a) => a.causes)), inferred: false, reason: hit.map((a) => a.reason).join('; ') };
  }
  const inf = inferredRule(cur, prev, o);
  if (inf !== null && inf.throttled !== null) return inf;
  const why = [...direct, ...(inf ? [inf] : [])].map((a) => a.reason);
  return { throttled: null, causes: [], inferred: false, reason: why.length > 0 ? why.join('; ') : 'no throttle evidence' };
}

/** One device's samples in time order; each answer uses the previous sample for the counters. */
export class ThrottleStream {
  private prev: ThrottleInput | null = null;

  constructor(private readonly o: ThrottleParams = THROTTLE_DEFAULTS) {}

  push(s: ThrottleInput): ThrottleSample {
    const a = judge(s, this.prev, this.o);
    this.prev = s;
    return a;
  }
}
