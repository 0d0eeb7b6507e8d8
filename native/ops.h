#ifndef RLE_OPS_H
#define RLE_OPS_H
/*
 * The trainer's kernels besides the GEMM. `threads` is how many threads of the pool an
 * operation may use (this one included); `level` caps the instruction set as for the GEMM
 * (0 portable, 1 AVX2, 2 AVX-512). Functions returning int return 0 when out of memory.
 */
#include <stddef.h>
#include <stdint.h>

/* ops.c: the optimizer. gscale multiplies each gradient first (clipping), as float(g · gscale). */
void rle_adamw(float *w, const float *g, float *m, float *v, size_t n, double beta1, double beta2, double eps, double shrink,
               double step_size, double sqrt_bc2, double gscale, int threads, int level);
double rle_sumsq(const float *a, size_t n, int threads);
void rle_scale(float *a, size_t n, float c, int threads);
void rle_zero(float *a, size_t n, int threads);

/* act.c */
void rle_gelu_forward(float *out, const float *inp, size_t n, int threads, int level);
void rle_gelu_backward(float *dinp, const float *inp, const float *dout, size_t n, int threads, int level);
/* Logits -> probabilities in place, row by row; returns the summed -log p[target] and the counted rows. row_loss: rows doubles of scratch. */
double rle_softmax_xent(float *logits, const int32_t *targets, int rows, int V, int ignore, int *count, double *row_loss, int threads,
                        int level);
/* dlogits = (probs - onehot(target)) / count; ignored rows get 0. dlogits may be probs. */
void rle_xent_backward(float *dlogits, const float *probs, const int32_t *targets, int rows, int V, int ignore, int count, int threads);
#if defined(__x86_64__) || defined(__i386__)
/* dst = softmax(src) over n floats with AVX2 (only where rle_use_avx2 says so); dst may be src. */
void rle_softmax_avx2(float *dst, const float *src, int n);
#endif

/* layer.c */
void rle_layernorm_forward(float *out, float *mean, float *rstd, const float *inp, const float *w, const float *b, int rows, int C,
                           double eps, int threads, int level);
int rle_layernorm_backward(float *dinp, float *dw, float *db, const float *dout, const float *inp, const float *w, const float *mean,
                           const float *rstd, int rows, int C, int threads, int level);
void rle_add(float *out, const float *a, const float *b, size_t n, int threads);
void rle_encoder_forward(float *out, const int32_t *inp, const float *wte, const float *wpe, int B, int T, int C);
void rle_encoder_backward(float *dwte, float *dwpe, const float *dout, const int32_t *inp, int B, int T, int C);
void rle_bias_backward(float *dbias, const float *dout, int rows, int OC, int threads);

/* attention.c */
int rle_attention_forward(float *out, float *preatt, float *att, const float *qkv, int B, int T, int C, int NH, int threads, int level);
int rle_attention_backward(float *dqkv, float *dpreatt, float *datt, const float *dout, const float *qkv, const float *att, int B, int T,
                           int C, int NH, int threads, int level);
#endif
