/* Attention over a slot list with an f16 cache, computed like ggml's CPU flash attention
   for one query row: q rounded to f16, f16 dot products, online softmax in f32, the
   weighted sum of V kept in f16. Split across threads by (token, head).

   Two implementations give the same bits. attend_ref is the plain per-key loop: score,
   softmax update, V update, key after key. attend_fast (the F16 dot of either lane order,
   head_dim a multiple of 64) does the same arithmetic in three passes over chunks of keys:
   (a) every score, with the dot inlined so that consecutive keys overlap in the CPU;
   (b) the running maximum and the expf calls, in the same sequence with the same
   arguments, which no longer wait on the V updates; (c) the V updates with those factors,
   the accumulator kept in registers as f32 values rounded through f16 after every step,
   exactly what storing it as f16 does. Everything else uses attend_ref. */
#include <math.h>

#include "kernels_internal.h"

#define MAX_HEAD_DIM 512
#define KEY_CHUNK 256

typedef struct {
    float *out;
    const float *q;
    int64_t n_tok;
    const uint16_t *k, *v;
    const int32_t *slots, *n_visible;
    int n_head, n_kv_head, head_dim;
    float scale;
} attention_job;

static void attend_ref(const attention_job *j, int64_t t, int h) {
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

#define ALWAYS_INLINE static inline __attribute__((always_inline))

ALWAYS_INLINE __m256 load_f16x8(const uint16_t *p) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

/* f32 -> f16 -> f32: the value an f16 store and reload leaves */
ALWAYS_INLINE __m256 round_f16x8(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

/* arbor_vec_dot_f16_avx2 for hd % 32 == 0 with q already widened: four 8-lane fma
   accumulators over steps of 32, summed (0+2) + (1+3), halves, then two horizontal adds.
   The sum goes through a double there, which is exact for a float with no tail. */
ALWAYS_INLINE float dot_f16_lanes8(const uint16_t *x, const __m256 *qv, int hd) {
    __m256 s[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int i = 0; i < hd; i += 32)
        for (int c = 0; c < 4; c++) s[c] = _mm256_fmadd_ps(load_f16x8(x + i + 8 * c), qv[i / 8 + c], s[c]);
    s[0] = _mm256_add_ps(s[0], s[2]);
    s[1] = _mm256_add_ps(s[1], s[3]);
    s[0] = _mm256_add_ps(s[0], s[1]);
    __m128 t = _mm_add_ps(_mm256_castps256_ps128(s[0]), _mm256_extractf128_ps(s[0], 1));
    t = _mm_hadd_ps(t, t);
    return _mm_cvtss_f32(_mm_hadd_ps(t, t));
}

/* arbor_vec_dot_f16_lanes16_avx2 for hd % 64 == 0: four 16-lane accumulators (two 8-lane
   halves each) over steps of 64, summed pairwise, the 16 lanes folded 8, 4, 2, 1. */
ALWAYS_INLINE float dot_f16_lanes16(const uint16_t *x, const __m256 *qv, int hd) {
    __m256 lo[4], hi[4];
    for (int c = 0; c < 4; c++) lo[c] = hi[c] = _mm256_setzero_ps();
    for (int i = 0; i < hd; i += 64) {
        for (int c = 0; c < 4; c++) {
            const int e = i + 16 * c;
            lo[c] = _mm256_fmadd_ps(load_f16x8(x + e), qv[e / 8], lo[c]);
            hi[c] = _mm256_fmadd_ps(load_f16x8(x + e + 8), qv[e / 8 + 1], hi[c]);
        }
    }
    lo[0] = _mm256_add_ps(lo[0], lo[2]), hi[0] = _mm256_add_ps(hi[0], hi[2]);
    lo[1] = _mm256_add_ps(lo[1], lo[3]), hi[1] = _mm256_add_ps(hi[1], hi[3]);
    lo[0] = _mm256_add_ps(lo[0], lo[1]), hi[0] = _mm256_add_ps(hi[0], hi[1]);
    const __m256 t8 = _mm256_add_ps(lo[0], hi[0]);
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
    t4 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t4, _mm_shuffle_ps(t4, t4, 1)));
}

/* attend_ref's arithmetic in three passes per chunk of keys (see the top of the file).
   hd and lanes16 are constants in each instantiation below. */
ALWAYS_INLINE void attend_fast(const attention_job *j, int64_t t, int h, int hd, int lanes16) {
    const int kv_dim = j->n_kv_head * hd;
    const int kvh = h / (j->n_head / j->n_kv_head);
    const uint16_t *kbase = j->k + kvh * hd, *vbase = j->v + kvh * hd;
    uint16_t q16[MAX_HEAD_DIM];
    __m256 qv[MAX_HEAD_DIM / 8], acc[MAX_HEAD_DIM / 8];
    float sc[KEY_CHUNK], msc[KEY_CHUNK], vsc[KEY_CHUNK];
    arbor_f32_to_f16_row(j->q + (t * j->n_head + h) * hd, q16, hd);
    for (int d = 0; d < hd / 8; d++) qv[d] = load_f16x8(q16 + 8 * d), acc[d] = _mm256_setzero_ps();
    const float scale = j->scale;
    float M = -INFINITY, S = 0.0f;
    const int32_t n = j->n_visible[t];
    for (int32_t c0 = 0; c0 < n; c0 += KEY_CHUNK) {
        const int cn = n - c0 < KEY_CHUNK ? (int)(n - c0) : KEY_CHUNK;
        const int32_t *sl = j->slots + c0;
        /* (a) scores */
        for (int i = 0; i < cn; i++) {
            const uint16_t *kr = kbase + (int64_t)sl[i] * kv_dim;
            sc[i] = (lanes16 ? dot_f16_lanes16(kr, qv, hd) : dot_f16_lanes8(kr, qv, hd)) * scale;
        }
        /* (b) the online softmax: same maximum updates, same expf arguments */
        for (int i = 0; i < cn; i++) {
            const float s = sc[i];
            float ms = 1.0f, vs = 1.0f;
            if (s > M) {
                const float old = M;
                M = s;
                ms = expf(old - M);
            } else {
                vs = expf(s - M);
            }
            msc[i] = ms, vsc[i] = vs;
            S = S * ms + vs;
        }
        /* (c) V: scaling by 1 leaves an f16 value as it is, so that step is skipped */
        for (int i = 0; i < cn; i++) {
            const uint16_t *vr = vbase + (int64_t)sl[i] * kv_dim;
            const float ms = msc[i];
            if (ms != 1.0f) {
                const __m256 vm = _mm256_set1_ps(ms);
                for (int d = 0; d < hd / 8; d++) acc[d] = round_f16x8(_mm256_mul_ps(acc[d], vm));
            }
            const __m256 vv = _mm256_set1_ps(vsc[i]);
            for (int d = 0; d < hd / 8; d++) acc[d] = round_f16x8(_mm256_fmadd_ps(load_f16x8(vr + 8 * d), vv, acc[d]));
        }
    }
    float *o = j->out + (t * j->n_head + h) * hd;
    const __m256 inv = _mm256_set1_ps(S == 0.0f ? 0.0f : 1.0f / S);
    for (int d = 0; d < hd / 8; d++) _mm256_storeu_ps(o + 8 * d, _mm256_mul_ps(acc[d], inv));
}

static void attend_64_lanes8(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, 64, 0); }
static void attend_64_lanes16(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, 64, 1); }
static void attend_128_lanes8(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, 128, 0); }
static void attend_128_lanes16(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, 128, 1); }
static void attend_any_lanes8(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, j->head_dim, 0); }
static void attend_any_lanes16(const attention_job *j, int64_t t, int h) { attend_fast(j, t, h, j->head_dim, 1); }

typedef void (*attend_fn)(const attention_job *j, int64_t t, int h);

/* The variant that gives attend_ref's bits for this head size and the F16 dot in effect. */
static attend_fn attend_for(int head_dim) {
    const arbor_vec_dot_fn dot = arbor_vec_dot_for(ARBOR_TYPE_F16);
    const int lanes16 = dot == arbor_vec_dot_f16_lanes16_avx2;
    if ((dot != arbor_vec_dot_f16_avx2 && !lanes16) || head_dim % 64 != 0) return attend_ref;
    if (head_dim == 64) return lanes16 ? attend_64_lanes16 : attend_64_lanes8;
    if (head_dim == 128) return lanes16 ? attend_128_lanes16 : attend_128_lanes8;
    return lanes16 ? attend_any_lanes16 : attend_any_lanes8;
}

typedef struct {
    attention_job job;
    attend_fn attend;
} attention_task_args;

static void attention_task(void *p, int ith, int nth) {
    const attention_task_args *a = p;
    const attention_job *j = &a->job;
    const int64_t total = j->n_tok * j->n_head;
    const int64_t per = (total + nth - 1) / nth;
    const int64_t e = per * (ith + 1) < total ? per * (ith + 1) : total;
    for (int64_t r = per * ith; r < e; r++) a->attend(j, r / j->n_head, (int)(r % j->n_head));
}

static void run_attention(arbor_pool *pool, attend_fn attend, float *out, const float *q, int64_t n_tok,
                          const uint16_t *k, const uint16_t *v, const int32_t *slots,
                          const int32_t *n_visible, int n_head, int n_kv_head, int head_dim, float scale) {
    if (head_dim > MAX_HEAD_DIM || n_kv_head <= 0 || n_head % n_kv_head != 0) return;
    attention_task_args args = {{out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head, head_dim, scale},
                                attend};
    arbor_pool_run(pool, attention_task, &args);
}

void arbor_attention(arbor_pool *pool, float *restrict out, const float *restrict q,
                     int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                     const int32_t *restrict slots, const int32_t *restrict n_visible,
                     int n_head, int n_kv_head, int head_dim, float scale) {
    run_attention(pool, attend_for(head_dim), out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head,
                  head_dim, scale);
}

void arbor_attention_ref(arbor_pool *pool, float *restrict out, const float *restrict q,
                         int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                         const int32_t *restrict slots, const int32_t *restrict n_visible,
                         int n_head, int n_kv_head, int head_dim, float scale) {
    run_attention(pool, attend_ref, out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head, head_dim,
                  scale);
}
