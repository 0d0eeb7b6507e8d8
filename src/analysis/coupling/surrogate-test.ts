/**
 * Lagged-correlation tests of several (training, thermal) pairs with one null: the peak |r| over
 * lags −K…K against the peak |r| of phase-randomised surrogates of the training series (the same
 * transformed series that is tested, same missing-value pattern), so the p-value accounts for
 * having looked at every lag. Each surrogate of a training series serves all its pairs, and two
 * training series share each complex transform.
 *
 * Surrogates: the random-phase version of the series zero-padded to the transform length N
 * (> n + K), read on the n analysed samples. Its autocovariance is the series' linear
 * (non-circular) one at every lag up to N − n, so no end-to-start wrap-around enters the null
 * at the lags tested; N is the shortest 2^a, 3·2^a or 5·2^a above n + K (fft.ts), not the
 * next power of two, so a draw transforms no more than the test needs (a day at 1 Hz: 81,920
 * points instead of 131,072).
 *
 * Sizing, per pair (sequential Monte Carlo):
 * - stop at the h-th surrogate reaching the observed peak, p = h / draws (Besag & Clifford 1991,
 *   exact): a pair clearly above any threshold costs ~h/p draws (~20 at p = 0.5);
 * - stop when none of the first `clearAfter` surrogates reaches it, p = 1/(clearAfter + 1): the
 *   probability of that under the null is exactly 1/(clearAfter + 1); treating it as final can
 *   only add (1 − u)^(L+1)/(L+1) to P(p ≤ u) — with L = 250, ≤ 2e-4 at u = 0.0125, 1e-8 at 0.05;
 * - otherwise run to `maxDraws`, p = (1 + ≥) / (1 + draws).
 */
import { mulberry32Bits } from '../../core/random.js';
import { dft } from './fft.js';
import { emptySpectrum, LagGrid, lagPearson, lagSums, masked, pairPlan, peakIndex, prefixSums, useLagSums, type Masked, type PairPlan, type Spectrum } from './xcorr.js';

export interface PairRequest {
  /** Index into the training series. */
  x: number;
  /** Thermal series (transformed), NaN where missing. */
  y: ArrayLike<number>;
  maxDraws: number;
}

export interface PairTest {
  /** r per lag −K…K (NaN where undefined). */
  r: Float64Array;
  /** Pairs behind each lag. */
  n: Float64Array;
  /** Index of the peak |r| into r (−1: no finite r). */
  peak: number;
  p_value: number | null;
  draws: number;
}

export interface StopRule {
  /** Stop at this many surrogates reaching the observed peak. */
  exceedances: number;
  /** Stop when none of this many has reached it. */
  clearAfter: number;
}

const PHASE_BITS = 14;
const PHASES = 1 << PHASE_BITS; // random phases from a table: 2π/16384 resolution, no trig per draw
const COS = Float64Array.from({ length: PHASES }, (_, i) => Math.cos((2 * Math.PI * i) / PHASES));
const SIN = Float64Array.from({ length: PHASES }, (_, i) => Math.sin((2 * Math.PI * i) / PHASES));

interface State {
  req: PairRequest;
  plan: PairPlan;
  observed: number;
  ge: number;
  draws: number;
  done: boolean;
  p: number | null;
}

interface Surrogate {
  /** On the analysed samples, zero where the training series is missing. */
  window: Float64Array;
  /** On all N samples, and its transform: usable directly when nothing is missing (see edgeCorrect). */
  full: Float64Array;
  spec: Spectrum;
}

/** Buffers for two surrogates, reused from draw to draw. */
class Workspace {
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Phase-table indices of the two surrogates, f = 1…N/2 − 1. */
  readonly phases: [Int32Array, Int32Array];
  readonly slots: Surrogate[];
  readonly windowSpec: Spectrum[];
  /** Prefix sums of a slot's window. */
  readonly pre: [Float64Array, Float64Array][];
  constructor(g: LagGrid) {
    this.re = new Float64Array(g.N);
    this.im = new Float64Array(g.N);
    this.phases = [new Int32Array(g.N / 2), new Int32Array(g.N / 2)];
    this.slots = [0, 1].map(() => ({ window: new Float64Array(g.n), full: new Float64Array(g.N), spec: emptySpectrum(g.N) }));
    this.windowSpec = [emptySpectrum(g.N), emptySpectrum(g.N)];
    this.pre = [0, 1].map(() => [new Float64Array(g.n + 1), new Float64Array(g.n + 1)]);
  }
}

/**
 * Two surrogates from the amplitude spectra with one inverse transform: S₀ + i·S₁ (S Hermitian)
 * has the first in its real part, the second in its imaginary part. `keep`: also fill each
 * slot's spectrum and full-length series (the transform path needs them; the lag sums only the
 * window). The phases are drawn first, all of S₀'s then all of S₁'s, and the spectrum is then
 * written in one pass with the same arithmetic as writing S₀, S₁ and combining them.
 */
function surrogates(g: LagGrid, w: Workspace, amp: Float64Array[], xs: Masked[], idx: [number, number], phasesInto: (out: Int32Array, from: number, to: number) => void, keep: boolean): Surrogate[] {
  const N = g.N, H = N / 2;
  const { re, im, phases } = w;
  for (const ph of phases) phasesInto(ph, 1, H);
  const A0 = amp[idx[0]]!, A1 = amp[idx[1]]!, [p0, p1] = phases;
  re[0] = A0[0]! - 0;
  im[0] = 0 + A1[0]!;
  re[H] = A0[H]! - 0;
  im[H] = 0 + A1[H]!;
  for (let f = 1; f < H; f++) {
    const j0 = p0[f]!, j1 = p1[f]!;
    const a = A0[f]! * COS[j0]!, b = A0[f]! * SIN[j0]!, c = A1[f]! * COS[j1]!, d = A1[f]! * SIN[j1]!;
    re[f] = a - d;
    im[f] = b + c;
    re[N - f] = a - -d;
    im[N - f] = -b + c;
  }
  if (keep) {
    idx.forEach((a, slot) => {
      const A = amp[a]!, S = w.slots[slot]!.spec, ph = phases[slot]!;
      S.re[0] = A[0]!;
      S.im[0] = 0;
      S.re[H] = A[H]!;
      S.im[H] = 0;
      for (let f = 1; f < H; f++) {
        S.re[f] = S.re[N - f] = A[f]! * COS[ph[f]!]!;
        S.im[f] = A[f]! * SIN[ph[f]!]!;
        S.im[N - f] = -S.im[f]!;
      }
    });
  }
  dft(re, im, true);
  return idx.map((a, slot) => {
    const src = slot === 0 ? re : im, m = xs[a]!.mask, { full, window } = w.slots[slot]!;
    if (keep) for (let i = 0; i < N; i++) full[i] = src[i]! / N;
    for (let i = 0; i < g.n; i++) window[i] = m[i] ? src[i]! / N : 0;
    return w.slots[slot]!;
  });
}

/**
 * Cross-sums from the full surrogate's transform include pairs outside the analysed samples:
 * at lag k < 0, x[n..n−k) with y[n+k..n); at k > 0, x[N−k..N) with y[0..k) (wrap-around).
 * Subtracting them (O(K²)) leaves exactly the pairs a windowed transform would give.
 */
export function edgeCorrect(c: Float64Array, full: Float64Array, y: Float64Array, n: number, N: number, K: number): void {
  for (let k = -K; k <= K; k++) {
    let e = 0;
    if (k < 0) for (let j = n + k; j < n; j++) e += full[j - k]! * y[j]!;
    else for (let j = 0; j < k; j++) e += full[N + j - k]! * y[j]!;
    c[k + K] = c[k + K]! - e;
  }
}

function peakAbs(g: LagGrid, x: Float64Array, px: [Float64Array, Float64Array], s: State, sxy: Float64Array): number {
  const r = lagPearson(sxy, x, px, s.plan, g.K);
  const i = peakIndex(r);
  return i < 0 ? 0 : Math.abs(r[i]!);
}

/**
 * @param sums how a surrogate's cross-sums are taken: directly (lagSums) or by transforms;
 *   by default whichever costs less here (useLagSums). Both give the same sums to rounding and
 *   draw the same surrogates, so the same p-values; tests pin each in turn.
 */
export function lagCorrelationTests(training: ArrayLike<number>[], pairs: PairRequest[], K: number, stop: StopRule, seed: number, sums?: 'direct' | 'transform'): PairTest[] {
  const n = training[0]?.length ?? 0;
  const g = new LagGrid(n, K);
  const xs = training.map((x) => masked(x));
  const X = xs.map((x) => g.spectrum(x.values));
  const px = xs.map((x) => prefixSums(x.values));
  const out: PairTest[] = [];
  const states: State[] = [];
  for (const req of pairs) {
    const plan = pairPlan(g, xs[req.x]!.mask, masked(req.y));
    const [sxy] = g.crossSums(X[req.x]!, plan.Y);
    const r = lagPearson(sxy, xs[req.x]!.values, px[req.x]!, plan, K);
    const peak = peakIndex(r);
    out.push({ r, n: plan.c, peak, p_value: null, draws: 0 });
    const st: State = { req, plan, observed: peak < 0 ? NaN : Math.abs(r[peak]!), ge: 0, draws: 0, done: peak < 0 || req.maxDraws <= 0, p: null };
    states.push(st);
  }
  // Amplitude spectra of the zero-padded training series: the surrogates keep these (and the
  // real terms at f = 0 and N/2 as they are, sign included).
  const amp = X.map((s) => Float64Array.from(s.re, (v, f) => (f === 0 || f === g.N / 2 ? v : Math.hypot(v, s.im[f]!))));
  const complete = xs.map((x) => x.mask.every((v) => v === 1));
  const phases = mulberry32Bits(seed, PHASE_BITS); // ⌊mulberry32(seed)() · PHASES⌋, draw after draw
  const ws = new Workspace(g);
  const timeDomain = (sums ?? (useLagSums(n, K, g.N) ? 'direct' : 'transform')) === 'direct';
  const sxy = new Float64Array(2 * K + 1);
  const record = (s: State, v: number): void => {
    s.draws++;
    if (v >= s.observed - 1e-12) s.ge++;
    if (s.ge >= stop.exceedances) { s.done = true; s.p = s.ge / s.draws; }
    else if (s.ge === 0 && s.draws >= stop.clearAfter) { s.done = true; s.p = 1 / (s.draws + 1); }
    else if (s.draws >= s.req.maxDraws) { s.done = true; s.p = (1 + s.ge) / (1 + s.draws); }
  };
  for (;;) {
    const active = [...new Set(states.filter((s) => !s.done).map((s) => s.req.x))];
    if (active.length === 0) break;
    for (let b = 0; b < active.length; b += 2) {
      // Two surrogates per complex transform: of two series, or the next two draws of one —
      // their phases drawn in the order one-at-a-time draws would take them, so the draws are
      // the same ones either way.
      const idx: [number, number] = b + 1 < active.length ? [active[b]!, active[b + 1]!] : [active[b]!, active[b]!];
      const sur = surrogates(g, ws, amp, xs, idx, phases, !timeDomain);
      const windowSpec = timeDomain || idx.every((a) => complete[a]) ? null : g.spectra2(sur[0]!.window, sur[1]!.window, [ws.windowSpec[0]!, ws.windowSpec[1]!]);
      for (const [slot, a] of idx.entries()) {
        const jobs = states.filter((s) => !s.done && s.req.x === a);
        if (jobs.length === 0) continue;
        const { window, full, spec } = sur[slot]!;
        const pre = prefixSums(window, ws.pre[slot]);
        if (timeDomain) {
          for (const s of jobs) record(s, peakAbs(g, window, pre, s, lagSums(window, s.plan.yValues, K, sxy)));
          continue;
        }
        // With nothing missing the surrogate's own transform serves (edge-corrected); else the masked window's.
        const X = windowSpec ? windowSpec[slot]! : spec;
        for (let j = 0; j < jobs.length; j += 2) {
          const s1 = jobs[j]!, s2 = jobs[j + 1];
          const [c1, c2] = g.crossSums(X, s1.plan.Y, s2 ? X : undefined, s2?.plan.Y);
          for (const [st, c] of [[s1, c1], [s2, c2]] as const) {
            if (!st || !c) continue;
            if (!windowSpec) edgeCorrect(c, full, st.plan.yValues, n, g.N, K);
            record(st, peakAbs(g, window, pre, st, c));
          }
        }
      }
    }
  }
  states.forEach((s, i) => ((out[i]!.p_value = s.p), (out[i]!.draws = s.draws)));
  return out;
}
