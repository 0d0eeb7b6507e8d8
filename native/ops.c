/*
 * Element-wise and row-wise kernels of a training step that are memory-bound rather than
 * FLOP-bound, but too slow as JavaScript loops at 82 M parameters: fused AdamW, squared norm,
 * scaling, GELU (tanh form), and softmax cross-entropy over the vocabulary. Per-element
 * arithmetic is done in double and stored as float, as the TypeScript reference does.
 */
#include "ops.h"

#include <math.h>
#include <string.h>

void rle_adamw(float *w, const float *g, float *m, float *v, size_t n, double beta1, double beta2, double eps, double shrink,
               double step_size, double sqrt_bc2) {
  for (size_t j = 0; j < n; j++) {
    const double gj = g[j];
    /* the moments are stored as float, but this step uses their double values, as the TypeScript does */
    const double mj = beta1 * m[j] + (1 - beta1) * gj;
    const double vj = beta2 * v[j] + (1 - beta2) * gj * gj;
    m[j] = (float)mj;
    v[j] = (float)vj;
    w[j] = (float)(w[j] * shrink - (step_size * mj) / (sqrt(vj) / sqrt_bc2 + eps));
  }
}

double rle_sumsq(const float *a, size_t n) {
  /* four partial sums: vectorisable without -ffast-math reassociation */
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    s0 += (double)a[j] * a[j];
    s1 += (double)a[j + 1] * a[j + 1];
    s2 += (double)a[j + 2] * a[j + 2];
    s3 += (double)a[j + 3] * a[j + 3];
  }
  for (; j < n; j++) s0 += (double)a[j] * a[j];
  return (s0 + s1) + (s2 + s3);
}

void rle_scale(float *a, size_t n, float c) {
  for (size_t j = 0; j < n; j++) a[j] *= c;
}

#define GELU_S 0.7978845608028654 /* sqrt(2 / pi) */

void rle_gelu_forward(float *out, const float *inp, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float x = inp[i];
    out[i] = 0.5f * x * (1.0f + tanhf((float)GELU_S * (x + 0.044715f * x * x * x)));
  }
}

void rle_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n) {
  for (size_t i = 0; i < n; i++) {
    const float x = inp[i];
    const float th = tanhf((float)GELU_S * (x + 0.044715f * x * x * x));
    const float sech2 = 1.0f - th * th;
    const float g = 0.5f * (1.0f + th) + 0.5f * x * sech2 * (float)GELU_S * (1.0f + 3.0f * 0.044715f * x * x);
    dinp[i] += g * dout[i];
  }
}

double rle_softmax_xent(float *logits, const int32_t *targets, int rows, int V, int ignore, int *count) {
  double loss = 0;
  int c = 0;
  for (int r = 0; r < rows; r++) {
    float *p = logits + (size_t)r * V;
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
    const int t = targets[r];
    if (t != ignore) {
      loss -= log((double)p[t]);
      c++;
    }
  }
  *count = c;
  return loss;
}

void rle_xent_backward(float *dlogits, const float *probs, const int32_t *targets, int rows, int V, int ignore, int count) {
  const float inv = 1.0f / (float)count;
  for (int r = 0; r < rows; r++) {
    float *d = dlogits + (size_t)r * V;
    const float *p = probs + (size_t)r * V;
    const int t = targets[r];
    if (t == ignore) {
      memset(d, 0, sizeof(float) * (size_t)V);
      continue;
    }
    for (int v = 0; v < V; v++) d[v] = p[v] * inv;
    d[t] -= inv;
  }
}
