#ifndef ARBOR_BLOCKS_H
#define ARBOR_BLOCKS_H
/*
 * Quantised block layouts, byte for byte those of ggml/GGUF, and the type numbers GGUF
 * uses for them. A row of n elements is n / block_elems consecutive blocks.
 */
#include <stdint.h>

enum arbor_type {
    ARBOR_TYPE_F32 = 0,
    ARBOR_TYPE_F16 = 1,
    ARBOR_TYPE_Q4_0 = 2,
    ARBOR_TYPE_Q4_1 = 3,
    ARBOR_TYPE_Q5_0 = 6,
    ARBOR_TYPE_Q5_1 = 7,
    ARBOR_TYPE_Q8_0 = 8,
    ARBOR_TYPE_Q8_1 = 9,
    ARBOR_TYPE_Q2_K = 10,
    ARBOR_TYPE_Q3_K = 11,
    ARBOR_TYPE_Q4_K = 12,
    ARBOR_TYPE_Q5_K = 13,
    ARBOR_TYPE_Q6_K = 14,
    ARBOR_TYPE_Q8_K = 15,
    ARBOR_TYPE_BF16 = 30,
};

#define ARBOR_QK 32   /* elements per block of the legacy quants */
#define ARBOR_QK_K 256 /* elements per super-block of the K-quants */
#define ARBOR_K_SCALE_SIZE 12

/* x = d * (q - 8), q the 4-bit nibble; low nibbles are elements 0..15, high 16..31 */
typedef struct { uint16_t d; uint8_t qs[ARBOR_QK / 2]; } arbor_block_q4_0;
/* x = d * q + m */
typedef struct { uint16_t d; uint16_t m; uint8_t qs[ARBOR_QK / 2]; } arbor_block_q4_1;
/* x = d * (q - 16), q = nibble | (bit j of qh) << 4 */
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[ARBOR_QK / 2]; } arbor_block_q5_0;
/* x = d * q + m, 5-bit q as in Q5_0 */
typedef struct { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[ARBOR_QK / 2]; } arbor_block_q5_1;
/* x = d * q */
typedef struct { uint16_t d; int8_t qs[ARBOR_QK]; } arbor_block_q8_0;
/* x = d * q; s = d * sum(q) */
typedef struct { uint16_t d; uint16_t s; int8_t qs[ARBOR_QK]; } arbor_block_q8_1;
/* 8 sub-blocks of 32: x = d*sc*q - dmin*m, 6-bit sc/m packed in scales[12] */
typedef struct {
    uint16_t d; uint16_t dmin; uint8_t scales[ARBOR_K_SCALE_SIZE]; uint8_t qs[ARBOR_QK_K / 2];
} arbor_block_q4_K;
/* as Q4_K with a fifth bit per element in qh */
typedef struct {
    uint16_t d; uint16_t dmin; uint8_t scales[ARBOR_K_SCALE_SIZE]; uint8_t qh[ARBOR_QK_K / 8];
    uint8_t qs[ARBOR_QK_K / 2];
} arbor_block_q5_K;
/* 16 sub-blocks of 16: x = d * scales[i] * (q - 32), q 6 bits (4 in ql, 2 in qh) */
typedef struct {
    uint8_t ql[ARBOR_QK_K / 2]; uint8_t qh[ARBOR_QK_K / 4]; int8_t scales[ARBOR_QK_K / 16];
    uint16_t d;
} arbor_block_q6_K;
/* activations for the K-quants: x = d * q, bsums = sums of 16 consecutive q */
typedef struct { float d; int8_t qs[ARBOR_QK_K]; int16_t bsums[ARBOR_QK_K / 16]; } arbor_block_q8_K;

_Static_assert(sizeof(arbor_block_q4_0) == 18, "Q4_0 block is 18 bytes");
_Static_assert(sizeof(arbor_block_q4_1) == 20, "Q4_1 block is 20 bytes");
_Static_assert(sizeof(arbor_block_q5_0) == 22, "Q5_0 block is 22 bytes");
_Static_assert(sizeof(arbor_block_q5_1) == 24, "Q5_1 block is 24 bytes");
_Static_assert(sizeof(arbor_block_q8_0) == 34, "Q8_0 block is 34 bytes");
_Static_assert(sizeof(arbor_block_q8_1) == 36, "Q8_1 block is 36 bytes");
_Static_assert(sizeof(arbor_block_q4_K) == 144, "Q4_K block is 144 bytes");
_Static_assert(sizeof(arbor_block_q5_K) == 176, "Q5_K block is 176 bytes");
_Static_assert(sizeof(arbor_block_q6_K) == 210, "Q6_K block is 210 bytes");
_Static_assert(sizeof(arbor_block_q8_K) == 292, "Q8_K block is 292 bytes");

#endif
