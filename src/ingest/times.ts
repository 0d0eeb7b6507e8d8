/**
 * Step times: Unix seconds or ISO 8601 strings, checked to lie in 2000–2100 so that a poisoned
 * time (0, milliseconds, a year of 58000) never reaches the store, where it would break the
 * alignment with telemetry silently.
 */

/** 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z in Unix seconds. */
export const T_MIN = 946684800;
export const T_MAX = 4102444800;

/** `2024-05-01T12:00:00Z`, `…T12:00:00.123456+02:00`, `2024-05-01 12:00:00+0000` (RFC 3339 space). */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** Why a Unix-seconds number is not a usable wall time, or null when it is. */
export function wallTimeProblem(t: number): string | null {
  if (!Number.isFinite(t)) return `time ${t} is not a finite number`;
  if (t >= T_MIN && t < T_MAX) return null;
  const hint = t >= T_MIN * 1000 && t < T_MAX * 1000 ? ' (milliseconds? expected Unix seconds)' : '';
  return `time ${t} is outside 2000–2100${hint}`;
}

function isoSeconds(s: string): number | string {
  const m = ISO.exec(s.trim());
  if (!m) {
    return ISO_NO_ZONE.test(s.trim())
      ? `time "${s}" has no UTC offset (add Z or ±hh:mm; local time is ambiguous)`
      : `time "${s}" is neither Unix seconds nor ISO 8601`;
  }
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(ms);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return `time "${s}" is not a valid date`;
  const zone = m[8]!;
  let offsetMin = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    offsetMin = (zone[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
  }
  return ms / 1000 + Number(m[7] ?? 0) - offsetMin * 60;
}

/** Why `value` is not a step time (Unix seconds or ISO 8601 with an offset, in 2000–2100), or null. */
export function stepTimeProblem(value: unknown): string | null {
  if (typeof value === 'number') return wallTimeProblem(value);
  if (typeof value !== 'string') return `time ${JSON.stringify(value) ?? String(value)} is neither Unix seconds nor ISO 8601`;
  const t = isoSeconds(value);
  return typeof t === 'string' ? t : wallTimeProblem(t);
}

/** A step time as Unix seconds: a number of seconds or an ISO 8601 string; null when not a valid time in 2000–2100. */
export function parseStepTime(value: unknown): number | null {
  if (stepTimeProblem(value) !== null) return null;
  return typeof value === 'number' ? value : (isoSeconds(value as string) as number);
}
