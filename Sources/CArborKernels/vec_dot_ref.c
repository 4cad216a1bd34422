/* Plain C dot products of one weight row with one activation row: the definitions the
   SIMD versions are tested against. Integer products are summed exactly per block; one
   float scale is applied per block. */
#include "kernels_internal.h"

float arbor_vec_dot_f32_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const float *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * y[i]);
    return (float)sum;
}

float arbor_vec_dot_f16_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(f16_to_f32(x[i]) * f16_to_f32(y[i]));
    return (float)sum;
}

static inline float bf16_to_f32(uint16_t b) {
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

float arbor_vec_dot_bf16_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const uint16_t *x = w, *y = a;
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(bf16_to_f32(x[i]) * bf16_to_f32(y[i]));
    return (float)sum;
}

float arbor_vec_dot_q4_0_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_0 *x = w;
    const arbor_block_q8_0 *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            sumi += ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j];
            sumi += ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + ARBOR_QK / 2];
        }
        sumf += sumi * f16_to_f32(x[i].d) * f16_to_f32(y[i].d);
    }
    return sumf;
}

float arbor_vec_dot_q4_1_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_1 *x = w;
    const arbor_block_q8_1 *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            sumi += (x[i].qs[j] & 0xF) * y[i].qs[j];
            sumi += (x[i].qs[j] >> 4) * y[i].qs[j + ARBOR_QK / 2];
        }
        sumf += (f16_to_f32(x[i].d) * f16_to_f32(y[i].d)) * sumi + f16_to_f32(x[i].m) * f16_to_f32(y[i].s);
    }
    return sumf;
}

float arbor_vec_dot_q5_0_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q5_0 *x = w;
    const arbor_block_q8_0 *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        uint32_t qh;
        memcpy(&qh, x[i].qh, 4);
        int sumi = 0;
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            sumi += (((x[i].qs[j] & 0xF) | h0) - 16) * y[i].qs[j];
            sumi += (((x[i].qs[j] >> 4) | h1) - 16) * y[i].qs[j + ARBOR_QK / 2];
        }
        sumf += sumi * f16_to_f32(x[i].d) * f16_to_f32(y[i].d);
    }
    return sumf;
}

float arbor_vec_dot_q8_0_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q8_0 *x = w;
    const arbor_block_q8_0 *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK; i++) {
        int sumi = 0;
        for (int j = 0; j < ARBOR_QK; j++) sumi += x[i].qs[j] * y[i].qs[j];
        sumf += sumi * f16_to_f32(x[i].d) * f16_to_f32(y[i].d);
    }
    return sumf;
}

float arbor_vec_dot_q4_K_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q4_K *x = w;
    const arbor_block_q8_K *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        const uint8_t *q = x[i].qs;
        const int8_t *q8 = y[i].qs;
        int sumi = 0, summ = 0;
        for (int j = 0; j < 8; j += 2, q += 32) {
            uint8_t sc0, m0, sc1, m1;
            k_scale_min(j, x[i].scales, &sc0, &m0);
            k_scale_min(j + 1, x[i].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) s0 += (q[l] & 0xF) * q8[l];
            for (int l = 0; l < 32; l++) s1 += (q[l] >> 4) * q8[l + 32];
            q8 += 64;
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
            summ += m1 * (y[i].bsums[2 * j + 2] + y[i].bsums[2 * j + 3]);
        }
        sumf += y[i].d * f16_to_f32(x[i].d) * sumi - y[i].d * f16_to_f32(x[i].dmin) * summ;
    }
    return sumf;
}

float arbor_vec_dot_q5_K_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q5_K *x = w;
    const arbor_block_q8_K *y = a;
    float sumf = 0.0f;
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        const uint8_t *q = x[i].qs, *qh = x[i].qh;
        const int8_t *q8 = y[i].qs;
        int sumi = 0, summ = 0;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0; j < 8; j += 2, q += 32, u1 <<= 2, u2 <<= 2) {
            uint8_t sc0, m0, sc1, m1;
            k_scale_min(j, x[i].scales, &sc0, &m0);
            k_scale_min(j + 1, x[i].scales, &sc1, &m1);
            int s0 = 0, s1 = 0;
            for (int l = 0; l < 32; l++) s0 += ((q[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) * q8[l];
            for (int l = 0; l < 32; l++) s1 += ((q[l] >> 4) + (qh[l] & u2 ? 16 : 0)) * q8[l + 32];
            q8 += 64;
            sumi += sc0 * s0 + sc1 * s1;
            summ += m0 * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
            summ += m1 * (y[i].bsums[2 * j + 2] + y[i].bsums[2 * j + 3]);
        }
        sumf += y[i].d * f16_to_f32(x[i].d) * sumi - y[i].d * f16_to_f32(x[i].dmin) * summ;
    }
    return sumf;
}

float arbor_vec_dot_q6_K_ref(int64_t n, const void *restrict w, const void *restrict a) {
    const arbor_block_q6_K *x = w;
    const arbor_block_q8_K *y = a;
    float sumf = 0.0f;
    int8_t q6[ARBOR_QK_K];
    for (int64_t i = 0; i < n / ARBOR_QK_K; i++) {
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        for (int b = 0; b < ARBOR_QK_K; b += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; l++) {
                q6[b + l] = (int8_t)(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                q6[b + l + 32] = (int8_t)(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                q6[b + l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                q6[b + l + 96] = (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        int sumi = 0;
        for (int s = 0; s < ARBOR_QK_K / 16; s++) {
            int ss = 0;
            for (int l = 0; l < 16; l++) ss += q6[s * 16 + l] * y[i].qs[s * 16 + l];
            sumi += x[i].scales[s] * ss;
        }
        sumf += f16_to_f32(x[i].d) * y[i].d * sumi;
    }
    return sumf;
}
