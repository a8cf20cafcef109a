/*
 * Per-chunk entropy as Kloset computes it, bit for bit: the same operations, in the same order, as
 * format/write/entropy.ts (which documents why: Go's Log2 = Log(frac)·(1/Ln2) + exp, with Go's
 * amd64 Log). Built with -ffp-contract=off so that no multiply-add is fused: each product and sum
 * is rounded as Go rounds it.
 */
#include "entropy.h"
#include <string.h>

static const double HSQRT2 = 7.07106781186547524401e-1;
static const double LN2_HI = 6.93147180369123816490e-1;
static const double LN2_LO = 1.90821492927058770002e-10;
static const double L1 = 6.666666666666735130e-1;
static const double L2 = 3.999999999940941908e-1;
static const double L3 = 2.857142874366239149e-1;
static const double L4 = 2.222219843214978396e-1;
static const double L5 = 1.818357216161805012e-1;
static const double L6 = 1.531383769920937332e-1;
static const double L7 = 1.479819860511658591e-1;
static const double LOG2E = 1.4426950408889634;

/* frexp for positive normal x: frac in [0.5, 1), x = frac·2^exp. */
static inline double frexp_pos(double x, int *exp) {
  uint64_t b;
  memcpy(&b, &x, 8);
  *exp = (int)((b >> 52) & 0x7ff) - 1022;
  b = (b & 0x800fffffffffffffULL) | ((uint64_t)1022 << 52);
  memcpy(&x, &b, 8);
  return x;
}

static double go_log(double x) {
  int k;
  double f1 = frexp_pos(x, &k);
  if (!(HSQRT2 < f1)) {
    k -= 1;
    f1 *= 2;
  }
  double f = f1 - 1;
  double s = f / (2 + f);
  double s2 = s * s;
  double s4 = s2 * s2;
  double t1 = s2 * (((L7 * s4 + L5) * s4 + L3) * s4 + L1);
  double t2 = s4 * ((L6 * s4 + L4) * s4 + L2);
  double R = t1 + t2;
  double hfsq = 0.5 * f * f;
  return k * LN2_HI - ((hfsq - (s * (hfsq + R) + k * LN2_LO)) - f);
}

static double go_log2(double x) {
  int exp;
  double frac = frexp_pos(x, &exp);
  if (frac == 0.5) return exp - 1;
  return go_log(frac) * LOG2E + exp;
}

double entropy(const uint8_t *data, size_t n) {
  if (n == 0) return 0;
  /* Four interleaved tables: consecutive equal bytes do not wait on each other's increment. */
  uint32_t h[4][256] = {{0}};
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    h[0][data[i]]++;
    h[1][data[i + 1]]++;
    h[2][data[i + 2]]++;
    h[3][data[i + 3]]++;
  }
  for (; i < n; i++) h[0][data[i]]++;
  double e = 0;
  for (int b = 0; b < 256; b++) {
    uint32_t f = h[0][b] + h[1][b] + h[2][b] + h[3][b];
    if (f > 0) {
      double p = (double)f / (double)n;
      e -= p * go_log2(p);
    }
  }
  return e;
}
