// Broadcasting binary kernels with the semantics of src/ops/primitives/{binary,compare}.ts:
// float ops compute as JS does (in double where one float rounding would differ; pow is C's
// pow, as the reference's powC), int32 ops
// wrap like the reference's `| 0` and Math.imul, and floor division/modulo by zero give 0.
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "strided-plan.h"
#include "thread-pool.h"

namespace nabla {

namespace {

double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}


std::int32_t intPow(std::int32_t a, std::int32_t b) {
  if (b < 0) return a == 1 ? 1 : a == -1 ? (b % 2 == 0 ? 1 : -1) : 0;
  std::uint32_t r = 1, base = static_cast<std::uint32_t>(a), e = static_cast<std::uint32_t>(b);
  while (e > 0) {
    if (e & 1) r *= base;
    base *= base;
    e >>= 1;
  }
  return static_cast<std::int32_t>(r);
}

std::int32_t intFloorDiv(std::int32_t a, std::int32_t b) {
  if (b == 0) return 0;
  i64 q = static_cast<i64>(a) / b;
  if ((static_cast<i64>(a) % b != 0) && ((a < 0) != (b < 0))) --q;
  return jsToInt32(static_cast<double>(q));
}

std::int32_t intMod(std::int32_t a, std::int32_t b) {
  if (b == 0) return 0;
  i64 r = static_cast<i64>(a) % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return static_cast<std::int32_t>(r);
}

template <typename T> T fmax_js(T a, T b) { return (a != a || b != b) ? T(NAN) : (a >= b ? a : b); }
template <typename T> T fmin_js(T a, T b) { return (a != a || b != b) ? T(NAN) : (a <= b ? a : b); }

/** Apply f over the plan, threads splitting the output; inner loops specialised for unit/zero strides. */
template <typename A, typename B, typename O, typename F>
void run(const StridedPlan& plan, const A* a, const B* b, O* o, F f) {
  const i64 n = plan.size();
  const int last = plan.rank - 1;
  const i64 sa = last >= 0 ? plan.strides[1][last] : 0, sb = last >= 0 ? plan.strides[2][last] : 0;
  parallelFor(n, 1, [&](i64 begin, i64 end) {
    forEachSegment(plan, begin, end, [&](i64 out, const i64* offs, i64 len) {
      const A* pa = a + offs[1];
      const B* pb = b + offs[2];
      O* po = o + out;
      if (sa == 1 && sb == 1)
        for (i64 i = 0; i < len; ++i) po[i] = f(pa[i], pb[i]);
      else if (sa == 1 && sb == 0) {
        const B y = pb[0];
        for (i64 i = 0; i < len; ++i) po[i] = f(pa[i], y);
      } else if (sa == 0 && sb == 1) {
        const A x = pa[0];
        for (i64 i = 0; i < len; ++i) po[i] = f(x, pb[i]);
      } else
        for (i64 i = 0; i < len; ++i) po[i] = f(pa[i * sa], pb[i * sb]);
    });
  });
}

/**
 * run() for float32 operands through this CPU's SIMD loops of the op (`loops`, one per operand
 * mode, or null), where the plan's rows are long enough to pay for the call; else run() itself.
 */
template <typename O, typename F> void runLoops(const StridedPlan& plan, const float* a, const float* b, O* o, F f, const PairLoop<O>* loops) {
  const int last = plan.rank - 1;
  const i64 sa = last >= 0 ? plan.strides[1][last] : 0, sb = last >= 0 ? plan.strides[2][last] : 0;
  const int mode = sa == 1 && sb == 1 ? kBothArrays : sa == 1 && sb == 0 ? kFirstArray : sa == 0 && sb == 1 ? kSecondArray : -1;
  if (!loops || mode < 0 || last < 0 || plan.shape[last] < kMinLoopRun) return run(plan, a, b, o, f);
  const PairLoop<O> loop = loops[mode];
  parallelFor(plan.size(), 1, [&](i64 begin, i64 end) {
    forEachSegment(plan, begin, end, [&](i64 out, const i64* offs, i64 len) { loop(a + offs[1], b + offs[2], o + out, len); });
  });
}

/** Float arithmetic in T (T = float computes through double where needed), results of type O. */
template <typename T, typename O> void floatArith(int op, const StridedPlan& p, const T* a, const T* b, O* o) {
  auto d = [](T x) { return static_cast<double>(x); };
  // The ops with SIMD loops go through runLoops for float32 operands and results.
  auto simd = [&](auto f) {
    if constexpr (std::is_same_v<T, float> && std::is_same_v<O, float>)
      return runLoops(p, a, b, o, f, elementwiseLoops().binary[binaryLoopIndex(op)]);
    else
      return run(p, a, b, o, f);
  };
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::add: return simd([](T x, T y) { return static_cast<O>(x + y); });
    case BinaryOp::sub: return simd([](T x, T y) { return static_cast<O>(x - y); });
    case BinaryOp::mul: return simd([](T x, T y) { return static_cast<O>(x * y); });
    case BinaryOp::div: return simd([](T x, T y) { return static_cast<O>(x / y); });
    case BinaryOp::floorDiv: return run(p, a, b, o, [&](T x, T y) { return static_cast<O>(std::floor(d(x) / d(y))); });
    case BinaryOp::mod: return run(p, a, b, o, [&](T x, T y) { return static_cast<O>(floorMod(d(x), d(y))); });
    case BinaryOp::pow: return run(p, a, b, o, [&](T x, T y) { return static_cast<O>(std::pow(d(x), d(y))); });
    case BinaryOp::maximum: return simd([](T x, T y) { return static_cast<O>(fmax_js(x, y)); });
    case BinaryOp::minimum: return simd([](T x, T y) { return static_cast<O>(fmin_js(x, y)); });
    case BinaryOp::atan2: return run(p, a, b, o, [&](T x, T y) { return static_cast<O>(std::atan2(d(x), d(y))); });
    default: break;
  }
  throw InputError("binary: not an arithmetic op");
}

void intArith(int op, const StridedPlan& p, const std::int32_t* a, const std::int32_t* b, std::int32_t* o) {
  using I = std::int32_t;
  using U = std::uint32_t;
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::add: return run(p, a, b, o, [](I x, I y) { return static_cast<I>(static_cast<U>(x) + static_cast<U>(y)); });
    case BinaryOp::sub: return run(p, a, b, o, [](I x, I y) { return static_cast<I>(static_cast<U>(x) - static_cast<U>(y)); });
    case BinaryOp::mul: return run(p, a, b, o, [](I x, I y) { return static_cast<I>(static_cast<U>(x) * static_cast<U>(y)); });
    case BinaryOp::floorDiv: return run(p, a, b, o, intFloorDiv);
    case BinaryOp::mod: return run(p, a, b, o, intMod);
    case BinaryOp::pow: return run(p, a, b, o, intPow);
    case BinaryOp::maximum: return run(p, a, b, o, [](I x, I y) { return x >= y ? x : y; });
    case BinaryOp::minimum: return run(p, a, b, o, [](I x, I y) { return x <= y ? x : y; });
    default: break;
  }
  throw InputError(std::string("binary ") + binaryOpNames()[op] + ": has no int32 result; cast the inputs to float");
}

template <typename T> void compare(int op, const StridedPlan& p, const T* a, const T* b, std::uint8_t* o) {
  using U8 = std::uint8_t;
  auto simd = [&](auto f) {
    if constexpr (std::is_same_v<T, float>)
      return runLoops(p, a, b, o, f, elementwiseLoops().compare[op - kFirstCompare]);
    else
      return run(p, a, b, o, f);
  };
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::equal: return simd([](T x, T y) { return static_cast<U8>(x == y); });
    case BinaryOp::notEqual: return simd([](T x, T y) { return static_cast<U8>(x != y); });
    case BinaryOp::less: return simd([](T x, T y) { return static_cast<U8>(x < y); });
    case BinaryOp::lessEqual: return simd([](T x, T y) { return static_cast<U8>(x <= y); });
    case BinaryOp::greater: return simd([](T x, T y) { return static_cast<U8>(x > y); });
    case BinaryOp::greaterEqual: return simd([](T x, T y) { return static_cast<U8>(x >= y); });
    case BinaryOp::logicalAnd: return run(p, a, b, o, [](T x, T y) { return static_cast<U8>(x != 0 && y != 0); });
    case BinaryOp::logicalOr: return run(p, a, b, o, [](T x, T y) { return static_cast<U8>(x != 0 || y != 0); });
    default: break;
  }
  throw InputError("binary: not a comparison");
}

}  // namespace

void binary(int op, const Buffer& a, const Shape& aShape, const Buffer& b, const Shape& bShape, const Buffer& out,
            const Shape& outShape) {
  if (!validCode<BinaryOp>(op)) throw InputError("binary: unknown op code");
  const char* name = binaryOpNames()[op];
  expectLength(a, elementCount(aShape, name), name, "first input");
  expectLength(b, elementCount(bShape, name), name, "second input");
  expectLength(out, elementCount(outShape, name), name, "output");
  if (a.dtype != b.dtype)
    throw InputError(std::string(name) + ": inputs must share a dtype, got " + dtypeName(a.dtype) + " and " +
                     dtypeName(b.dtype));
  const i64 n = out.length;
  StridedPlan plan;
  if ((a.length == n || a.length == 1) && (b.length == n || b.length == 1)) {
    // Same-shape or scalar operands (the common case): a flat loop, no plan to build. Lengths
    // were checked above, so any shapes that reach here stay in bounds.
    plan.rank = 1;
    plan.operands = 3;
    plan.shape[0] = n;
    plan.strides[0][0] = 1;
    plan.strides[1][0] = a.length == n ? 1 : 0;
    plan.strides[2][0] = b.length == n ? 1 : 0;
  } else {
    plan = makePlan(outShape, {std::vector<i64>(outShape.size(), 0), broadcastStrides(aShape, outShape, name),
                               broadcastStrides(bShape, outShape, name)});
  }
  if (op >= kFirstCompare) {
    if (out.dtype != DType::Bool) throw InputError(std::string(name) + ": output must be bool");
    withType(a.dtype, [&](auto* tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      compare<T>(op, plan, a.as<T>(), b.as<T>(), out.as<std::uint8_t>());
      return 0;
    });
    return;
  }
  if (a.dtype == DType::F32 && out.dtype == DType::F32) return floatArith(op, plan, a.as<float>(), b.as<float>(), out.as<float>());
  if (a.dtype == DType::F64 && out.dtype == DType::F64)
    return floatArith(op, plan, a.as<double>(), b.as<double>(), out.as<double>());
  // Mixed inputs arrive widened to float64; the float32 result is rounded once, as JS stores it.
  if (a.dtype == DType::F64 && out.dtype == DType::F32)
    return floatArith(op, plan, a.as<double>(), b.as<double>(), out.as<float>());
  if (a.dtype == DType::I32 && out.dtype == DType::I32)
    return intArith(op, plan, a.as<std::int32_t>(), b.as<std::int32_t>(), out.as<std::int32_t>());
  throw InputError(std::string(name) + ": unsupported dtypes " + dtypeName(a.dtype) + " -> " + dtypeName(out.dtype));
}

}  // namespace nabla
