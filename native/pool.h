#ifndef RLE_POOL_H
#define RLE_POOL_H
/*
 * A small persistent thread pool shared by every native kernel: threads are started once and
 * then woken per operation (a spin of a few tens of microseconds, then a condition variable),
 * so the per-call cost is a wake-up, not a pthread_create (~20-50 us each, measured here).
 */

/* A task body: process items [i0, i1) of the operation whose context is ctx. */
typedef void (*rle_task_fn)(void *ctx, long i0, long i1);

/*
 * Runs fn over [0, n) on up to `threads` threads, this one included, in chunks of at least
 * `grain` items handed out dynamically (a core taken by another process slows its chunk, not
 * the whole operation). Below two chunks, or from inside a pool task, it runs fn(ctx, 0, n)
 * here. Chunks never overlap, so tasks that write disjoint ranges need no locks.
 */
void rle_parallel(long n, long grain, int threads, rle_task_fn fn, void *ctx);

/* Threads the pool may use at most (this one included). */
#define RLE_MAX_THREADS 16

#endif
