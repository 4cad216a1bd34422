/* Attention over a slot list with an f16 cache, computed like ggml's CPU flash attention
   for one query row: q rounded to f16, f16 dot products, online softmax in f32, the
   weighted sum of V kept in f16.

   Two implementations give the same bits. attend_ref is the plain per-key loop for one
   (token, head): score, softmax update, V update, key after key. attend_group (the F16 dot
   of either lane order, head_dim a multiple of 64) serves a group of queries that share one
   KV head (the query heads of a grouped-query model, and in prefill several tokens): each
   chunk of keys and values is widened to f32 once for the whole group (exact, so every
   product is the one an f16 load would give), then each query runs three passes over it
   with its own state: (a) every score, the dot inlined and four keys' horizontal sums done
   together in the single dot's lane order; (b) the running maximum and the expf calls, in the same sequence with the same
   arguments; (c) the V updates with those factors, the accumulator kept in registers as f32
   values rounded through f16 after every step, exactly what storing it as f16 does. Each
   query's own sequence of operations is attend_ref's; only the loads are shared. Work is
   split across threads by groups, never inside a query's sum. */
#include <math.h>

#include "kernels_internal.h"

#define MAX_HEAD_DIM 512
/* keys per chunk x head_dim: the chunk's K and V widened to f32, 8 KiB each, stay in L1 */
#define CHUNK_FLOATS 2048
/* queries per group x head_dim: their widened queries and accumulators */
#define GROUP_FLOATS 2048
#define FAST_MIN_HEAD_DIM 64
#define MAX_CHUNK_KEYS (CHUNK_FLOATS / FAST_MIN_HEAD_DIM)
#define MAX_GROUP (GROUP_FLOATS / FAST_MIN_HEAD_DIM)

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

ALWAYS_INLINE void widen_f16(const uint16_t *restrict x, float *restrict y, int hd) {
    for (int d = 0; d < hd; d += 8) _mm256_storeu_ps(y + d, load_f16x8(x + d));
}

/* The vertical part of arbor_vec_dot_f16_avx2 (hd % 32 == 0) with the key and q already
   widened: four 8-lane fma accumulators over steps of 32, summed (0+2) + (1+3). */
ALWAYS_INLINE __m256 dot_lanes8_vertical(const float *x, const __m256 *qv, int hd) {
    __m256 s[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int i = 0; i < hd; i += 32)
        for (int c = 0; c < 4; c++) s[c] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * c), qv[i / 8 + c], s[c]);
    return _mm256_add_ps(_mm256_add_ps(s[0], s[2]), _mm256_add_ps(s[1], s[3]));
}

/* The vertical part of arbor_vec_dot_f16_lanes16_avx2 (hd % 64 == 0): four 16-lane
   accumulators (two 8-lane halves each) over steps of 64, summed pairwise, 16 lanes to 8. */
ALWAYS_INLINE __m256 dot_lanes16_vertical(const float *x, const __m256 *qv, int hd) {
    __m256 lo[4], hi[4];
    for (int c = 0; c < 4; c++) lo[c] = hi[c] = _mm256_setzero_ps();
    for (int i = 0; i < hd; i += 64) {
        for (int c = 0; c < 4; c++) {
            const int e = i + 16 * c;
            lo[c] = _mm256_fmadd_ps(_mm256_loadu_ps(x + e), qv[e / 8], lo[c]);
            hi[c] = _mm256_fmadd_ps(_mm256_loadu_ps(x + e + 8), qv[e / 8 + 1], hi[c]);
        }
    }
    lo[0] = _mm256_add_ps(lo[0], lo[2]), hi[0] = _mm256_add_ps(hi[0], hi[2]);
    lo[1] = _mm256_add_ps(lo[1], lo[3]), hi[1] = _mm256_add_ps(hi[1], hi[3]);
    return _mm256_add_ps(_mm256_add_ps(lo[0], lo[1]), _mm256_add_ps(hi[0], hi[1]));
}

/* Four keys' dots finished together: each 8-lane sum is folded to 4 lanes (low + high
   half), then the 4 x 4 block is transposed so that one vector add does a step of all four
   keys. The lane pairs are those of the single dots: lanes8 sums (0+1) + (2+3) as its two
   horizontal adds do, lanes16 sums (0+2) + (1+3) as its 8, 4, 2, 1 fold does. */
ALWAYS_INLINE __m128 dot_finish4(__m256 a, __m256 b, __m256 c, __m256 d, int lanes16) {
    __m128 r0 = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    __m128 r1 = _mm_add_ps(_mm256_castps256_ps128(b), _mm256_extractf128_ps(b, 1));
    __m128 r2 = _mm_add_ps(_mm256_castps256_ps128(c), _mm256_extractf128_ps(c, 1));
    __m128 r3 = _mm_add_ps(_mm256_castps256_ps128(d), _mm256_extractf128_ps(d, 1));
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    return lanes16 ? _mm_add_ps(_mm_add_ps(r0, r2), _mm_add_ps(r1, r3))
                   : _mm_add_ps(_mm_add_ps(r0, r1), _mm_add_ps(r2, r3));
}

/* dot_finish4 for one key */
ALWAYS_INLINE float dot_finish1(__m256 a, int lanes16) {
    const __m256 z = _mm256_setzero_ps();
    return _mm_cvtss_f32(dot_finish4(a, z, z, z, lanes16));
}

/* One query's running state between chunks: its maximum, its sum, its f16-valued
   accumulator (held as f32) and its query widened from f16. */
typedef struct {
    float *acc;
    const float *q;
    float M, S;
    int32_t n_visible;
} query_state;

/* attend_ref's steps for keys c0 .. c0 + cn of one query, over the chunk's widened K and V
   (see the top of the file). hd and lanes16 are constants in each instantiation below. */
ALWAYS_INLINE void attend_chunk(query_state *st, const float *kf, const float *vf, int cn, float scale,
                                int hd, int lanes16) {
    float sc[MAX_CHUNK_KEYS], msc[MAX_CHUNK_KEYS], vsc[MAX_CHUNK_KEYS];
    __m256 qv[MAX_HEAD_DIM / 8], acc[MAX_HEAD_DIM / 8];
    for (int d = 0; d < hd / 8; d++) qv[d] = _mm256_loadu_ps(st->q + 8 * d);
    /* (a) scores */
#define DOT_VERTICAL(i) (lanes16 ? dot_lanes16_vertical(kf + (i) * hd, qv, hd) : dot_lanes8_vertical(kf + (i) * hd, qv, hd))
    int i = 0;
    for (; i + 4 <= cn; i += 4) {
        const __m128 s4 = dot_finish4(DOT_VERTICAL(i), DOT_VERTICAL(i + 1), DOT_VERTICAL(i + 2),
                                      DOT_VERTICAL(i + 3), lanes16);
        _mm_storeu_ps(sc + i, _mm_mul_ps(s4, _mm_set1_ps(scale)));
    }
    for (; i < cn; i++) sc[i] = dot_finish1(DOT_VERTICAL(i), lanes16) * scale;
#undef DOT_VERTICAL
    /* (b) the online softmax: same maximum updates, same expf arguments */
    float M = st->M, S = st->S;
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
    st->M = M, st->S = S;
    /* (c) V: scaling by 1 leaves an f16 value as it is, so that step is skipped */
    for (int d = 0; d < hd / 8; d++) acc[d] = _mm256_loadu_ps(st->acc + 8 * d);
    for (int i = 0; i < cn; i++) {
        const float *vr = vf + i * hd;
        const float ms = msc[i];
        if (ms != 1.0f) {
            const __m256 vm = _mm256_set1_ps(ms);
            for (int d = 0; d < hd / 8; d++) acc[d] = round_f16x8(_mm256_mul_ps(acc[d], vm));
        }
        const __m256 vv = _mm256_set1_ps(vsc[i]);
        for (int d = 0; d < hd / 8; d++) acc[d] = round_f16x8(_mm256_fmadd_ps(_mm256_loadu_ps(vr + 8 * d), vv, acc[d]));
    }
    for (int d = 0; d < hd / 8; d++) _mm256_storeu_ps(st->acc + 8 * d, acc[d]);
}

/* Queries q0 .. q1 of KV head kvh, query index t * group + g for query head kvh * group + g
   of token t (group = n_head / n_kv_head): at most GROUP_FLOATS / hd of them. */
ALWAYS_INLINE void attend_group(const attention_job *j, int kvh, int64_t q0, int64_t q1, int hd, int lanes16) {
    const int group = j->n_head / j->n_kv_head, kv_dim = j->n_kv_head * hd, chunk = CHUNK_FLOATS / hd;
    const int nq = (int)(q1 - q0);
    float qf[GROUP_FLOATS], accs[GROUP_FLOATS];  /* [nq][hd] */
    float kf[CHUNK_FLOATS], vf[CHUNK_FLOATS];    /* [chunk][hd] */
    query_state st[MAX_GROUP];
    int32_t n_max = 0;
    for (int i = 0; i < nq; i++) {
        const int64_t t = (q0 + i) / group;
        const int h = kvh * group + (int)((q0 + i) % group);
        uint16_t q16[MAX_HEAD_DIM];
        arbor_f32_to_f16_row(j->q + (t * j->n_head + h) * hd, q16, hd);
        widen_f16(q16, qf + i * hd, hd);
        memset(accs + i * hd, 0, sizeof(float) * (size_t)hd);
        st[i] = (query_state){accs + i * hd, qf + i * hd, -INFINITY, 0.0f, j->n_visible[t]};
        if (st[i].n_visible > n_max) n_max = st[i].n_visible;
    }
    const uint16_t *kbase = j->k + kvh * hd, *vbase = j->v + kvh * hd;
    for (int32_t c0 = 0; c0 < n_max; c0 += chunk) {
        const int cn = n_max - c0 < chunk ? (int)(n_max - c0) : chunk;
        /* the chunk's keys and values, loaded and widened once for every query of the group */
        for (int i = 0; i < cn; i++) {
            const int64_t slot = j->slots[c0 + i];
            widen_f16(kbase + slot * kv_dim, kf + i * hd, hd);
            widen_f16(vbase + slot * kv_dim, vf + i * hd, hd);
        }
        for (int i = 0; i < nq; i++) {
            const int32_t left = st[i].n_visible - c0;
            if (left > 0) attend_chunk(&st[i], kf, vf, left < cn ? (int)left : cn, j->scale, hd, lanes16);
        }
    }
    for (int i = 0; i < nq; i++) {
        const int64_t t = (q0 + i) / group;
        const int h = kvh * group + (int)((q0 + i) % group);
        float *o = j->out + (t * j->n_head + h) * hd;
        const __m256 inv = _mm256_set1_ps(st[i].S == 0.0f ? 0.0f : 1.0f / st[i].S);
        for (int d = 0; d < hd / 8; d++) _mm256_storeu_ps(o + 8 * d, _mm256_mul_ps(_mm256_loadu_ps(st[i].acc + 8 * d), inv));
    }
}

#define GROUP_VARIANT(name, hd, lanes16)                                                 \
    static void name(const attention_job *j, int kvh, int64_t q0, int64_t q1) {          \
        attend_group(j, kvh, q0, q1, hd, lanes16);                                       \
    }
GROUP_VARIANT(attend_64_lanes8, 64, 0)
GROUP_VARIANT(attend_64_lanes16, 64, 1)
GROUP_VARIANT(attend_128_lanes8, 128, 0)
GROUP_VARIANT(attend_128_lanes16, 128, 1)
GROUP_VARIANT(attend_any_lanes8, j->head_dim, 0)
GROUP_VARIANT(attend_any_lanes16, j->head_dim, 1)

typedef void (*attend_group_fn)(const attention_job *j, int kvh, int64_t q0, int64_t q1);

/* The variant that gives attend_ref's bits for this head size and the F16 dot in effect,
   or NULL where only attend_ref does. */
static attend_group_fn attend_group_for(int head_dim) {
    const arbor_vec_dot_fn dot = arbor_vec_dot_for(ARBOR_TYPE_F16);
    const int lanes16 = dot == arbor_vec_dot_f16_lanes16_avx2;
    if ((dot != arbor_vec_dot_f16_avx2 && !lanes16) || head_dim % 64 != 0) return NULL;
    if (head_dim == 64) return lanes16 ? attend_64_lanes16 : attend_64_lanes8;
    if (head_dim == 128) return lanes16 ? attend_128_lanes16 : attend_128_lanes8;
    return lanes16 ? attend_any_lanes16 : attend_any_lanes8;
}

typedef struct {
    attention_job job;
    attend_group_fn attend; /* NULL: attend_ref per (token, head) */
    int64_t per_kv_queries; /* n_tok * group */
    int64_t groups_per_kv;  /* the KV head's queries cut into this many even groups */
} attention_task_args;

/* Items are groups, heaviest first: in prefill later tokens see more keys, so the last
   groups are claimed first and the pool's chunks even out. */
static void attention_task(void *p, int ith, int nth) {
    const attention_task_args *a = p;
    const attention_job *j = &a->job;
    if (!a->attend) {
        const int64_t total = j->n_tok * j->n_head;
        for (int64_t r = total * ith / nth; r < total * (ith + 1) / nth; r++)
            attend_ref(j, r / j->n_head, (int)(r % j->n_head));
        return;
    }
    const int64_t total = a->groups_per_kv * j->n_kv_head, nq = a->per_kv_queries, ng = a->groups_per_kv;
    for (int64_t r = total * ith / nth; r < total * (ith + 1) / nth; r++) {
        const int64_t g = ng - 1 - r / j->n_kv_head;
        a->attend(j, (int)(r % j->n_kv_head), nq * g / ng, nq * (g + 1) / ng);
    }
}

static void run_attention(arbor_pool *pool, attend_group_fn attend, float *out, const float *q, int64_t n_tok,
                          const uint16_t *k, const uint16_t *v, const int32_t *slots,
                          const int32_t *n_visible, int n_head, int n_kv_head, int head_dim, float scale) {
    if (head_dim > MAX_HEAD_DIM || n_kv_head <= 0 || n_head % n_kv_head != 0) return;
    const int64_t per_kv = n_tok * (n_head / n_kv_head), max_group = GROUP_FLOATS / (head_dim > 0 ? head_dim : 1);
    int64_t groups = (per_kv + max_group - 1) / max_group;
    /* few groups (a decode step): cut finer until the threads get equal counts, as long as
       that leaves queries to share the loads (3 KV heads on 2 threads: 6 groups, not 3) */
    const int threads = arbor_pool_threads(pool);
    while (groups * n_kv_head < 4 * threads && (groups * n_kv_head) % threads != 0 && groups < per_kv) groups++;
    attention_task_args args = {{out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head, head_dim, scale},
                                attend, per_kv, groups};
    arbor_pool_run(pool, attention_task, &args);
}

void arbor_attention(arbor_pool *pool, float *restrict out, const float *restrict q,
                     int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                     const int32_t *restrict slots, const int32_t *restrict n_visible,
                     int n_head, int n_kv_head, int head_dim, float scale) {
    run_attention(pool, attend_group_for(head_dim), out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head,
                  head_dim, scale);
}

void arbor_attention_ref(arbor_pool *pool, float *restrict out, const float *restrict q,
                         int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                         const int32_t *restrict slots, const int32_t *restrict n_visible,
                         int n_head, int n_kv_head, int head_dim, float scale) {
    run_attention(pool, NULL, out, q, n_tok, k, v, slots, n_visible, n_head, n_kv_head, head_dim,
                  scale);
}
