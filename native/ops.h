#ifndef RLE_OPS_H
#define RLE_OPS_H
#include <stddef.h>
#include <stdint.h>
void rle_adamw(float *w, const float *g, float *m, float *v, size_t n, double beta1, double beta2, double eps, double shrink,
               double step_size, double sqrt_bc2);
double rle_sumsq(const float *a, size_t n);
void rle_scale(float *a, size_t n, float c);
void rle_gelu_forward(float *out, const float *inp, size_t n);
void rle_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n);
/* Logits -> probabilities in place, row by row; returns the summed -log p[target] and the counted rows. */
double rle_softmax_xent(float *logits, const int32_t *targets, int rows, int V, int ignore, int *count);
/* dlogits = (probs - onehot(target)) / count; ignored rows get 0. */
void rle_xent_backward(float *dlogits, const float *probs, const int32_t *targets, int rows, int V, int ignore, int count);
#endif
