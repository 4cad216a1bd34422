#ifndef ARBOR_KERNELS_H
#define ARBOR_KERNELS_H
/* CArborKernels: numeric hot code. Every kernel has a plain C `_ref` and SIMD versions
   chosen at run time from the CPU's features. */
#endif
