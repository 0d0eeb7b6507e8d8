#ifndef RLE_SIMD_H
#define RLE_SIMD_H
/*
 * What the element-wise kernels share: which instruction set they may use (chosen per call
 * from the level JavaScript passes, capped by CPUID, as the GEMM does) and a vectorised exp.
 *
 * exp8 is Cephes' expf on eight lanes: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial
 * for e^r, then 2^n from the exponent bits. Its relative error is below 2 ulp (2.4e-7) over
 * [-87.3, 88.7]; inputs are clamped to that range, so e^-100 comes out ≈ 1.2e-38, not 0, and
 * nothing overflows to infinity. test/train/kernels/native-ops.test.ts holds it to that bound.
 */
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RLE_X86 1
#define RLE_AVX2 __attribute__((target("avx2,fma")))
#endif

/* 1 when the AVX2+FMA paths may run at this level (0 portable, 1 AVX2, 2 AVX-512 ⊇ AVX2). */
int rle_use_avx2(int level);

#ifdef RLE_X86
RLE_AVX2 static inline __m256 rle_exp8(__m256 x) {
  const __m256 hi = _mm256_set1_ps(88.3762626647949f), lo = _mm256_set1_ps(-87.3365447505531f);
  x = _mm256_max_ps(_mm256_min_ps(x, hi), lo);
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  /* n in [-126, 128]: 2^n as float bits; n = 128 only for x ≥ 88.38, already clamped below it */
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* The sum of eight floats, in double. */
RLE_AVX2 static inline double rle_hsum8d(__m256 v) {
  const __m256d s = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
  const __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  return _mm_cvtsd_f64(h) + _mm_cvtsd_f64(_mm_unpackhi_pd(h, h));
}

RLE_AVX2 static inline float rle_hmax8(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
  return _mm_cvtss_f32(m);
}

/* Loads the first n < 8 floats of p, the other lanes set to fill. */
RLE_AVX2 static inline __m256 rle_load_partial(const float *p, int n, float fill) {
  float t[8];
  for (int i = 0; i < 8; i++) t[i] = i < n ? p[i] : fill;
  return _mm256_loadu_ps(t);
}

RLE_AVX2 static inline void rle_store_partial(float *p, int n, __m256 v) {
  float t[8];
  _mm256_storeu_ps(t, v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
#endif

#endif
