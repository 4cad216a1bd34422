#ifndef ARBOR_SIMD_AVX2_H
#define ARBOR_SIMD_AVX2_H
/* AVX2 helpers shared by the dot-product files (vec_dot_avx2.c, vec_dot_x4_avx2.c). */
#include "kernels_internal.h"

static inline float hsum8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

/* 16 bytes of nibbles -> 32 bytes: low nibbles first, then high nibbles (block order). */
static inline __m256i nibbles32(const uint8_t *p) {
    __m128i t = _mm_loadu_si128((const __m128i *)p);
    __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

/* 32 bits -> 32 bytes, 0xFF where the bit is set. */
static inline __m256i bits32(const uint8_t *p) {
    uint32_t x;
    memcpy(&x, p, 4);
    const __m256i shuf = _mm256_setr_epi64x(0x0000000000000000, 0x0101010101010101,
                                            0x0202020202020202, 0x0303030303030303);
    __m256i b = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x), shuf);
    b = _mm256_or_si256(b, _mm256_set1_epi64x((long long)0x7fbfdfeff7fbfdfeULL));
    return _mm256_cmpeq_epi8(b, _mm256_set1_epi64x(-1));
}

/* Sum of m_j * (bsums of sub-block j) for the K-quant minimums. */
static inline int k_mins_dot(const uint8_t *mins, const int16_t *bsums) {
    int s = 0;
    for (int j = 0; j < 8; j++) s += mins[j] * (bsums[2 * j] + bsums[2 * j + 1]);
    return s;
}

/* The four int32 lanes ggml's Q4_K scales its minimums in: lane m holds sub-blocks 2m, 2m+1. */
static inline __m128 k_mins_dot4(const uint8_t *mins, const int16_t *bsums) {
    int32_t lane[4];
    for (int m = 0; m < 4; m++) {
        lane[m] = mins[2 * m] * (bsums[4 * m] + bsums[4 * m + 1]) + mins[2 * m + 1] * (bsums[4 * m + 2] + bsums[4 * m + 3]);
    }
    return _mm_cvtepi32_ps(_mm_loadu_si128((const __m128i *)lane));
}

/* (0 + 2) + (1 + 3) of four lanes */
static inline float hsum4(__m128 x) {
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_add_ss(x, _mm_movehdup_ps(x)));
}

static inline uint32_t load_u32(const void *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The f16 pairs at p0..p3 (four bytes each) as eight floats [a0 b0 a1 b1 a2 b2 a3 b3]. */
static inline __m256 f16_pairs4(const void *p0, const void *p1, const void *p2, const void *p3) {
    __m128i h = _mm_cvtsi32_si128((int)load_u32(p0));
    h = _mm_insert_epi32(h, (int)load_u32(p1), 1);
    h = _mm_insert_epi32(h, (int)load_u32(p2), 2);
    h = _mm_insert_epi32(h, (int)load_u32(p3), 3);
    return _mm256_cvtph_ps(h);
}

static inline __m256 lane_bcast(__m256 v, int lane) {
    return _mm256_permutevar8x32_ps(v, _mm256_set1_epi32(lane));
}

#endif
