/*
 * AES Key Wrap (RFC 3394 section 2.2.1) for the subkey of every blob Kloset encrypts: 32-byte keys
 * (n = 4 64-bit blocks, 6n = 24 AES blocks each) under the 32-byte master key. Four keys go
 * through the rounds side by side, since each key's 24 blocks depend on one another.
 */
#include "aeskw.h"

#if defined(__x86_64__)
#include <string.h>

#include "aes256.h"

#define LANES 4

TARGET void aeskw256_wrap_keys(const uint8_t kek[32], const uint8_t *keys, size_t m, uint8_t *out) {
  aes256 k;
  aes256_expand(&k, _mm_loadu_si128((const __m128i *)kek), _mm_loadu_si128((const __m128i *)(kek + 16)));
  for (size_t k0 = 0; k0 < m; k0 += LANES) {
    size_t lanes = m - k0 < LANES ? m - k0 : LANES;
    /* A and R[1..4] of each lane, as 64-bit words in memory order; idle lanes compute garbage. */
    uint64_t a[LANES], r[LANES][4];
    for (size_t l = 0; l < LANES; l++) {
      memset(&a[l], 0xa6, 8);
      memcpy(r[l], keys + 32 * (k0 + (l < lanes ? l : 0)), 32);
    }
    for (unsigned j = 0; j < 6; j++) {
      for (unsigned i = 0; i < 4; i++) {
        __m128i x[LANES];
        for (size_t l = 0; l < LANES; l++) x[l] = _mm_xor_si128(_mm_set_epi64x((long long)r[l][i], (long long)a[l]), k.rk[0]);
        for (int round = 1; round < 14; round++)
          for (size_t l = 0; l < LANES; l++) x[l] = _mm_aesenc_si128(x[l], k.rk[round]);
        /* t = 4j + i + 1 < 256: XORed into A's last (big-endian least significant) byte, byte 7. */
        uint64_t t = (uint64_t)(4 * j + i + 1) << 56;
        for (size_t l = 0; l < LANES; l++) {
          x[l] = _mm_aesenclast_si128(x[l], k.rk[14]);
          a[l] = (uint64_t)_mm_cvtsi128_si64(x[l]) ^ t;
          r[l][i] = (uint64_t)_mm_extract_epi64(x[l], 1);
        }
      }
    }
    for (size_t l = 0; l < lanes; l++) {
      memcpy(out + 40 * (k0 + l), &a[l], 8);
      memcpy(out + 40 * (k0 + l) + 8, r[l], 32);
    }
  }
  memset(&k, 0, sizeof k);
}

#else

void aeskw256_wrap_keys(const uint8_t kek[32], const uint8_t *keys, size_t m, uint8_t *out) {
  (void)kek, (void)keys, (void)m, (void)out;
}

#endif
