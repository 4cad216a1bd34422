#include "arbor_bandwidth.h"

#include <immintrin.h>
#include <stdint.h>
#include <time.h>

typedef struct {
    const uint8_t *buf;
    size_t bytes;
    volatile double sink; /* keeps the reads alive under -O3 */
} read_job;

static void read_chunk(void *ctx, int ith, int nth) {
    read_job *job = ctx;
    size_t per = (job->bytes / 256 / (size_t)nth) * 256;
    const uint8_t *p = job->buf + per * (size_t)ith;
    const uint8_t *end = (ith == nth - 1) ? job->buf + job->bytes : p + per;
    __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0;
    /* Four independent accumulators keep enough loads in flight to saturate memory. */
    for (; p + 256 <= end; p += 256) {
        a0 = _mm256_xor_si256(a0, _mm256_load_si256((const __m256i *)(p + 0)));
        a1 = _mm256_xor_si256(a1, _mm256_load_si256((const __m256i *)(p + 32)));
        a2 = _mm256_xor_si256(a2, _mm256_load_si256((const __m256i *)(p + 64)));
        a3 = _mm256_xor_si256(a3, _mm256_load_si256((const __m256i *)(p + 96)));
        a0 = _mm256_xor_si256(a0, _mm256_load_si256((const __m256i *)(p + 128)));
        a1 = _mm256_xor_si256(a1, _mm256_load_si256((const __m256i *)(p + 160)));
        a2 = _mm256_xor_si256(a2, _mm256_load_si256((const __m256i *)(p + 192)));
        a3 = _mm256_xor_si256(a3, _mm256_load_si256((const __m256i *)(p + 224)));
    }
    __m256i x = _mm256_xor_si256(_mm256_xor_si256(a0, a1), _mm256_xor_si256(a2, a3));
    if (_mm256_extract_epi64(x, 0) == 0x5eed) job->sink += 1; /* data-dependent, never elided */
}

double arbor_read_bandwidth(arbor_pool *pool, const void *buf, size_t bytes, int passes) {
    read_job job = {.buf = buf, .bytes = bytes, .sink = 0};
    arbor_pool_run(pool, read_chunk, &job); /* warm the pages and the threads */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < passes; i++) arbor_pool_run(pool, read_chunk, &job);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return seconds > 0 ? (double)bytes * passes / seconds : 0;
}
