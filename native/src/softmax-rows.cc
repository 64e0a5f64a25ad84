// One pass per block of rows for softmax over the last axis: the composed softmax reads and
// writes the whole array six times (max, shift, sub, exp, sum, div); here a block of rows stays in
// L1 from the first read to the last write. Each step repeats its kernel's arithmetic (reduce.cc's
// sums in double in order, eight lanes from 64 elements; the unary kernel's exp), so the result
// is bit-equal to the composed ops.
#include "softmax-rows.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <string>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "thread-pool.h"

namespace nabla {

namespace {

// Elements per block of rows: a block and its exp stay in L1.
constexpr i64 kBlockElements = 2048;

/** reduce.cc's sum of a contiguous run, started from 0. */
template <typename T> double rowSum(const T* e, i64 n) {
  if constexpr (std::is_same_v<T, float>) {
    if (n >= 64) return elementwiseLoops().sumRun(0.0, e, n);
  }
  double acc = 0;
  i64 i = 0;
  if (n >= 64) {
    double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; i + 8 <= n; i += 8)
      for (int l = 0; l < 8; ++l) lane[l] += static_cast<double>(e[i + l]);
    acc += ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
  }
  for (; i < n; ++i) acc += static_cast<double>(e[i]);
  return acc;
}

/** The row's maximum as reduce max computes it: NaN (the last one) wins. */
template <typename T> T rowMax(const T* x, i64 n) {
  double acc = -INFINITY, nan = 0;
  bool sawNan = false;
  for (i64 i = 0; i < n; ++i) {
    const double v = static_cast<double>(x[i]);
    acc = v > acc ? v : acc;
    if (v != v) [[unlikely]] {
      nan = v;
      sawNan = true;
    }
  }
  return static_cast<T>(sawNan ? nan : acc);
}

/** exp in place over a contiguous run, with the unary kernel's own loop (float32) or kernel. */
void expInPlace(float* y, i64 n) {
  constexpr int kExp = unaryLoopIndex(code(UnaryOp::exp));
  elementwiseLoops().unary[kExp](y, y, n);
}
void expInPlace(double* y, i64 n) {
  const Buffer run{y, n, DType::F64};
  unary(code(UnaryOp::exp), run, run);
}

template <typename T> void softmaxBlock(const T* x, T* y, i64 rows, i64 cols) {
  for (i64 r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    const T m = rowMax(xr, cols);
    // A row of -Infinity (or NaN) is shifted by 0: -Inf - -Inf would be NaN.
    const T shift = m > -INFINITY ? m : T(0);
    for (i64 j = 0; j < cols; ++j) yr[j] = xr[j] - shift;
  }
  expInPlace(y, rows * cols);
  for (i64 r = 0; r < rows; ++r) {
    T* yr = y + r * cols;
    const T total = static_cast<T>(rowSum(yr, cols));
    for (i64 j = 0; j < cols; ++j) yr[j] = yr[j] / total;
  }
}

}  // namespace

void softmaxRows(const Buffer& x, const Buffer& out, i64 rows, i64 cols) {
  if (rows < 0 || cols < 1)
    throw InputError("softmaxRows: expected rows >= 0 and cols >= 1, got " + std::to_string(rows) + " x " + std::to_string(cols));
  if (x.dtype != out.dtype || (x.dtype != DType::F32 && x.dtype != DType::F64))
    throw InputError(std::string("softmaxRows: expected float32 or float64 input and output of one dtype, got ") + dtypeName(x.dtype) +
                     " -> " + dtypeName(out.dtype));
  expectLength(x, rows * cols, "softmaxRows", "input");
  expectLength(out, rows * cols, "softmaxRows", "output");
  const i64 blockRows = std::max<i64>(1, kBlockElements / cols);
  const i64 blocks = (rows + blockRows - 1) / blockRows;
  parallelFor(blocks, blockRows * cols * 16, [&](i64 b0, i64 b1) {
    for (i64 b = b0; b < b1; ++b) {
      const i64 r0 = b * blockRows, n = std::min(rows, r0 + blockRows) - r0;
      if (x.dtype == DType::F32) softmaxBlock(x.as<float>() + r0 * cols, out.as<float>() + r0 * cols, n, cols);
      else softmaxBlock(x.as<double>() + r0 * cols, out.as<double>() + r0 * cols, n, cols);
    }
  });
}

}  // namespace nabla
