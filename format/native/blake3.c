/*
 * Keyed BLAKE3 of inputs of at most one chunk (1024 bytes), from the BLAKE3 specification: the
 * many small blobs of a backup (objects, entries, small files) are MACed here in well under a
 * microsecond, where a call into the SIMD library costs ~2.5 µs of binding overhead. Longer
 * inputs, whose chunk tree pays off the SIMD, stay with that library.
 */
#include "blake3.h"
#include <string.h>

static const uint32_t IV[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
static const uint8_t PERMUTATION[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};

enum { CHUNK_START = 1, CHUNK_END = 2, ROOT = 8, KEYED_HASH = 16 };

static inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

#define G(a, b, c, d, x, y)         \
  s[a] = s[a] + s[b] + (x);         \
  s[d] = rotr(s[d] ^ s[a], 16);     \
  s[c] = s[c] + s[d];               \
  s[b] = rotr(s[b] ^ s[c], 12);     \
  s[a] = s[a] + s[b] + (y);         \
  s[d] = rotr(s[d] ^ s[a], 8);      \
  s[c] = s[c] + s[d];               \
  s[b] = rotr(s[b] ^ s[c], 7);

/* The compression function with counter 0 (one chunk); cv is replaced by the first 8 output words. */
static void compress(uint32_t cv[8], const uint8_t block[64], uint32_t len, uint32_t flags) {
  uint32_t m[16], t[16], s[16];
  for (int i = 0; i < 16; i++) m[i] = le32(block + 4 * i);
  memcpy(s, cv, 32);
  memcpy(s + 8, IV, 16);
  s[12] = 0;
  s[13] = 0;
  s[14] = len;
  s[15] = flags;
  for (int r = 0; r < 7; r++) {
    G(0, 4, 8, 12, m[0], m[1])
    G(1, 5, 9, 13, m[2], m[3])
    G(2, 6, 10, 14, m[4], m[5])
    G(3, 7, 11, 15, m[6], m[7])
    G(0, 5, 10, 15, m[8], m[9])
    G(1, 6, 11, 12, m[10], m[11])
    G(2, 7, 8, 13, m[12], m[13])
    G(3, 4, 9, 14, m[14], m[15])
    for (int i = 0; i < 16; i++) t[i] = m[PERMUTATION[i]];
    memcpy(m, t, sizeof m);
  }
  for (int i = 0; i < 8; i++) cv[i] = s[i] ^ s[i + 8];
}

void blake3_keyed_small(const uint8_t key[32], const uint8_t *in, size_t n, uint8_t out[32]) {
  uint32_t cv[8];
  for (int i = 0; i < 8; i++) cv[i] = le32(key + 4 * i);
  uint32_t flags = KEYED_HASH | CHUNK_START;
  /* Every block but the last is full; the last (possibly empty) is zero-padded. */
  while (n > 64) {
    compress(cv, in, 64, flags);
    flags = KEYED_HASH;
    in += 64;
    n -= 64;
  }
  uint8_t last[64] = {0};
  memcpy(last, in, n);
  compress(cv, last, (uint32_t)n, flags | CHUNK_END | ROOT);
  for (int i = 0; i < 8; i++) {
    out[4 * i] = (uint8_t)cv[i];
    out[4 * i + 1] = (uint8_t)(cv[i] >> 8);
    out[4 * i + 2] = (uint8_t)(cv[i] >> 16);
    out[4 * i + 3] = (uint8_t)(cv[i] >> 24);
  }
}
