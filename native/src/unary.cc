// Unary elementwise kernels with the reference backend's semantics (src/ops/primitives/unary.ts):
// values are computed as JS would, in double, then stored as a typed-array store would store them.
// Ops whose single float rounding gives the same bits run in float directly.
#include <cmath>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "thread-pool.h"

namespace nabla {

const std::vector<const char*> kUnaryOps = {
    "neg",  "abs",     "sign", "exp",   "expm1", "log",   "log1p", "sqrt",  "rsqrt",      "square",
    "reciprocal", "sin", "cos",  "tan",   "asin",  "acos",  "atan",  "sinh",  "cosh",       "tanh",
    "sigmoid", "relu", "erf",  "floor", "ceil",  "round", "isNaN", "isFinite", "isInf", "logicalNot"};

namespace {

double sigmoid(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  double e = std::exp(x);
  return e / (1 + e);
}

double jsSign(double x) { return std::isnan(x) ? x : static_cast<double>((x > 0) - (x < 0)); }
double relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }

/** JS semantics of op `op` on one value (null for ops with a float fast path handled elsewhere). */
double applyDouble(int op, double x) {
  switch (op) {
    case 0: return -x;
    case 1: return std::fabs(x);
    case 2: return jsSign(x);
    case 3: return std::exp(x);
    case 4: return std::expm1(x);
    case 5: return std::log(x);
    case 6: return std::log1p(x);
    case 7: return std::sqrt(x);
    case 8: return 1 / std::sqrt(x);
    case 9: return x * x;
    case 10: return 1 / x;
    case 11: return std::sin(x);
    case 12: return std::cos(x);
    case 13: return std::tan(x);
    case 14: return std::asin(x);
    case 15: return std::acos(x);
    case 16: return std::atan(x);
    case 17: return std::sinh(x);
    case 18: return std::cosh(x);
    case 19: return std::tanh(x);
    case 20: return sigmoid(x);
    case 21: return relu(x);
    case 22: return std::erf(x);
    case 23: return std::floor(x);
    case 24: return std::ceil(x);
    case 25: return std::nearbyint(x);  // round half to even in the default rounding mode
    case 26: return std::isnan(x) ? 1 : 0;
    case 27: return std::isfinite(x) ? 1 : 0;
    case 28: return std::isinf(x) ? 1 : 0;
    case 29: return x == 0 ? 1 : 0;
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
  switch (op) {
    case 0: mapParallel(x, o, n, 1, [](T v) { return -v; }); return true;
    case 1: mapParallel(x, o, n, 1, [](T v) { return std::fabs(v); }); return true;
    case 7: mapParallel(x, o, n, 4, [](T v) { return std::sqrt(v); }); return true;
    case 9: mapParallel(x, o, n, 1, [](T v) { return v * v; }); return true;
    case 10: mapParallel(x, o, n, 2, [](T v) { return T(1) / v; }); return true;
    case 21: mapParallel(x, o, n, 1, [](T v) { return v > 0 ? v : (v == v ? T(0) : v); }); return true;
    case 23: mapParallel(x, o, n, 2, [](T v) { return std::floor(v); }); return true;
    case 24: mapParallel(x, o, n, 2, [](T v) { return std::ceil(v); }); return true;
    case 25: mapParallel(x, o, n, 2, [](T v) { return std::nearbyint(v); }); return true;
  }
  return false;
}

/** float32 ops with a loop in elementwise-loops.h (this CPU's SIMD level), threads splitting the array. */
bool tryLoop(int op, const float* x, float* o, i64 n) {
  const int k = unaryLoopIndex(op);
  if (k < 0) return false;
  static constexpr i64 kCost[kUnaryLoops] = {1, 1, 4, 1, 2, 1};
  const auto loop = elementwiseLoops().unary[k];
  parallelFor(n, kCost[k], [&](i64 b, i64 e) { loop(x + b, o + b, e - b); });
  return true;
}

template <typename In, typename Out> void viaDouble(int op, const In* x, Out* o, i64 n) {
  // Transcendentals cost tens of cycles each: worth threading at smaller sizes.
  mapParallel(x, o, n, op >= 3 && op <= 22 ? 16 : 1,
              [op](In v) { return storeAs<Out>(applyDouble(op, static_cast<double>(v))); });
}

}  // namespace

void unary(int op, const Buffer& x, const Buffer& out) {
  if (op < 0 || op >= static_cast<int>(kUnaryOps.size())) throw InputError("unary: unknown op code");
  if (x.length != out.length) throw InputError(std::string("unary ") + kUnaryOps[op] + ": input and output sizes differ");
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
