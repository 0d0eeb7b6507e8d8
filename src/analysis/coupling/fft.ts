/**
 * Discrete Fourier transforms of any length: an iterative radix-2 FFT, and Bluestein's chirp-z
 * algorithm on top of it for lengths that are not powers of two. In place on (re, im) arrays.
 */

function fftPow2(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci, ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** Forward DFT (X_k = Σ x_j e^{−2πijk/n}), or the inverse without the 1/n factor. */
export function dft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n <= 1) return;
  if ((n & (n - 1)) === 0) return fftPow2(re, im, inverse);
  // Bluestein: X_k = w_k Σ_j (x_j w_j) conj(w_{k−j}), w_k = e^{∓iπk²/n}, a convolution done with power-of-two FFTs.
  let m = 1;
  while (m < 2 * n - 1) m <<= 1;
  const s = inverse ? 1 : -1;
  const wr = new Float64Array(n), wi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = (s * Math.PI * ((k * k) % (2 * n))) / n;
    wr[k] = Math.cos(a);
    wi[k] = Math.sin(a);
  }
  const ar = new Float64Array(m), ai = new Float64Array(m), br = new Float64Array(m), bi = new Float64Array(m);
  for (let k = 0; k < n; k++) {
    ar[k] = re[k]! * wr[k]! - im[k]! * wi[k]!;
    ai[k] = re[k]! * wi[k]! + im[k]! * wr[k]!;
  }
  br[0] = wr[0]!;
  bi[0] = -wi[0]!;
  for (let k = 1; k < n; k++) {
    br[k] = br[m - k] = wr[k]!;
    bi[k] = bi[m - k] = -wi[k]!;
  }
  fftPow2(ar, ai, false);
  fftPow2(br, bi, false);
  for (let k = 0; k < m; k++) {
    const r = ar[k]! * br[k]! - ai[k]! * bi[k]!;
    ai[k] = ar[k]! * bi[k]! + ai[k]! * br[k]!;
    ar[k] = r;
  }
  fftPow2(ar, ai, true);
  for (let k = 0; k < n; k++) {
    const cr = ar[k]! / m, ci = ai[k]! / m;
    re[k] = cr * wr[k]! - ci * wi[k]!;
    im[k] = cr * wi[k]! + ci * wr[k]!;
  }
}

/**
 * A phase-randomised surrogate of x (Theiler et al. 1992): the same amplitude spectrum, hence
 * the same autocorrelation, with uniformly random phases, so any alignment with another series
 * is broken. `spectrum` is dft(x) (re, im), computed once.
 */
export function surrogate(spectrum: { re: Float64Array; im: Float64Array }, rand: () => number): Float64Array {
  const n = spectrum.re.length;
  const re = new Float64Array(n), im = new Float64Array(n);
  re[0] = spectrum.re[0]!;
  for (let k = 1; k <= (n - 1) >> 1; k++) {
    const amp = Math.hypot(spectrum.re[k]!, spectrum.im[k]!);
    const ph = 2 * Math.PI * rand();
    re[k] = amp * Math.cos(ph);
    im[k] = amp * Math.sin(ph);
    re[n - k] = re[k]!;
    im[n - k] = -im[k]!;
  }
  if (n % 2 === 0) re[n / 2] = spectrum.re[n / 2]!;
  dft(re, im, true);
  for (let k = 0; k < n; k++) re[k] = re[k]! / n;
  return re;
}
