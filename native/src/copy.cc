// Data movement: strided-view gathering (materialize), dtype conversion (cast) and where.
#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "strided-plan.h"
#include "thread-pool.h"

namespace nabla {

namespace {
/** Element types by size only: these kernels move bits without looking at them. */
template <std::size_t N> struct Bits;
template <> struct Bits<1> { using type = std::uint8_t; };
template <> struct Bits<4> { using type = std::uint32_t; };
template <> struct Bits<8> { using type = std::uint64_t; };

template <typename F> void withBits(DType d, F&& f) {
  switch (dtypeSize(d)) {
    case 1: f(static_cast<std::uint8_t*>(nullptr)); return;
    case 4: f(static_cast<std::uint32_t*>(nullptr)); return;
    default: f(static_cast<std::uint64_t*>(nullptr)); return;
  }
}
/** out = src viewed through plan, where the plan's inner two dims are a transpose (source strides 1 and s). */
template <typename T> void transposeTiles(const StridedPlan& plan, const T* src, T* out) {
  constexpr i64 kTile = 32;
  const int r = plan.rank;
  const i64 rows = plan.shape[r - 2], cols = plan.shape[r - 1], colStride = plan.strides[1][r - 1];
  // Outer dims (all but the inner two) visited through a plan of their own.
  StridedPlan outer;
  outer.rank = r - 2;
  outer.operands = 2;
  for (int d = 0; d < r - 2; ++d) {
    outer.shape[d] = plan.shape[d];
    outer.strides[0][d] = 0;
    outer.strides[1][d] = plan.strides[1][d];
  }
  const i64 matrices = outer.size(), rowTiles = (rows + kTile - 1) / kTile;
  parallelFor(matrices * rowTiles, kTile * cols, [&](i64 b, i64 e) {
    for (i64 t = b; t < e; ++t) {
      i64 m = t / rowTiles, r0 = (t % rowTiles) * kTile, r1 = std::min(rows, r0 + kTile);
      i64 base = 0;
      forEachSegment(outer, m, m + 1, [&](i64, const i64* offs, i64) { base = offs[1]; });
      const T* s = src + base;
      T* o = out + m * rows * cols;
      for (i64 c0 = 0; c0 < cols; c0 += kTile) {
        i64 c1 = std::min(cols, c0 + kTile);
        for (i64 i = r0; i < r1; ++i)
          for (i64 j = c0; j < c1; ++j) o[i * cols + j] = s[i + j * colStride];
      }
    }
  });
}
}  // namespace

void materialize(const Buffer& src, const Shape& shape, const Shape& strides, i64 offset, const Buffer& out) {
  const char* op = "materialize";
  if (shape.size() != strides.size()) throw InputError("materialize: shape and strides differ in length");
  if (src.dtype != out.dtype) throw InputError("materialize: source and output dtypes differ");
  const i64 n = elementCount(shape, op);
  expectLength(out, n, op, "output");
  if (n == 0) return;
  // Every element the view reaches must lie inside the source buffer.
  i64 lo = offset, hi = offset;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    i64 reach = (shape[d] - 1) * strides[d];
    (reach < 0 ? lo : hi) += reach;
  }
  if (lo < 0 || hi >= src.length)
    throw InputError("materialize: the view reaches elements [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "] of a buffer of " + std::to_string(src.length));
  StridedPlan plan = makePlan(shape, {std::vector<i64>(shape.size(), 0), strides});
  const int r = plan.rank;
  if (r >= 2 && plan.strides[1][r - 2] == 1 && plan.strides[1][r - 1] != 1) {
    // A transpose of the two inner dims: copy in square tiles so reads and writes both stay in cache.
    withBits(src.dtype, [&](auto* tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      transposeTiles(plan, src.as<T>() + offset, out.as<T>());
    });
    return;
  }
  withBits(src.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* s = src.as<T>() + offset;
    T* o = out.as<T>();
    const i64 step = plan.rank > 0 ? plan.strides[1][plan.rank - 1] : 0;
    parallelFor(n, 1, [&](i64 b, i64 e) {
      forEachSegment(plan, b, e, [&](i64 at, const i64* offs, i64 len) {
        const T* from = s + offs[1];
        if (step == 1) std::memcpy(o + at, from, len * sizeof(T));
        else
          for (i64 i = 0; i < len; ++i) o[at + i] = from[i * step];
      });
    });
  });
}

void cast(const Buffer& x, const Buffer& out) {
  if (x.length != out.length) throw InputError("cast: input and output sizes differ");
  withType(x.dtype, [&](auto* inTag) {
    using In = std::remove_pointer_t<decltype(inTag)>;
    withType(out.dtype, [&](auto* outTag) {
      using Out = std::remove_pointer_t<decltype(outTag)>;
      const In* s = x.as<In>();
      Out* o = out.as<Out>();
      parallelFor(x.length, 2, [&](i64 b, i64 e) {
        for (i64 i = b; i < e; ++i) o[i] = castTo<Out>(static_cast<double>(s[i]));
      });
      return 0;
    });
    return 0;
  });
}

void where(const Buffer& c, const Shape& cShape, const Buffer& a, const Shape& aShape, const Buffer& b,
           const Shape& bShape, const Buffer& out, const Shape& outShape) {
  const char* op = "where";
  if (c.dtype != DType::Bool) throw InputError("where: condition must be bool");
  if (a.dtype != b.dtype || a.dtype != out.dtype) throw InputError("where: x, y and the output must share a dtype");
  expectLength(c, elementCount(cShape, op), op, "condition");
  expectLength(a, elementCount(aShape, op), op, "x");
  expectLength(b, elementCount(bShape, op), op, "y");
  expectLength(out, elementCount(outShape, op), op, "output");
  StridedPlan plan = makePlan(outShape, {std::vector<i64>(outShape.size(), 0), broadcastStrides(cShape, outShape, op),
                                         broadcastStrides(aShape, outShape, op), broadcastStrides(bShape, outShape, op)});
  const int last = plan.rank - 1;
  withBits(a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const std::uint8_t* pc = c.as<std::uint8_t>();
    const T* pa = a.as<T>();
    const T* pb = b.as<T>();
    T* po = out.as<T>();
    i64 sc = last >= 0 ? plan.strides[1][last] : 0, sa = last >= 0 ? plan.strides[2][last] : 0,
        sb = last >= 0 ? plan.strides[3][last] : 0;
    if constexpr (std::is_same_v<T, std::uint32_t>) {
      // Rows long enough to pay for the call go through this CPU's SIMD select.
      if (sc == 1 && (sa == 1 || sb == 1) && sa <= 1 && sb <= 1 && plan.shape[last] >= kMinLoopRun) {
        const SelectLoop select = elementwiseLoops().select[sa && sb ? kBothArrays : sa ? kFirstArray : kSecondArray];
        parallelFor(plan.size(), 1, [&](i64 begin, i64 end) {
          forEachSegment(plan, begin, end, [&](i64 at, const i64* offs, i64 len) { select(pc + offs[1], pa + offs[2], pb + offs[3], po + at, len); });
        });
        return;
      }
    }
    parallelFor(plan.size(), 1, [&](i64 begin, i64 end) {
      forEachSegment(plan, begin, end, [&](i64 at, const i64* offs, i64 len) {
        const std::uint8_t* cc = pc + offs[1];
        const T* xa = pa + offs[2];
        const T* xb = pb + offs[3];
        T* __restrict dst = po + at;
        if (sc == 1 && sa == 1 && sb == 1)
          for (i64 i = 0; i < len; ++i) dst[i] = selectBits(cc[i], xa[i], xb[i]);
        else if (sc == 1 && sa == 1 && sb == 0)
          for (i64 i = 0; i < len; ++i) dst[i] = selectBits(cc[i], xa[i], xb[0]);
        else
          for (i64 i = 0; i < len; ++i) dst[i] = selectBits(cc[i * sc], xa[i * sa], xb[i * sb]);
      });
    });
  });
}

i64 elementCount(const Shape& shape, const char* op) {
  i64 n = 1;
  bool zero = false;
  for (i64 d : shape) {
    if (d < 0) throw InputError(std::string(op) + ": negative dimension " + std::to_string(d));
    if (d == 0) zero = true;
  }
  if (zero) return 0;
  for (i64 d : shape) {
    if (d != 0 && n > (i64{1} << 53) / d) throw InputError(std::string(op) + ": shape has more than 2^53 elements");
    n *= d;
  }
  return n;
}

void expectLength(const Buffer& buf, i64 count, const char* op, const char* what) {
  if (buf.length != count)
    throw InputError(std::string(op) + ": " + what + " holds " + std::to_string(buf.length) + " elements, expected " +
                     std::to_string(count) + " for its shape");
}

}  // namespace nabla
