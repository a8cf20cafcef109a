#ifndef PTAR_AES256_H
#define PTAR_AES256_H
/*
 * AES-256 encryption with AES-NI (FIPS 197), shared by the GCM-SIV and key-wrap kernels. x86-64
 * only, included inside their `#if defined(__x86_64__)`; callers check gcmsiv_supported() first.
 */
#include <immintrin.h>

#define TARGET __attribute__((target("aes,pclmul,sse4.1")))

typedef struct {
  __m128i rk[15];
} aes256;

TARGET static inline __m128i expand_a(__m128i a, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xff);
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  return _mm_xor_si128(a, assist);
}

TARGET static inline __m128i expand_b(__m128i a, __m128i prev) {
  __m128i assist = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(prev, 0), 0xaa);
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  a = _mm_xor_si128(a, _mm_slli_si128(a, 4));
  return _mm_xor_si128(a, assist);
}

/* The AES-256 key schedule from the two key halves (FIPS 197 section 5.2). */
TARGET static void aes256_expand(aes256 *k, __m128i lo, __m128i hi) {
  k->rk[0] = lo;
  k->rk[1] = hi;
#define ROUND(i, rcon)                                                                 \
  k->rk[i] = expand_a(k->rk[i - 2], _mm_aeskeygenassist_si128(k->rk[i - 1], rcon)); \
  if (i < 14) k->rk[i + 1] = expand_b(k->rk[i - 1], k->rk[i]);
  ROUND(2, 0x01)
  ROUND(4, 0x02)
  ROUND(6, 0x04)
  ROUND(8, 0x08)
  ROUND(10, 0x10)
  ROUND(12, 0x20)
  ROUND(14, 0x40)
#undef ROUND
}

TARGET static inline __m128i aes256_block(const aes256 *k, __m128i x) {
  x = _mm_xor_si128(x, k->rk[0]);
  for (int r = 1; r < 14; r++) x = _mm_aesenc_si128(x, k->rk[r]);
  return _mm_aesenclast_si128(x, k->rk[14]);
}

#endif
