// Unary elementwise kernels with the reference backend's semantics (src/ops/primitives/unary.ts):
// values are computed as JS would, in double, then stored as a typed-array store would store them.
// Ops whose single float rounding gives the same bits run in float directly.
#include <cmath>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "thread-pool.h"

namespace nabla {

namespace {

/** JS semantics of op `op` on one value. */
double applyDouble(int op, double x) {
  switch (static_cast<UnaryOp>(op)) {
#define NABLA_UNARY_CASE(name, expr) \
  case UnaryOp::name:                \
    return expr;
    NABLA_UNARY_OPS(NABLA_UNARY_CASE)
#undef NABLA_UNARY_CASE
    default: break;
  }
  return x;
}

template <typename In, typename Out, typename F> void mapParallel(const In* x, Out* o, i64 n, i64 cost, F f) {
  parallelFor(n, cost, [&](i64 b, i64 e) {
    for (i64 i = b; i < e; ++i) o[i] = f(x[i]);
  });
}

/** Float ops with one rounding, so computing in T gives the same bits as double-then-round. */
template <typename T> bool tryNative(int op, const T* x, T* o, i64 n) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::neg: mapParallel(x, o, n, 1, [](T v) { return -v; }); return true;
    case UnaryOp::abs: mapParallel(x, o, n, 1, [](T v) { return std::fabs(v); }); return true;
    case UnaryOp::sqrt: mapParallel(x, o, n, 4, [](T v) { return std::sqrt(v); }); return true;
    case UnaryOp::square: mapParallel(x, o, n, 1, [](T v) { return v * v; }); return true;
    case UnaryOp::reciprocal: mapParallel(x, o, n, 2, [](T v) { return T(1) / v; }); return true;
    case UnaryOp::relu: mapParallel(x, o, n, 1, [](T v) { return v > 0 ? v : (v == v ? T(0) : v); }); return true;
    case UnaryOp::floor: mapParallel(x, o, n, 2, [](T v) { return std::floor(v); }); return true;
    case UnaryOp::ceil: mapParallel(x, o, n, 2, [](T v) { return std::ceil(v); }); return true;
    case UnaryOp::round: mapParallel(x, o, n, 2, [](T v) { return std::nearbyint(v); }); return true;
    default: break;
  }
  return false;
}

/** float32 ops with a loop in elementwise-loops.h (this CPU's SIMD level), threads splitting the array. */
bool tryLoop(int op, const float* x, float* o, i64 n) {
  const int k = unaryLoopIndex(op);
  if (k < 0) return false;
  static constexpr i64 kCost[kUnaryLoops] = {1, 1, 4, 1, 2, 1, 8, 10, 10};
  const auto loop = elementwiseLoops().unary[k];
  parallelFor(n, kCost[k], [&](i64 b, i64 e) { loop(x + b, o + b, e - b); });
  return true;
}

/** Ops of a few cycles; the others (transcendentals, tens of cycles) are worth threading at smaller sizes. */
bool cheap(int op) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::neg: case UnaryOp::abs: case UnaryOp::sign: case UnaryOp::sqrt: case UnaryOp::rsqrt:
    case UnaryOp::square: case UnaryOp::reciprocal: case UnaryOp::relu: case UnaryOp::floor: case UnaryOp::ceil:
    case UnaryOp::round: case UnaryOp::isNaN: case UnaryOp::isFinite: case UnaryOp::logicalNot:
      return true;
    default: return false;
  }
}

template <typename In, typename Out> void viaDouble(int op, const In* x, Out* o, i64 n) {
  mapParallel(x, o, n, cheap(op) ? 1 : 16,
              [op](In v) { return storeAs<Out>(applyDouble(op, static_cast<double>(v))); });
}

}  // namespace

void unary(int op, const Buffer& x, const Buffer& out) {
  if (!validCode<UnaryOp>(op)) throw InputError("unary: unknown op code");
  if (x.length != out.length) throw InputError(std::string("unary ") + unaryOpNames()[op] + ": input and output sizes differ");
  const i64 n = x.length;
  if (x.dtype == out.dtype && x.dtype == DType::F32 &&
      (tryLoop(op, x.as<float>(), out.as<float>(), n) || tryNative(op, x.as<float>(), out.as<float>(), n)))
    return;
  if (x.dtype == out.dtype && x.dtype == DType::F64 && tryNative(op, x.as<double>(), out.as<double>(), n)) return;
  withType(x.dtype, [&](auto* inTag) {
    using In = std::remove_pointer_t<decltype(inTag)>;
    withType(out.dtype, [&](auto* outTag) {
      using Out = std::remove_pointer_t<decltype(outTag)>;
      viaDouble<In, Out>(op, x.as<In>(), out.as<Out>(), n);
      return 0;
    });
    return 0;
  });
}

}  // namespace nabla
