/*
 * Single-precision GEMM for the GPT-2 trainer, BLIS-style: B is packed into kc x NR panels,
 * A into MR x kc panels, and a register-blocked micro-kernel does the multiply-adds.
 * Row-major: C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C, op = transpose when asked.
 * Micro-kernels: AVX-512 (12 x 32), AVX2+FMA (6 x 16) and portable C (6 x 16, left to the
 * compiler's vectoriser), chosen once at run time from CPUID, so one binary runs everywhere.
 */
#include "sgemm.h"

#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define RLE_X86 1
#endif

/* Cache blocking: a kc x NR panel of B stays in L1, an MC x kc block of A in L2. */
#ifndef KC
#define KC 256
#endif
#ifndef MC
#define MC 96
#endif
#ifndef NC
#define NC 3072
#endif
#define MAX_MR 12
#define MAX_NR 32

typedef void (*micro_fn)(int kc, const float *a, const float *b, float *c, int ldc, float alpha, float beta);

typedef struct {
  int mr, nr;
  micro_fn fn;
  const char *name;
} kernel_t;

/* ---- portable micro-kernel (6 x 16) ---- */
static void micro_generic(int kc, const float *a, const float *b, float *c, int ldc, float alpha, float beta) {
  float acc[6][16];
  memset(acc, 0, sizeof acc);
  for (int k = 0; k < kc; k++) {
    const float *bk = b + k * 16;
    for (int i = 0; i < 6; i++) {
      const float ai = a[k * 6 + i];
      for (int j = 0; j < 16; j++) acc[i][j] += ai * bk[j];
    }
  }
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 16; j++) c[i * ldc + j] = alpha * acc[i][j] + (beta == 0.0f ? 0.0f : beta * c[i * ldc + j]);
}

#ifdef RLE_X86
__attribute__((target("avx2,fma"))) static void micro_avx2(int kc, const float *a, const float *b, float *c, int ldc, float alpha, float beta) {
  /* the C tile is read (beta != 0) and written only after the k loop: start fetching it now */
  for (int i = 0; i < 6; i++) {
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + i * ldc + 15), _MM_HINT_T0);
  }
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(), c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    a += 6;
    b += 16;
  }
  const __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
#define STORE(row, lo, hi)                                                                      \
  do {                                                                                          \
    float *cr = c + (row) * ldc;                                                                \
    if (beta == 0.0f) {                                                                         \
      _mm256_storeu_ps(cr, _mm256_mul_ps(va, lo));                                              \
      _mm256_storeu_ps(cr + 8, _mm256_mul_ps(va, hi));                                          \
    } else {                                                                                    \
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, lo, _mm256_mul_ps(vb, _mm256_loadu_ps(cr))));     \
      _mm256_storeu_ps(cr + 8, _mm256_fmadd_ps(va, hi, _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8)))); \
    }                                                                                           \
  } while (0)
  STORE(0, c00, c01); STORE(1, c10, c11); STORE(2, c20, c21);
  STORE(3, c30, c31); STORE(4, c40, c41); STORE(5, c50, c51);
#undef STORE
}

/* 12 rows x 32 columns: 24 zmm accumulators, two B loads and 12 broadcasts per k. */
__attribute__((target("avx512f"))) static void micro_avx512(int kc, const float *a, const float *b, float *c, int ldc, float alpha, float beta) {
  __m512 acc[12][2];
  for (int i = 0; i < 12; i++) {
    _mm_prefetch((const char *)(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + i * ldc + 31), _MM_HINT_T0);
    acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  }
  for (int k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
    for (int i = 0; i < 12; i++) {
      const __m512 x = _mm512_set1_ps(a[i]);
      acc[i][0] = _mm512_fmadd_ps(x, b0, acc[i][0]);
      acc[i][1] = _mm512_fmadd_ps(x, b1, acc[i][1]);
    }
    a += 12;
    b += 32;
  }
  const __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int i = 0; i < 12; i++) {
    float *cr = c + i * ldc;
    if (beta == 0.0f) {
      _mm512_storeu_ps(cr, _mm512_mul_ps(va, acc[i][0]));
      _mm512_storeu_ps(cr + 16, _mm512_mul_ps(va, acc[i][1]));
    } else {
      _mm512_storeu_ps(cr, _mm512_fmadd_ps(va, acc[i][0], _mm512_mul_ps(vb, _mm512_loadu_ps(cr))));
      _mm512_storeu_ps(cr + 16, _mm512_fmadd_ps(va, acc[i][1], _mm512_mul_ps(vb, _mm512_loadu_ps(cr + 16))));
    }
  }
}
#endif

static kernel_t pick_kernel(int level) {
  kernel_t k = {6, 16, micro_generic, "generic"};
#ifdef RLE_X86
  __builtin_cpu_init();
  if (level >= 2 && __builtin_cpu_supports("avx512f")) {
    k.mr = 12; k.nr = 32; k.fn = micro_avx512; k.name = "avx512";
  } else if (level >= 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    k.mr = 6; k.nr = 16; k.fn = micro_avx2; k.name = "avx2";
  }
#else
  (void)level;
#endif
  return k;
}

/* One kernel choice per level (0 portable, 1 AVX2, 2 AVX-512), resolved on first use. */
static kernel_t g_kernels[3];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_kernels(void) {
  for (int l = 0; l < 3; l++) g_kernels[l] = pick_kernel(l);
}

static kernel_t kernel_for(int level) {
  pthread_once(&g_once, init_kernels);
  return g_kernels[level < 0 ? 0 : level > 2 ? 2 : level];
}

const char *rle_sgemm_kernel_name(int max_level) {
  return kernel_for(max_level).name;
}

/* Pack op(A)[i0:i0+mc, p0:p0+kc] into MR-row panels, zero-padded to a whole panel. */
static void pack_a(const float *A, int lda, int transA, int i0, int p0, int mc, int kc, int mr, float *dst) {
  for (int ir = 0; ir < mc; ir += mr) {
    const int m = mc - ir < mr ? mc - ir : mr;
    for (int k = 0; k < kc; k++) {
      for (int i = 0; i < m; i++) {
        const int row = i0 + ir + i, col = p0 + k;
        dst[i] = transA ? A[(size_t)col * lda + row] : A[(size_t)row * lda + col];
      }
      for (int i = m; i < mr; i++) dst[i] = 0.0f;
      dst += mr;
    }
  }
}

/* Pack op(B)[p0:p0+kc, j0:j0+nc] into NR-column panels, zero-padded. */
static void pack_b(const float *B, int ldb, int transB, int p0, int j0, int kc, int nc, int nr, float *dst) {
  for (int jr = 0; jr < nc; jr += nr) {
    const int n = nc - jr < nr ? nc - jr : nr;
    if (!transB && n == nr) {
      for (int k = 0; k < kc; k++) {
        memcpy(dst, B + (size_t)(p0 + k) * ldb + j0 + jr, sizeof(float) * nr);
        dst += nr;
      }
      continue;
    }
    for (int k = 0; k < kc; k++) {
      for (int j = 0; j < n; j++) {
        const int row = p0 + k, col = j0 + jr + j;
        dst[j] = transB ? B[(size_t)col * ldb + row] : B[(size_t)row * ldb + col];
      }
      for (int j = n; j < nr; j++) dst[j] = 0.0f;
      dst += nr;
    }
  }
}

/*
 * Packing scratch, one per thread (the caller's and each pool worker's), allocated at the
 * largest block size on first use and freed when the thread ends.
 */
static pthread_key_t g_scratch_key;
static pthread_once_t g_scratch_once = PTHREAD_ONCE_INIT;

static void free_scratch(void *p) { free(p); }
static void make_scratch_key(void) { pthread_key_create(&g_scratch_key, free_scratch); }

#define PA_FLOATS ((size_t)(MC + MAX_MR) * KC)
#define PB_FLOATS ((size_t)(NC + MAX_NR) * KC)

static float *scratch(void) {
  pthread_once(&g_scratch_once, make_scratch_key);
  float *p = pthread_getspecific(g_scratch_key);
  if (!p) {
    if (posix_memalign((void **)&p, 64, sizeof(float) * (PA_FLOATS + PB_FLOATS)) != 0) return NULL;
    if (pthread_setspecific(g_scratch_key, p) != 0) {
      free(p);
      return NULL;
    }
  }
  return p;
}

/* The whole product on this thread. Returns 0 when the packing scratch cannot be allocated. */
static int gemm_serial(const kernel_t *kn, int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                       const float *B, int ldb, float beta, float *C, int ldc) {
  const int mr = kn->mr, nr = kn->nr;
  const int mcb = (MC / mr) * mr > 0 ? (MC / mr) * mr : mr;
  float *pa = scratch();
  if (!pa) return 0;
  float *pb = pa + PA_FLOATS;
  float tmp[MAX_MR * MAX_NR];
  for (int jc = 0; jc < N; jc += NC) {
    const int nc = N - jc < NC ? N - jc : NC;
    for (int pc = 0; pc < K; pc += KC) {
      const int kc = K - pc < KC ? K - pc : KC;
      const float bt = pc == 0 ? beta : 1.0f;
      pack_b(B, ldb, transB, pc, jc, kc, nc, nr, pb);
      for (int ic = 0; ic < M; ic += mcb) {
        const int mc = M - ic < mcb ? M - ic : mcb;
        pack_a(A, lda, transA, ic, pc, mc, kc, mr, pa);
        for (int jr = 0; jr < nc; jr += nr) {
          const int n = nc - jr < nr ? nc - jr : nr;
          for (int ir = 0; ir < mc; ir += mr) {
            const int m = mc - ir < mr ? mc - ir : mr;
            float *c = C + (size_t)(ic + ir) * ldc + jc + jr;
            const float *a = pa + (size_t)ir * kc, *b = pb + (size_t)jr * kc;
            if (m == mr && n == nr) {
              kn->fn(kc, a, b, c, ldc, alpha, bt);
            } else {
              /* edge tile: compute a full tile into tmp, then merge the valid part */
              kn->fn(kc, a, b, tmp, nr, 1.0f, 0.0f);
              for (int i = 0; i < m; i++)
                for (int q = 0; q < n; q++) {
                  float *cij = c + (size_t)i * ldc + q;
                  *cij = alpha * tmp[i * nr + q] + (bt == 0.0f ? 0.0f : bt * *cij);
                }
            }
          }
        }
      }
    }
  }
  return 1;
}

static int gemm_checked(const kernel_t *kn, int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda,
                        const float *B, int ldb, float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return 1;
  if (K <= 0) {
    for (int i = 0; i < M; i++)
      for (int q = 0; q < N; q++) C[(size_t)i * ldc + q] = beta == 0.0f ? 0.0f : beta * C[(size_t)i * ldc + q];
    return 1;
  }
  return gemm_serial(kn, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

int rle_sgemm_here(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc, int level) {
  const kernel_t kn = kernel_for(level);
  return gemm_checked(&kn, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

typedef struct {
  kernel_t kn;
  int transA, transB, M, N, K;
  float alpha;
  const float *A;
  int lda;
  const float *B;
  int ldb;
  float beta;
  float *C;
  int ldc;
  int splitN, unit;
  atomic_int failed;
} job_t;

/* Tiles [u0, u1) of the split dimension: slices share nothing they write. */
static void gemm_task(void *ctx, long u0, long u1) {
  job_t *j = ctx;
  const int total = j->splitN ? j->N : j->M;
  const int s = (int)u0 * j->unit, e = (int)u1 * j->unit < total ? (int)u1 * j->unit : total;
  int ok;
  if (j->splitN) {
    ok = gemm_serial(&j->kn, j->transA, j->transB, j->M, e - s, j->K, j->alpha, j->A, j->lda,
                     j->transB ? j->B + (size_t)s * j->ldb : j->B + s, j->ldb, j->beta, j->C + s, j->ldc);
  } else {
    ok = gemm_serial(&j->kn, j->transA, j->transB, e - s, j->N, j->K, j->alpha, j->transA ? j->A + s : j->A + (size_t)s * j->lda,
                     j->lda, j->B, j->ldb, j->beta, j->C + (size_t)s * j->ldc, j->ldc);
  }
  if (!ok) atomic_store(&j->failed, 1);
}

/* Products below this many multiply-adds run on the calling thread; chunks are at least a quarter of it. */
#define MIN_PARALLEL_MACS (1 << 21)

int rle_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
              float beta, float *C, int ldc, int threads, int level) {
  const kernel_t kn = kernel_for(level);
  if (M <= 0 || N <= 0 || K <= 0 || threads <= 1 || (double)M * N * K < MIN_PARALLEL_MACS)
    return gemm_checked(&kn, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  job_t j = {.kn = kn, .transA = transA, .transB = transB, .M = M, .N = N, .K = K, .alpha = alpha, .A = A, .lda = lda,
             .B = B, .ldb = ldb, .beta = beta, .C = C, .ldc = ldc};
  /* split the longer of M and N into tile-aligned slices */
  j.splitN = N >= M;
  j.unit = j.splitN ? kn.nr : kn.mr;
  const long total = j.splitN ? N : M, other = j.splitN ? M : N;
  const long units = (total + j.unit - 1) / j.unit;
  const double unit_macs = (double)other * K * j.unit;
  long grain = (long)(MIN_PARALLEL_MACS / 4 / unit_macs) + 1;
  atomic_init(&j.failed, 0);
  rle_parallel(units, grain, threads, gemm_task, &j);
  return !atomic_load(&j.failed);
}
