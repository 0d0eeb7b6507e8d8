/*
 * Node-API binding of the trainer's native kernels. Arrays arrive as Float32Array views with
 * element offsets and leading dimensions; every access range is checked here, so a wrong
 * shape from JavaScript is a thrown RangeError, never a read outside the buffer.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "sgemm.h"

#define CHECK(call)                                           \
  do {                                                        \
    if ((call) != napi_ok) {                                  \
      napi_throw_error(env, NULL, "rle native: bad argument"); \
      return NULL;                                            \
    }                                                         \
  } while (0)

static int get_f32(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  napi_value buf;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, &buf, &off) != napi_ok || type != napi_float32_array) return 0;
  *data = (float *)ptr;
  return 1;
}

/* Does a rows x cols matrix at element offset off with leading dimension ld fit in len elements? */
static int fits(int64_t off, int64_t rows, int64_t cols, int64_t ld, size_t len) {
  if (off < 0 || rows < 0 || cols < 0 || ld < cols) return 0;
  if (rows == 0 || cols == 0) return 1;
  return off + (rows - 1) * ld + cols <= (int64_t)len;
}

static napi_value js_init(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t level = 2;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc >= 1) CHECK(napi_get_value_int32(env, argv[0], &level));
  const char *name = rle_sgemm_kernel_name(level);
  napi_value out;
  CHECK(napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &out));
  return out;
}

/* sgemm(transA, transB, M, N, K, alpha, A, offA, lda, B, offB, ldb, beta, C, offC, ldc, threads, level) */
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  size_t argc = 18;
  napi_value a[18];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  if (argc != 18) {
    napi_throw_type_error(env, NULL, "sgemm expects 18 arguments");
    return NULL;
  }
  bool ta, tb;
  int32_t M, N, K, offA, lda, offB, ldb, offC, ldc, threads, level;
  double alpha, beta;
  float *A, *B, *C;
  size_t lenA, lenB, lenC;
  CHECK(napi_get_value_bool(env, a[0], &ta));
  CHECK(napi_get_value_bool(env, a[1], &tb));
  CHECK(napi_get_value_int32(env, a[2], &M));
  CHECK(napi_get_value_int32(env, a[3], &N));
  CHECK(napi_get_value_int32(env, a[4], &K));
  CHECK(napi_get_value_double(env, a[5], &alpha));
  CHECK(napi_get_value_int32(env, a[7], &offA));
  CHECK(napi_get_value_int32(env, a[8], &lda));
  CHECK(napi_get_value_int32(env, a[10], &offB));
  CHECK(napi_get_value_int32(env, a[11], &ldb));
  CHECK(napi_get_value_double(env, a[12], &beta));
  CHECK(napi_get_value_int32(env, a[14], &offC));
  CHECK(napi_get_value_int32(env, a[15], &ldc));
  CHECK(napi_get_value_int32(env, a[16], &threads));
  CHECK(napi_get_value_int32(env, a[17], &level));
  if (!get_f32(env, a[6], &A, &lenA) || !get_f32(env, a[9], &B, &lenB) || !get_f32(env, a[13], &C, &lenC)) {
    napi_throw_type_error(env, NULL, "sgemm expects Float32Array operands");
    return NULL;
  }
  if (M < 0 || N < 0 || K < 0 || !fits(offA, ta ? K : M, ta ? M : K, lda, lenA) || !fits(offB, tb ? N : K, tb ? K : N, ldb, lenB) ||
      !fits(offC, M, N, ldc, lenC)) {
    napi_throw_range_error(env, NULL, "sgemm: operand shape exceeds its array");
    return NULL;
  }
  if (!rle_sgemm(ta, tb, M, N, K, (float)alpha, A + offA, lda, B + offB, ldb, (float)beta, C + offC, ldc, threads, level)) {
    napi_throw_error(env, NULL, "sgemm: out of memory");
    return NULL;
  }
  return NULL;
}


static int get_i32(napi_env env, napi_value v, int32_t **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  napi_value buf;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, &buf, &off) != napi_ok || type != napi_int32_array) return 0;
  *data = (int32_t *)ptr;
  return 1;
}

/*
 * The arguments of an element-wise kernel, read by a format: f a Float32Array, i an Int32Array,
 * n a whole number (int32), d a number. Arrays land in v[k].f / v[k].i with their length in
 * v[k].len; numbers in v[k].n / v[k].d. Throws a TypeError and returns 0 on a mismatch.
 */
typedef struct {
  float *f;
  int32_t *i;
  size_t len;
  int32_t n;
  double d;
} arg_t;

#define MAX_ARGS 14

static int args(napi_env env, napi_callback_info info, const char *fmt, arg_t *v) {
  napi_value a[MAX_ARGS];
  size_t argc = MAX_ARGS;
  const size_t want = strlen(fmt);
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != want) {
    napi_throw_type_error(env, NULL, "rle native: wrong number of arguments");
    return 0;
  }
  for (size_t k = 0; k < want; k++) {
    int ok = 0;
    switch (fmt[k]) {
      case 'f': ok = get_f32(env, a[k], &v[k].f, &v[k].len); break;
      case 'i': ok = get_i32(env, a[k], &v[k].i, &v[k].len); break;
      case 'n': ok = napi_get_value_int32(env, a[k], &v[k].n) == napi_ok; break;
      case 'd': ok = napi_get_value_double(env, a[k], &v[k].d) == napi_ok; break;
    }
    if (!ok) {
      napi_throw_type_error(env, NULL, fmt[k] == 'f' ? "rle native: expected a Float32Array" : fmt[k] == 'i' ? "rle native: expected an Int32Array" : "rle native: expected a number");
      return 0;
    }
  }
  return 1;
}

static napi_value range_error(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

static napi_value oom(napi_env env, const char *what) {
  napi_throw_error(env, NULL, what);
  return NULL;
}

/* Is every size non-negative and does each array hold at least the elements named? */
#define NEED(cond, msg) \
  do {                  \
    if (!(cond)) return range_error(env, msg); \
  } while (0)

static int dims_ok(const arg_t *v, int from, int to) {
  for (int k = from; k <= to; k++)
    if (v[k].n < 0) return 0;
  return 1;
}

/* adamw(w, g, m, v, beta1, beta2, eps, shrink, stepSize, sqrtBc2, gradScale, threads, level) */
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  arg_t v[13];
  if (!args(env, info, "ffffdddddddnn", v)) return NULL;
  NEED(v[1].len == v[0].len && v[2].len == v[0].len && v[3].len == v[0].len, "adamw: arrays differ in length");
  rle_adamw(v[0].f, v[1].f, v[2].f, v[3].f, v[0].len, v[4].d, v[5].d, v[6].d, v[7].d, v[8].d, v[9].d, v[10].d, v[11].n, v[12].n);
  return NULL;
}

/* sumsq(a, threads) */
static napi_value js_sumsq(napi_env env, napi_callback_info info) {
  arg_t v[2];
  if (!args(env, info, "fn", v)) return NULL;
  napi_value out;
  CHECK(napi_create_double(env, rle_sumsq(v[0].f, v[0].len, v[1].n), &out));
  return out;
}

/* scale(a, c, threads) */
static napi_value js_scale(napi_env env, napi_callback_info info) {
  arg_t v[3];
  if (!args(env, info, "fdn", v)) return NULL;
  rle_scale(v[0].f, v[0].len, (float)v[1].d, v[2].n);
  return NULL;
}

/* zero(a, threads) */
static napi_value js_zero(napi_env env, napi_callback_info info) {
  arg_t v[2];
  if (!args(env, info, "fn", v)) return NULL;
  rle_zero(v[0].f, v[0].len, v[1].n);
  return NULL;
}

/* geluForward(out, inp, n, threads, level) */
static napi_value js_gelu_forward(napi_env env, napi_callback_info info) {
  arg_t v[5];
  if (!args(env, info, "ffnnn", v)) return NULL;
  const size_t n = (size_t)v[2].n;
  NEED(v[2].n >= 0 && n <= v[0].len && n <= v[1].len, "geluForward: n exceeds an array");
  rle_gelu_forward(v[0].f, v[1].f, n, v[3].n, v[4].n);
  return NULL;
}

/* geluBackward(dinp, inp, dout, n, threads, level) */
static napi_value js_gelu_backward(napi_env env, napi_callback_info info) {
  arg_t v[6];
  if (!args(env, info, "fffnnn", v)) return NULL;
  const size_t n = (size_t)v[3].n;
  NEED(v[3].n >= 0 && n <= v[0].len && n <= v[1].len && n <= v[2].len, "geluBackward: n exceeds an array");
  rle_gelu_backward(v[0].f, v[1].f, v[2].f, n, v[4].n, v[5].n);
  return NULL;
}

/* Shared checks of the cross-entropy kernels: rows x V floats, rows targets in [0, V) or ignore. */
static int xent_ok(napi_env env, const arg_t *x, const arg_t *t, int rows, int V, int ignore) {
  if (rows < 0 || V <= 0 || (size_t)rows * (size_t)V > x->len || (size_t)rows > t->len) {
    napi_throw_range_error(env, NULL, "cross-entropy: shape exceeds its array");
    return 0;
  }
  for (int r = 0; r < rows; r++) {
    if (t->i[r] != ignore && (t->i[r] < 0 || t->i[r] >= V)) {
      napi_throw_range_error(env, NULL, "cross-entropy: target outside the vocabulary");
      return 0;
    }
  }
  return 1;
}

/* softmaxXent(logits, targets, rows, V, ignore, threads, level) -> [lossSum, count]; logits become probabilities */
static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  arg_t v[7];
  if (!args(env, info, "finnnnn", v) || !xent_ok(env, &v[0], &v[1], v[2].n, v[3].n, v[4].n)) return NULL;
  double *row_loss = malloc(sizeof(double) * (size_t)(v[2].n > 0 ? v[2].n : 1));
  if (!row_loss) return oom(env, "softmaxXent: out of memory");
  int count = 0;
  const double loss = rle_softmax_xent(v[0].f, v[1].i, v[2].n, v[3].n, v[4].n, &count, row_loss, v[5].n, v[6].n);
  free(row_loss);
  napi_value out, l, c;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_create_double(env, loss, &l));
  CHECK(napi_create_int32(env, count, &c));
  CHECK(napi_set_element(env, out, 0, l));
  CHECK(napi_set_element(env, out, 1, c));
  return out;
}

/* xentBackward(probs, targets, rows, V, ignore, dlogits, count, threads) */
static napi_value js_xent_backward(napi_env env, napi_callback_info info) {
  arg_t v[8];
  if (!args(env, info, "finnnfnn", v) || !xent_ok(env, &v[0], &v[1], v[2].n, v[3].n, v[4].n)) return NULL;
  NEED(v[6].n >= 1, "xentBackward: count must be at least 1");
  NEED((size_t)v[2].n * (size_t)v[3].n <= v[5].len, "xentBackward: dlogits too short");
  rle_xent_backward(v[5].f, v[0].f, v[1].i, v[2].n, v[3].n, v[4].n, v[6].n, v[7].n);
  return NULL;
}

/* layernormForward(out, mean, rstd, inp, w, b, rows, C, eps, threads, level) */
static napi_value js_layernorm_forward(napi_env env, napi_callback_info info) {
  arg_t v[11];
  if (!args(env, info, "ffffffnndnn", v)) return NULL;
  const size_t rows = (size_t)v[6].n, C = (size_t)v[7].n;
  NEED(dims_ok(v, 6, 7) && rows * C <= v[0].len && rows * C <= v[3].len && rows <= v[1].len && rows <= v[2].len && C <= v[4].len &&
           C <= v[5].len,
       "layernormForward: shape exceeds its array");
  rle_layernorm_forward(v[0].f, v[1].f, v[2].f, v[3].f, v[4].f, v[5].f, v[6].n, v[7].n, v[8].d, v[9].n, v[10].n);
  return NULL;
}

/* layernormBackward(dinp, dw, db, dout, inp, w, mean, rstd, rows, C, threads, level) */
static napi_value js_layernorm_backward(napi_env env, napi_callback_info info) {
  arg_t v[12];
  if (!args(env, info, "ffffffffnnnn", v)) return NULL;
  const size_t rows = (size_t)v[8].n, C = (size_t)v[9].n;
  NEED(dims_ok(v, 8, 9) && rows * C <= v[0].len && rows * C <= v[3].len && rows * C <= v[4].len && C <= v[1].len && C <= v[2].len &&
           C <= v[5].len && rows <= v[6].len && rows <= v[7].len,
       "layernormBackward: shape exceeds its array");
  if (!rle_layernorm_backward(v[0].f, v[1].f, v[2].f, v[3].f, v[4].f, v[5].f, v[6].f, v[7].f, v[8].n, v[9].n, v[10].n, v[11].n))
    return oom(env, "layernormBackward: out of memory");
  return NULL;
}

/* add(out, a, b, n, threads): out = a + b */
static napi_value js_add(napi_env env, napi_callback_info info) {
  arg_t v[5];
  if (!args(env, info, "fffnn", v)) return NULL;
  const size_t n = (size_t)v[3].n;
  NEED(v[3].n >= 0 && n <= v[0].len && n <= v[1].len && n <= v[2].len, "add: n exceeds an array");
  rle_add(v[0].f, v[1].f, v[2].f, n, v[4].n);
  return NULL;
}

/* Tokens in [0, rows of wte) and B·T positions within wpe and the activations. */
static int encoder_ok(napi_env env, const arg_t *inp, size_t act_len, size_t wte_len, size_t wpe_len, int B, int T, int C) {
  if (B < 0 || T < 0 || C <= 0 || (size_t)B * T > inp->len || (size_t)B * T * C > act_len || (size_t)T * C > wpe_len) {
    napi_throw_range_error(env, NULL, "encoder: shape exceeds its array");
    return 0;
  }
  for (size_t i = 0; i < (size_t)B * T; i++) {
    if (inp->i[i] < 0 || ((size_t)inp->i[i] + 1) * C > wte_len) {
      napi_throw_range_error(env, NULL, "encoder: token outside the embedding");
      return 0;
    }
  }
  return 1;
}

/* encoderForward(out, inp, wte, wpe, B, T, C) */
static napi_value js_encoder_forward(napi_env env, napi_callback_info info) {
  arg_t v[7];
  if (!args(env, info, "fiffnnn", v) || !encoder_ok(env, &v[1], v[0].len, v[2].len, v[3].len, v[4].n, v[5].n, v[6].n)) return NULL;
  rle_encoder_forward(v[0].f, v[1].i, v[2].f, v[3].f, v[4].n, v[5].n, v[6].n);
  return NULL;
}

/* encoderBackward(dwte, dwpe, dout, inp, B, T, C) */
static napi_value js_encoder_backward(napi_env env, napi_callback_info info) {
  arg_t v[7];
  if (!args(env, info, "fffinnn", v) || !encoder_ok(env, &v[3], v[2].len, v[0].len, v[1].len, v[4].n, v[5].n, v[6].n)) return NULL;
  rle_encoder_backward(v[0].f, v[1].f, v[2].f, v[3].i, v[4].n, v[5].n, v[6].n);
  return NULL;
}

/* biasBackward(dbias, dout, rows, OC, threads): dbias += column sums of dout */
static napi_value js_bias_backward(napi_env env, napi_callback_info info) {
  arg_t v[5];
  if (!args(env, info, "ffnnn", v)) return NULL;
  NEED(dims_ok(v, 2, 3) && (size_t)v[3].n <= v[0].len && (size_t)v[2].n * (size_t)v[3].n <= v[1].len, "biasBackward: shape exceeds its array");
  rle_bias_backward(v[0].f, v[1].f, v[2].n, v[3].n, v[4].n);
  return NULL;
}

/* B, T, C, NH with C divisible by NH; qkv B·T·3C, out B·T·C, the T x T blocks B·NH·T·T. */
static int attention_ok(napi_env env, const arg_t *d, size_t qkv, size_t out, size_t blocks) {
  const int B = d[0].n, T = d[1].n, C = d[2].n, NH = d[3].n;
  if (B < 0 || T < 0 || C <= 0 || NH <= 0 || C % NH != 0 || (size_t)B * T * 3 * C > qkv || (size_t)B * T * C > out ||
      (size_t)B * NH * T * T > blocks) {
    napi_throw_range_error(env, NULL, "attention: shape exceeds its array");
    return 0;
  }
  return 1;
}

#define MIN3(a, b, c) ((a) < (b) ? ((a) < (c) ? (a) : (c)) : ((b) < (c) ? (b) : (c)))

/* attentionForward(out, preatt, att, qkv, B, T, C, NH, threads, level) */
static napi_value js_attention_forward(napi_env env, napi_callback_info info) {
  arg_t v[10];
  if (!args(env, info, "ffffnnnnnn", v) || !attention_ok(env, v + 4, v[3].len, v[0].len, v[1].len < v[2].len ? v[1].len : v[2].len)) return NULL;
  if (!rle_attention_forward(v[0].f, v[1].f, v[2].f, v[3].f, v[4].n, v[5].n, v[6].n, v[7].n, v[8].n, v[9].n))
    return oom(env, "attentionForward: out of memory");
  return NULL;
}

/* attentionBackward(dqkv, dpreatt, datt, dout, qkv, att, B, T, C, NH, threads, level) */
static napi_value js_attention_backward(napi_env env, napi_callback_info info) {
  arg_t v[12];
  if (!args(env, info, "ffffffnnnnnn", v) ||
      !attention_ok(env, v + 6, v[0].len < v[4].len ? v[0].len : v[4].len, v[3].len, MIN3(v[1].len, v[2].len, v[5].len)))
    return NULL;
  if (!rle_attention_backward(v[0].f, v[1].f, v[2].f, v[3].f, v[4].f, v[5].f, v[6].n, v[7].n, v[8].n, v[9].n, v[10].n, v[11].n))
    return oom(env, "attentionBackward: out of memory");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "init", NAPI_AUTO_LENGTH, js_init, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "init", fn) != napi_ok) return NULL;
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"sgemm", js_sgemm},
             {"adamw", js_adamw},
             {"sumsq", js_sumsq},
             {"scale", js_scale},
             {"zero", js_zero},
             {"geluForward", js_gelu_forward},
             {"geluBackward", js_gelu_backward},
             {"softmaxXent", js_softmax_xent},
             {"xentBackward", js_xent_backward},
             {"layernormForward", js_layernorm_forward},
             {"layernormBackward", js_layernorm_backward},
             {"add", js_add},
             {"encoderForward", js_encoder_forward},
             {"encoderBackward", js_encoder_backward},
             {"biasBackward", js_bias_backward},
             {"attentionForward", js_attention_forward},
             {"attentionBackward", js_attention_backward}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok) return NULL;
  }
  return exports;
}
