#ifndef ARBOR_KERNELS_H
#define ARBOR_KERNELS_H
/*
 * CArborKernels: the numeric hot code of Arbor's inference engine.
 *
 * Conventions
 * - Plain functions over raw pointers and sizes. Nothing here allocates except
 *   arbor_pool_create; no function keeps a pointer it was given after it returns.
 * - Every quantised kernel has a plain C `_ref` version and an AVX2/FMA version; the
 *   un-suffixed entry point picks one from the CPU's features at run time.
 * - Block layouts and type numbers are identical to ggml's, so a GGUF tensor's bytes are
 *   used in place (mmap, no copies).
 * - Work split across threads is always by output rows; no kernel reduces across threads,
 *   so results never depend on the thread count.
 * - "f16" is IEEE half precision stored as uint16_t.
 */
#include <stddef.h>
#include <stdint.h>

#include "arbor_blocks.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- CPU features */

enum {
    ARBOR_CPU_AVX2 = 1 << 0,
    ARBOR_CPU_FMA = 1 << 1,
    ARBOR_CPU_F16C = 1 << 2,
    ARBOR_CPU_AVX512F = 1 << 3,
    ARBOR_CPU_AVX512BW = 1 << 4,
    ARBOR_CPU_AVX512VNNI = 1 << 5,
    ARBOR_CPU_AVX512DQ = 1 << 6,
};

/** Bit set of ARBOR_CPU_* detected with cpuid + xgetbv (OS support for the registers). */
uint32_t arbor_cpu_features(void);

/** 1 when the AVX2/FMA/F16C floor is present, else 0. */
int arbor_cpu_has_floor(void);

/** Forces the `_ref` kernels (1) or run-time selection (0); for tests and debugging. */
void arbor_force_reference(int on);

/** Whose rounding the kernels reproduce where llama.cpp's result depends on its SIMD width
    (the F32, F16 and BF16 dots' summation order, the SiLU's exp): 8 = a llama.cpp built for
    AVX2, 16 = one built for AVX-512 (without AVX512_BF16). The quantised dots and the
    activation quantisation run the same code in both builds. Both run on the AVX2 floor.
    0 restores the default: the environment variable ARBOR_GGML_LANES (8 or 16), else 8, the
    same on every CPU. */
void arbor_set_ggml_lanes(int lanes);
/** The lane count in effect: 8 or 16. */
int arbor_ggml_lanes(void);

/* ---------------------------------------------------------------- type traits */

/** Elements per block of `type` (1 for F32/F16/BF16); 0 for an unsupported type. */
int64_t arbor_type_block_elems(int type);
/** Bytes per block of `type`; 0 for an unsupported type. */
size_t arbor_type_block_bytes(int type);
/** Bytes of one row of `n` elements (n must be a multiple of the block size). */
size_t arbor_row_bytes(int type, int64_t n);
/** The activation type a weight of `type` is dotted with (ggml's vec_dot_type). */
int arbor_activation_type(int weight_type);
/** 1 when `type` is a weight type this library can dequantise and dot. */
int arbor_type_supported(int type);

/* ---------------------------------------------------------------- f16 / bf16 */

float arbor_f16_to_f32(uint16_t h);
uint16_t arbor_f32_to_f16(float f); /* round to nearest even */
void arbor_f32_to_f16_row(const float *restrict x, uint16_t *restrict y, int64_t n);
void arbor_f16_to_f32_row(const uint16_t *restrict x, float *restrict y, int64_t n);

/* ---------------------------------------------------------------- dequantise */

/** y[0..n) = the values of the row `x` of `type`; n a multiple of the block size. */
void arbor_dequantize_row(int type, const void *restrict x, float *restrict y, int64_t n);

/* ---------------------------------------------------------------- quantise activations */

/* As ggml's x86 build: scale d = amax/127 stored f16, multiplier 127/amax, round to nearest
   even. Q8_1 also stores s = d * sum(q). Q8_K: d = max/-127 (signed max), bsums per 16. */
void arbor_quantize_row_q8_0_ref(const float *restrict x, void *restrict y, int64_t n);
void arbor_quantize_row_q8_0(const float *restrict x, void *restrict y, int64_t n);
void arbor_quantize_row_q8_1_ref(const float *restrict x, void *restrict y, int64_t n);
void arbor_quantize_row_q8_1(const float *restrict x, void *restrict y, int64_t n);
void arbor_quantize_row_q8_K_ref(const float *restrict x, void *restrict y, int64_t n);
void arbor_quantize_row_q8_K(const float *restrict x, void *restrict y, int64_t n);

/** Converts one f32 row to `act_type` (Q8_0, Q8_1, Q8_K, F16, BF16 or F32). */
void arbor_quantize_row(int act_type, const float *restrict x, void *restrict y, int64_t n);

/* ---------------------------------------------------------------- dot products */

/** Dot of one weight row `w` (n elements of its type) with one activation row `a` (n
    elements of arbor_activation_type(type)). */
typedef float (*arbor_vec_dot_fn)(int64_t n, const void *restrict w, const void *restrict a);

/** The selected dot product for a weight type (AVX2 when available), or NULL. */
arbor_vec_dot_fn arbor_vec_dot_for(int weight_type);
/** The plain C reference dot product for a weight type, or NULL. */
arbor_vec_dot_fn arbor_vec_dot_ref_for(int weight_type);
/** The AVX2/FMA dot product for a weight type, or NULL when there is none. */
arbor_vec_dot_fn arbor_vec_dot_avx2_for(int weight_type);

/* ---------------------------------------------------------------- thread pool */

/** A persistent pool: n-1 worker threads that stay alive between calls, the caller is
    thread 0. Created once per model; all calls from one thread at a time. */
typedef struct arbor_pool arbor_pool;
typedef void (*arbor_task_fn)(void *ctx, int ith, int nth);

/** Returns NULL when threads cannot be created. n_threads < 1 means 1. Owner frees it
    with arbor_pool_destroy. */
arbor_pool *arbor_pool_create(int n_threads);
void arbor_pool_destroy(arbor_pool *pool);
int arbor_pool_threads(const arbor_pool *pool);
/** Runs fn(ctx, ith, nth) on every thread and returns when all have finished. */
void arbor_pool_run(arbor_pool *pool, arbor_task_fn fn, void *ctx);

/* ---------------------------------------------------------------- matmul */

/**
 * out[t*out_stride + r] = dot(W row r, act row t) for r < n_rows, t < n_tok.
 * w:   [n_rows][row_bytes(wtype, n_cols)]   (a GGUF tensor in place)
 * act: [n_tok][act_stride] bytes, rows already in arbor_activation_type(wtype)
 * Rows are split across the pool's threads; each output is one vec_dot call, so it is
 * the same number whatever the thread count or n_tok.
 */
void arbor_matmul(arbor_pool *pool, float *restrict out, int64_t out_stride,
                  const void *restrict w, int wtype, int64_t n_rows, int64_t n_cols,
                  const void *restrict act, size_t act_stride, int64_t n_tok);

/** Allows (1, the default) or forbids (0) the kernels that dot one weight row with four or
    eight tokens at once in prefill. Their outputs are bit-identical to one dot call per
    output, so this changes speed only: tests check that, benchmarks measure the gain.
    Until it is called, the environment variable ARBOR_MULTI_TOKEN=0 forbids them. */
void arbor_set_multi_token(int on);

/** One matrix of a fused matmul: out[t*out_stride + r] = dot(W row r, act row t), r < n_rows.
    w: [n_rows][row_bytes(wtype, n_cols)] (a GGUF tensor in place). */
typedef struct {
    float *out;
    int64_t out_stride;
    const void *w;
    int wtype;
    int64_t n_rows;
} arbor_matmul_part;

#define ARBOR_MATMUL_MAX_PARTS 4

/**
 * Up to ARBOR_MATMUL_MAX_PARTS matrices over the same activation rows (q, k and v; gate and
 * up) in one pool run: the threads split the matrices' rows together and meet once. Every
 * output is the number arbor_matmul gives. Returns 0, or -1 (nothing computed) when a
 * count is out of range, a type is unsupported or the parts' activation types differ.
 */
int arbor_matmul_parts(arbor_pool *pool, const arbor_matmul_part *parts, int n_parts, int64_t n_cols,
                       const void *restrict act, size_t act_stride, int64_t n_tok);

/* ---------------------------------------------------------------- elementwise ops */

/** y = x / sqrt(mean(x^2) + eps) * w, the sum of squares in double like ggml. y may be x. */
void arbor_rmsnorm(float *y, const float *x, const float *restrict w, int64_t n, float eps);

/** RoPE table for one position: cs[2i] = cos(theta_i), cs[2i+1] = sin(theta_i) for
    i < n_rot/2, theta_i = pos * base^(-2i/n_rot), computed by repeated multiplication
    like ggml. pos may be negative (re-rotation by a delta). */
void arbor_rope_table(float *restrict cs, int64_t pos, int n_rot, float freq_base);
/** Rotates n_head vectors of head_dim (first n_rot dims) in place. neox = 0: pairs
    (2i, 2i+1) (llama); neox = 1: pairs (i, i + n_rot/2) (qwen2/qwen3). */
void arbor_rope_apply(float *x, int n_head, int head_dim, int n_rot, const float *restrict cs,
                      int neox);
/** The same on f16 vectors (cached keys), computing in f32. */
void arbor_rope_apply_f16(uint16_t *x, int n_head, int head_dim, int n_rot,
                          const float *restrict cs, int neox);

/** In-place softmax of x[0..n) in f32. */
void arbor_softmax(float *x, int64_t n);
/** y = silu(g) * u, silu(g) = g / (1 + exp(-g)). y may alias g. */
void arbor_swiglu(float *y, const float *g, const float *restrict u, int64_t n);
/** y += x. */
void arbor_add(float *restrict y, const float *restrict x, int64_t n);

/* ---------------------------------------------------------------- attention */

/**
 * Attention of n_tok queries over lists of KV slots (pages of one token).
 * out:   [n_tok][n_head*head_dim] f32
 * q:     [n_tok][n_head*head_dim] f32 (already rotated)
 * k, v:  [n_slots][n_kv_head*head_dim] f16, one layer of the cache
 * slots: the sequence's slot list in order; query t attends to slots[0 .. n_visible[t])
 * Query head h uses KV head h / (n_head / n_kv_head). Like ggml's CPU flash attention:
 * the query is rounded to f16, scores are f16·f16 dots, the softmax is online in f32 and
 * the weighted V sum accumulates in f16. The queries sharing a KV head (and several tokens)
 * read each chunk of keys once; threads split those groups, never one query's sum.
 */
void arbor_attention(arbor_pool *pool, float *restrict out, const float *restrict q,
                     int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                     const int32_t *restrict slots, const int32_t *restrict n_visible,
                     int n_head, int n_kv_head, int head_dim, float scale);
/** arbor_attention as the plain per-key loop (score, softmax step, V step, key by key): the
    reference the faster arbor_attention must equal bit for bit. */
void arbor_attention_ref(arbor_pool *pool, float *restrict out, const float *restrict q,
                         int64_t n_tok, const uint16_t *restrict k, const uint16_t *restrict v,
                         const int32_t *restrict slots, const int32_t *restrict n_visible,
                         int n_head, int n_kv_head, int head_dim, float scale);

#ifdef __cplusplus
}
#endif
#endif
