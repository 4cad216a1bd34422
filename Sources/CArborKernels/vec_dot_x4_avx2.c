/* Four activation rows (tokens) against one weight row, for prefill. The weight block is
   loaded and unpacked once for the four tokens; everything after that is, per token, exactly
   the operations of the single-row AVX2 dot in vec_dot_avx2.c, in the same order: the same
   int32 lanes per block (integer sums are exact, so how they are formed does not matter),
   the same float scale d = x.d * y.d rounded once, one fma per block into 8 lanes, the same
   final reduction. So out[k] is bit-identical to the single-row dot of token k, and a
   token's numbers never depend on the batch it arrived in. */
#include "simd_avx2.h"

/* The f16 scales at the start of four activation blocks, as four floats. */
static inline __m128 f16x4(const void *p0, const void *p1, const void *p2, const void *p3) {
    uint16_t h[4];
    memcpy(&h[0], p0, 2);
    memcpy(&h[1], p1, 2);
    memcpy(&h[2], p2, 2);
    memcpy(&h[3], p3, 2);
    uint64_t v;
    memcpy(&v, h, 8);
    return _mm_cvtph_ps(_mm_cvtsi64_si128((long long)v));
}

/* The four tokens' scales of one Q8_0 block column times the weight block's scale: the
   products d_x * d_y of the single-row dot, one rounding each. */
static inline void q8_0_scales(float *s, int nt, float dx, const arbor_block_q8_0 *const *y, int64_t i) {
    for (int k = 0; k < nt; k += 4)
        _mm_storeu_ps(s + k, _mm_mul_ps(_mm_set1_ps(dx), f16x4(&y[k][i].d, &y[k + 1][i].d, &y[k + 2][i].d, &y[k + 3][i].d)));
}

/* Signed weight bytes qx against four tokens' Q8_0 blocks: acc[k] += s[k] * (int lanes). */
static inline void q8_0_block(__m256 *acc, int nt, __m256i qx, const arbor_block_q8_0 *const *y, int64_t i,
                              const float *s) {
    const __m256i ax = _mm256_sign_epi8(qx, qx), ones = _mm256_set1_epi16(1);
    for (int k = 0; k < nt; k++) {
        const __m256i qy = _mm256_sign_epi8(_mm256_loadu_si256((const __m256i *)y[k][i].qs), qx);
        const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(ax, qy), ones);
        acc[k] = _mm256_fmadd_ps(_mm256_broadcast_ss(&s[k]), _mm256_cvtepi32_ps(p), acc[k]);
    }
}

/* Q5_0 and Q8_0 weights, both dotted with Q8_0 tokens: only the unpacking of the weight
   block differs (q5 is a constant in each caller, so each gets its own loop). */
static inline void q8_0_act_tokens(int nt, int q5, int64_t n, const void *restrict w, const void *restrict a,
                                   size_t a_stride, float *out) {
    const size_t block_bytes = q5 ? sizeof(arbor_block_q5_0) : sizeof(arbor_block_q8_0);
    const arbor_block_q8_0 *y[8];
    __m256 acc[8];
    for (int k = 0; k < nt; k++) {
        y[k] = (const arbor_block_q8_0 *)((const uint8_t *)a + (size_t)k * a_stride);
        acc[k] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        const uint8_t *block = (const uint8_t *)w + (size_t)i * block_bytes;
        uint16_t d;
        memcpy(&d, block, 2); /* both blocks start with their f16 scale */
        float s[8];
        q8_0_scales(s, nt, f16_to_f32(d), y, i);
        __m256i qx;
        if (q5) {
            const arbor_block_q5_0 *x = (const arbor_block_q5_0 *)block;
            /* nibble | 0xF0 where the fifth bit is clear: as int8 that is nibble - 16 */
            const __m256i hi = _mm256_andnot_si256(bits32(x->qh), _mm256_set1_epi8((char)0xF0));
            qx = _mm256_or_si256(nibbles32(x->qs), hi);
        } else {
            qx = _mm256_loadu_si256((const __m256i *)((const arbor_block_q8_0 *)block)->qs);
        }
        q8_0_block(acc, nt, qx, y, i, s);
    }
    for (int k = 0; k < nt; k++) out[k] = hsum8(acc[k]);
}

static inline void q5_0_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a, size_t a_stride,
                               float *out) {
    q8_0_act_tokens(nt, 1, n, w, a, a_stride, out);
}

static inline void q8_0_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a, size_t a_stride,
                               float *out) {
    q8_0_act_tokens(nt, 0, n, w, a, a_stride, out);
}

/* Q4_1: the four tokens' scales are converted and multiplied as one vector, as the
   four-row kernel does for rows: [d m d m ...] against [yd0 ys0 yd1 ys1 ...] gives d*yd_k in
   the even lanes (the block scale) and m*ys_k in the odd ones, summed by fma like the single
   dot's m_x * s_y. */
static inline void q4_1_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a,
                               size_t a_stride, float *out) {
    const arbor_block_q4_1 *x = w;
    const arbor_block_q8_1 *y[8];
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[8], summs[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}; /* lane 2k+1: token k's sum of m * s */
    for (int k = 0; k < nt; k++) {
        y[k] = (const arbor_block_q8_1 *)((const uint8_t *)a + (size_t)k * a_stride);
        acc[k] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        const __m128 xdm = _mm_cvtph_ps(_mm_cvtsi32_si128((int)load_u32(&x[i].d)));
        const __m256 xs = _mm256_castpd_ps(_mm256_broadcastsd_pd(_mm_castps_pd(xdm)));
        const __m256i qx = nibbles32(x[i].qs);
        for (int g = 0; g < nt / 4; g++) {
            const arbor_block_q8_1 *const *yg = y + 4 * g;
            const __m256 ys = f16_pairs4(&yg[0][i].d, &yg[1][i].d, &yg[2][i].d, &yg[3][i].d);
            const __m256 scale = _mm256_mul_ps(xs, ys);
            summs[g] = _mm256_fmadd_ps(xs, ys, summs[g]);
            for (int k = 0; k < 4; k++) {
                const __m256i qy = _mm256_loadu_si256((const __m256i *)yg[k][i].qs);
                const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(qx, qy), ones);
                acc[4 * g + k] = _mm256_fmadd_ps(lane_bcast(scale, 2 * k), _mm256_cvtepi32_ps(p), acc[4 * g + k]);
            }
        }
    }
    for (int g = 0; g < nt / 4; g++) {
        float m[8];
        _mm256_storeu_ps(m, summs[g]);
        for (int k = 0; k < 4; k++) out[4 * g + k] = hsum8(acc[4 * g + k]) + m[2 * k + 1];
    }
}

/* lo, hi: 32 unsigned quants each (sub-blocks 2j and 2j+1 of a Q4_K/Q5_K block) against
   four tokens' 64 activations at offset 64j, scaled by the sub-block scales, into sumi[k]. */
static inline void k_pair(__m256i *sumi, int nt, __m256i lo, __m256i hi, __m256i s0, __m256i s1,
                          const arbor_block_q8_K *const *y, int64_t i, int j) {
    for (int k = 0; k < nt; k++) {
        const __m256i y0 = _mm256_loadu_si256((const __m256i *)(y[k][i].qs + 64 * j));
        const __m256i y1 = _mm256_loadu_si256((const __m256i *)(y[k][i].qs + 64 * j + 32));
        const __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), s0);
        const __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), s1);
        sumi[k] = _mm256_add_epi32(sumi[k], _mm256_add_epi32(p0, p1));
    }
}

static inline void q4_K_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a,
                               size_t a_stride, float *out) {
    const arbor_block_q4_K *x = w;
    const arbor_block_q8_K *y[8];
    for (int k = 0; k < nt; k++) y[k] = (const arbor_block_q8_K *)((const uint8_t *)a + (size_t)k * a_stride);
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc[8];
    __m128 acc_m[8];
    for (int k = 0; k < nt; k++) acc[k] = _mm256_setzero_ps(), acc_m[k] = _mm_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) k_scale_min(j, x[i].scales, &sc[j], &mn[j]);
        const float xd = f16_to_f32(x[i].d), xdmin = f16_to_f32(x[i].dmin);
        __m256i sumi[8];
        for (int k = 0; k < nt; k++) sumi[k] = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i q4 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * j));
            const __m256i lo = _mm256_and_si256(q4, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            k_pair(sumi, nt, lo, hi, _mm256_set1_epi16(sc[2 * j]), _mm256_set1_epi16(sc[2 * j + 1]), y, i, j);
        }
        for (int k = 0; k < nt; k++) {
            const float d = y[k][i].d * xd, dmin = -y[k][i].d * xdmin;
            acc_m[k] = _mm_fmadd_ps(_mm_set1_ps(dmin), k_mins_dot4(mn, y[k][i].bsums), acc_m[k]);
            acc[k] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[k]), acc[k]);
        }
    }
    for (int k = 0; k < nt; k++) out[k] = hsum8(acc[k]) + hsum4(acc_m[k]);
}

static inline void q5_K_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a,
                               size_t a_stride, float *out) {
    const arbor_block_q5_K *x = w;
    const arbor_block_q8_K *y[8];
    for (int k = 0; k < nt; k++) y[k] = (const arbor_block_q8_K *)((const uint8_t *)a + (size_t)k * a_stride);
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc[8];
    float summs[8];
    for (int k = 0; k < nt; k++) acc[k] = _mm256_setzero_ps(), summs[k] = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) k_scale_min(j, x[i].scales, &sc[j], &mn[j]);
        const float xd = f16_to_f32(x[i].d), xdmin = f16_to_f32(x[i].dmin);
        const __m256i hbits = _mm256_loadu_si256((const __m256i *)x[i].qh);
        __m256i sumi[8];
        for (int k = 0; k < nt; k++) sumi[k] = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            const __m256i q4 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * j));
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j), one), 4);
            const __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j + 1), one), 4);
            const __m256i lo = _mm256_or_si256(_mm256_and_si256(q4, m4), h0);
            const __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q4, 4), m4), h1);
            k_pair(sumi, nt, lo, hi, _mm256_set1_epi16(sc[2 * j]), _mm256_set1_epi16(sc[2 * j + 1]), y, i, j);
        }
        for (int k = 0; k < nt; k++) {
            const float d = y[k][i].d * xd, dmin = -y[k][i].d * xdmin;
            summs[k] = __builtin_fmaf(dmin, (float)k_mins_dot(mn, y[k][i].bsums), summs[k]);
            acc[k] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[k]), acc[k]);
        }
    }
    for (int k = 0; k < nt; k++) out[k] = hsum8(acc[k]) + summs[k];
}

/* 32 unsigned 6-bit quants times 32 int8, scaled per 16 by the pair s (s0 in the low lane,
   s1 in the high one), as the single-row Q6_K dot's q6_part. */
static inline __m256i q6_part(__m256i q, const int8_t *q8, __m256i s) {
    const __m256i y = _mm256_loadu_si256((const __m256i *)q8);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), s);
}

static inline __m256i scale_pair(const int8_t *sc) {
    return _mm256_set_m128i(_mm_set1_epi16((short)sc[1]), _mm_set1_epi16((short)sc[0]));
}

static inline void q6_K_tokens(int nt, int64_t n, const void *restrict w, const void *restrict a,
                               size_t a_stride, float *out) {
    const arbor_block_q6_K *x = w;
    const arbor_block_q8_K *y[8];
    for (int k = 0; k < nt; k++) y[k] = (const arbor_block_q8_K *)((const uint8_t *)a + (size_t)k * a_stride);
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(3);
    __m256 acc[8];
    for (int k = 0; k < nt; k++) acc[k] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x[i].scales));
        /* lane l: 32 * (bsums[2l] * scales[2l] + bsums[2l+1] * scales[2l+1]), taken off at the end */
        __m256i sumi[8];
        for (int k = 0; k < nt; k++) {
            const __m256i bsums = _mm256_loadu_si256((const __m256i *)y[k][i].bsums);
            sumi[k] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(bsums, scales16), 5));
        }
        for (int h = 0; h < 2; h++, ql += 64, qh += 32, sc += 8) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i hb = _mm256_loadu_si256((const __m256i *)qh);
            const __m256i q1 = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
            const __m256i q2 = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
            const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
            const __m256i q4 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
            const __m256i s01 = scale_pair(sc), s23 = scale_pair(sc + 2), s45 = scale_pair(sc + 4), s67 = scale_pair(sc + 6);
            for (int k = 0; k < nt; k++) {
                const int8_t *q8 = y[k][i].qs + 128 * h;
                const __m256i a = _mm256_add_epi32(q6_part(q1, q8, s01), q6_part(q2, q8 + 32, s23));
                const __m256i b = _mm256_add_epi32(q6_part(q3, q8 + 64, s45), q6_part(q4, q8 + 96, s67));
                sumi[k] = _mm256_add_epi32(sumi[k], _mm256_add_epi32(a, b));
            }
        }
        const float xd = f16_to_f32(x[i].d);
        for (int k = 0; k < nt; k++) {
            acc[k] = _mm256_fmadd_ps(_mm256_set1_ps(y[k][i].d * xd), _mm256_cvtepi32_ps(sumi[k]), acc[k]);
        }
    }
    for (int k = 0; k < nt; k++) out[k] = hsum8(acc[k]);
}

/* The entry points: four or eight tokens per pass over the weight row. */
#define TOKENS_ENTRY(name, nt)                                                                        \
    void arbor_vec_dot_##name##_x##nt##_avx2(int64_t n, const void *restrict w, const void *restrict a, \
                                             size_t a_stride, float out[nt]) {                       \
        name##_tokens(nt, n, w, a, a_stride, out);                                                   \
    }
TOKENS_ENTRY(q4_1, 4)
TOKENS_ENTRY(q4_1, 8)
TOKENS_ENTRY(q5_0, 4)
TOKENS_ENTRY(q5_0, 8)
TOKENS_ENTRY(q8_0, 4)
TOKENS_ENTRY(q8_0, 8)
TOKENS_ENTRY(q4_K, 4)
TOKENS_ENTRY(q5_K, 4)
TOKENS_ENTRY(q6_K, 4)
TOKENS_ENTRY(q6_K, 8)
