// cumsum and cumprod (src/ops/primitives/cumulative.ts). The reference keeps its running value
// in a JS number (a double) and stores it into the output's typed array after each step, so
// here too the accumulator is a double whatever the dtype: float32 sums round once per stored
// element, not per step, and int32 results wrap as ToInt32 of the exact double. Each line is
// accumulated front to back (or back to front) exactly as the reference walks it; threads own
// whole lines, so the result does not depend on the thread count.
#include <algorithm>
#include <cstdint>
#include <string>

#include "index-kernels.h"
#include "scan-kernels.h"
#include "thread-pool.h"

namespace nabla {

AxisLines axisLines(const char* op, const Shape& shape, i64 axis) {
  if (axis < 0 || axis >= static_cast<i64>(shape.size()))
    throw InputError(std::string(op) + ": axis " + std::to_string(axis) + " is out of range for shape " + shapeText(shape) +
                     "; expected an axis in [0, " + std::to_string(static_cast<i64>(shape.size()) - 1) + "]");
  AxisLines l;
  l.outer = elementCount(Shape(shape.begin(), shape.begin() + axis), op);
  l.length = shape[axis];
  l.inner = elementCount(Shape(shape.begin() + axis + 1, shape.end()), op);
  return l;
}

void expectNumeric(const Buffer& b, const char* op, const char* what) {
  if (b.dtype == DType::Bool)
    throw InputError(std::string(op) + ": " + what + " must be float32, float64 or int32, got bool (cast it first)");
}

bool flagWord(WordCursor& w, const char* op, const char* what) {
  const i64 v = w.integer(what);
  if (v != 0 && v != 1) throw InputError(std::string(op) + ": " + what + " must be 0 or 1, got " + std::to_string(v));
  return v == 1;
}

namespace {

struct Sum {
  static constexpr double kIdentity = 0;
  static double step(double acc, double v) { return acc + v; }
};
struct Product {
  static constexpr double kIdentity = 1;
  static double step(double acc, double v) { return acc * v; }
};

// Lines are scanned side by side, `width` at a time: neighbouring columns when the axis is not
// the last (contiguous, so the loop vectorizes), or separate rows when it is (independent
// chains hide the latency of each addition).
constexpr i64 kColumnBlock = 256;
constexpr i64 kRowBlock = 8;

/**
 * Scan `width` lines; element r of line j is at x[r * rowStep + j * colStep] (colStep 1 when
 * UnitColumns). x and y point at each line's first element in scan order.
 */
template <typename T, typename Op, bool Exclusive, bool UnitColumns>
void scanBlock(const T* x, T* y, i64 n, i64 rowStep, i64 colStep, i64 width) {
  double acc[kColumnBlock];
  for (i64 j = 0; j < width; ++j) acc[j] = Op::kIdentity;
  for (i64 r = 0; r < n; ++r, x += rowStep, y += rowStep) {
    for (i64 j = 0; j < width; ++j) {
      const i64 k = UnitColumns ? j : j * colStep;
      const double v = static_cast<double>(x[k]);
      if (Exclusive) {
        y[k] = storeAs<T>(acc[j]);
        acc[j] = Op::step(acc[j], v);
      } else {
        acc[j] = Op::step(acc[j], v);
        y[k] = storeAs<T>(acc[j]);
      }
    }
  }
}

template <typename T, typename Op, bool Exclusive>
void scanLines(const T* x, T* y, const AxisLines& l, bool reverse) {
  const i64 n = l.length, inner = l.inner;
  // The first element of a line in scan order, relative to the line's start.
  const i64 first = reverse ? (n - 1) * inner : 0;
  const i64 rowStep = reverse ? -inner : inner;
  if (inner == 1) {
    const i64 groups = (l.outer + kRowBlock - 1) / kRowBlock;
    parallelFor(groups, n * kRowBlock, [&](i64 lo, i64 hi) {
      for (i64 g = lo; g < hi; ++g) {
        const i64 row = g * kRowBlock, width = std::min(kRowBlock, l.outer - row);
        scanBlock<T, Op, Exclusive, false>(x + row * n + first, y + row * n + first, n, rowStep, n, width);
      }
    });
    return;
  }
  const i64 blocks = (inner + kColumnBlock - 1) / kColumnBlock;
  parallelFor(l.outer * blocks, n * std::min(inner, kColumnBlock), [&](i64 lo, i64 hi) {
    for (i64 u = lo; u < hi; ++u) {
      const i64 o = u / blocks, col = (u % blocks) * kColumnBlock, width = std::min(kColumnBlock, inner - col);
      const i64 start = o * n * inner + first + col;
      scanBlock<T, Op, Exclusive, true>(x + start, y + start, n, rowStep, 1, width);
    }
  });
}

template <typename T, typename Op> void scanTyped(const Buffer& x, const Buffer& out, const AxisLines& l, bool exclusive, bool reverse) {
  if (exclusive) scanLines<T, Op, true>(x.as<T>(), out.as<T>(), l, reverse);
  else scanLines<T, Op, false>(x.as<T>(), out.as<T>(), l, reverse);
}

template <typename Op> void scan(const Buffer& x, const Buffer& out, const AxisLines& l, bool exclusive, bool reverse) {
  switch (x.dtype) {
    case DType::F32: scanTyped<float, Op>(x, out, l, exclusive, reverse); return;
    case DType::F64: scanTyped<double, Op>(x, out, l, exclusive, reverse); return;
    case DType::I32: scanTyped<std::int32_t, Op>(x, out, l, exclusive, reverse); return;
    case DType::Bool: break;
  }
  throw InputError("scan: unexpected dtype");
}

}  // namespace

void scanEntry(const KernelCall& c) {
  if (!validCode<ScanOp>(c.op)) throw InputError("scan: unknown op code " + std::to_string(c.op));
  const char* op = scanOpNames()[c.op];
  WordCursor w(c);
  const Shape shape = w.shape("x shape");
  const i64 axis = w.integer("axis");
  const bool exclusive = flagWord(w, op, "exclusive");
  const bool reverse = flagWord(w, op, "reverse");
  const AxisLines lines = axisLines(op, shape, axis);
  const Buffer &x = c.buffer(0, "x"), &out = c.buffer(1, "output");
  expectNumeric(x, op, "x");
  if (out.dtype != x.dtype)
    throw InputError(std::string(op) + ": the output must have x's dtype " + dtypeName(x.dtype) + ", got " + dtypeName(out.dtype));
  const i64 total = elementCount(shape, op);
  expectLength(x, total, op, "x");
  expectLength(out, total, op, "output");
  if (total == 0) return;
  if (c.op == code(ScanOp::cumsum)) scan<Sum>(x, out, lines, exclusive, reverse);
  else scan<Product>(x, out, lines, exclusive, reverse);
}

}  // namespace nabla
