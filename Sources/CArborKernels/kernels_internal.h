#ifndef ARBOR_KERNELS_INTERNAL_H
#define ARBOR_KERNELS_INTERNAL_H
/* Shared inline helpers of the kernel files; not part of the public header. */
#include <immintrin.h>
#include <string.h>

#include "arbor_kernels.h"

/* F16C is part of the supported floor (-mf16c), so conversions use it directly. The half
   goes through a general register and vmovd, a full register write, pinned by an empty asm:
   otherwise clang lowers the conversion to an insert into whatever register is free, often
   a loop's accumulator, and that false dependency serialised every quantised dot product
   (~10 cycles per block instead of ~4). */
static inline float f16_to_f32(uint16_t h) {
    __m128i v = _mm_cvtsi32_si128((int)h);
    __asm__("" : "+x"(v));
    return _mm_cvtss_f32(_mm_cvtph_ps(v));
}
static inline uint16_t f32_to_f16(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

/* Round to nearest, ties to even, exactly as ggml's nearest_int for |x| < 2^22. */
static inline int nearest_int(float x) {
    float v = x + 12582912.f;
    int i;
    memcpy(&i, &v, sizeof(int));
    return (i & 0x007fffff) - 0x00400000;
}

/* 6-bit scale j and min j of a Q4_K/Q5_K super-block from the packed 12 bytes. */
static inline void k_scale_min(int j, const uint8_t *restrict q, uint8_t *d, uint8_t *m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}

int arbor_use_reference(void);
__m256 arbor_exp8(__m256 x);

/* reference dot products (vec_dot_ref.c) */
float arbor_vec_dot_f32_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_f16_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_bf16_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_0_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_1_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q5_0_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q8_0_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_K_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q5_K_ref(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q6_K_ref(int64_t n, const void *restrict w, const void *restrict a);

/* AVX2/FMA dot products (vec_dot_avx2.c) */
float arbor_vec_dot_f32_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_f32_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_bf16_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_bf16_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_f16_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_f16_lanes16_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_0_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_1_avx2(int64_t n, const void *restrict w, const void *restrict a);
/* four activation rows (a, a + a_stride, ...) against one weight row; out[k] is
   bit-identical to the single-row dot of row k. */
typedef void (*arbor_vec_dot_x4_fn)(int64_t n, const void *restrict w, const void *restrict a,
                                    size_t a_stride, float out[4]);
/* the x4 form matching `single` (the function arbor_vec_dot_for chose), or NULL */
arbor_vec_dot_x4_fn arbor_vec_dot_x4_for(int t, arbor_vec_dot_fn single);
/* eight activation rows against one weight row, bit-identical like the x4 form (the same
   C type: an array parameter is a pointer) */
typedef arbor_vec_dot_x4_fn arbor_vec_dot_x8_fn;
/* the x8 form matching `single`, or NULL */
arbor_vec_dot_x8_fn arbor_vec_dot_x8_for(int t, arbor_vec_dot_fn single);
/* vec_dot_x4_avx2.c: the four- and eight-token forms for the types K-quant models use */
#define ARBOR_X4_X8_DECL(name)                                                                  \
    void arbor_vec_dot_##name##_x4_avx2(int64_t n, const void *restrict w, const void *restrict a, \
                                        size_t a_stride, float out[4]);                         \
    void arbor_vec_dot_##name##_x8_avx2(int64_t n, const void *restrict w, const void *restrict a, \
                                        size_t a_stride, float out[8]);
ARBOR_X4_X8_DECL(q4_1)
ARBOR_X4_X8_DECL(q5_0)
ARBOR_X4_X8_DECL(q8_0)
ARBOR_X4_X8_DECL(q6_K)
void arbor_vec_dot_q4_K_x4_avx2(int64_t n, const void *restrict w, const void *restrict a,
                                size_t a_stride, float out[4]);
void arbor_vec_dot_q5_K_x4_avx2(int64_t n, const void *restrict w, const void *restrict a,
                                size_t a_stride, float out[4]);
#undef ARBOR_X4_X8_DECL
/* four weight rows (w, w + w_stride, ...) against one activation row; out[r] is
   bit-identical to the single-row dot of row r. */
typedef void (*arbor_vec_dot_r4_fn)(int64_t n, const void *restrict w, size_t w_stride,
                                    const void *restrict a, float out[4]);
/* the four-row form matching `single`, or NULL */
arbor_vec_dot_r4_fn arbor_vec_dot_r4_for(int t, arbor_vec_dot_fn single);
void arbor_vec_dot_q4_1_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]);
void arbor_vec_dot_q8_0_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]);
void arbor_vec_dot_q5_0_r4_avx2(int64_t n, const void *restrict w, size_t w_stride,
                                const void *restrict a, float out[4]);
float arbor_vec_dot_q5_0_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q8_0_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q4_K_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q5_K_avx2(int64_t n, const void *restrict w, const void *restrict a);
float arbor_vec_dot_q6_K_avx2(int64_t n, const void *restrict w, const void *restrict a);

#endif
