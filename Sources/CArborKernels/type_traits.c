/* Sizes of GGUF tensor types, the activation type each weight type pairs with, and the
   f16 row conversions. */
#include "kernels_internal.h"

int64_t arbor_type_block_elems(int type) {
    switch (type) {
    case ARBOR_TYPE_F32: case ARBOR_TYPE_F16: case ARBOR_TYPE_BF16: return 1;
    case ARBOR_TYPE_Q4_0: case ARBOR_TYPE_Q4_1: case ARBOR_TYPE_Q5_0: case ARBOR_TYPE_Q5_1:
    case ARBOR_TYPE_Q8_0: case ARBOR_TYPE_Q8_1: return ARBOR_QK;
    case ARBOR_TYPE_Q4_K: case ARBOR_TYPE_Q5_K: case ARBOR_TYPE_Q6_K: case ARBOR_TYPE_Q8_K:
        return ARBOR_QK_K;
    default: return 0;
    }
}

size_t arbor_type_block_bytes(int type) {
    switch (type) {
    case ARBOR_TYPE_F32: return 4;
    case ARBOR_TYPE_F16: case ARBOR_TYPE_BF16: return 2;
    case ARBOR_TYPE_Q4_0: return sizeof(arbor_block_q4_0);
    case ARBOR_TYPE_Q4_1: return sizeof(arbor_block_q4_1);
    case ARBOR_TYPE_Q5_0: return sizeof(arbor_block_q5_0);
    case ARBOR_TYPE_Q5_1: return sizeof(arbor_block_q5_1);
    case ARBOR_TYPE_Q8_0: return sizeof(arbor_block_q8_0);
    case ARBOR_TYPE_Q8_1: return sizeof(arbor_block_q8_1);
    case ARBOR_TYPE_Q4_K: return sizeof(arbor_block_q4_K);
    case ARBOR_TYPE_Q5_K: return sizeof(arbor_block_q5_K);
    case ARBOR_TYPE_Q6_K: return sizeof(arbor_block_q6_K);
    case ARBOR_TYPE_Q8_K: return sizeof(arbor_block_q8_K);
    default: return 0;
    }
}

size_t arbor_row_bytes(int type, int64_t n) {
    int64_t be = arbor_type_block_elems(type);
    if (be == 0) return 0;
    return (size_t)(n / be) * arbor_type_block_bytes(type);
}

int arbor_activation_type(int weight_type) {
    switch (weight_type) {
    case ARBOR_TYPE_Q4_0: case ARBOR_TYPE_Q5_0: case ARBOR_TYPE_Q8_0: return ARBOR_TYPE_Q8_0;
    case ARBOR_TYPE_Q4_1: return ARBOR_TYPE_Q8_1;
    case ARBOR_TYPE_Q4_K: case ARBOR_TYPE_Q5_K: case ARBOR_TYPE_Q6_K: return ARBOR_TYPE_Q8_K;
    case ARBOR_TYPE_F16: return ARBOR_TYPE_F16;
    case ARBOR_TYPE_BF16: return ARBOR_TYPE_BF16;
    default: return ARBOR_TYPE_F32;
    }
}

int arbor_type_supported(int type) {
    switch (type) {
    case ARBOR_TYPE_F32: case ARBOR_TYPE_F16: case ARBOR_TYPE_BF16: case ARBOR_TYPE_Q4_0:
    case ARBOR_TYPE_Q4_1: case ARBOR_TYPE_Q5_0: case ARBOR_TYPE_Q8_0: case ARBOR_TYPE_Q4_K:
    case ARBOR_TYPE_Q5_K: case ARBOR_TYPE_Q6_K: return 1;
    default: return 0;
    }
}

float arbor_f16_to_f32(uint16_t h) { return f16_to_f32(h); }
uint16_t arbor_f32_to_f16(float f) { return f32_to_f16(f); }

void arbor_f32_to_f16_row(const float *restrict x, uint16_t *restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm_storeu_si128((__m128i *)(y + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    }
    for (; i < n; i++) y[i] = f32_to_f16(x[i]);
}

void arbor_f16_to_f32_row(const uint16_t *restrict x, float *restrict y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(y + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))));
    }
    for (; i < n; i++) y[i] = f16_to_f32(x[i]);
}
