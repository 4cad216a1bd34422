/* Element-wise operations of the transformer block, with ggml's numerics where they
   matter for matching its tokens (RMSNorm's sum in double, RoPE angles by repeated
   multiplication). */
#include <math.h>

#include "kernels_internal.h"

void arbor_rmsnorm(float *y, const float *x, const float *restrict w, int64_t n, float eps) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    for (int64_t i = 0; i < n; i++) {
        float v = x[i] * scale;
        y[i] = w ? v * w[i] : v;
    }
}

void arbor_rope_table(float *restrict cs, int64_t pos, int n_rot, float freq_base) {
    const float theta_scale = powf(freq_base, -2.0f / (float)n_rot);
    float theta = (float)pos;
    for (int i = 0; i < n_rot / 2; i++) {
        cs[2 * i] = cosf(theta);
        cs[2 * i + 1] = sinf(theta);
        theta *= theta_scale;
    }
}

void arbor_rope_apply(float *x, int n_head, int head_dim, int n_rot, const float *restrict cs,
                      int neox) {
    for (int h = 0; h < n_head; h++) {
        float *v = x + (int64_t)h * head_dim;
        for (int i = 0; i < n_rot / 2; i++) {
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const int a = neox ? i : 2 * i, b = neox ? i + n_rot / 2 : 2 * i + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
        }
    }
}

void arbor_rope_apply_f16(uint16_t *x, int n_head, int head_dim, int n_rot,
                          const float *restrict cs, int neox) {
    for (int h = 0; h < n_head; h++) {
        uint16_t *v = x + (int64_t)h * head_dim;
        for (int i = 0; i < n_rot / 2; i++) {
            const float c = cs[2 * i], s = cs[2 * i + 1];
            const int a = neox ? i : 2 * i, b = neox ? i + n_rot / 2 : 2 * i + 1;
            const float x0 = f16_to_f32(v[a]), x1 = f16_to_f32(v[b]);
            v[a] = f32_to_f16(x0 * c - x1 * s);
            v[b] = f32_to_f16(x0 * s + x1 * c);
        }
    }
}

void arbor_softmax(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) max = x[i] > max ? x[i] : max;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

/* exp(x) for 8 lanes: x = n*ln2 + b with n = round(x/ln2), exp(b) by a degree-5
   polynomial, 2^n built in the exponent bits; lanes with |n| > 126 are scaled in two
   steps so they overflow to inf or flush to 0 gracefully. This is the approximation
   ggml's AVX2 SiLU uses (max error about 1.5 ulp); using the same one keeps our SwiGLU
   outputs, and so the quantised inputs of the down projection, equal to llama.cpp's. */
__m256 arbor_exp8(__m256 x) {
    const __m256 shift = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), shift);
    const __m256 n = _mm256_sub_ps(z, shift);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    const __m256 abs_n = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    const __m256 big = _mm256_cmp_ps(abs_n, _mm256_set1_ps(126), _CMP_GT_OQ);
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 p = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_mul_ps(_mm256_set1_ps(0x1.ffffecp-1f), b));
    if (!_mm256_movemask_ps(big)) return _mm256_fmadd_ps(p, k, k);
    const __m256i g = _mm256_and_si256(_mm256_castps_si256(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_LE_OQ)),
                                       _mm256_set1_epi32((int)0x82000000u));
    const __m256 s1 = _mm256_castsi256_ps(_mm256_add_epi32(g, _mm256_set1_epi32(0x7f000000)));
    const __m256 s2 = _mm256_castsi256_ps(_mm256_sub_epi32(e, g));
    const __m256 huge = _mm256_cmp_ps(abs_n, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256 scaled = _mm256_mul_ps(_mm256_fmadd_ps(s2, p, s2), s1);
    const __m256 normal = _mm256_fmadd_ps(k, p, k);
    return _mm256_or_ps(_mm256_and_ps(huge, _mm256_mul_ps(s1, s1)),
                        _mm256_andnot_ps(huge, _mm256_or_ps(_mm256_and_ps(big, scaled), _mm256_andnot_ps(big, normal))));
}

/* exp as a llama.cpp built for AVX-512 computes it: the same polynomial, but with the 1
   folded into the last fma and the result scaled by 2^n exactly (_mm512_scalef_ps) rather
   than by one fma with 2^n. The scaling is split in two powers of two so each is a normal
   number; the first product is exact and the second rounds once, as scalef does. */
static __m256 exp8_lanes16(__m256 x) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 j = _mm256_fmadd_ps(
        _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(0x1.0e4020p-7f), b, _mm256_set1_ps(0x1.573e2ep-5f)), u,
                        _mm256_fmadd_ps(_mm256_set1_ps(0x1.555e66p-3f), b, _mm256_set1_ps(0x1.fffdb6p-2f))),
        u, _mm256_fmadd_ps(_mm256_set1_ps(0x1.ffffecp-1f), b, _mm256_set1_ps(1.0f)));
    const __m256 abs_n = _mm256_andnot_ps(_mm256_set1_ps(-0.f), n);
    const __m256 huge = _mm256_cmp_ps(abs_n, _mm256_set1_ps(192), _CMP_GT_OQ);
    const __m256i ni = _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(n, _mm256_set1_ps(-192)), _mm256_set1_ps(192)));
    const __m256i half = _mm256_srai_epi32(ni, 1);
    const __m256i bias = _mm256_set1_epi32(127);
    const __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    const __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
    const __m256 scaled = _mm256_mul_ps(_mm256_mul_ps(j, p1), p2);
    const __m256 alt = _mm256_and_ps(_mm256_cmp_ps(n, _mm256_setzero_ps(), _CMP_GT_OQ), _mm256_set1_ps(INFINITY));
    return _mm256_blendv_ps(scaled, alt, huge);
}

void arbor_swiglu(float *y, const float *g, const float *restrict u, int64_t n) {
    int64_t i = 0;
    if (!arbor_use_reference()) {
        const __m256 one = _mm256_set1_ps(1.0f);
        if (arbor_ggml_lanes() == 16) {
            /* 16 at a time, so the scalar tail is the one ggml leaves */
            for (; i + 16 <= n; i += 16) {
                for (int h = 0; h < 16; h += 8) {
                    const __m256 x = _mm256_loadu_ps(g + i + h);
                    const __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, exp8_lanes16(_mm256_sub_ps(_mm256_setzero_ps(), x))));
                    _mm256_storeu_ps(y + i + h, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i + h)));
                }
            }
        } else {
            for (; i + 8 <= n; i += 8) {
                const __m256 x = _mm256_loadu_ps(g + i);
                const __m256 silu = _mm256_div_ps(x, _mm256_add_ps(one, arbor_exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
                _mm256_storeu_ps(y + i, _mm256_mul_ps(silu, _mm256_loadu_ps(u + i)));
            }
        }
    }
    for (; i < n; i++) {
        const float v = g[i];
        y[i] = v / (1.0f + expf(-v)) * u[i];
    }
}

void arbor_add(float *restrict y, const float *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}
