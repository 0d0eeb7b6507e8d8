/*
 * The persistent pool behind rle_parallel (pool.h). One operation at a time: the caller
 * publishes a job (function, context, chunk count), bumps a generation counter and wakes the
 * workers; everyone, the caller included, takes chunks from an atomic counter until none are
 * left; the caller returns once every woken worker has checked out of the job. Workers spin
 * briefly on the generation before sleeping, because the trainer's kernels come back to back
 * with only a little JavaScript between them. A second caller (another JavaScript thread)
 * that finds the pool busy runs its operation on its own thread instead of waiting.
 */
#include "pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* How long an idle worker spins before it sleeps, and how long the caller spins before yielding. */
#define WORKER_SPIN_NS 100000L
#define CALLER_SPIN_NS 20000L
/* Chunks per thread: more balance under a shared CPU against more hand-outs. */
#define CHUNKS_PER_THREAD 4

typedef struct {
  rle_task_fn fn;
  void *ctx;
  long n, chunk, chunks;
  int helpers; /* workers 0..helpers-1 take part */
  atomic_long next;
  atomic_int pending;
} job_t;

static job_t g_job;
static atomic_uint g_gen;
static int g_workers; /* started so far */
static unsigned g_birth_gen[RLE_MAX_THREADS]; /* the generation each worker was started in */
static int g_sleepers;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_wake = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t g_submit = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int t_in_pool;

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void run_chunks(job_t *j) {
  for (;;) {
    const long c = atomic_fetch_add_explicit(&j->next, 1, memory_order_relaxed);
    if (c >= j->chunks) return;
    const long i0 = c * j->chunk, i1 = i0 + j->chunk < j->n ? i0 + j->chunk : j->n;
    j->fn(j->ctx, i0, i1);
  }
}

static void *worker_main(void *arg) {
  const int index = (int)(long)arg;
  t_in_pool = 1;
  /* not read from g_gen: the first job may be published before this thread first runs */
  unsigned seen = g_birth_gen[index];
  for (;;) {
    const long t0 = now_ns();
    int spins = 0;
    while (atomic_load_explicit(&g_gen, memory_order_acquire) == seen) {
      CPU_RELAX();
      if (++spins % 64 == 0 && now_ns() - t0 > WORKER_SPIN_NS) {
        pthread_mutex_lock(&g_lock);
        g_sleepers++;
        while (atomic_load_explicit(&g_gen, memory_order_acquire) == seen) pthread_cond_wait(&g_wake, &g_lock);
        g_sleepers--;
        pthread_mutex_unlock(&g_lock);
      }
    }
    seen = atomic_load_explicit(&g_gen, memory_order_acquire);
    if (index < g_job.helpers) run_chunks(&g_job);
    atomic_fetch_sub_explicit(&g_job.pending, 1, memory_order_release);
  }
  return NULL;
}

/* Starts workers up to `want`; returns how many there are. Called with g_submit held. */
static int ensure_workers(int want) {
  while (g_workers < want && g_workers < RLE_MAX_THREADS - 1) {
    pthread_t tid;
    g_birth_gen[g_workers] = atomic_load_explicit(&g_gen, memory_order_relaxed);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int ok = pthread_create(&tid, &attr, worker_main, (void *)(long)g_workers) == 0;
    pthread_attr_destroy(&attr);
    if (!ok) break;
    g_workers++;
  }
  return g_workers;
}

void rle_parallel(long n, long grain, int threads, rle_task_fn fn, void *ctx) {
  if (n <= 0) return;
  if (grain < 1) grain = 1;
  if (threads > RLE_MAX_THREADS) threads = RLE_MAX_THREADS;
  long chunks = (n + grain - 1) / grain;
  if (threads <= 1 || chunks < 2 || t_in_pool || pthread_mutex_trylock(&g_submit) != 0) {
    fn(ctx, 0, n);
    return;
  }
  if (chunks > (long)threads * CHUNKS_PER_THREAD) chunks = (long)threads * CHUNKS_PER_THREAD;
  const long chunk = (n + chunks - 1) / chunks;
  chunks = (n + chunk - 1) / chunk;
  int helpers = threads - 1 < chunks - 1 ? threads - 1 : (int)chunks - 1;
  helpers = ensure_workers(helpers) < helpers ? g_workers : helpers;
  if (helpers == 0) {
    pthread_mutex_unlock(&g_submit);
    fn(ctx, 0, n);
    return;
  }
  job_t *j = &g_job;
  j->fn = fn;
  j->ctx = ctx;
  j->n = n;
  j->chunk = chunk;
  j->chunks = chunks;
  j->helpers = helpers;
  atomic_store_explicit(&j->next, 0, memory_order_relaxed);
  atomic_store_explicit(&j->pending, g_workers, memory_order_relaxed);
  /* every started worker checks out (the ones not taking part at once), so none reads a stale job */
  pthread_mutex_lock(&g_lock);
  atomic_fetch_add_explicit(&g_gen, 1, memory_order_release);
  if (g_sleepers > 0) pthread_cond_broadcast(&g_wake);
  pthread_mutex_unlock(&g_lock);
  t_in_pool = 1;
  run_chunks(j);
  t_in_pool = 0;
  const long t0 = now_ns();
  int spins = 0;
  while (atomic_load_explicit(&j->pending, memory_order_acquire) > 0) {
    CPU_RELAX();
    if (++spins % 64 == 0 && now_ns() - t0 > CALLER_SPIN_NS) sched_yield();
  }
  pthread_mutex_unlock(&g_submit);
}
