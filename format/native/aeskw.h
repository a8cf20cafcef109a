#ifndef PTAR_AESKW_H
#define PTAR_AESKW_H
#include <stddef.h>
#include <stdint.h>

/*
 * AES Key Wrap (RFC 3394, default IV) of m 32-byte keys under one 32-byte KEK: out[40k, 40k + 40)
 * is the wrap of keys[32k, 32k + 32). Needs gcmsiv_supported().
 */
void aeskw256_wrap_keys(const uint8_t kek[32], const uint8_t *keys, size_t m, uint8_t *out);

#endif
