/* Attention over a slot list with an f16 cache, computed like ggml's CPU flash attention
   for one query row: q rounded to f16, f16 dot products, online softmax in f32, the
   weighted sum of V kept in f16. Split across threads by (token, head). */
#include <math.h>

#include "kernels_internal.h"

#define MAX_HEAD_DIM 512

typedef struct {
    float *out;
    const float *q;
    int64_t n_tok;
    const uint16_t *k, *v;
    const int32_t *slots, *n_visible;
    int n_head, n_kv_head, head_dim;
    float scale;
} attention_job;

static void attend_one(const attention_job *j, int64_t t, int h) {
    const int hd = j->head_dim, kv_dim = j->n_kv_head * hd;
    const int kvh = h / (j->n_head / j->n_kv_head);
    uint16_t q16[MAX_HEAD_DIM], acc[MAX_HEAD_DIM];
    arbor_f32_to_f16_row(j->q + (t * j->n_head + h) * hd, q16, hd);
    memset(acc, 0, sizeof(uint16_t) * (size_t)hd);
    arbor_vec_dot_fn dot = arbor_vec_dot_for(ARBOR_TYPE_F16);
    float M = -INFINITY, S = 0.0f;
    const int32_t n = j->n_visible[t];
    for (int32_t i = 0; i < n; i++) {
        const int64_t slot = j->slots[i];
        const uint16_t *kr = j->k + slot * kv_dim + kvh * hd;
        const uint16_t *vr = j->v + slot * kv_dim + kvh * hd;
        const float s = dot(hd, kr, q16) * j->scale;
        float ms = 1.0f, vs = 1.0f;
        if (s > M) {
            const float old = M;
            M = s;
            ms = expf(old - M);
            int d = 0;
            const __m256 vm = _mm256_set1_ps(ms);
            for (; d + 8 <= hd; d += 8) {
                __m256 a = _mm256_mul_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + d))), vm);
                _mm_storeu_si128((__m128i *)(acc + d), _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT));
            }
            for (; d < hd; d++) acc[d] = f32_to_f16(f16_to_f32(acc[d]) * ms);
        } else {
            vs = expf(s - M);
        }
        int d = 0;
        const __m256 vv = _mm256_set1_ps(vs);
        for (; d + 8 <= hd; d += 8) {
            __m256 a = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(acc + d)));
            __m256 x = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vr + d)));
            a = _mm256_fmadd_ps(x, vv, a);
            _mm_storeu_si128((__m128i *)(acc + d), _mm256_cvtps_ph(a, _MM_FROUND_TO_NEAREST_INT));
        }
        for (; d < hd; d++) acc[d] = f32_to_f16(f16_to_f32(acc[d]) + f16_to_f32(vr[d]) * vs);
        S = S * ms + vs;
    }
    float *o = j->out + (t * j->n_head + h) * hd;
    const float inv = S == 0.0f ? 0.0f : 1.0f / S;
    for (int d = 0; d < hd; d++) o[d] = f16_to_f32(acc[d]) * inv;
}

static void attention_task(void *p, int ith, int nth) {
    const attention_job *j = p;
    const int64_t total = j->n_tok * j->n_head;
    const int64_t per = (total + nth - 1) / nth;
    const int64_t e = per * (ith + 1) < total ? per * (ith + 1) : total;
    for (int64_t r = per * ith; r < e; r++) attend_one(j, r / j->n_head, (int)(r % j->n_head));
}

void arbor_attention(arbor_pool *pool, float *restrict out, const float *restrict q,
                     int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                     const int32_t *restrict slots, const int32_t *restrict n_visible,
                     int n_head, int n_kv_head, int head_dim, float scale) {
    if (head_dim > MAX_HEAD_DIM || n_kv_head <= 0 || n_head % n_kv_head != 0) return;
    attention_job job = {out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head, head_dim, scale};
    arbor_pool_run(pool, attention_task, &job);
}
