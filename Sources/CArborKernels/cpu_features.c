/* Run-time CPU feature detection: cpuid for what the core implements, xgetbv for what the
   operating system saves on a context switch (a feature is usable only with both). */
#include <cpuid.h>
#include <stdlib.h>

#include "kernels_internal.h"

static uint32_t detect(void) {
    unsigned a, b, c, d;
    uint32_t f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int has_fma = (c >> 12) & 1, has_f16c = (c >> 29) & 1, has_osxsave = (c >> 27) & 1;
    if (!has_osxsave) return 0;
    unsigned xcr0_lo, xcr0_hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    int ymm_ok = (xcr0_lo & 0x6) == 0x6;           /* SSE + AVX state */
    int zmm_ok = ymm_ok && (xcr0_lo & 0xE0) == 0xE0; /* opmask + ZMM state */
    if (!ymm_ok) return 0;
    if (has_fma) f |= ARBOR_CPU_FMA;
    if (has_f16c) f |= ARBOR_CPU_F16C;
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if ((b >> 5) & 1) f |= ARBOR_CPU_AVX2;
        if (zmm_ok && ((b >> 16) & 1)) f |= ARBOR_CPU_AVX512F;
        if (zmm_ok && ((b >> 17) & 1)) f |= ARBOR_CPU_AVX512DQ;
        if (zmm_ok && ((b >> 30) & 1)) f |= ARBOR_CPU_AVX512BW;
        if (zmm_ok && ((c >> 11) & 1)) f |= ARBOR_CPU_AVX512VNNI;
    }
    return f;
}

uint32_t arbor_cpu_features(void) {
    static uint32_t cached = 0xFFFFFFFFu;
    uint32_t f = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (f == 0xFFFFFFFFu) {
        f = detect();
        __atomic_store_n(&cached, f, __ATOMIC_RELAXED);
    }
    return f;
}

int arbor_cpu_has_floor(void) {
    uint32_t need = ARBOR_CPU_AVX2 | ARBOR_CPU_FMA | ARBOR_CPU_F16C;
    return (arbor_cpu_features() & need) == need;
}

static int force_reference = 0;

void arbor_force_reference(int on) { __atomic_store_n(&force_reference, on, __ATOMIC_RELAXED); }

int arbor_use_reference(void) {
    return __atomic_load_n(&force_reference, __ATOMIC_RELAXED) || !arbor_cpu_has_floor();
}

static int ggml_lanes = 0; /* 0: not chosen, the environment or 8 */

void arbor_set_ggml_lanes(int lanes) {
    __atomic_store_n(&ggml_lanes, lanes == 16 || lanes == 8 ? lanes : 0, __ATOMIC_RELAXED);
}

/* the environment is read once: kernels ask on every call */
static int env_lanes(void) {
    static int cached = -1;
    int lanes = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (lanes < 0) {
        const char *env = getenv("ARBOR_GGML_LANES");
        lanes = env && atoi(env) == 16 ? 16 : 8;
        __atomic_store_n(&cached, lanes, __ATOMIC_RELAXED);
    }
    return lanes;
}

int arbor_ggml_lanes(void) {
    int lanes = __atomic_load_n(&ggml_lanes, __ATOMIC_RELAXED);
    return lanes ? lanes : env_lanes();
}
