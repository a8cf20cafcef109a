#ifndef PTAR_ENTROPY_H
#define PTAR_ENTROPY_H
#include <stddef.h>
#include <stdint.h>

/* Shannon entropy of the bytes in bits per byte, bit-identical to Kloset's (Go's math.Log2 on amd64). */
double entropy(const uint8_t *data, size_t n);

#endif
