// The loops of elementwise-loops.h as plain C++ that compilers vectorise, included by one source
// file per instruction set, each compiled with its own -m flags (and -ffp-contract=off, so no
// multiply-add is fused). Everything here has internal linkage and calls only builtins and
// operators: an inline function shared between these files could be emitted out of line from
// the AVX-512 one and picked by the linker for every caller, on CPUs without AVX-512.
#pragma once

#include <cmath>

#include "elementwise-loops.h"

namespace nabla {
namespace {

#if defined(__GNUC__) || defined(__clang__)
inline float sqrtOf(float v) { return __builtin_sqrtf(v); }
inline float absOf(float v) { return __builtin_fabsf(v); }
#else
inline float sqrtOf(float v) { return std::sqrt(v); }
inline float absOf(float v) { return std::fabs(v); }
#endif

// One IEEE rounding per op: the same bits as the reference computing in double then rounding.
struct Neg { static float apply(float v) { return -v; } };
struct Abs { static float apply(float v) { return absOf(v); } };
struct Sqrt { static float apply(float v) { return sqrtOf(v); } };
struct Square { static float apply(float v) { return v * v; } };
struct Reciprocal { static float apply(float v) { return 1.0f / v; } };
struct Relu { static float apply(float v) { return v > 0 ? v : (v == v ? 0.0f : v); } };

// exp, sigmoid and tanh as the reference computes them (in double, then rounded to float32), with
// e^x from a polynomial compilers vectorise instead of a libm call per element. Its relative error
// is a few 1e-16, so the float32 result is libm's (one rounding of the exact value) except where
// the exact value lies within that error of a float32 rounding boundary (none in a test of 2^20
// values; else one unit in the last place). The same double operations in the same order on every
// instruction set (no fused multiply-adds, selects by bit masks): every level gives the same bits.
inline double bitsToDouble(std::uint64_t b) {
  double d;
  __builtin_memcpy(&d, &b, sizeof d);
  return d;
}
inline std::uint64_t doubleToBits(double d) {
  std::uint64_t b;
  __builtin_memcpy(&b, &d, sizeof b);
  return b;
}
/** c ? a : b without a branch (a conditional here stops compilers vectorising the loop). */
inline double pickDouble(bool c, double a, double b) {
  const std::uint64_t m = 0 - static_cast<std::uint64_t>(c);
  return bitsToDouble((doubleToBits(a) & m) | (doubleToBits(b) & ~m));
}
/**
 * e^x for |x| <= 400: x = n ln2 + r with |r| <= ln2/2 (Cody-Waite), e^r by its Taylor series to
 * r^13 (truncation below 1e-17), times 2^n built in the exponent bits.
 */
inline double expNear(double x) {
  const double shifter = 0x1.8p52;
  const double t = x * 0x1.71547652b82fep0 + shifter;
  const double n = t - shifter;
  const double r = (x - n * 0x1.62e42fee00000p-1) - n * 0x1.a39ef35793c76p-33;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  // The low bits of t hold n: shift them into the exponent field of 2^n.
  const std::uint64_t k = doubleToBits(t) - doubleToBits(shifter);
  return p * bitsToDouble((k + 1023) << 52);
}
// Each: `near` for |x| <= kLimit (the vectorised loop), `far` for the rest and NaN, where float32
// saturates (e^200 is infinite, sigmoid(200) and tanh(20) round to 1).
struct Exp {
  static constexpr float kLimit = 200;
  static float near(float v) { return static_cast<float>(expNear(v)); }
  static float far(float v) { return v != v ? v : v > 0 ? __builtin_inff() : 0.0f; }
};
// The reference's sigmoid: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below.
struct Sigmoid {
  static constexpr float kLimit = 200;
  static float near(float v) {
    const double x = v;
    const double e = expNear(-static_cast<double>(absOf(v)));
    return static_cast<float>(pickDouble(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)));
  }
  static float far(float v) { return v != v ? v : v > 0 ? 1.0f : 0.0f; }
};
// tanh |x| = 1 - 2 / (e^2|x| + 1) with x's sign, or its odd Taylor series below |x| = 1/16 (where
// that form cancels; x times a factor, so -0 stays -0).
struct Tanh {
  static constexpr float kLimit = 20;
  static float near(float v) {
    const double x = v;
    const double e = expNear(2.0 * static_cast<double>(absOf(v)));
    const double big = __builtin_copysign(1.0 - 2.0 / (e + 1.0), x);
    const double x2 = x * x;
    double p = -1382.0 / 155925.0;
    p = p * x2 + 62.0 / 2835.0;
    p = p * x2 - 17.0 / 315.0;
    p = p * x2 + 2.0 / 15.0;
    p = p * x2 - 1.0 / 3.0;
    return static_cast<float>(pickDouble(absOf(v) < 0.0625f, x * (1.0 + x2 * p), big));
  }
  static float far(float v) { return v != v ? v : v > 0 ? 1.0f : -1.0f; }
};

struct Add { static float apply(float a, float b) { return a + b; } };
struct Sub { static float apply(float a, float b) { return a - b; } };
struct Mul { static float apply(float a, float b) { return a * b; } };
struct Div { static float apply(float a, float b) { return a / b; } };
// JS's Math.max/min: NaN if either is NaN (a fresh NaN, as binary.cc's fmax_js gives).
struct Max { static float apply(float a, float b) { return (a != a || b != b) ? NAN : (a >= b ? a : b); } };
struct Min { static float apply(float a, float b) { return (a != a || b != b) ? NAN : (a <= b ? a : b); } };

struct Equal { static std::uint8_t apply(float a, float b) { return a == b; } };
struct NotEqual { static std::uint8_t apply(float a, float b) { return a != b; } };
struct Less { static std::uint8_t apply(float a, float b) { return a < b; } };
struct LessEqual { static std::uint8_t apply(float a, float b) { return a <= b; } };
struct Greater { static std::uint8_t apply(float a, float b) { return a > b; } };
struct GreaterEqual { static std::uint8_t apply(float a, float b) { return a >= b; } };

template <typename Op> void unaryLoop(const float* x, float* y, i64 n) {
  for (i64 i = 0; i < n; ++i) y[i] = Op::apply(x[i]);
}

/**
 * A transcendental over blocks: a block whose values all lie within Op::kLimit runs the vectorised
 * `near` loop, any other block element by element. Each element is read before it is written, so
 * x and y may be the same array.
 */
template <typename Op> void transcendentalLoop(const float* x, float* y, i64 n) {
  constexpr i64 kBlock = 256;
  for (i64 b = 0; b < n; b += kBlock) {
    const i64 e = b + kBlock < n ? b + kBlock : n;
    int outside = 0;
    for (i64 i = b; i < e; ++i) outside |= !(absOf(x[i]) <= Op::kLimit);
    if (outside) {
      for (i64 i = b; i < e; ++i) y[i] = absOf(x[i]) <= Op::kLimit ? Op::near(x[i]) : Op::far(x[i]);
    } else {
      for (i64 i = b; i < e; ++i) y[i] = Op::near(x[i]);
    }
  }
}

template <typename Op, typename Out> void bothArrays(const float* a, const float* b, Out* y, i64 n) {
  for (i64 i = 0; i < n; ++i) y[i] = Op::apply(a[i], b[i]);
}
template <typename Op, typename Out> void firstArray(const float* a, const float* b, Out* y, i64 n) {
  const float v = b[0];
  for (i64 i = 0; i < n; ++i) y[i] = Op::apply(a[i], v);
}
template <typename Op, typename Out> void secondArray(const float* a, const float* b, Out* y, i64 n) {
  const float u = a[0];
  for (i64 i = 0; i < n; ++i) y[i] = Op::apply(u, b[i]);
}

// common.h's selectBits, restated here for the linkage reason above.
inline std::uint32_t pick(std::uint8_t c, std::uint32_t u, std::uint32_t v) {
  const std::uint32_t m = 0u - static_cast<std::uint32_t>(c != 0);
  return (u & m) | (v & ~m);
}
void selectBoth(const std::uint8_t* c, const std::uint32_t* a, const std::uint32_t* b, std::uint32_t* y, i64 n) {
  for (i64 i = 0; i < n; ++i) y[i] = pick(c[i], a[i], b[i]);
}
void selectFirst(const std::uint8_t* c, const std::uint32_t* a, const std::uint32_t* b, std::uint32_t* y, i64 n) {
  const std::uint32_t v = b[0];
  for (i64 i = 0; i < n; ++i) y[i] = pick(c[i], a[i], v);
}
void selectSecond(const std::uint8_t* c, const std::uint32_t* a, const std::uint32_t* b, std::uint32_t* y, i64 n) {
  const std::uint32_t u = a[0];
  for (i64 i = 0; i < n; ++i) y[i] = pick(c[i], u, b[i]);
}

double sumRun(double acc, const float* x, i64 n) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  i64 i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) lane[l] += static_cast<double>(x[i + l]);
  acc += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  for (; i < n; ++i) acc += static_cast<double>(x[i]);
  return acc;
}

void sumRow(double* acc, const float* x, i64 n) {
  for (i64 j = 0; j < n; ++j) acc[j] = acc[j] + static_cast<double>(x[j]);
}
void maxRow(double* acc, const float* x, i64 n) {
  for (i64 j = 0; j < n; ++j) {
    const double v = x[j];
    acc[j] = (v > acc[j] || v != v) ? v : acc[j];
  }
}
void minRow(double* acc, const float* x, i64 n) {
  for (i64 j = 0; j < n; ++j) {
    const double v = x[j];
    acc[j] = (v < acc[j] || v != v) ? v : acc[j];
  }
}

/** The table of this file's instruction set, named `level`. */
constexpr ElementwiseLoops makeLoops(const char* level) {
  return ElementwiseLoops{
      level,
      {unaryLoop<Neg>, unaryLoop<Abs>, unaryLoop<Sqrt>, unaryLoop<Square>, unaryLoop<Reciprocal>, unaryLoop<Relu>, transcendentalLoop<Exp>,
       transcendentalLoop<Sigmoid>, transcendentalLoop<Tanh>},
      {{bothArrays<Add, float>, firstArray<Add, float>, secondArray<Add, float>},
       {bothArrays<Sub, float>, firstArray<Sub, float>, secondArray<Sub, float>},
       {bothArrays<Mul, float>, firstArray<Mul, float>, secondArray<Mul, float>},
       {bothArrays<Div, float>, firstArray<Div, float>, secondArray<Div, float>},
       {bothArrays<Max, float>, firstArray<Max, float>, secondArray<Max, float>},
       {bothArrays<Min, float>, firstArray<Min, float>, secondArray<Min, float>}},
      {{bothArrays<Equal, std::uint8_t>, firstArray<Equal, std::uint8_t>, secondArray<Equal, std::uint8_t>},
       {bothArrays<NotEqual, std::uint8_t>, firstArray<NotEqual, std::uint8_t>, secondArray<NotEqual, std::uint8_t>},
       {bothArrays<Less, std::uint8_t>, firstArray<Less, std::uint8_t>, secondArray<Less, std::uint8_t>},
       {bothArrays<LessEqual, std::uint8_t>, firstArray<LessEqual, std::uint8_t>, secondArray<LessEqual, std::uint8_t>},
       {bothArrays<Greater, std::uint8_t>, firstArray<Greater, std::uint8_t>, secondArray<Greater, std::uint8_t>},
       {bothArrays<GreaterEqual, std::uint8_t>, firstArray<GreaterEqual, std::uint8_t>, secondArray<GreaterEqual, std::uint8_t>}},
      {selectBoth, selectFirst, selectSecond},
      sumRun,
      {sumRow, maxRow, minRow},
  };
}

}  // namespace
}  // namespace nabla
