#ifndef PTAR_BLAKE3_H
#define PTAR_BLAKE3_H
#include <stddef.h>
#include <stdint.h>

#define BLAKE3_SMALL_MAX 1024
/* Keyed BLAKE3, 32-byte output, of n <= BLAKE3_SMALL_MAX bytes. */
void blake3_keyed_small(const uint8_t key[32], const uint8_t *in, size_t n, uint8_t out[32]);

#endif
