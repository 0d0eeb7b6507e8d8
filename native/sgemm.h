#ifndef RLE_SGEMM_H
#define RLE_SGEMM_H
/* max_level: 0 portable, 1 up to AVX2+FMA, 2 up to AVX-512. The kernel that level gets on this CPU. */
const char *rle_sgemm_kernel_name(int max_level);
/* Returns 1 on success, 0 when a packing buffer could not be allocated. */
int rle_sgemm(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
              float beta, float *C, int ldc, int threads, int level);
/* The same product computed on the calling thread only (for callers that are pool tasks themselves). */
int rle_sgemm_here(int transA, int transB, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                   float beta, float *C, int ldc, int level);
#endif
