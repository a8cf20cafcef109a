#ifndef PTAR_LZ4_H
#define PTAR_LZ4_H
#include <stddef.h>
#include <stdint.h>

/* Worst-case size of an LZ4 block of n bytes (LZ4_COMPRESSBOUND). */
#define LZ4_BOUND(n) ((n) + (n) / 255 + 16)
/* Compresses src[0, n) into dst (room for LZ4_BOUND(n) bytes) as one LZ4 block; returns its size. */
size_t lz4_block(const uint8_t *src, size_t n, uint8_t *dst);

#endif
