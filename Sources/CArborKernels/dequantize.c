/* Dequantisation of one row of every supported weight type: the formulas that define
   each block layout (see arbor_blocks.h). Used for embedding lookups and as the
   straightforward definition the dot-product tests compare against. */
#include "kernels_internal.h"

static void deq_q4_0(const arbor_block_q4_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += ARBOR_QK) {
        float d = f16_to_f32(x[i].d);
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            y[j] = ((x[i].qs[j] & 0xF) - 8) * d;
            y[j + ARBOR_QK / 2] = ((x[i].qs[j] >> 4) - 8) * d;
        }
    }
}

static void deq_q4_1(const arbor_block_q4_1 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += ARBOR_QK) {
        float d = f16_to_f32(x[i].d), m = f16_to_f32(x[i].m);
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            y[j] = (x[i].qs[j] & 0xF) * d + m;
            y[j + ARBOR_QK / 2] = (x[i].qs[j] >> 4) * d + m;
        }
    }
}

static void deq_q5_0(const arbor_block_q5_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += ARBOR_QK) {
        float d = f16_to_f32(x[i].d);
        uint32_t qh;
        memcpy(&qh, x[i].qh, 4);
        for (int j = 0; j < ARBOR_QK / 2; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            y[j] = (((x[i].qs[j] & 0xF) | h0) - 16) * d;
            y[j + ARBOR_QK / 2] = (((x[i].qs[j] >> 4) | h1) - 16) * d;
        }
    }
}

static void deq_q8_0(const arbor_block_q8_0 *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += ARBOR_QK) {
        float d = f16_to_f32(x[i].d);
        for (int j = 0; j < ARBOR_QK; j++) y[j] = x[i].qs[j] * d;
    }
}

static void deq_q4_K(const arbor_block_q4_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = f16_to_f32(x[i].d), dmin = f16_to_f32(x[i].dmin);
        const uint8_t *q = x[i].qs;
        for (int j = 0, is = 0; j < ARBOR_QK_K; j += 64, is += 2, q += 32) {
            uint8_t sc, m;
            k_scale_min(is, x[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            k_scale_min(is + 1, x[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * (q[l] & 0xF) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * (q[l] >> 4) - m2;
        }
    }
}

static void deq_q5_K(const arbor_block_q5_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = f16_to_f32(x[i].d), dmin = f16_to_f32(x[i].dmin);
        const uint8_t *ql = x[i].qs, *qh = x[i].qh;
        uint8_t u1 = 1, u2 = 2;
        for (int j = 0, is = 0; j < ARBOR_QK_K; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
            uint8_t sc, m;
            k_scale_min(is, x[i].scales, &sc, &m);
            float d1 = d * sc, m1 = dmin * m;
            k_scale_min(is + 1, x[i].scales, &sc, &m);
            float d2 = d * sc, m2 = dmin * m;
            for (int l = 0; l < 32; l++) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
            for (int l = 0; l < 32; l++) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
        }
    }
}

static void deq_q6_K(const arbor_block_q6_K *restrict x, float *restrict y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        float d = f16_to_f32(x[i].d);
        const uint8_t *ql = x[i].ql, *qh = x[i].qh;
        const int8_t *sc = x[i].scales;
        for (int n = 0; n < ARBOR_QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[is + 0] * q1;
                y[l + 32] = d * sc[is + 2] * q2;
                y[l + 64] = d * sc[is + 4] * q3;
                y[l + 96] = d * sc[is + 6] * q4;
            }
        }
    }
}

void arbor_dequantize_row(int type, const void *restrict x, float *restrict y, int64_t n) {
    int64_t nb = n / (arbor_type_block_elems(type) ? arbor_type_block_elems(type) : 1);
    switch (type) {
    case ARBOR_TYPE_F32: memcpy(y, x, (size_t)n * sizeof(float)); break;
    case ARBOR_TYPE_F16: arbor_f16_to_f32_row(x, y, n); break;
    case ARBOR_TYPE_BF16: {
        const uint16_t *b = x;
        for (int64_t i = 0; i < n; i++) {
            uint32_t u = (uint32_t)b[i] << 16;
            memcpy(&y[i], &u, 4);
        }
        break;
    }
    case ARBOR_TYPE_Q4_0: deq_q4_0(x, y, nb); break;
    case ARBOR_TYPE_Q4_1: deq_q4_1(x, y, nb); break;
    case ARBOR_TYPE_Q5_0: deq_q5_0(x, y, nb); break;
    case ARBOR_TYPE_Q8_0: deq_q8_0(x, y, nb); break;
    case ARBOR_TYPE_Q4_K: deq_q4_K(x, y, nb); break;
    case ARBOR_TYPE_Q5_K: deq_q5_K(x, y, nb); break;
    case ARBOR_TYPE_Q6_K: deq_q6_K(x, y, nb); break;
    case ARBOR_TYPE_Q8_1: {
        const arbor_block_q8_1 *b = x;
        for (int64_t i = 0; i < nb; i++) {
            float d = f16_to_f32(b[i].d);
            for (int j = 0; j < ARBOR_QK; j++) y[i * ARBOR_QK + j] = d * b[i].qs[j];
        }
        break;
    }
    case ARBOR_TYPE_Q8_K: {
        const arbor_block_q8_K *b = x;
        for (int64_t i = 0; i < nb; i++)
            for (int j = 0; j < ARBOR_QK_K; j++) y[i * ARBOR_QK_K + j] = b[i].d * b[i].qs[j];
        break;
    }
    default: memset(y, 0, (size_t)n * sizeof(float)); break;
    }
}
