/* Writes ggml-avx2-dots.jsonl: dot products computed by llama.cpp's own CPU code, for
   QuantKernelTests.testDotsEqualLlamaCppAvx2BuildBitForBit. Development time only.

   Build against the objects of a llama.cpp build (here: llama-cpp-python 0.3.36's vendored
   source, gcc 12, Release, GGML_NATIVE=ON on an AVX2/FMA/F16C machine):
     ar x  build/ggml/src/libggml-cpu.a vec.cpp.o
     ar xN 2 build/ggml/src/libggml-cpu.a quants.c.o     # the second one: arch/x86/quants.c
     gcc -O2 -c ggml-dot-golden.c
     g++ -no-pie ggml-dot-golden.o vec.cpp.o quants.c.o build/ggml/src/libggml-base.a -fopenmp -lm
     ./a.out > ../ggml-avx2-dots.jsonl

   Each line: {"type": GGUF type number, "n": elements, "x": activation floats as hex bit
   patterns, "w": weight row bytes (hex), "a": the activation row as ggml quantises or
   converts x (hex), "dot": ggml's vec_dot result as hex bit pattern}. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*vec_dot_fn)(int, float *, size_t, const void *, size_t, const void *, size_t, int);
typedef void (*convert_fn)(const float *, void *, int64_t);
void ggml_vec_dot_f32(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_f16(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_bf16(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_1_q8_1(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q8_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q6_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void quantize_row_q8_0(const float *, void *, int64_t);
void quantize_row_q8_1(const float *, void *, int64_t);
void quantize_row_q8_K(const float *, void *, int64_t);
void ggml_fp32_to_fp16_row(const float *, void *, int64_t);
void ggml_fp32_to_bf16_row(const float *, void *, int64_t);
uint16_t ggml_fp32_to_fp16(float);
float ggml_fp16_to_fp32(uint16_t);

/* the CPU backend keeps these tables; only the f16 one is read by the functions used here */
float ggml_table_f32_f16[1 << 16];
float ggml_table_f32_e8m0_half[256];
float ggml_table_f32_ue4m3[256];

static void copy_f32(const float *x, void *y, int64_t n) { memcpy(y, x, (size_t)n * 4); }

static uint64_t state = 0x5eed;
static uint32_t next(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(state >> 33);
}
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)(next() >> 8) / 16777216.0f; }

static void hex(const char *key, const void *p, size_t n) {
    printf("\"%s\": \"", key);
    for (size_t i = 0; i < n; i++) printf("%02x", ((const uint8_t *)p)[i]);
    printf("\"");
}

int main(void) {
    for (int i = 0; i < 65536; i++) ggml_table_f32_f16[i] = ggml_fp16_to_fp32((uint16_t)i);
    struct {
        int type, block_elems, block_bytes, act_bytes; /* act_bytes per block of the activation */
        vec_dot_fn dot;
        convert_fn act;
        int scale_offsets[2], n_scales;
        int sizes[4];
    } kinds[] = {
        {0, 1, 4, 4, ggml_vec_dot_f32, copy_f32, {0}, 0, {7, 37, 100, 131}},
        {1, 1, 2, 2, ggml_vec_dot_f16, ggml_fp32_to_fp16_row, {0}, 0, {7, 37, 100, 131}},
        {30, 1, 2, 2, ggml_vec_dot_bf16, ggml_fp32_to_bf16_row, {0}, 0, {7, 37, 100, 131}},
        {2, 32, 18, 34, ggml_vec_dot_q4_0_q8_0, quantize_row_q8_0, {0}, 1, {1, 3, 9, 18}},
        {3, 32, 20, 36, ggml_vec_dot_q4_1_q8_1, quantize_row_q8_1, {0, 2}, 2, {1, 3, 9, 18}},
        {6, 32, 22, 34, ggml_vec_dot_q5_0_q8_0, quantize_row_q8_0, {0}, 1, {1, 3, 9, 18}},
        {8, 32, 34, 34, ggml_vec_dot_q8_0_q8_0, quantize_row_q8_0, {0}, 1, {1, 3, 9, 18}},
        {12, 256, 144, 292, ggml_vec_dot_q4_K_q8_K, quantize_row_q8_K, {0, 2}, 2, {1, 2, 3, 4}},
        {13, 256, 176, 292, ggml_vec_dot_q5_K_q8_K, quantize_row_q8_K, {0, 2}, 2, {1, 2, 3, 4}},
        {14, 256, 210, 292, ggml_vec_dot_q6_K_q8_K, quantize_row_q8_K, {208}, 1, {1, 2, 3, 4}},
    };
    static float x[4096], wf[4096];
    static uint8_t w[16384], a[16384];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        for (int s = 0; s < 4; s++) {
            const int nb = kinds[k].sizes[s], n = nb * kinds[k].block_elems;
            for (int i = 0; i < n; i++) x[i] = uniform(-2, 2);
            if (kinds[k].block_elems == 1) {
                for (int i = 0; i < n; i++) wf[i] = uniform(-1, 1);
                kinds[k].act(wf, w, n); /* float weights are stored as their own type */
            } else {
                for (int i = 0; i < nb * kinds[k].block_bytes; i++) w[i] = (uint8_t)next();
                for (int b = 0; b < nb; b++) {
                    for (int j = 0; j < kinds[k].n_scales; j++) {
                        uint16_t h = ggml_fp32_to_fp16(uniform(0.001f, 0.05f));
                        memcpy(w + b * kinds[k].block_bytes + kinds[k].scale_offsets[j], &h, 2);
                    }
                }
            }
            kinds[k].act(x, a, n);
            float dot;
            kinds[k].dot(n, &dot, 0, w, 0, a, 0, 1);
            printf("{\"type\": %d, \"n\": %d, ", kinds[k].type, n);
            hex("x", x, (size_t)n * 4), printf(", ");
            hex("w", w, (size_t)nb * kinds[k].block_bytes), printf(", ");
            hex("a", a, (size_t)nb * kinds[k].act_bytes), printf(", ");
            hex("dot", &dot, 4), printf("}\n");
        }
    }
    return 0;
}
