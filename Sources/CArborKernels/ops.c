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

void arbor_swiglu(float *y, const float *g, const float *restrict u, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float v = g[i];
        y[i] = v / (1.0f + expf(-v)) * u[i];
    }
}

void arbor_add(float *restrict y, const float *restrict x, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += x[i];
}
