/*
 * The optimizer's kernels: fused AdamW (with the clipping factor folded in), the squared norm
 * and scaling of gradient clipping, and zeroing. They stream the 82 M parameters' arrays
 * (weights, gradients, both moments: 1.3 GB a step), so they are split across the pool's
 * threads; per element the arithmetic is in double and stored as float, as the TypeScript
 * reference does, which the compiler vectorises at the ISA the target attribute allows.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

#include "pool.h"
#include "simd.h"

/* Elements per chunk: 256 KiB of each array, large enough that a hand-out costs nothing. */
#define GRAIN (1L << 16)

typedef struct {
  float *w, *m, *v;
  const float *g;
  double beta1, beta2, eps, shrink, step_size, sqrt_bc2, gscale;
  int avx2;
} adamw_job;

/* Fields into locals first: with -fno-strict-aliasing a float store could otherwise alias them. */
#define ADAMW_BODY                                                                          \
  float *restrict w = a->w, *restrict m = a->m, *restrict v = a->v;                          \
  const float *restrict g = a->g;                                                            \
  const double b1 = a->beta1, b2 = a->beta2, eps = a->eps, shrink = a->shrink;               \
  const double step = a->step_size, sbc2 = a->sqrt_bc2, gs = a->gscale;                      \
  for (long j = i0; j < i1; j++) {                                                           \
    /* the clipped gradient as clip_grad_norm_ leaves it: float(g · coef) */                 \
    const double gj = gs == 1.0 ? (double)g[j] : (double)(float)(g[j] * gs);                 \
    const double mj = b1 * m[j] + (1 - b1) * gj;                                             \
    const double vj = b2 * v[j] + (1 - b2) * gj * gj;                                        \
    m[j] = (float)mj;                                                                        \
    v[j] = (float)vj;                                                                        \
    w[j] = (float)(w[j] * shrink - (step * mj) / (sqrt(vj) / sbc2 + eps));                   \
  }

static void adamw_generic(const adamw_job *a, long i0, long i1) { ADAMW_BODY }
#ifdef RLE_X86
RLE_AVX2 static void adamw_avx2(const adamw_job *a, long i0, long i1) { ADAMW_BODY }
#endif

static void adamw_task(void *ctx, long i0, long i1) {
  const adamw_job *a = ctx;
#ifdef RLE_X86
  if (a->avx2) {
    adamw_avx2(a, i0, i1);
    return;
  }
#endif
  adamw_generic(a, i0, i1);
}

void rle_adamw(float *w, const float *g, float *m, float *v, size_t n, double beta1, double beta2, double eps, double shrink,
               double step_size, double sqrt_bc2, double gscale, int threads, int level) {
  adamw_job a = {w, m, v, g, beta1, beta2, eps, shrink, step_size, sqrt_bc2, gscale, rle_use_avx2(level)};
  rle_parallel((long)n, GRAIN, threads, adamw_task, &a);
}

/*
 * The squared norm is summed in a fixed number of parts whatever the thread count, then the
 * parts in order: the same gradients give the same norm on any machine and any scheduling.
 */
#define SUMSQ_PARTS 16

typedef struct {
  const float *a;
  long n;
  double part[SUMSQ_PARTS];
} sumsq_job;

static double sumsq_range(const float *a, long i0, long i1) {
  /* four partial sums: vectorisable without -ffast-math reassociation */
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  long j = i0;
  for (; j + 4 <= i1; j += 4) {
    s0 += (double)a[j] * a[j];
    s1 += (double)a[j + 1] * a[j + 1];
    s2 += (double)a[j + 2] * a[j + 2];
    s3 += (double)a[j + 3] * a[j + 3];
  }
  for (; j < i1; j++) s0 += (double)a[j] * a[j];
  return (s0 + s1) + (s2 + s3);
}

static void sumsq_task(void *ctx, long p0, long p1) {
  sumsq_job *s = ctx;
  for (long p = p0; p < p1; p++) s->part[p] = sumsq_range(s->a, s->n * p / SUMSQ_PARTS, s->n * (p + 1) / SUMSQ_PARTS);
}

double rle_sumsq(const float *a, size_t n, int threads) {
  if (n < (size_t)GRAIN * 2) return sumsq_range(a, 0, (long)n);
  sumsq_job s = {a, (long)n, {0}};
  rle_parallel(SUMSQ_PARTS, 1, threads, sumsq_task, &s);
  double total = 0;
  for (int p = 0; p < SUMSQ_PARTS; p++) total += s.part[p];
  return total;
}

typedef struct {
  float *a;
  float c;
} scale_job;

static void scale_task(void *ctx, long i0, long i1) {
  const scale_job *s = ctx;
  float *restrict a = s->a;
  const float c = s->c;
  for (long j = i0; j < i1; j++) a[j] *= c;
}

void rle_scale(float *a, size_t n, float c, int threads) {
  scale_job s = {a, c};
  rle_parallel((long)n, GRAIN, threads, scale_task, &s);
}

static void zero_task(void *ctx, long i0, long i1) {
  memset((float *)ctx + i0, 0, sizeof(float) * (size_t)(i1 - i0));
}

void rle_zero(float *a, size_t n, int threads) {
  rle_parallel((long)n, GRAIN * 4, threads, zero_task, a);
}

int rle_use_avx2(int level) {
#ifdef RLE_X86
  __builtin_cpu_init(); /* idempotent, and cheap after the first call */
  return level >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  (void)level;
  return 0;
#endif
}
