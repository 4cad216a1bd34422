/* Single-thread CPU time of arbor_attention per (key, query) pair, on random f16 caches
   shaped like the shipped models' (head_dim 64; Qwen2.5-0.5B 14 query heads over 2 KV heads,
   SmolLM2-135M 9 over 3), for a decode step (1 token) and a prefill chunk (32 tokens, the
   engine's batch) at 512, 2048 and 4096 keys. CPU time, so the figure survives a loaded
   machine. To compare two versions, build one binary per version of attention.c:

     K=Sources/CArborKernels
     clang -O3 -mavx2 -mfma -mf16c -fno-math-errno -I$K/include -I$K \
           Benchmarks/attention-microbench.c $K/[a-z]*.c -o /tmp/attention-microbench -lpthread -lm
     /tmp/attention-microbench

   chk hashes the output bits: it must not change when the kernel is made faster. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "arbor_kernels.h"

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float uniform(unsigned *s) {
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / (float)(1u << 24) - 0.5f;
}

static void run(arbor_pool *pool, const char *name, int n_head, int n_kv_head, int ctx, int n_tok) {
    const int hd = 64, kv_dim = n_kv_head * hd;
    const size_t n_slots = (size_t)ctx + n_tok, q_len = (size_t)n_tok * n_head * hd;
    uint16_t *k = malloc(n_slots * kv_dim * 2), *v = malloc(n_slots * kv_dim * 2);
    float *q = malloc(q_len * 4), *out = malloc(q_len * 4);
    int32_t *slots = malloc(n_slots * 4), *visible = malloc((size_t)n_tok * 4);
    unsigned seed = 1;
    for (size_t i = 0; i < n_slots * kv_dim; i++) k[i] = arbor_f32_to_f16(uniform(&seed)), v[i] = arbor_f32_to_f16(3 * uniform(&seed));
    for (size_t i = 0; i < q_len; i++) q[i] = 4 * uniform(&seed);
    for (size_t i = 0; i < n_slots; i++) slots[i] = (int32_t)i;
    for (int t = 0; t < n_tok; t++) visible[t] = ctx + t + 1; /* causal, after ctx cached keys */
    int reps = 0;
    const double t0 = cpu_now();
    double t1;
    do {
        arbor_attention(pool, out, q, n_tok, k, v, slots, visible, n_head, n_kv_head, hd, 0.125f);
        reps++;
        t1 = cpu_now();
    } while (t1 - t0 < 1.0);
    unsigned chk = 0;
    for (size_t i = 0; i < q_len; i++) {
        unsigned b;
        memcpy(&b, &out[i], 4);
        chk = chk * 31 + b;
    }
    const double pairs = (double)n_tok * n_head * (ctx + (n_tok + 1) / 2.0);
    printf("%-8s %2d/%d heads %4d keys %2d tokens: %6.2f ns per key*query  chk %08x\n", name, n_head, n_kv_head,
           ctx, n_tok, (t1 - t0) / reps * 1e9 / pairs, chk);
    free(k), free(v), free(q), free(out), free(slots), free(visible);
}

int main(void) {
    arbor_pool *pool = arbor_pool_create(1);
    const int contexts[] = {512, 2048, 4096}, tokens[] = {1, 32};
    for (int c = 0; c < 3; c++)
        for (int t = 0; t < 2; t++) {
            run(pool, "qwen2", 14, 2, contexts[c], tokens[t]);
            run(pool, "smollm2", 9, 3, contexts[c], tokens[t]);
        }
    arbor_pool_destroy(pool);
    return 0;
}
