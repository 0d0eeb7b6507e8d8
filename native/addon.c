/*
 * Node-API binding of the trainer's native kernels. Arrays arrive as Float32Array views with
 * element offsets and leading dimensions; every access range is checked here, so a wrong
 * shape from JavaScript is a thrown RangeError, never a read outside the buffer.
 */
#include <node_api.h>
#include <stdint.h>

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

/* Reads argc Float32Array arguments (the first nf) and doubles (the rest) into fa / da. */
static int args(napi_env env, napi_callback_info info, size_t want, size_t nf, float **fa, size_t *fl, double *da) {
  napi_value a[12];
  size_t argc = 12;
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != want) {
    napi_throw_type_error(env, NULL, "rle native: wrong number of arguments");
    return 0;
  }
  for (size_t i = 0; i < want; i++) {
    if (i < nf) {
      if (!get_f32(env, a[i], &fa[i], &fl[i])) {
        napi_throw_type_error(env, NULL, "rle native: expected a Float32Array");
        return 0;
      }
    } else if (napi_get_value_double(env, a[i], &da[i - nf]) != napi_ok) {
      napi_throw_type_error(env, NULL, "rle native: expected a number");
      return 0;
    }
  }
  return 1;
}

static napi_value range_error(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

/* adamw(w, g, m, v, beta1, beta2, eps, shrink, stepSize, sqrtBc2) */
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  float *f[4];
  size_t l[4];
  double d[6];
  if (!args(env, info, 10, 4, f, l, d)) return NULL;
  if (l[1] != l[0] || l[2] != l[0] || l[3] != l[0]) return range_error(env, "adamw: arrays differ in length");
  rle_adamw(f[0], f[1], f[2], f[3], l[0], d[0], d[1], d[2], d[3], d[4], d[5]);
  return NULL;
}

static napi_value js_sumsq(napi_env env, napi_callback_info info) {
  float *f[1];
  size_t l[1];
  double d[1];
  if (!args(env, info, 1, 1, f, l, d)) return NULL;
  napi_value out;
  CHECK(napi_create_double(env, rle_sumsq(f[0], l[0]), &out));
  return out;
}

static napi_value js_scale(napi_env env, napi_callback_info info) {
  float *f[1];
  size_t l[1];
  double d[1];
  if (!args(env, info, 2, 1, f, l, d)) return NULL;
  rle_scale(f[0], l[0], (float)d[0]);
  return NULL;
}

/* geluForward(out, inp, n) */
static napi_value js_gelu_forward(napi_env env, napi_callback_info info) {
  float *f[2];
  size_t l[2];
  double d[1];
  if (!args(env, info, 3, 2, f, l, d)) return NULL;
  if (d[0] < 0 || d[0] > (double)l[0] || d[0] > (double)l[1]) return range_error(env, "geluForward: n exceeds an array");
  rle_gelu_forward(f[0], f[1], (size_t)d[0]);
  return NULL;
}

/* geluBackward(dinp, inp, dout, n) */
static napi_value js_gelu_backward(napi_env env, napi_callback_info info) {
  float *f[3];
  size_t l[3];
  double d[1];
  if (!args(env, info, 4, 3, f, l, d)) return NULL;
  if (d[0] < 0 || d[0] > (double)l[0] || d[0] > (double)l[1] || d[0] > (double)l[2]) return range_error(env, "geluBackward: n exceeds an array");
  rle_gelu_backward(f[0], f[1], f[2], (size_t)d[0]);
  return NULL;
}

/* Shared checks of the cross-entropy kernels: rows x V floats, rows targets in [0, V) or ignore. */
static int xent_args(napi_env env, napi_value *a, float **x, int32_t **t, int32_t *rows, int32_t *V, int32_t *ignore) {
  size_t lx, lt;
  if (!get_f32(env, a[0], x, &lx) || !get_i32(env, a[1], t, &lt) || napi_get_value_int32(env, a[2], rows) != napi_ok ||
      napi_get_value_int32(env, a[3], V) != napi_ok || napi_get_value_int32(env, a[4], ignore) != napi_ok) {
    napi_throw_type_error(env, NULL, "cross-entropy: bad arguments");
    return 0;
  }
  if (*rows < 0 || *V <= 0 || (size_t)*rows * (size_t)*V > lx || (size_t)*rows > lt) {
    napi_throw_range_error(env, NULL, "cross-entropy: shape exceeds its array");
    return 0;
  }
  for (int32_t r = 0; r < *rows; r++) {
    if ((*t)[r] != *ignore && ((*t)[r] < 0 || (*t)[r] >= *V)) {
      napi_throw_range_error(env, NULL, "cross-entropy: target outside the vocabulary");
      return 0;
    }
  }
  return 1;
}

/* softmaxXent(logits, targets, rows, V, ignore) -> [lossSum, count]; logits become probabilities */
static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value a[5];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *x;
  int32_t *t, rows, V, ignore;
  if (argc != 5 || !xent_args(env, a, &x, &t, &rows, &V, &ignore)) return NULL;
  int count = 0;
  const double loss = rle_softmax_xent(x, t, rows, V, ignore, &count);
  napi_value out, l, c;
  CHECK(napi_create_array_with_length(env, 2, &out));
  CHECK(napi_create_double(env, loss, &l));
  CHECK(napi_create_int32(env, count, &c));
  CHECK(napi_set_element(env, out, 0, l));
  CHECK(napi_set_element(env, out, 1, c));
  return out;
}

/* xentBackward(probs, targets, rows, V, ignore, dlogits, count) */
static napi_value js_xent_backward(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value a[7];
  CHECK(napi_get_cb_info(env, info, &argc, a, NULL, NULL));
  float *p, *d;
  int32_t *t, rows, V, ignore, count;
  size_t ld;
  if (argc != 7 || !xent_args(env, a, &p, &t, &rows, &V, &ignore)) return NULL;
  if (!get_f32(env, a[5], &d, &ld) || napi_get_value_int32(env, a[6], &count) != napi_ok || count < 1) {
    napi_throw_type_error(env, NULL, "xentBackward: bad arguments");
    return NULL;
  }
  if ((size_t)rows * (size_t)V > ld) return range_error(env, "xentBackward: dlogits too short");
  rle_xent_backward(d, p, t, rows, V, ignore, count);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "init", NAPI_AUTO_LENGTH, js_init, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "init", fn) != napi_ok) return NULL;
  static const struct {
    const char *name;
    napi_callback fn;
  } fns[] = {{"sgemm", js_sgemm},       {"adamw", js_adamw},           {"sumsq", js_sumsq},
             {"scale", js_scale},       {"geluForward", js_gelu_forward}, {"geluBackward", js_gelu_backward},
             {"softmaxXent", js_softmax_xent}, {"xentBackward", js_xent_backward}};
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &fn) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, fns[i].name, fn) != napi_ok) return NULL;
  }
  return exports;
}
