#ifndef ARBOR_SHA256_H
#define ARBOR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// SHA-256 (FIPS 180-4) of `length` bytes at `data`, written as 32 bytes to `digest`.
/// Used to identify model and spec files in the run store; in C so that hashing a
/// 500 MB model takes seconds even in a debug build.
void arbor_sha256(const uint8_t *data, size_t length, uint8_t digest[32]);

#ifdef __cplusplus
}
#endif

#endif
