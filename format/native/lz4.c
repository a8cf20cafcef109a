/*
 * LZ4 block compression (lz4_Block_format.md) that writes the same blocks as the reference
 * library's default, LZ4_compress_default (lz4.c, acceleration 1): the greedy "fast" parser with a
 * 16 KiB hash table, of 4-byte sequences in 8192 16-bit slots for inputs under 64 KiB + 11 bytes,
 * else of 5-byte sequences in 4096 32-bit slots; a search step that grows by one every 64
 * misses; matches at most 65535 back, extended backwards and forwards; after each match, one try
 * for another right where it ends. The format's end rules hold: no match starts in the last 12
 * bytes, and the last 5 bytes are literals. Written from the format and the library's documented
 * behaviour; test/codec.test.ts holds it to the lz4 tool byte for byte.
 */
#include "lz4.h"
#include <string.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the hashes and the match extension assume a little-endian machine"
#endif

#define MAX_OFFSET 65535
#define SKIP_TRIGGER 6
/* Inputs below this use the 16-bit table: every position fits in 16 bits. */
#define SMALL_LIMIT (65536 + 11)

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

static inline uint32_t hash(const uint8_t *p, int small) {
  if (small) return (read32(p) * 2654435761u) >> (32 - 13);
  return (uint32_t)(((read64(p) << 24) * 889523592379ull) >> (64 - 12));
}

/* A length of 15 or more continues after the token's nibble: 255s, then the rest. */
static inline uint8_t *length(uint8_t *op, size_t n) {
  for (; n >= 255; n -= 255) *op++ = 255;
  *op++ = (uint8_t)n;
  return op;
}

/* Equal bytes at ip and ref, ip stopping at limit. */
static inline size_t count(const uint8_t *ip, const uint8_t *ref, const uint8_t *limit) {
  const uint8_t *start = ip;
  while (ip + 8 <= limit) {
    uint64_t diff = read64(ip) ^ read64(ref);
    if (diff) return (size_t)(ip - start) + ((size_t)__builtin_ctzll(diff) >> 3);
    ip += 8;
    ref += 8;
  }
  while (ip < limit && *ip == *ref) {
    ip++;
    ref++;
  }
  return (size_t)(ip - start);
}

/* The token with n literals' length; returns where the literals go. */
static inline uint8_t *literal_length(uint8_t *token, size_t n) {
  if (n < 15) {
    *token = (uint8_t)(n << 4);
    return token + 1;
  }
  *token = 0xf0;
  return length(token + 1, n - 15);
}

static inline size_t compress(const uint8_t *src, size_t n, uint8_t *dst, int small) {
  uint8_t *op = dst;
  const uint8_t *anchor = src;
  if (n >= 13) {
    /* Positions from src; a zero slot is src itself, a candidate checked like any other. */
    union {
      uint16_t small[1 << 13];
      uint32_t large[1 << 12];
    } table;
    memset(&table, 0, sizeof table);
#define GET(h) (small ? (uint32_t)table.small[h] : table.large[h])
#define PUT(h, pos) (small ? (void)(table.small[h] = (uint16_t)(pos)) : (void)(table.large[h] = (uint32_t)(pos)))
    const uint8_t *end = src + n, *mflimit = end - 12, *matchlimit = end - 5;
    const uint8_t *ip = src;
    PUT(hash(ip, small), 0);
    ip++;
    uint32_t next = hash(ip, small);
    for (;;) {
      const uint8_t *ref;
      const uint8_t *forward = ip;
      unsigned step = 1, tries = 1u << SKIP_TRIGGER;
      do {
        uint32_t h = next;
        ip = forward;
        forward += step;
        step = tries++ >> SKIP_TRIGGER;
        if (forward > mflimit + 1) goto last;
        ref = src + GET(h);
        next = hash(forward, small);
        PUT(h, ip - src);
      } while (ref + MAX_OFFSET < ip || read32(ref) != read32(ip));
      while (ip > anchor && ref > src && ip[-1] == ref[-1]) {
        ip--;
        ref--;
      }
      uint8_t *token = op;
      size_t lit = (size_t)(ip - anchor);
      op = literal_length(token, lit);
      /* 8 bytes at a time, up to 7 past the literals: the offset, the match length and the block's
         last 5 literals come after them and overwrite those. */
      uint8_t *e = op + lit;
      for (const uint8_t *s = anchor; op < e; op += 8, s += 8) memcpy(op, s, 8);
      op = e;
      for (;;) {
        uint16_t offset = (uint16_t)(ip - ref);
        op[0] = (uint8_t)offset;
        op[1] = (uint8_t)(offset >> 8);
        op += 2;
        size_t mlen = 4 + count(ip + 4, ref + 4, matchlimit);
        ip += mlen;
        if (mlen >= 19) {
          *token |= 15;
          op = length(op, mlen - 19);
        } else {
          *token |= (uint8_t)(mlen - 4);
        }
        anchor = ip;
        if (ip > mflimit) goto last;
        PUT(hash(ip - 2, small), ip - 2 - src);
        /* A match right where this one ends: a token with no literals. */
        uint32_t h = hash(ip, small);
        ref = src + GET(h);
        PUT(h, ip - src);
        if (ref + MAX_OFFSET < ip || read32(ref) != read32(ip)) break;
        token = op++;
        *token = 0;
      }
      ip++;
      next = hash(ip, small);
    }
#undef GET
#undef PUT
  }
last:
  {
    size_t lit = (size_t)(src + n - anchor);
    op = literal_length(op, lit);
    memcpy(op, anchor, lit);
    return (size_t)(op + lit - dst);
  }
}

size_t lz4_block(const uint8_t *src, size_t n, uint8_t *dst) {
  return n < SMALL_LIMIT ? compress(src, n, dst, 1) : compress(src, n, dst, 0);
}

/*
 * Decoding trusts nothing in the block: every length is checked against what is left of the input
 * and of the output before it is used, and a match must start inside what was decoded.
 */
static int more(const uint8_t **ip, const uint8_t *end, size_t *n) {
  unsigned b;
  do {
    if (*ip >= end) return 0;
    b = *(*ip)++;
    *n += b;
  } while (b == 255);
  return 1;
}

long lz4_unblock(const uint8_t *src, size_t n, uint8_t *dst, size_t pos, size_t cap) {
  const uint8_t *ip = src, *end = src + n;
  uint8_t *op = dst + pos, *oend = dst + cap;
  for (;;) {
    if (ip >= end) return -1;
    unsigned token = *ip++;
    size_t lit = token >> 4;
    /*
     * Most sequences are short: their literals (at most 14 bytes) and matches (at most 18) are
     * copied 16 or 32 bytes at a time when both sides have room. The bytes written past the
     * sequence stay inside [pos, cap), where the next sequences write over them.
     */
    if (lit < 15 && (size_t)(end - ip) >= 18 && (size_t)(oend - op) >= 48) {
      memcpy(op, ip, 16);
      op += lit;
      ip += lit; /* at least 4 bytes are left: this is not the last sequence */
    } else {
      if (lit == 15 && !more(&ip, end, &lit)) return -1;
      if ((size_t)(end - ip) < lit || (size_t)(oend - op) < lit) return -1;
      memcpy(op, ip, lit);
      op += lit;
      ip += lit;
      if (ip == end) return (long)(op - dst); /* the last sequence is literals only */
    }
    if (end - ip < 2) return -1;
    size_t off = ip[0] | (size_t)ip[1] << 8;
    ip += 2;
    size_t len = token & 15;
    if (len == 15 && !more(&ip, end, &len)) return -1;
    len += 4;
    if (off == 0 || off > (size_t)(op - dst) || (size_t)(oend - op) < len) return -1;
    const uint8_t *m = op - off;
    if (len <= 18 && off >= 16 && (size_t)(oend - op) >= 32) {
      /* The second copy reads only bytes the first one wrote or that were there before it. */
      memcpy(op, m, 16);
      memcpy(op + 16, m + 16, 16);
      op += len;
      continue;
    }
    if (off == 1) {
      memset(op, *m, len);
      op += len;
      continue;
    }
    /* Copies of at most `off` bytes never overlap, and repeat the pattern when the match does. */
    while (len > 0) {
      size_t k = len < off ? len : off;
      memcpy(op, m, k);
      op += k;
      m += k;
      len -= k;
    }
  }
}
