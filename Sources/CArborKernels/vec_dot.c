/* Run-time choice between the reference and the AVX2/FMA dot products. */
#include "kernels_internal.h"

arbor_vec_dot_fn arbor_vec_dot_ref_for(int t) {
    switch (t) {
    case ARBOR_TYPE_F32: return arbor_vec_dot_f32_ref;
    case ARBOR_TYPE_F16: return arbor_vec_dot_f16_ref;
    case ARBOR_TYPE_BF16: return arbor_vec_dot_bf16_ref;
    case ARBOR_TYPE_Q4_0: return arbor_vec_dot_q4_0_ref;
    case ARBOR_TYPE_Q4_1: return arbor_vec_dot_q4_1_ref;
    case ARBOR_TYPE_Q5_0: return arbor_vec_dot_q5_0_ref;
    case ARBOR_TYPE_Q8_0: return arbor_vec_dot_q8_0_ref;
    case ARBOR_TYPE_Q4_K: return arbor_vec_dot_q4_K_ref;
    case ARBOR_TYPE_Q5_K: return arbor_vec_dot_q5_K_ref;
    case ARBOR_TYPE_Q6_K: return arbor_vec_dot_q6_K_ref;
    default: return NULL;
    }
}

arbor_vec_dot_fn arbor_vec_dot_avx2_for(int t) {
    switch (t) {
    case ARBOR_TYPE_F32: return arbor_ggml_lanes() == 16 ? arbor_vec_dot_f32_lanes16_avx2 : arbor_vec_dot_f32_avx2;
    case ARBOR_TYPE_F16: return arbor_ggml_lanes() == 16 ? arbor_vec_dot_f16_lanes16_avx2 : arbor_vec_dot_f16_avx2;
    case ARBOR_TYPE_BF16: return arbor_ggml_lanes() == 16 ? arbor_vec_dot_bf16_lanes16_avx2 : arbor_vec_dot_bf16_avx2;
    case ARBOR_TYPE_Q4_0: return arbor_vec_dot_q4_0_avx2;
    case ARBOR_TYPE_Q4_1: return arbor_vec_dot_q4_1_avx2;
    case ARBOR_TYPE_Q5_0: return arbor_vec_dot_q5_0_avx2;
    case ARBOR_TYPE_Q8_0: return arbor_vec_dot_q8_0_avx2;
    case ARBOR_TYPE_Q4_K: return arbor_vec_dot_q4_K_avx2;
    case ARBOR_TYPE_Q5_K: return arbor_vec_dot_q5_K_avx2;
    case ARBOR_TYPE_Q6_K: return arbor_vec_dot_q6_K_avx2;
    default: return NULL;
    }
}

arbor_vec_dot_fn arbor_vec_dot_for(int t) {
    if (!arbor_use_reference()) {
        arbor_vec_dot_fn f = arbor_vec_dot_avx2_for(t);
        if (f) return f;
    }
    return arbor_vec_dot_ref_for(t);
}

arbor_vec_dot_x4_fn arbor_vec_dot_x4_for(int t, arbor_vec_dot_fn single) {
    if (t == ARBOR_TYPE_Q4_1 && single == arbor_vec_dot_q4_1_avx2) return arbor_vec_dot_q4_1_x4_avx2;
    if (t == ARBOR_TYPE_Q5_0 && single == arbor_vec_dot_q5_0_avx2) return arbor_vec_dot_q5_0_x4_avx2;
    if (t == ARBOR_TYPE_Q8_0 && single == arbor_vec_dot_q8_0_avx2) return arbor_vec_dot_q8_0_x4_avx2;
    if (t == ARBOR_TYPE_Q4_K && single == arbor_vec_dot_q4_K_avx2) return arbor_vec_dot_q4_K_x4_avx2;
    if (t == ARBOR_TYPE_Q5_K && single == arbor_vec_dot_q5_K_avx2) return arbor_vec_dot_q5_K_x4_avx2;
    if (t == ARBOR_TYPE_Q6_K && single == arbor_vec_dot_q6_K_avx2) return arbor_vec_dot_q6_K_x4_avx2;
    return NULL;
}

arbor_vec_dot_x8_fn arbor_vec_dot_x8_for(int t, arbor_vec_dot_fn single) {
    if (t == ARBOR_TYPE_Q4_1 && single == arbor_vec_dot_q4_1_avx2) return arbor_vec_dot_q4_1_x8_avx2;
    if (t == ARBOR_TYPE_Q5_0 && single == arbor_vec_dot_q5_0_avx2) return arbor_vec_dot_q5_0_x8_avx2;
    if (t == ARBOR_TYPE_Q8_0 && single == arbor_vec_dot_q8_0_avx2) return arbor_vec_dot_q8_0_x8_avx2;
    if (t == ARBOR_TYPE_Q6_K && single == arbor_vec_dot_q6_K_avx2) return arbor_vec_dot_q6_K_x8_avx2;
    return NULL;
}

arbor_vec_dot_r4_fn arbor_vec_dot_r4_for(int t, arbor_vec_dot_fn single) {
    if (t == ARBOR_TYPE_Q4_1 && single == arbor_vec_dot_q4_1_avx2) return arbor_vec_dot_q4_1_r4_avx2;
    if (t == ARBOR_TYPE_Q8_0 && single == arbor_vec_dot_q8_0_avx2) return arbor_vec_dot_q8_0_r4_avx2;
    if (t == ARBOR_TYPE_Q5_0 && single == arbor_vec_dot_q5_0_avx2) return arbor_vec_dot_q5_0_r4_avx2;
    return NULL;
}
