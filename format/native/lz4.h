#ifndef PTAR_LZ4_H
#define PTAR_LZ4_H
#include <stddef.h>
#include <stdint.h>

/* Worst-case size of an LZ4 block of n bytes (LZ4_COMPRESSBOUND). */
#define LZ4_BOUND(n) ((n) + (n) / 255 + 16)
/* Compresses src[0, n) into dst (room for LZ4_BOUND(n) bytes) as one LZ4 block; returns its size. */
size_t lz4_block(const uint8_t *src, size_t n, uint8_t *dst);
/*
 * Decodes the LZ4 block src[0, n) into dst[pos, cap), matches reaching back as far as dst[0] (the
 * frame's earlier blocks); returns the position after it, or -1 if the block is malformed or
 * does not fit.
 */
long lz4_unblock(const uint8_t *src, size_t n, uint8_t *dst, size_t pos, size_t cap);

#endif
