/* Activation quantisation, matching ggml's x86 build bit for bit: per 32-block scale
   d = amax/127 (stored f16), multiplier 127/amax, rounding to nearest even. The reference
   and AVX2 versions give identical bytes. */
#include <math.h>

#include "kernels_internal.h"

/* Quantises 32 values with multiplier id; returns the sum of the quants. */
static inline int quant32_ref(const float *restrict x, float id, int8_t *restrict q) {
    int sum = 0;
    for (int j = 0; j < ARBOR_QK; j++) {
        q[j] = (int8_t)nearest_int(x[j] * id);
        sum += q[j];
    }
    return sum;
}

static inline float amax32_ref(const float *restrict x) {
    float amax = 0.0f;
    for (int j = 0; j < ARBOR_QK; j++) amax = fmaxf(amax, fabsf(x[j]));
    return amax;
}

void arbor_quantize_row_q8_0_ref(const float *restrict x, void *restrict vy, int64_t n) {
    arbor_block_q8_0 *y = vy;
    for (int64_t i = 0; i < n / ARBOR_QK; i++, x += ARBOR_QK) {
        float amax = amax32_ref(x);
        float d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32_to_f16(d);
        quant32_ref(x, id, y[i].qs);
    }
}

void arbor_quantize_row_q8_1_ref(const float *restrict x, void *restrict vy, int64_t n) {
    arbor_block_q8_1 *y = vy;
    for (int64_t i = 0; i < n / ARBOR_QK; i++, x += ARBOR_QK) {
        float amax = amax32_ref(x);
        float d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32_to_f16(d);
        int sum = quant32_ref(x, id, y[i].qs);
        y[i].s = f32_to_f16(d * (float)sum);
    }
}

/* AVX2: 32 floats -> 32 int8 with multiplier id (round to nearest even); returns sum. */
static inline int quant32_avx2(const float *restrict x, float id, int8_t *restrict q) {
    __m256 mul = _mm256_set1_ps(id);
    __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x), mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 8), mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 16), mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + 24), mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
    __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    s4 = _mm_hadd_epi32(s4, s4);
    s4 = _mm_hadd_epi32(s4, s4);
    __m256i p01 = _mm256_packs_epi32(i0, i1);
    __m256i p23 = _mm256_packs_epi32(i2, i3);
    __m256i p = _mm256_packs_epi16(p01, p23);
    /* the packs work per 128-bit lane; restore element order */
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)q, p);
    return _mm_cvtsi128_si32(s4);
}

static inline float amax32_avx2(const float *restrict x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(sign, _mm256_loadu_ps(x));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 8)));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 16)));
    m = _mm256_max_ps(m, _mm256_andnot_ps(sign, _mm256_loadu_ps(x + 24)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    return _mm_cvtss_f32(m4);
}

void arbor_quantize_row_q8_0(const float *restrict x, void *restrict vy, int64_t n) {
    if (arbor_use_reference()) { arbor_quantize_row_q8_0_ref(x, vy, n); return; }
    arbor_block_q8_0 *y = vy;
    for (int64_t i = 0; i < n / ARBOR_QK; i++, x += ARBOR_QK) {
        float amax = amax32_avx2(x);
        float d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32_to_f16(d);
        quant32_avx2(x, id, y[i].qs);
    }
}

void arbor_quantize_row_q8_1(const float *restrict x, void *restrict vy, int64_t n) {
    if (arbor_use_reference()) { arbor_quantize_row_q8_1_ref(x, vy, n); return; }
    arbor_block_q8_1 *y = vy;
    for (int64_t i = 0; i < n / ARBOR_QK; i++, x += ARBOR_QK) {
        float amax = amax32_avx2(x);
        float d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = f32_to_f16(d);
        int sum = quant32_avx2(x, id, y[i].qs);
        y[i].s = f32_to_f16(d * (float)sum);
    }
}

/* ggml uses its plain version on x86 too: the signed value of largest magnitude maps to
   -127 (so the scale d is negative when that value is positive). */
void arbor_quantize_row_q8_K_ref(const float *restrict x, void *restrict vy, int64_t n) {
    arbor_block_q8_K *y = vy;
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++, x += ARBOR_QK_K) {
        float max = 0, amax = 0;
        for (int j = 0; j < ARBOR_QK_K; j++) {
            float ax = fabsf(x[j]);
            if (ax > amax) { amax = ax; max = x[j]; }
        }
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < ARBOR_QK_K; j++) {
            int v = nearest_int(iscale * x[j]);
            y[i].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int j = 0; j < ARBOR_QK_K / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += y[i].qs[j * 16 + l];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

/* The same bytes with AVX2: the largest magnitude is a vector max, and the value the plain
   loop keeps (the first element of that magnitude; it replaces only on a strict >) is found
   by scanning for it; iscale * x is the same float product, rounded to nearest even by the
   same rule. Prefill quantises every token of every down projection this way (4864 values
   per token and layer in Qwen2.5-0.5B). */
void arbor_quantize_row_q8_K(const float *restrict x, void *restrict vy, int64_t n) {
    if (arbor_use_reference()) { arbor_quantize_row_q8_K_ref(x, vy, n); return; }
    arbor_block_q8_K *y = vy;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++, x += ARBOR_QK_K) {
        __m256 m = _mm256_setzero_ps();
        /* max(new, m) keeps m where new is NaN, as the plain loop's strict > skips NaN */
        for (int j = 0; j < ARBOR_QK_K; j += 8) m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), m);
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        if (amax == 0.0f) {
            memset(&y[i], 0, sizeof(y[i]));
            continue;
        }
        int first = 0;
        while (fabsf(x[first]) != amax) first++;
        const float iscale = -127.f / x[first];
        const __m256 mul = _mm256_set1_ps(iscale);
        const __m256i top = _mm256_set1_epi32(127);
        for (int j = 0; j < ARBOR_QK_K; j += 32) {
            __m256i q[4];
            for (int k = 0; k < 4; k++) {
                const __m256 v = _mm256_round_ps(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * k), mul),
                                                 _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
                q[k] = _mm256_min_epi32(_mm256_cvtps_epi32(v), top);
            }
            /* the packs work per 128-bit lane; the permute restores element order */
            __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
            p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), p);
            /* sums of 16: maddubs with ones gives pair sums, madd with ones sums of four */
            const __m256i s4 = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), p), _mm256_set1_epi16(1));
            int32_t lane[8];
            _mm256_storeu_si256((__m256i *)lane, s4);
            y[i].bsums[j / 16] = (int16_t)(lane[0] + lane[1] + lane[2] + lane[3]);
            y[i].bsums[j / 16 + 1] = (int16_t)(lane[4] + lane[5] + lane[6] + lane[7]);
        }
        y[i].d = 1 / iscale;
    }
}

void arbor_quantize_row(int act_type, const float *restrict x, void *restrict y, int64_t n) {
    switch (act_type) {
    case ARBOR_TYPE_Q8_0: arbor_quantize_row_q8_0(x, y, n); break;
    case ARBOR_TYPE_Q8_1: arbor_quantize_row_q8_1(x, y, n); break;
    case ARBOR_TYPE_Q8_K: arbor_quantize_row_q8_K(x, y, n); break;
    case ARBOR_TYPE_F16: arbor_f32_to_f16_row(x, y, n); break;
    case ARBOR_TYPE_BF16: {
        uint16_t *b = y;
        for (int64_t i = 0; i < n; i++) {
            uint32_t u;
            memcpy(&u, &x[i], 4);
            if ((u & 0x7fffffff) > 0x7f800000) b[i] = (uint16_t)((u >> 16) | 64); /* quiet NaN */
            else b[i] = (uint16_t)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
        }
        break;
    }
    default: memcpy(y, x, (size_t)n * sizeof(float)); break;
    }
}
