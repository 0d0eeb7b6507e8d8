/*
 * GELU (tanh form) and softmax cross-entropy over the vocabulary, threaded over the pool and,
 * with AVX2, eight lanes at a time through rle_exp8 (simd.h) instead of libm's scalar
 * tanhf/expf. GELU uses the identity 0.5·(1 + tanh u) = 1 / (1 + e^(-2u)), so one exp and one
 * division per element; with exp8's error below 2.4e-7 relative, the activation and its
 * derivative are within 1e-6·(1 + |x|) of the exact ones (tested). The portable path keeps
 * libm's tanhf and expf.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

#include "pool.h"
#include "simd.h"

#define GELU_S 0.7978845608028654 /* sqrt(2 / pi) */
#define GELU_C 0.044715
#define GRAIN (1L << 14)

typedef struct {
  float *out;
  const float *inp, *dout;
  int avx2;
} gelu_job;

static void gelu_fwd_generic(const gelu_job *a, long i0, long i1) {
  float *restrict out = a->out;
  const float *restrict inp = a->inp;
  for (long i = i0; i < i1; i++) {
    const float x = inp[i];
    out[i] = 0.5f * x * (1.0f + tanhf((float)GELU_S * (x + (float)GELU_C * x * x * x)));
  }
}

static void gelu_bwd_generic(const gelu_job *a, long i0, long i1) {
  float *restrict out = a->out;
  const float *restrict inp = a->inp, *restrict dout = a->dout;
  for (long i = i0; i < i1; i++) {
    const float x = inp[i];
    const float th = tanhf((float)GELU_S * (x + (float)GELU_C * x * x * x));
    const float sech2 = 1.0f - th * th;
    const float g = 0.5f * (1.0f + th) + 0.5f * x * sech2 * (float)GELU_S * (1.0f + 3.0f * (float)GELU_C * x * x);
    out[i] += g * dout[i];
  }
}

#ifdef RLE_X86
/* sigmoid(2u) for u = √(2/π)·(x + 0.044715·x³) */
RLE_AVX2 static inline __m256 gelu_sig(__m256 x) {
  const __m256 x2 = _mm256_mul_ps(x, x);
  const __m256 inner = _mm256_mul_ps(x, _mm256_fmadd_ps(x2, _mm256_set1_ps((float)GELU_C), _mm256_set1_ps(1.0f)));
  const __m256 e = rle_exp8(_mm256_mul_ps(inner, _mm256_set1_ps((float)(-2 * GELU_S))));
  return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

RLE_AVX2 static inline __m256 gelu_fwd8(__m256 x) { return _mm256_mul_ps(x, gelu_sig(x)); }

/* d/dx: sig + x·(2·sig·(1 − sig))·√(2/π)·(1 + 3·0.044715·x²), since sech²u = 4·sig·(1 − sig) */
RLE_AVX2 static inline __m256 gelu_grad8(__m256 x) {
  const __m256 s = gelu_sig(x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sech2_half = _mm256_mul_ps(_mm256_set1_ps(2.0f), _mm256_mul_ps(s, _mm256_sub_ps(one, s)));
  const __m256 du = _mm256_mul_ps(_mm256_set1_ps((float)GELU_S), _mm256_fmadd_ps(_mm256_mul_ps(x, x), _mm256_set1_ps((float)(3 * GELU_C)), one));
  return _mm256_fmadd_ps(_mm256_mul_ps(x, sech2_half), du, s);
}

RLE_AVX2 static void gelu_fwd_avx2(const gelu_job *a, long i0, long i1) {
  long i = i0;
  for (; i + 8 <= i1; i += 8) _mm256_storeu_ps(a->out + i, gelu_fwd8(_mm256_loadu_ps(a->inp + i)));
  if (i < i1) rle_store_partial(a->out + i, (int)(i1 - i), gelu_fwd8(rle_load_partial(a->inp + i, (int)(i1 - i), 0.0f)));
}

RLE_AVX2 static void gelu_bwd_avx2(const gelu_job *a, long i0, long i1) {
  long i = i0;
  for (; i + 8 <= i1; i += 8) {
    const __m256 g = gelu_grad8(_mm256_loadu_ps(a->inp + i));
    _mm256_storeu_ps(a->out + i, _mm256_fmadd_ps(g, _mm256_loadu_ps(a->dout + i), _mm256_loadu_ps(a->out + i)));
  }
  if (i < i1) {
    const int r = (int)(i1 - i);
    const __m256 g = gelu_grad8(rle_load_partial(a->inp + i, r, 0.0f));
    rle_store_partial(a->out + i, r, _mm256_fmadd_ps(g, rle_load_partial(a->dout + i, r, 0.0f), rle_load_partial(a->out + i, r, 0.0f)));
  }
}
#endif

static void gelu_fwd_task(void *ctx, long i0, long i1) {
  const gelu_job *a = ctx;
#ifdef RLE_X86
  if (a->avx2) {
    gelu_fwd_avx2(a, i0, i1);
    return;
  }
#endif
  gelu_fwd_generic(a, i0, i1);
}

static void gelu_bwd_task(void *ctx, long i0, long i1) {
  const gelu_job *a = ctx;
#ifdef RLE_X86
  if (a->avx2) {
    gelu_bwd_avx2(a, i0, i1);
    return;
  }
#endif
  gelu_bwd_generic(a, i0, i1);
}

void rle_gelu_forward(float *out, const float *inp, size_t n, int threads, int level) {
  gelu_job a = {out, inp, NULL, rle_use_avx2(level)};
  rle_parallel((long)n, GRAIN, threads, gelu_fwd_task, &a);
}

void rle_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n, int threads, int level) {
  gelu_job a = {dinp, inp, dout, rle_use_avx2(level)};
  rle_parallel((long)n, GRAIN, threads, gelu_bwd_task, &a);
}

/* ---- softmax cross-entropy, one task per block of rows ---- */

typedef struct {
  float *x;
  const int32_t *t;
  int V, ignore, avx2;
  double *loss; /* per row: −log p[target], 0 for ignored rows */
} xent_job;

/* Row → probabilities in place (libm's expf, the sum in double). */
static void softmax_row_generic(float *p, int V) {
  float max = -INFINITY;
  for (int v = 0; v < V; v++) max = p[v] > max ? p[v] : max;
  double sum = 0;
  for (int v = 0; v < V; v++) {
    const float e = expf(p[v] - max);
    p[v] = e;
    sum += e;
  }
  const float inv = (float)(1.0 / sum);
  for (int v = 0; v < V; v++) p[v] *= inv;
}

#ifdef RLE_X86
/* dst = softmax(src) over n floats; dst may be src. */
RLE_AVX2 void rle_softmax_avx2(float *dst, const float *src, int n) {
  const int n8 = n & ~7, r = n - n8;
  __m256 mx = _mm256_set1_ps(-INFINITY);
  for (int v = 0; v < n8; v += 8) mx = _mm256_max_ps(mx, _mm256_loadu_ps(src + v));
  if (r) mx = _mm256_max_ps(mx, rle_load_partial(src + n8, r, -INFINITY));
  const __m256 m = _mm256_set1_ps(rle_hmax8(mx));
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  double sum = 0;
  int v = 0;
  /* float partial sums over 512 elements at most, then into double */
  while (v < n8) {
    const int end = v + 512 < n8 ? v + 512 : n8;
    for (; v + 16 <= end; v += 16) {
      const __m256 e0 = rle_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + v), m));
      const __m256 e1 = rle_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + v + 8), m));
      _mm256_storeu_ps(dst + v, e0);
      _mm256_storeu_ps(dst + v + 8, e1);
      s0 = _mm256_add_ps(s0, e0);
      s1 = _mm256_add_ps(s1, e1);
    }
    for (; v < end; v += 8) {
      const __m256 e = rle_exp8(_mm256_sub_ps(_mm256_loadu_ps(src + v), m));
      _mm256_storeu_ps(dst + v, e);
      s0 = _mm256_add_ps(s0, e);
    }
    sum += rle_hsum8d(_mm256_add_ps(s0, s1));
    s0 = s1 = _mm256_setzero_ps();
  }
  if (r) {
    /* only the r real lanes are stored and summed */
    const __m256 e = rle_exp8(_mm256_sub_ps(rle_load_partial(src + n8, r, 0.0f), m));
    rle_store_partial(dst + n8, r, e);
    for (int i = 0; i < r; i++) sum += dst[n8 + i];
  }
  const float invf = (float)(1.0 / sum);
  const __m256 inv = _mm256_set1_ps(invf);
  for (v = 0; v < n8; v += 8) _mm256_storeu_ps(dst + v, _mm256_mul_ps(_mm256_loadu_ps(dst + v), inv));
  for (v = n8; v < n; v++) dst[v] *= invf;
}
#endif

static void xent_task(void *ctx, long r0, long r1) {
  const xent_job *a = ctx;
  for (long r = r0; r < r1; r++) {
    float *p = a->x + (size_t)r * a->V;
#ifdef RLE_X86
    if (a->avx2)
      rle_softmax_avx2(p, p, a->V);
    else
#endif
      softmax_row_generic(p, a->V);
    const int t = a->t[r];
    a->loss[r] = t == a->ignore ? 0.0 : -log((double)p[t]);
  }
}

double rle_softmax_xent(float *logits, const int32_t *targets, int rows, int V, int ignore, int *count, double *row_loss, int threads,
                        int level) {
  xent_job a = {logits, targets, V, ignore, rle_use_avx2(level), row_loss};
  rle_parallel(rows, 1, threads, xent_task, &a);
  double loss = 0;
  int c = 0;
  for (int r = 0; r < rows; r++) {
    if (targets[r] == ignore) continue;
    loss += row_loss[r];
    c++;
  }
  *count = c;
  return loss;
}

typedef struct {
  float *d;
  const float *p;
  const int32_t *t;
  int V, ignore;
  float inv;
} xent_bwd_job;

static void xent_bwd_task(void *ctx, long r0, long r1) {
  const xent_bwd_job *a = ctx;
  const int V = a->V;
  const float inv = a->inv;
  for (long r = r0; r < r1; r++) {
    float *d = a->d + (size_t)r * V;
    const float *p = a->p + (size_t)r * V;
    const int t = a->t[r];
    if (t == a->ignore) {
      memset(d, 0, sizeof(float) * (size_t)V);
      continue;
    }
    /* d may be p itself (the trainer computes the gradient in place of the probabilities) */
    for (int v = 0; v < V; v++) d[v] = p[v] * inv;
    d[t] -= inv;
  }
}

void rle_xent_backward(float *dlogits, const float *probs, const int32_t *targets, int rows, int V, int ignore, int count, int threads) {
  xent_bwd_job a = {dlogits, probs, targets, V, ignore, 1.0f / (float)count};
  rle_parallel(rows, 1, threads, xent_bwd_task, &a);
}
