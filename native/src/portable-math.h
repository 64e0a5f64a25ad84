// log and sin/cos for the random streams: the same steps as src/ops/primitives/portable-math.ts,
// so a seed draws the same bits here as in JS (the C library's log/cos and V8's Math.log/cos
// differ in the last bit now and then). Each line must keep its order of operations; the addon
// is built with -ffp-contract=off so no multiply-add is fused.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace nabla {
namespace portable {

constexpr double kLn2Hi = 6.93147180369123816490e-1;  // low 21 bits zero: e * kLn2Hi is exact
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kHalfPi = 3.14159265358979323846 / 2;

/** c[0] + z*(c[1] + z*(...)), evaluated from the last coefficient as the TS `series` does. */
template <int N> inline double series(const double (&c)[N], double z) {
  double p = c[N - 1];
  for (int k = N - 2; k >= 0; --k) p = c[k] + z * p;
  return p;
}

/** Natural log of a positive, finite, normal x. */
inline double log(double x) {
  static const double atanhTerms[12] = {1.0 / 3,  1.0 / 5,  1.0 / 7,  1.0 / 9,  1.0 / 11, 1.0 / 13,
                                        1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25};
  static const double sqrt2 = std::sqrt(2.0);
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  int e = static_cast<int>((b >> 52) & 0x7ff) - 1023;
  b = (b & 0x800fffffffffffffULL) | 0x3ff0000000000000ULL;
  double m;
  std::memcpy(&m, &b, sizeof m);
  if (m > sqrt2) {
    m = m / 2;
    e = e + 1;
  }
  const double s = (m - 1) / (m + 1);
  const double z = s * s;
  const double logM = 2 * s + 2 * s * (z * series(atanhTerms, z));
  return e * kLn2Hi + (logM + e * kLn2Lo);
}

/** sin(2 pi u) and cos(2 pi u) for u in [0, 1]. */
inline void sinCosTurn(double u, double& sin, double& cos) {
  static const double sinTerms[8] = {1 / -6.0,        1 / 120.0,          1 / -5040.0,          1 / 362880.0,
                                     1 / -39916800.0, 1 / 6227020800.0,   1 / -1307674368000.0, 1 / 355687428096000.0};
  static const double cosTerms[9] = {1 / -2.0,          1 / 24.0,              1 / -720.0,
                                     1 / 40320.0,       1 / -3628800.0,        1 / 479001600.0,
                                     1 / -87178291200.0, 1 / 20922789888000.0, 1 / -6402373705728000.0};
  const double t = u * 4;
  const double q = std::floor(t + 0.5);
  const double x = (t - q) * kHalfPi;
  const double z = x * x;
  const double s = x + x * (z * series(sinTerms, z));
  const double c = 1 + z * series(cosTerms, z);
  switch (static_cast<std::int64_t>(q) & 3) {
    case 0: sin = s; cos = c; return;
    case 1: sin = c; cos = -s; return;
    case 2: sin = -s; cos = -c; return;
    default: sin = -c; cos = s; return;
  }
}

}  // namespace portable
}  // namespace nabla
