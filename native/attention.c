/*
 * Causal multi-head attention, forward and backward, one pool task per (batch, head): each
 * head's products go through the GEMM on the task's own thread (rle_sgemm_here), and the
 * causal softmax and its backward run in between while that head's T x T block is in cache.
 * Heads write disjoint columns of out / dqkv, so tasks need no locks. Layout as in
 * kernels/js.ts: qkv [B, T, 3C], out [B, T, C], att [B, NH, T, T].
 */
#include <math.h>
#include <stdatomic.h>
#include <string.h>

#include "ops.h"
#include "pool.h"
#include "sgemm.h"
#include "simd.h"

typedef struct {
  float *out, *pre, *att, *dqkv, *dpre, *datt;
  const float *qkv, *dout;
  int B, T, C, NH, level, avx2;
  atomic_int failed;
} att_job;

/* att[0..n) = softmax(pre[0..n)); pre and att may not alias. */
static void softmax_prefix(float *att, const float *pre, int n, int avx2) {
#ifdef RLE_X86
  if (avx2) {
    rle_softmax_avx2(att, pre, n);
    return;
  }
#endif
  float max = -INFINITY;
  for (int i = 0; i < n; i++) max = pre[i] > max ? pre[i] : max;
  double sum = 0;
  for (int i = 0; i < n; i++) {
    att[i] = expf(pre[i] - max);
    sum += att[i];
  }
  const float inv = (float)(1.0 / sum);
  for (int i = 0; i < n; i++) att[i] *= inv;
}

static void forward_task(void *ctx, long i0, long i1) {
  att_job *j = ctx;
  const int T = j->T, C = j->C, NH = j->NH, hs = C / NH;
  const float scale = (float)(1.0 / sqrt((double)hs));
  for (long i = i0; i < i1; i++) {
    const int b = (int)(i / NH), h = (int)(i % NH);
    const float *q = j->qkv + (size_t)b * T * 3 * C + (size_t)h * hs;
    float *pre = j->pre + (size_t)i * T * T, *att = j->att + (size_t)i * T * T;
    int ok = rle_sgemm_here(0, 1, T, T, hs, scale, q, 3 * C, q + C, 3 * C, 0.0f, pre, T, j->level);
    for (int t = 0; t < T; t++) {
      softmax_prefix(att + (size_t)t * T, pre + (size_t)t * T, t + 1, j->avx2);
      memset(att + (size_t)t * T + t + 1, 0, sizeof(float) * (size_t)(T - t - 1));
    }
    ok = ok && rle_sgemm_here(0, 0, T, hs, T, 1.0f, att, T, q + 2 * C, 3 * C, 0.0f, j->out + (size_t)b * T * C + (size_t)h * hs, C, j->level);
    if (!ok) atomic_store(&j->failed, 1);
  }
}

static void backward_task(void *ctx, long i0, long i1) {
  att_job *j = ctx;
  const int T = j->T, C = j->C, NH = j->NH, hs = C / NH;
  const float scale = (float)(1.0 / sqrt((double)hs));
  for (long i = i0; i < i1; i++) {
    const int b = (int)(i / NH), h = (int)(i % NH);
    const size_t qo = (size_t)b * T * 3 * C + (size_t)h * hs;
    const float *q = j->qkv + qo, *k = q + C, *v = q + 2 * C;
    float *dq = j->dqkv + qo, *dk = dq + C, *dv = dq + 2 * C;
    const float *d = j->dout + (size_t)b * T * C + (size_t)h * hs;
    const float *att = j->att + (size_t)i * T * T;
    float *da = j->datt + (size_t)i * T * T, *dp = j->dpre + (size_t)i * T * T;
    int ok = rle_sgemm_here(0, 1, T, T, hs, 1.0f, d, C, v, 3 * C, 0.0f, da, T, j->level);       /* datt = dout · Vᵀ */
    ok = ok && rle_sgemm_here(1, 0, T, hs, T, 1.0f, att, T, d, C, 1.0f, dv, 3 * C, j->level);   /* dV += attᵀ · dout */
    for (int t = 0; t < T; t++) {
      /* softmax backward: dpre = att ⊙ (datt − Σ att·datt) over the causal prefix */
      const float *a = att + (size_t)t * T, *g = da + (size_t)t * T;
      float *o = dp + (size_t)t * T;
      double s = 0;
      for (int u = 0; u <= t; u++) s += (double)a[u] * g[u];
      const float sf = (float)s;
      for (int u = 0; u <= t; u++) o[u] = a[u] * (g[u] - sf);
      memset(o + t + 1, 0, sizeof(float) * (size_t)(T - t - 1));
    }
    ok = ok && rle_sgemm_here(0, 0, T, hs, T, scale, dp, T, k, 3 * C, 1.0f, dq, 3 * C, j->level); /* dQ += s·dpre · K */
    ok = ok && rle_sgemm_here(1, 0, T, hs, T, scale, dp, T, q, 3 * C, 1.0f, dk, 3 * C, j->level); /* dK += s·dpreᵀ · Q */
    if (!ok) atomic_store(&j->failed, 1);
  }
}

int rle_attention_forward(float *out, float *preatt, float *att, const float *qkv, int B, int T, int C, int NH, int threads, int level) {
  att_job j = {.out = out, .pre = preatt, .att = att, .qkv = qkv, .B = B, .T = T, .C = C, .NH = NH, .level = level,
               .avx2 = rle_use_avx2(level)};
  atomic_init(&j.failed, 0);
  rle_parallel((long)B * NH, 1, threads, forward_task, &j);
  return !atomic_load(&j.failed);
}

int rle_attention_backward(float *dqkv, float *dpreatt, float *datt, const float *dout, const float *qkv, const float *att, int B, int T,
                           int C, int NH, int threads, int level) {
  att_job j = {.dqkv = dqkv, .dpre = dpreatt, .datt = datt, .qkv = qkv, .dout = dout, /* read only here */ .att = (float *)att, .B = B, .T = T, .C = C,
               .NH = NH, .level = level, .avx2 = rle_use_avx2(level)};
  atomic_init(&j.failed, 0);
  rle_parallel((long)B * NH, 1, threads, backward_task, &j);
  return !atomic_load(&j.failed);
}
