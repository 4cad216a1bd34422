/* AVX2/FMA dot products. Integer products per block are exact (as in the reference); the
   per-block float scales accumulate in 8 lanes with FMA and are summed once at the end,
   so results differ from the reference only by float summation order. That order is
   llama.cpp's: every kernel here gives the bits its x86 build gives (checked against its
   own objects, Tests/CArborKernelsTests/Fixtures/ggml-avx2-dots.jsonl), and the *_lanes16
   ones those of its AVX-512 build where that differs. */
#include <math.h>

#include "simd_avx2.h"

/* unsigned x signed bytes -> 8 int32 sums of 4 products */
static inline __m256i dot_us8(__m256i ux, __m256i sy) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ux, sy), _mm256_set1_epi16(1));
}

/* signed x signed bytes -> 8 float sums of 4 products */
static inline __m256 dot_ss8_f(__m256i x, __m256i y) {
    __m256i ax = _mm256_sign_epi8(x, x), sy = _mm256_sign_epi8(y, x);
    return _mm256_cvtepi32_ps(dot_us8(ax, sy));
}

/* ggml's F32 and BF16 dots leave n % step elements to a scalar loop (`sumf += x[i]*y[i]`)
   that gcc, which builds llama.cpp, vectorises: groups of 8, then of 4, are multiplied as
   vectors and each product is added in order (two roundings); the last n % 4 stay scalar,
   where the multiply and the add contract into one fma. Both the AVX2 and the AVX-512 build
   compile it that way. The product is its own statement so that clang does not contract it. */
static inline float f32_tail_as_gcc(float sum, const float *restrict x, const float *restrict y,
                                    int64_t i, int64_t n) {
    const int64_t fused_from = n - ((n - i) & 3);
    for (; i < fused_from; i++) {
        const float p = x[i] * y[i];
        sum += p;
    }
    for (; i < n; i++) sum = fmaf(x[i], y[i], sum);
    return sum;
}

/* ggml_vec_dot_f32 of a llama.cpp built for AVX2: four 8-lane fma accumulators over steps
   of 32, summed pairwise, then the 8 lanes folded in halves and two horizontal adds. */
float arbor_vec_dot_f32_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const float *x = w, *y = a;
    __m256 s[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int j = 0; j < 4; j++) s[j] = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8 * j), _mm256_loadu_ps(y + i + 8 * j), s[j]);
    }
    s[0] = _mm256_add_ps(s[0], s[2]);
    s[1] = _mm256_add_ps(s[1], s[3]);
    s[0] = _mm256_add_ps(s[0], s[1]);
    __m128 t = _mm_add_ps(_mm256_castps256_ps128(s[0]), _mm256_extractf128_ps(s[0], 1));
    t = _mm_hadd_ps(t, t);
    return f32_tail_as_gcc(_mm_cvtss_f32(_mm_hadd_ps(t, t)), x, y, i, n);
}

/* The sum of a 16-lane register kept as two 8-lane halves, in the order of
   _mm512_reduce_add_ps: halves (8), quarters (4), then (0+2) + (1+3). */
static inline float reduce16(__m256 lo, __m256 hi) {
    const __m256 t8 = _mm256_add_ps(lo, hi);
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
    t4 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t4, _mm_shuffle_ps(t4, t4, 1)));
}

/* ggml_vec_dot_f32 of a llama.cpp built for AVX-512: four 16-lane accumulators over steps
   of 64, summed pairwise lane by lane, then reduced as _mm512_reduce_add_ps does. */
float arbor_vec_dot_f32_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const float *x = w, *y = a;
    __m256 lo[4], hi[4];
    for (int j = 0; j < 4; j++) lo[j] = hi[j] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        for (int j = 0; j < 4; j++) {
            const float *xj = x + i + 16 * j, *yj = y + i + 16 * j;
            lo[j] = _mm256_fmadd_ps(_mm256_loadu_ps(xj), _mm256_loadu_ps(yj), lo[j]);
            hi[j] = _mm256_fmadd_ps(_mm256_loadu_ps(xj + 8), _mm256_loadu_ps(yj + 8), hi[j]);
        }
    }
    lo[0] = _mm256_add_ps(lo[0], lo[2]), hi[0] = _mm256_add_ps(hi[0], hi[2]);
    lo[1] = _mm256_add_ps(lo[1], lo[3]), hi[1] = _mm256_add_ps(hi[1], hi[3]);
    lo[0] = _mm256_add_ps(lo[0], lo[1]), hi[0] = _mm256_add_ps(hi[0], hi[1]);
    return f32_tail_as_gcc(reduce16(lo[0], hi[0]), x, y, i, n);
}

/* 8 bf16 values -> 8 floats (a bf16 is the top half of an f32). */
static inline __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

static inline double bf16_tail(double sum, const uint16_t *restrict x, const uint16_t *restrict y,
                               int64_t i, int64_t n) {
    for (; i < n; i++) {
        uint32_t ux = (uint32_t)x[i] << 16, uy = (uint32_t)y[i] << 16;
        float fx, fy;
        memcpy(&fx, &ux, 4);
        memcpy(&fy, &uy, 4);
        sum += (double)(fx * fy);
    }
    return sum;
}

/* ggml_vec_dot_bf16 of a llama.cpp built for AVX2: four 8-lane accumulators over steps of
   32 (its mul + add, which gcc contracts to fma), summed (0+2) + (1+3), the 8 lanes folded
   in halves; the tail is added in double. */
float arbor_vec_dot_bf16_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    __m256 c[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int j = 0; j < 4; j++) c[j] = _mm256_fmadd_ps(bf16x8(x + i + 8 * j), bf16x8(y + i + 8 * j), c[j]);
    }
    const __m256 s = _mm256_add_ps(_mm256_add_ps(c[0], c[2]), _mm256_add_ps(c[1], c[3]));
    return (float)bf16_tail((double)hsum8(s), x, y, i, n);
}

/* ggml_vec_dot_bf16 of a llama.cpp built for AVX-512F without AVX512_BF16: two 16-lane
   accumulators over steps of 32 (the first 16 elements of each step, the last 16), each
   reduced as _mm512_reduce_add_ps does and added in double, then the tail in double. */
float arbor_vec_dot_bf16_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    __m256 lo[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}, hi[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int j = 0; j < 2; j++) {
            lo[j] = _mm256_fmadd_ps(bf16x8(x + i + 16 * j), bf16x8(y + i + 16 * j), lo[j]);
            hi[j] = _mm256_fmadd_ps(bf16x8(x + i + 16 * j + 8), bf16x8(y + i + 16 * j + 8), hi[j]);
        }
    }
    double sum = (double)reduce16(lo[0], hi[0]);
    sum += (double)reduce16(lo[1], hi[1]);
    return (float)bf16_tail(sum, x, y, i, n);
}

float arbor_vec_dot_f16_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    __m256 s[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int j = 0; j < 4; j++) {
            __m256 vx = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8 * j)));
            __m256 vy = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i + 8 * j)));
            s[j] = _mm256_fmadd_ps(vx, vy, s[j]);
        }
    }
    /* pairwise, then horizontal adds: the order ggml's f16 dot reduces in */
    s[0] = _mm256_add_ps(s[0], s[2]);
    s[1] = _mm256_add_ps(s[1], s[3]);
    s[0] = _mm256_add_ps(s[0], s[1]);
    __m128 t = _mm_add_ps(_mm256_castps256_ps128(s[0]), _mm256_extractf128_ps(s[0], 1));
    t = _mm_hadd_ps(t, t);
    double sum = _mm_cvtss_f32(_mm_hadd_ps(t, t));
    for (; i < n; i++) sum += (double)(f16_to_f32(x[i]) * f16_to_f32(y[i]));
    return (float)sum;
}

/* The f16 dot of a llama.cpp built for AVX-512: four 16-lane accumulators over steps of 64,
   summed pairwise lane by lane, then the 16 lanes folded in halves (8, 4, 2, 1), as
   _mm512_reduce_add_ps does. Each 16-lane register is kept here as two 8-lane halves, so
   the same sums come out on an AVX2-only CPU. */
float arbor_vec_dot_f16_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    __m256 lo[4], hi[4];
    for (int j = 0; j < 4; j++) lo[j] = hi[j] = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 64 <= n; i += 64) {
        for (int j = 0; j < 4; j++) {
            const uint16_t *xj = x + i + 16 * j, *yj = y + i + 16 * j;
            lo[j] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)xj)),
                                    _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)yj)), lo[j]);
            hi[j] = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(xj + 8))),
                                    _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(yj + 8))), hi[j]);
        }
    }
    lo[0] = _mm256_add_ps(lo[0], lo[2]), hi[0] = _mm256_add_ps(hi[0], hi[2]);
    lo[1] = _mm256_add_ps(lo[1], lo[3]), hi[1] = _mm256_add_ps(hi[1], hi[3]);
    lo[0] = _mm256_add_ps(lo[0], lo[1]), hi[0] = _mm256_add_ps(hi[0], hi[1]);
    double sum = reduce16(lo[0], hi[0]);
    for (; i < n; i++) sum += (double)(f16_to_f32(x[i]) * f16_to_f32(y[i]));
    return (float)sum;
}

float arbor_vec_dot_q4_0_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_0 *x = w;
    const arbor_block_q8_0 *y = a;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        __m256 d = _mm256_set1_ps(f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
        __m256i qx = _mm256_sub_epi8(nibbles32(x[i].qs), _mm256_set1_epi8(8));
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(d, dot_ss8_f(qx, qy), acc);
    }
    return hsum8(acc);
}

float arbor_vec_dot_q4_1_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_1 *x = w;
    const arbor_block_q8_1 *y = a;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        summs += f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
        __m256 d = _mm256_set1_ps(f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
        __m256i qx = nibbles32(x[i].qs);
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot_us8(qx, qy)), acc);
    }
    return hsum8(acc) + summs;
}

float arbor_vec_dot_q5_0_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q5_0 *x = w;
    const arbor_block_q8_0 *y = a;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        __m256 d = _mm256_set1_ps(f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
        /* nibble | 0xF0 where the fifth bit is clear: as int8 that is nibble - 16 */
        __m256i hi = _mm256_andnot_si256(bits32(x[i].qh), _mm256_set1_epi8((char)0xF0));
        __m256i qx = _mm256_or_si256(nibbles32(x[i].qs), hi);
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(d, dot_ss8_f(qx, qy), acc);
    }
    return hsum8(acc);
}

float arbor_vec_dot_q8_0_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q8_0 *x = w;
    const arbor_block_q8_0 *y = a;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        __m256 d = _mm256_set1_ps(f16_to_f32(x[i].d) * f16_to_f32(y[i].d));
        __m256i qx = _mm256_loadu_si256((const __m256i *)x[i].qs);
        __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        acc = _mm256_fmadd_ps(d, dot_ss8_f(qx, qy), acc);
    }
    return hsum8(acc);
}

/* The K-quant dots accumulate as ggml's (whose AVX2 code both its AVX2 and its AVX-512
   builds run): each block's integer sums stay in 8 int32 lanes, each lane is scaled by
   d = y.d * x.d into an 8-lane fma accumulator, and the lanes are summed once at the end. */

float arbor_vec_dot_q4_K_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_K *x = w;
    const arbor_block_q8_K *y = a;
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) k_scale_min(j, x[i].scales, &sc[j], &mn[j]);
        const float d = y[i].d * f16_to_f32(x[i].d), dmin = -y[i].d * f16_to_f32(x[i].dmin);
        acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), k_mins_dot4(mn, y[i].bsums), acc_m);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i q4 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * j));
            __m256i lo = _mm256_and_si256(q4, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            __m256i y0 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * j));
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * j + 32));
            __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), _mm256_set1_epi16(sc[2 * j]));
            __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), _mm256_set1_epi16(sc[2 * j + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc) + hsum4(acc_m);
}

float arbor_vec_dot_q5_K_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q5_K *x = w;
    const arbor_block_q8_K *y = a;
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float summs = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; j++) k_scale_min(j, x[i].scales, &sc[j], &mn[j]);
        const float d = y[i].d * f16_to_f32(x[i].d), dmin = -y[i].d * f16_to_f32(x[i].dmin);
        summs = fmaf(dmin, (float)k_mins_dot(mn, y[i].bsums), summs);
        __m256i hbits = _mm256_loadu_si256((const __m256i *)x[i].qh);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; j++) {
            __m256i q4 = _mm256_loadu_si256((const __m256i *)(x[i].qs + 32 * j));
            __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j), one), 4);
            __m256i h1 = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j + 1), one), 4);
            __m256i lo = _mm256_or_si256(_mm256_and_si256(q4, m4), h0);
            __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q4, 4), m4), h1);
            __m256i y0 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * j));
            __m256i y1 = _mm256_loadu_si256((const __m256i *)(y[i].qs + 64 * j + 32));
            __m256i p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y0), _mm256_set1_epi16(sc[2 * j]));
            __m256i p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y1), _mm256_set1_epi16(sc[2 * j + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p0, p1));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc) + summs;
}

/* 32 unsigned 6-bit quants times 32 int8, scaled per 16 by s0 and s1; the offset of 32 is
   taken off afterwards from the block sums, as ggml does, so each lane holds what ggml's does. */
static inline __m256i q6_part(__m256i q, const int8_t *q8, int s0, int s1) {
    __m256i y = _mm256_loadu_si256((const __m256i *)q8);
    __m256i s = _mm256_set_m128i(_mm_set1_epi16((short)s1), _mm_set1_epi16((short)s0));
    return _mm256_madd_epi16(_mm256_maddubs_epi16(q, y), s);
}

float arbor_vec_dot_q6_K_avx2(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q6_K *x = w;
    const arbor_block_q8_K *y = a;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales, *q8 = y[i].qs;
        const float d = y[i].d * f16_to_f32(x[i].d);
        /* lane l: 32 * (bsums[2l] * scales[2l] + bsums[2l+1] * scales[2l+1]) */
        const __m256i bsums = _mm256_loadu_si256((const __m256i *)y[i].bsums);
        const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x[i].scales));
        const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(bsums, scales16), 5);
        __m256i sumi = _mm256_setzero_si256();
        for (int h = 0; h < 2; h++, ql += 64, qh += 32, sc += 8, q8 += 128) {
            __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            __m256i hb = _mm256_loadu_si256((const __m256i *)qh);
            __m256i q1 = _mm256_or_si256(_mm256_and_si256(l0, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
            __m256i q2 = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
            __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
            __m256i q4 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(q6_part(q1, q8, sc[0], sc[1]), q6_part(q2, q8 + 32, sc[2], sc[3])));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(q6_part(q3, q8 + 64, sc[4], sc[5]), q6_part(q4, q8 + 96, sc[6], sc[7])));
        }
        sumi = _mm256_sub_epi32(sumi, offset);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc);
}

/* ---- four weight rows against one activation row (decode): the activation block and its
   scales are loaded once for four rows, and four independent accumulators keep the FMA
   units busy. Each row's result comes from exactly the operations, in exactly the order,
   of the single-row kernel, so a row's number never depends on how rows are grouped. */

/* 16 bytes of nibbles -> 32 bytes in block order, as nibbles32, from one broadcast load:
   the upper lane is shifted right by 4 within each dword before masking. */
static inline __m256i nibbles32_bcast(const uint8_t *p) {
    const __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)p));
    const __m256i s = _mm256_srlv_epi32(b, _mm256_setr_epi32(0, 0, 0, 0, 4, 4, 4, 4));
    return _mm256_and_si256(s, _mm256_set1_epi8(0x0F));
}

/* The four rows are four short streams (a few hundred bytes each) that the hardware
   prefetcher barely learns before they end; fetch the next groups' bytes ahead instead, at
   the pace this group is read (bytes_per_block * 4 per block step). */
#define PREFETCH_GROUPS 2
static inline void prefetch_ahead(const void *w, size_t w_stride, int64_t i, size_t block_bytes) {
    const char *p = (const char *)w + PREFETCH_GROUPS * 4 * w_stride + (size_t)i * 4 * block_bytes;
    for (size_t off = 0; off < 4 * block_bytes; off += 64) _mm_prefetch(p + off, _MM_HINT_T0);
}

void arbor_vec_dot_q4_1_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]) {
    const arbor_block_q4_1 *x[4];
    for (int r = 0; r < 4; r++) x[r] = (const arbor_block_q4_1 *)((const uint8_t *)w + (size_t)r * w_stride);
    const arbor_block_q8_1 *y = a;
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 summs = _mm256_setzero_ps(); /* lane 2r+1: row r's sum of m * s */
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        /* [yd ys yd ys ...] against [d0 m0 d1 m1 ...]: even lanes d_r*yd, odd lanes m_r*ys */
        prefetch_ahead(w, w_stride, i, sizeof(arbor_block_q4_1));
        const __m128 yds = _mm_cvtph_ps(_mm_cvtsi32_si128((int)load_u32(&y[i].d)));
        const __m256 ys = _mm256_castpd_ps(_mm256_broadcastsd_pd(_mm_castps_pd(yds)));
        const __m256 dm = f16_pairs4(&x[0][i].d, &x[1][i].d, &x[2][i].d, &x[3][i].d);
        const __m256 scale = _mm256_mul_ps(dm, ys);
        summs = _mm256_fmadd_ps(dm, ys, summs);
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        for (int r = 0; r < 4; r++) {
            const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(nibbles32_bcast(x[r][i].qs), qy), ones);
            acc[r] = _mm256_fmadd_ps(lane_bcast(scale, 2 * r), _mm256_cvtepi32_ps(p), acc[r]);
        }
    }
    float m[8];
    _mm256_storeu_ps(m, summs);
    for (int r = 0; r < 4; r++) out[r] = hsum8(acc[r]) + m[2 * r + 1];
}

void arbor_vec_dot_q8_0_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]) {
    const arbor_block_q8_0 *x[4];
    for (int r = 0; r < 4; r++) x[r] = (const arbor_block_q8_0 *)((const uint8_t *)w + (size_t)r * w_stride);
    const arbor_block_q8_0 *y = a;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        prefetch_ahead(w, w_stride, i, sizeof(arbor_block_q8_0));
        /* each row's d and its first two quants as f16 pairs: even lanes are the scales */
        const __m256 dx = f16_pairs4(&x[0][i].d, &x[1][i].d, &x[2][i].d, &x[3][i].d);
        const __m256 scale = _mm256_mul_ps(dx, _mm256_set1_ps(f16_to_f32(y[i].d)));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        for (int r = 0; r < 4; r++) {
            const __m256i qx = _mm256_loadu_si256((const __m256i *)x[r][i].qs);
            acc[r] = _mm256_fmadd_ps(lane_bcast(scale, 2 * r), dot_ss8_f(qx, qy), acc[r]);
        }
    }
    for (int r = 0; r < 4; r++) out[r] = hsum8(acc[r]);
}

void arbor_vec_dot_q5_0_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]) {
    const arbor_block_q5_0 *x[4];
    for (int r = 0; r < 4; r++) x[r] = (const arbor_block_q5_0 *)((const uint8_t *)w + (size_t)r * w_stride);
    const arbor_block_q8_0 *y = a;
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        prefetch_ahead(w, w_stride, i, sizeof(arbor_block_q5_0));
        /* each row's d and the low half of its qh as f16 pairs: even lanes are the scales */
        const __m256 dx = f16_pairs4(&x[0][i].d, &x[1][i].d, &x[2][i].d, &x[3][i].d);
        const __m256 scale = _mm256_mul_ps(dx, _mm256_set1_ps(f16_to_f32(y[i].d)));
        const __m256i qy = _mm256_loadu_si256((const __m256i *)y[i].qs);
        for (int r = 0; r < 4; r++) {
            const __m256i hi = _mm256_andnot_si256(bits32(x[r][i].qh), _mm256_set1_epi8((char)0xF0));
            const __m256i qx = _mm256_or_si256(nibbles32(x[r][i].qs), hi);
            acc[r] = _mm256_fmadd_ps(lane_bcast(scale, 2 * r), dot_ss8_f(qx, qy), acc[r]);
        }
    }
    for (int r = 0; r < 4; r++) out[r] = hsum8(acc[r]);
}
