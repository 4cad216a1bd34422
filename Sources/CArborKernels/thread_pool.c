/* A persistent thread pool. A job is cut into chunks (more chunks than threads) that any
   thread claims with a compare-and-swap on one 64-bit ticket holding the job's generation,
   its chunk count and the next chunk: a thread that wakes late finds the chunks taken
   (or a newer generation) and goes back to waiting, so the caller never waits for a
   descheduled worker, only for chunks already being computed. Which thread computes a
   chunk never changes its numbers: every kernel writes each output from one thread.
   Workers spin briefly before sleeping on a condition variable (a decode step issues
   hundreds of small jobs; waking a sleeping thread costs more than one job). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kernels_internal.h"

#define SPIN_ROUNDS 4000
#define CHUNKS_PER_THREAD 4

/* ticket layout: generation (24 bits) | chunk count (20 bits) | next chunk (20 bits) */
#define GEN_SHIFT 40
#define N_SHIFT 20
#define FIELD_MASK ((1ull << 20) - 1)

struct arbor_pool {
    int n_threads;
    pthread_t *threads;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    _Atomic uint64_t ticket;
    atomic_int done;
    atomic_int stop;
    _Atomic(arbor_task_fn) fn;
    _Atomic(void *) ctx;
};

/* Claims and runs chunks of the job the ticket describes until none is left. */
static void run_chunks(arbor_pool *pool, uint64_t gen) {
    for (;;) {
        uint64_t t = atomic_load_explicit(&pool->ticket, memory_order_acquire);
        if ((t >> GEN_SHIFT) != gen) return;
        const uint64_t n = (t >> N_SHIFT) & FIELD_MASK, next = t & FIELD_MASK;
        if (next >= n) return;
        /* read the job before claiming: a successful claim proves it was this generation's */
        arbor_task_fn fn = atomic_load_explicit(&pool->fn, memory_order_relaxed);
        void *ctx = atomic_load_explicit(&pool->ctx, memory_order_relaxed);
        if (!atomic_compare_exchange_weak_explicit(&pool->ticket, &t, t + 1, memory_order_acq_rel,
                                                   memory_order_acquire))
            continue;
        fn(ctx, (int)next, (int)n);
        atomic_fetch_add_explicit(&pool->done, 1, memory_order_release);
    }
}

static void *worker_main(void *p) {
    arbor_pool *pool = p;
    uint64_t seen = 0;
    for (;;) {
        uint64_t gen;
        int spins = 0;
        while ((gen = atomic_load_explicit(&pool->ticket, memory_order_acquire) >> GEN_SHIFT) == seen) {
            if (++spins < SPIN_ROUNDS) {
                _mm_pause();
                continue;
            }
            pthread_mutex_lock(&pool->mutex);
            while ((atomic_load_explicit(&pool->ticket, memory_order_acquire) >> GEN_SHIFT) == seen &&
                   !atomic_load_explicit(&pool->stop, memory_order_acquire))
                pthread_cond_wait(&pool->wake, &pool->mutex);
            pthread_mutex_unlock(&pool->mutex);
            if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
        }
        seen = gen;
        if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
        run_chunks(pool, gen);
    }
}

arbor_pool *arbor_pool_create(int n_threads) {
    if (n_threads < 1) n_threads = 1;
    arbor_pool *pool = calloc(1, sizeof(*pool));
    if (!pool) return NULL;
    pool->n_threads = 1;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    atomic_init(&pool->ticket, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->stop, 0);
    pool->threads = calloc((size_t)n_threads, sizeof(pthread_t));
    if (!pool->threads) { arbor_pool_destroy(pool); return NULL; }
    for (int i = 1; i < n_threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            arbor_pool_destroy(pool);
            return NULL;
        }
        pool->n_threads = i + 1;
    }
    return pool;
}

int arbor_pool_threads(const arbor_pool *pool) { return pool ? pool->n_threads : 1; }

void arbor_pool_run(arbor_pool *pool, arbor_task_fn fn, void *ctx) {
    if (!pool || pool->n_threads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    const uint64_t n = (uint64_t)pool->n_threads * CHUNKS_PER_THREAD;
    const uint64_t gen = ((atomic_load_explicit(&pool->ticket, memory_order_relaxed) >> GEN_SHIFT) + 1) & ((1ull << 24) - 1);
    atomic_store_explicit(&pool->fn, fn, memory_order_relaxed);
    atomic_store_explicit(&pool->ctx, ctx, memory_order_relaxed);
    atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
    pthread_mutex_lock(&pool->mutex);
    atomic_store_explicit(&pool->ticket, (gen << GEN_SHIFT) | (n << N_SHIFT), memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    run_chunks(pool, gen);
    int spins = 0;
    while ((uint64_t)atomic_load_explicit(&pool->done, memory_order_acquire) != n) {
        if (++spins < SPIN_ROUNDS) _mm_pause();
        else sched_yield();
    }
}

void arbor_pool_destroy(arbor_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->mutex);
    atomic_store_explicit(&pool->stop, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mutex);
    for (int i = 1; i < pool->n_threads; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_destroy(&pool->mutex);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free(pool);
}
