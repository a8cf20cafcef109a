/*
 * LZ4 block compression (lz4_Block_format.md), the same greedy "fast" parser as lz4.wat, our
 * WebAssembly kernel and fallback: a 4096-entry hash table of 4-byte sequences, matches of at least
 * 4 bytes at most 65535 back, a search step that grows by one every 64 misses, matches extended
 * backwards and forwards. The format's end rules hold: no match starts in the last 12 bytes, and
 * the last 5 bytes are literals.
 */
#include "lz4.h"
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the match extension counts equal bytes from the low end of a word"
#endif

#define TABLE_BITS 12
#define MAX_OFFSET 65535

static inline uint32_t read32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static inline uint64_t read64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint32_t hash(uint32_t seq) { return (seq * 2654435761u) >> (32 - TABLE_BITS); }

/* A length of 15 or more continues after the token's nibble: 255s, then the rest. */
static inline uint8_t *length(uint8_t *op, size_t n) {
  for (; n >= 255; n -= 255) *op++ = 255;
  *op++ = (uint8_t)n;
  return op;
}

/* The token at op with n literals from `from`; returns the position after the literals. */
static inline uint8_t *literals(uint8_t *op, const uint8_t *from, size_t n) {
  uint8_t *token = op++;
  if (n >= 15) {
    *token = 0xf0;
    op = length(op, n - 15);
  } else {
    *token = (uint8_t)(n << 4);
  }
  memcpy(op, from, n);
  return op + n;
}

size_t lz4_block(const uint8_t *src, size_t n, uint8_t *dst) {
  uint8_t *op = dst;
  const uint8_t *anchor = src;
  if (n >= 13) {
    /* Positions from src; a zero slot is src itself, a real (if unlikely) candidate checked like any other. */
    uint32_t table[1 << TABLE_BITS] = {0};
    const uint8_t *end = src + n, *mflimit = end - 12, *matchlimit = end - 5;
    table[hash(read32(src))] = 0;
    const uint8_t *ip = src + 1;
    for (;;) {
      const uint8_t *ref;
      unsigned attempts = 64;
      for (;;) {
        if (ip > mflimit) goto last;
        uint32_t seq = read32(ip);
        uint32_t h = hash(seq);
        ref = src + table[h];
        table[h] = (uint32_t)(ip - src);
        if (ip - ref <= MAX_OFFSET && ref < ip && read32(ref) == seq) break;
        ip += attempts++ >> 6;
      }
      while (ip > anchor && ref > src && ip[-1] == ref[-1]) {
        ip--;
        ref--;
      }
      size_t mlen = 4;
      for (;;) {
        if (ip + mlen + 8 > matchlimit) {
          while (ip + mlen < matchlimit && ip[mlen] == ref[mlen]) mlen++;
          break;
        }
        uint64_t diff = read64(ip + mlen) ^ read64(ref + mlen);
        if (diff) {
          mlen += (size_t)__builtin_ctzll(diff) >> 3;
          break;
        }
        mlen += 8;
      }
      uint8_t *token = op;
      op = literals(op, anchor, (size_t)(ip - anchor));
      uint16_t offset = (uint16_t)(ip - ref);
      op[0] = (uint8_t)offset;
      op[1] = (uint8_t)(offset >> 8);
      op += 2;
      if (mlen >= 19) {
        *token |= 15;
        op = length(op, mlen - 19);
      } else {
        *token |= (uint8_t)(mlen - 4);
      }
      ip += mlen;
      anchor = ip;
      if (ip > mflimit) break;
      /* As the reference does: remember the position two bytes back. */
      table[hash(read32(ip - 2))] = (uint32_t)(ip - 2 - src);
    }
  }
last:
  op = literals(op, anchor, (size_t)(src + n - anchor));
  return (size_t)(op - dst);
}
