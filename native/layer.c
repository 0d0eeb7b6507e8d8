/*
 * Row-wise layer kernels: LayerNorm forward and backward, the residual add, the embedding
 * lookup and its gradient, and the bias gradient of a linear layer. They are small per call
 * (a 512 x 768 activation is 1.5 MB) but come many times a step, so they are threaded over
 * rows (or columns, for the bias) and written as `omp simd` reductions that the compiler
 * vectorises (-fopenmp-simd: no OpenMP runtime) at the ISA of each target clone.
 * Statistics are accumulated in double, as the TypeScript reference does.
 */
#include "ops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "simd.h"

/* ---- LayerNorm forward ---- */

typedef struct {
  float *out, *mean, *rstd;
  const float *inp, *w, *b;
  int C, avx2;
  double eps;
} lnf_job;

#define LNF_BODY                                                              \
  const int C = a->C;                                                         \
  const float *restrict w = a->w, *restrict b = a->b;                         \
  for (long r = r0; r < r1; r++) {                                            \
    const float *x = a->inp + (size_t)r * C;                                  \
    double m = 0;                                                             \
    _Pragma("omp simd reduction(+ : m)") for (int c = 0; c < C; c++) m += x[c]; \
    m /= C;                                                                   \
    double v = 0;                                                             \
    _Pragma("omp simd reduction(+ : v)") for (int c = 0; c < C; c++) {        \
      const double d = x[c] - m;                                              \
      v += d * d;                                                             \
    }                                                                         \
    const double s = 1 / sqrt(v / C + a->eps);                                \
    float *restrict o = a->out + (size_t)r * C;                               \
    const float mf = (float)m, sf = (float)s;                                 \
    _Pragma("omp simd") for (int c = 0; c < C; c++) o[c] = (x[c] - mf) * sf * w[c] + b[c]; \
    a->mean[r] = (float)m;                                                    \
    a->rstd[r] = (float)s;                                                    \
  }

static void lnf_generic(const lnf_job *a, long r0, long r1) { LNF_BODY }
#ifdef RLE_X86
RLE_AVX2 static void lnf_avx2(const lnf_job *a, long r0, long r1) { LNF_BODY }
#endif

static void lnf_task(void *ctx, long r0, long r1) {
  const lnf_job *a = ctx;
#ifdef RLE_X86
  if (a->avx2) {
    lnf_avx2(a, r0, r1);
    return;
  }
#endif
  lnf_generic(a, r0, r1);
}

void rle_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b, int rows, int C,
                           double eps, int threads, int level) {
  lnf_job a = {out, mean, rstd, inp, w, b, C, rle_use_avx2(level), eps};
  rle_parallel(rows, 8, threads, lnf_task, &a);
}

/* ---- LayerNorm backward: rows in a fixed number of parts, each with its own dw/db sums ---- */

#define LNB_PARTS 8

typedef struct {
  float *dinp, *part; /* part: LNB_PARTS x 2C (dw then db) */
  const float *dout, *inp, *w, *mean, *rstd;
  int rows, C, avx2;
} lnb_job;

#define LNB_BODY                                                                       \
  const int C = a->C;                                                                  \
  const float *restrict w = a->w;                                                      \
  float *restrict dw = a->part + (size_t)p * 2 * C, *restrict db = dw + C;             \
  memset(dw, 0, sizeof(float) * 2 * (size_t)C);                                        \
  const long r0 = (long)a->rows * p / LNB_PARTS, r1 = (long)a->rows * (p + 1) / LNB_PARTS; \
  for (long r = r0; r < r1; r++) {                                                     \
    const float *restrict x = a->inp + (size_t)r * C, *restrict d = a->dout + (size_t)r * C; \
    float *restrict di = a->dinp + (size_t)r * C;                                      \
    const float m = a->mean[r], s = a->rstd[r];                                        \
    double dm = 0, dnm = 0;                                                            \
    _Pragma("omp simd reduction(+ : dm, dnm)") for (int c = 0; c < C; c++) {           \
      const float norm = (x[c] - m) * s;                                               \
      const float dn = w[c] * d[c];                                                    \
      dm += dn;                                                                        \
      dnm += dn * norm;                                                                \
    }                                                                                  \
    const float dmf = (float)(dm / C), dnmf = (float)(dnm / C);                        \
    _Pragma("omp simd") for (int c = 0; c < C; c++) {                                  \
      const float norm = (x[c] - m) * s;                                               \
      db[c] += d[c];                                                                   \
      dw[c] += norm * d[c];                                                            \
      di[c] += (w[c] * d[c] - dmf - norm * dnmf) * s;                                  \
    }                                                                                  \
  }

static void lnb_generic(const lnb_job *a, long p) { LNB_BODY }
#ifdef RLE_X86
RLE_AVX2 static void lnb_avx2(const lnb_job *a, long p) { LNB_BODY }
#endif

static void lnb_task(void *ctx, long p0, long p1) {
  const lnb_job *a = ctx;
  for (long p = p0; p < p1; p++) {
#ifdef RLE_X86
    if (a->avx2) {
      lnb_avx2(a, p);
      continue;
    }
#endif
    lnb_generic(a, p);
  }
}

int rle_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w, const float *mean,
                           const float *rstd, int rows, int C, int threads, int level) {
  float *part = malloc(sizeof(float) * LNB_PARTS * 2 * (size_t)C);
  if (!part) return 0;
  lnb_job a = {dinp, part, dout, inp, w, mean, rstd, rows, C, rle_use_avx2(level)};
  rle_parallel(LNB_PARTS, 1, rows >= 64 ? threads : 1, lnb_task, &a);
  for (int p = 0; p < LNB_PARTS; p++) {
    const float *pw = part + (size_t)p * 2 * C, *pb = pw + C;
    for (int c = 0; c < C; c++) {
      dw[c] += pw[c];
      db[c] += pb[c];
    }
  }
  free(part);
  return 1;
}

/* ---- the residual add, embeddings, bias gradient ---- */

typedef struct {
  float *out;
  const float *a, *b;
} add_job;

static void add_task(void *ctx, long i0, long i1) {
  const add_job *j = ctx;
  float *restrict out = j->out;
  const float *restrict a = j->a, *restrict b = j->b;
  for (long i = i0; i < i1; i++) out[i] = a[i] + b[i];
}

void rle_add(float *out, const float *a, const float *b, size_t n, int threads) {
  add_job j = {out, a, b};
  rle_parallel((long)n, 1L << 15, threads, add_task, &j);
}

void rle_encoder_forward(float *out, const int32_t *inp, const float *wte, const float *wpe, int B, int T, int C) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++) {
      float *o = out + ((size_t)b * T + t) * C;
      const float *e = wte + (size_t)inp[b * T + t] * C, *p = wpe + (size_t)t * C;
      for (int c = 0; c < C; c++) o[c] = e[c] + p[c];
    }
}

/* Serial: two positions holding one token add into the same row of dwte. */
void rle_encoder_backward(float *dwte, float *dwpe, const float *dout, const int32_t *inp, int B, int T, int C) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++) {
      const float *d = dout + ((size_t)b * T + t) * C;
      float *e = dwte + (size_t)inp[b * T + t] * C, *p = dwpe + (size_t)t * C;
      for (int c = 0; c < C; c++) {
        e[c] += d[c];
        p[c] += d[c];
      }
    }
}

typedef struct {
  float *db;
  const float *d;
  int rows, OC;
} bias_job;

/* Columns [c0, c1) summed over every row: threads own disjoint columns. */
static void bias_task(void *ctx, long c0, long c1) {
  const bias_job *j = ctx;
  float *restrict db = j->db;
  for (int r = 0; r < j->rows; r++) {
    const float *restrict d = j->d + (size_t)r * j->OC;
    for (long c = c0; c < c1; c++) db[c] += d[c];
  }
}

void rle_bias_backward(float *dbias, const float *dout, int rows, int OC, int threads) {
  bias_job j = {dbias, dout, rows, OC};
  rle_parallel(OC, 256, (long)rows * OC >= (1L << 16) ? threads : 1, bias_task, &j);
}
