// The unary elementwise ops in code order, each with its value as JS computes it in double (the
// reference kernels, src/ops/primitives/unary.ts): X(name, expression of `double x`). A new
// unary op is one line here; unary.cc computes every op from this list (and float fast paths for
// a few), and op-codes.h makes its code and the name JS looks it up by.
#pragma once

#include <cmath>

namespace nabla {
namespace unary_scalar {

inline double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  double e = std::exp(x);
  return e / (1 + e);
}
inline double jsSign(double x) { return std::isnan(x) ? x : static_cast<double>((x > 0) - (x < 0)); }
inline double relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }
inline double flag(bool b) { return b ? 1 : 0; }

}  // namespace unary_scalar
}  // namespace nabla

#define NABLA_UNARY_OPS(X)                                                                                   \
  X(neg, -x) X(abs, std::fabs(x)) X(sign, unary_scalar::jsSign(x)) X(exp, std::exp(x)) X(expm1, std::expm1(x)) \
  X(log, std::log(x)) X(log1p, std::log1p(x)) X(sqrt, std::sqrt(x)) X(rsqrt, 1 / std::sqrt(x))                 \
  X(square, x * x) X(reciprocal, 1 / x) X(sin, std::sin(x)) X(cos, std::cos(x))             \
  X(asin, std::asin(x)) X(acos, std::acos(x)) X(atan, std::atan(x))                       \
  X(tanh, std::tanh(x)) X(sigmoid, unary_scalar::sigmoid(x))                              \
  X(relu, unary_scalar::relu(x)) X(erf, std::erf(x)) X(floor, std::floor(x)) X(ceil, std::ceil(x))              \
  /* round half to even in the default rounding mode */                                                       \
  X(round, std::nearbyint(x)) X(isNaN, unary_scalar::flag(std::isnan(x)))                                       \
  X(isFinite, unary_scalar::flag(std::isfinite(x)))                 \
  X(logicalNot, unary_scalar::flag(x == 0)) X(log2, std::log2(x))
