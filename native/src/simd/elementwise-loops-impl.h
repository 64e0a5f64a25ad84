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
      {unaryLoop<Neg>, unaryLoop<Abs>, unaryLoop<Sqrt>, unaryLoop<Square>, unaryLoop<Reciprocal>, unaryLoop<Relu>},
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
