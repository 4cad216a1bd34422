#ifndef ARBOR_BANDWIDTH_H
#define ARBOR_BANDWIDTH_H
#include <stddef.h>
#include "arbor_kernels.h"

/* Streaming-read bandwidth probe, the ceiling for decode speed: decoding one token reads
   every weight once, so tokens/s can never exceed bandwidth / model bytes.

   Reads `bytes` bytes of `buf` (64-byte aligned, `bytes` a multiple of 256) `passes`
   times, split into contiguous chunks across the pool's threads, and returns the bytes
   read per second. The buffer should be far larger than the last-level cache. */
double arbor_read_bandwidth(arbor_pool *pool, const void *buf, size_t bytes, int passes);

#endif
