#ifndef PTAR_GCMSIV_H
#define PTAR_GCMSIV_H
#include <stddef.h>
#include <stdint.h>

/* Non-zero when this CPU has the instructions the kernels need (AES-NI, PCLMULQDQ, SSE4.1). */
int gcmsiv_supported(void);
/* AES-256-GCM-SIV, no associated data: out[0, n) = ciphertext, out[n, n + 16) = tag. */
void gcmsiv_seal(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *pt, size_t n, uint8_t *out);
/* Returns 1 and the plaintext in out[0, n) when the tag verifies; else 0 and out zeroed. */
int gcmsiv_open(const uint8_t key[32], const uint8_t nonce[12], const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *out);

#endif
