/*
 * AES-256-GCM-SIV (RFC 8452) with AES-NI and PCLMULQDQ, for Kloset's encrypted streams.
 *
 * Written from the RFC: per-nonce key derivation (6 AES blocks), POLYVAL as Montgomery products
 * dot(a, b) = a·b·x^-128 mod x^128 + x^127 + x^126 + x^121 + 1 (the little-endian field of the
 * RFC needs no byte reflection with PCLMULQDQ), four blocks per reduction with H..H^4, and CTR with
 * the RFC's 32-bit little-endian counter in the first word (_mm_add_epi32 on lane 0 wraps the same
 * way). Only 32-byte keys: Kloset uses no other; the WebAssembly path serves the rest.
 *
 * Compiled for any x86-64: the kernels carry target attributes and gcmsiv_supported() checks the
 * CPU before the TypeScript side uses them. On other architectures nothing is compiled and the
 * TypeScript side keeps its WebAssembly path.
 */
#include "gcmsiv.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <string.h>

#include "aes256.h"

int gcmsiv_supported(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
  return (c & bit_AES) && (c & bit_PCLMUL) && (c & bit_SSE4_1);
}

/* 256-bit carry-less product of a and b, accumulated into (*hi, *lo). */
TARGET static inline void clmul_acc(__m128i a, __m128i b, __m128i *lo, __m128i *mid, __m128i *hi) {
  *lo = _mm_xor_si128(*lo, _mm_clmulepi64_si128(a, b, 0x00));
  *hi = _mm_xor_si128(*hi, _mm_clmulepi64_si128(a, b, 0x11));
  *mid = _mm_xor_si128(*mid, _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x10), _mm_clmulepi64_si128(a, b, 0x01)));
}

/* (lo, mid, hi) · x^-128 reduced modulo the POLYVAL polynomial: two folds by x^64. */
TARGET static inline __m128i reduce(__m128i lo, __m128i mid, __m128i hi) {
  const __m128i poly = _mm_set_epi64x((long long)0xc200000000000000ULL, 1);
  lo = _mm_xor_si128(lo, _mm_slli_si128(mid, 8));
  hi = _mm_xor_si128(hi, _mm_srli_si128(mid, 8));
  __m128i t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  t = _mm_clmulepi64_si128(lo, poly, 0x10);
  lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
  return _mm_xor_si128(hi, lo);
}

TARGET static inline __m128i dot(__m128i a, __m128i b) {
  __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
  clmul_acc(a, b, &lo, &mid, &hi);
  return reduce(lo, mid, hi);
}

typedef struct {
  __m128i h[4]; /* h[i] = H^(i+1) in the dot() sense */
  __m128i s;
} polyval;

TARGET static void polyval_init(polyval *p, __m128i h) {
  p->h[0] = h;
  for (int i = 1; i < 4; i++) p->h[i] = dot(p->h[i - 1], h);
  p->s = _mm_setzero_si128();
}

/* Absorbs whole blocks; four per reduction. */
TARGET static void polyval_blocks(polyval *p, const uint8_t *in, size_t nblocks) {
  __m128i s = p->s;
  while (nblocks >= 4) {
    __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
    clmul_acc(_mm_xor_si128(s, _mm_loadu_si128((const __m128i *)in)), p->h[3], &lo, &mid, &hi);
    clmul_acc(_mm_loadu_si128((const __m128i *)(in + 16)), p->h[2], &lo, &mid, &hi);
    clmul_acc(_mm_loadu_si128((const __m128i *)(in + 32)), p->h[1], &lo, &mid, &hi);
    clmul_acc(_mm_loadu_si128((const __m128i *)(in + 48)), p->h[0], &lo, &mid, &hi);
    s = reduce(lo, mid, hi);
    in += 64;
    nblocks -= 4;
  }
  for (; nblocks > 0; nblocks--, in += 16) s = dot(_mm_xor_si128(s, _mm_loadu_si128((const __m128i *)in)), p->h[0]);
  p->s = s;
}

/* Absorbs n bytes, the last block zero-padded, then the length block (no associated data). */
TARGET static __m128i polyval_message(polyval *p, const uint8_t *in, size_t n) {
  polyval_blocks(p, in, n / 16);
  size_t tail = n % 16;
  if (tail) {
    uint8_t last[16] = {0};
    memcpy(last, in + n - tail, tail);
    polyval_blocks(p, last, 1);
  }
  uint64_t lengths[2] = {0, (uint64_t)n * 8};
  polyval_blocks(p, (const uint8_t *)lengths, 1);
  return p->s;
}

/* RFC 8452 section 4: the message-authentication key and the message-encryption key schedule. */
TARGET static void derive(const uint8_t key[32], const uint8_t nonce[12], __m128i *auth, aes256 *enc) {
  aes256 k;
  aes256_expand(&k, _mm_loadu_si128((const __m128i *)key), _mm_loadu_si128((const __m128i *)(key + 16)));
  uint8_t in[16] = {0};
  memcpy(in + 4, nonce, 12);
  __m128i b[6];
  for (int i = 0; i < 6; i++) {
    in[0] = (uint8_t)i;
    b[i] = aes256_block(&k, _mm_loadu_si128((const __m128i *)in));
  }
  *auth = _mm_unpacklo_epi64(b[0], b[1]);
  aes256_expand(enc, _mm_unpacklo_epi64(b[2], b[3]), _mm_unpacklo_epi64(b[4], b[5]));
  memset(&k, 0, sizeof k);
}

TARGET static __m128i make_tag(const aes256 *enc, __m128i s, const uint8_t nonce[12]) {
  uint8_t n[16] = {0};
  memcpy(n, nonce, 12);
  s = _mm_xor_si128(s, _mm_loadu_si128((const __m128i *)n));
  s = _mm_and_si128(s, _mm_set_epi32(0x7fffffff, -1, -1, -1));
  return aes256_block(enc, s);
}

/* out = in ⊕ keystream from the counter block derived from the tag; in and out may be the same. */
TARGET static void ctr(const aes256 *enc, __m128i tag, const uint8_t *in, uint8_t *out, size_t n) {
  __m128i c = _mm_or_si128(tag, _mm_set_epi32((int)0x80000000, 0, 0, 0));
  const __m128i one = _mm_set_epi32(0, 0, 0, 1);
  while (n >= 64) {
    __m128i c1 = _mm_add_epi32(c, one), c2 = _mm_add_epi32(c1, one), c3 = _mm_add_epi32(c2, one);
    __m128i x0 = _mm_xor_si128(c, enc->rk[0]), x1 = _mm_xor_si128(c1, enc->rk[0]);
    __m128i x2 = _mm_xor_si128(c2, enc->rk[0]), x3 = _mm_xor_si128(c3, enc->rk[0]);
    for (int r = 1; r < 14; r++) {
      x0 = _mm_aesenc_si128(x0, enc->rk[r]);
      x1 = _mm_aesenc_si128(x1, enc->rk[r]);
      x2 = _mm_aesenc_si128(x2, enc->rk[r]);
      x3 = _mm_aesenc_si128(x3, enc->rk[r]);
    }
    x0 = _mm_aesenclast_si128(x0, enc->rk[14]);
    x1 = _mm_aesenclast_si128(x1, enc->rk[14]);
    x2 = _mm_aesenclast_si128(x2, enc->rk[14]);
    x3 = _mm_aesenclast_si128(x3, enc->rk[14]);
    _mm_storeu_si128((__m128i *)out, _mm_xor_si128(x0, _mm_loadu_si128((const __m128i *)in)));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_xor_si128(x1, _mm_loadu_si128((const __m128i *)(in + 16))));
    _mm_storeu_si128((__m128i *)(out + 32), _mm_xor_si128(x2, _mm_loadu_si128((const __m128i *)(in + 32))));
    _mm_storeu_si128((__m128i *)(out + 48), _mm_xor_si128(x3, _mm_loadu_si128((const __m128i *)(in + 48))));
    c = _mm_add_epi32(c3, one);
    in += 64;
    out += 64;
    n -= 64;
  }
  while (n > 0) {
    uint8_t ks[16];
    _mm_storeu_si128((__m128i *)ks, aes256_block(enc, c));
    size_t m = n < 16 ? n : 16;
    for (size_t i = 0; i < m; i++) out[i] = in[i] ^ ks[i];
    c = _mm_add_epi32(c, one);
    in += m;
    out += m;
    n -= m;
  }
}

TARGET void gcmsiv_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *pt, size_t n, uint8_t *out) {
  __m128i auth;
  aes256 enc;
  polyval p;
  derive(key, nonce, &auth, &enc);
  polyval_init(&p, auth);
  __m128i tag = make_tag(&enc, polyval_message(&p, pt, n), nonce);
  ctr(&enc, tag, pt, out, n);
  _mm_storeu_si128((__m128i *)(out + n), tag);
  memset(&enc, 0, sizeof enc);
  memset(&p, 0, sizeof p);
}

TARGET int gcmsiv_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *out) {
  __m128i auth;
  aes256 enc;
  polyval p;
  derive(key, nonce, &auth, &enc);
  __m128i t = _mm_loadu_si128((const __m128i *)tag);
  ctr(&enc, t, ct, out, n);
  polyval_init(&p, auth);
  __m128i expected = make_tag(&enc, polyval_message(&p, out, n), nonce);
  memset(&enc, 0, sizeof enc);
  memset(&p, 0, sizeof p);
  /* Constant-time comparison: all 16 bytes equal iff the byte mask is all ones. */
  int ok = _mm_movemask_epi8(_mm_cmpeq_epi8(expected, t)) == 0xffff;
  if (!ok) memset(out, 0, n);
  return ok;
}

#else

int gcmsiv_supported(void) { return 0; }
void gcmsiv_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *pt, size_t n, uint8_t *out) {
  (void)key, (void)nonce, (void)pt, (void)n, (void)out;
}
int gcmsiv_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *out) {
  (void)key, (void)nonce, (void)ct, (void)n, (void)tag, (void)out;
  return 0;
}

#endif
