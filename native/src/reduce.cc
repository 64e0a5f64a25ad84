// Reductions over arbitrary axes (sum prod max min all any) and argmax/argmin over one axis,
// with the reference's semantics: accumulation in double in memory order, NaN winning max/min,
// the first extremum (or first NaN) winning arg reductions. Threads split the outermost
// dimension; partial results combine in thread order, so a thread count gives fixed bits.
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

#include "kernels.h"
#include "simd/elementwise-loops.h"
#include "claimed-blocks.h"
#include "thread-pool.h"

namespace nabla {


namespace {

constexpr int kSum = code(ReduceOp::sum), kProd = code(ReduceOp::prod), kMax = code(ReduceOp::max),
              kMin = code(ReduceOp::min), kAll = code(ReduceOp::all), kAny = code(ReduceOp::any);

double initOf(int op) {
  switch (op) {
    case kSum: return 0;
    case kProd: return 1;
    case kMax: return -INFINITY;
    case kMin: return INFINITY;
    case kAll: return 1;
  }
  return 0;
}

template <int Op> inline double step(double acc, double v) {
  if constexpr (Op == kSum) return acc + v;
  if constexpr (Op == kProd) return acc * v;
  if constexpr (Op == kMax) return (v > acc || v != v) ? v : acc;
  if constexpr (Op == kMin) return (v < acc || v != v) ? v : acc;
  if constexpr (Op == kAll) return (acc != 0 && v != 0) ? 1 : 0;
  return (acc != 0 || v != 0) ? 1 : 0;
}

/** Fold a contiguous run into acc; long sums use eight lanes (fixed order, so fixed bits). */
template <int Op, typename T> double foldRun(double acc, const T* x, i64 len) {
  if constexpr (Op == kSum && std::is_same_v<T, float>) {
    if (len >= 64) return elementwiseLoops().sumRun(acc, x, len);
  }
  if constexpr (Op == kSum) {
    if (len >= 64) {
      double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      i64 i = 0;
      for (; i + 8 <= len; i += 8)
        for (int l = 0; l < 8; ++l) lane[l] += static_cast<double>(x[i + l]);
      double s = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
      acc += s;
      for (; i < len; ++i) acc += static_cast<double>(x[i]);
      return acc;
    }
  }
  if constexpr (Op == kMax || Op == kMin) {
    // step's `v > acc || v != v` branches on every element, and on random rows (the max of a
    // softmax over 10 classes) half of those branches miss. Here the comparison is a select
    // (maxsd/minsd) and a NaN, rare, a predictable branch: the last NaN seen wins, as in step.
    double nan = 0;
    bool sawNan = false;
    for (i64 i = 0; i < len; ++i) {
      const double v = static_cast<double>(x[i]);
      if (Op == kMax) acc = v > acc ? v : acc;
      else acc = v < acc ? v : acc;
      if (v != v) [[unlikely]] {
        nan = v;
        sawNan = true;
      }
    }
    return sawNan ? nan : acc;
  }
  for (i64 i = 0; i < len; ++i) acc = step<Op>(acc, static_cast<double>(x[i]));
  return acc;
}

/** a[j] = step(a[j], x[j]) for j < n: one row folded into its outputs. */
template <int Op, typename T> void foldRow(double* a, const T* x, i64 n) {
  if constexpr (std::is_same_v<T, float> && (Op == kSum || Op == kMax || Op == kMin)) {
    if (n >= kMinLoopRun) return elementwiseLoops().foldRow[Op == kSum ? 0 : Op == kMax ? 1 : 2](a, x, n);
  }
  for (i64 j = 0; j < n; ++j) a[j] = step<Op>(a[j], static_cast<double>(x[j]));
}

/** Input dims after dropping size-1 dims and merging neighbours of the same kind. */
struct Blocks {
  int count = 0;
  i64 size[64];
  bool reduced[64];
};

template <int Op, typename T>
void reduceInto(const T* x, const Blocks& bl, i64 rowBegin, i64 rowEnd, double* acc) {
  const int last = bl.count - 1;
  const i64 inner = bl.size[last];
  // Output strides of the outer blocks (0 for reduced ones).
  i64 outStride[64], idx[64];
  i64 s = bl.reduced[last] ? 1 : inner;
  for (int d = last - 1; d >= 0; --d) {
    outStride[d] = bl.reduced[d] ? 0 : s;
    if (!bl.reduced[d]) s *= bl.size[d];
  }
  i64 row = rowBegin, outOff = 0;
  for (int d = last - 1; d >= 0; --d) {
    idx[d] = row % bl.size[d];
    row /= bl.size[d];
    outOff += idx[d] * outStride[d];
  }
  for (i64 r = rowBegin; r < rowEnd; ++r) {
    const T* run = x + r * inner;
    if (bl.reduced[last]) acc[outOff] = foldRun<Op>(acc[outOff], run, inner);
    else foldRow<Op>(acc + outOff, run, inner);
    for (int d = last - 1; d >= 0; --d) {
      ++idx[d];
      outOff += outStride[d];
      if (idx[d] < bl.size[d]) break;
      outOff -= outStride[d] * bl.size[d];
      idx[d] = 0;
    }
  }
}

// Elements per part of a large reduction's fold, and the most parts.
constexpr i64 kFoldPart = i64{1} << 15;
constexpr i64 kMaxFoldParts = 16;

template <int Op, typename T>
void reduceTyped(const T* x, i64 n, const Blocks& bl, i64 nOut, std::vector<double>& acc) {
  acc.assign(static_cast<std::size_t>(nOut), initOf(Op));
  if (n == 0) return;
  const i64 rows = n / bl.size[bl.count - 1];
  const i64 rowsPerOuter = rows / (bl.count > 1 ? bl.size[0] : 1);
  const i64 outer = bl.count > 1 ? bl.size[0] : 1;
  const int threads = threadsFor(n);
  auto combine = [](double a, double b) { return Op == kSum ? a + b : Op == kProd ? a * b : step<Op>(a, b); };
  // Large reductions fold in parts fixed by the sizes alone (never by the thread count), claimed
  // by whichever threads are free and combined in order: the same bits on any number of threads.
  const bool split = n >= 2 * kFoldPart;
  if (bl.count == 1 && bl.reduced[0] && split) {
    // One long run: each part folds a slice, then the slices combine in order.
    const i64 parts = std::min<i64>(kMaxFoldParts, n / kFoldPart);
    std::vector<double> partial(static_cast<std::size_t>(parts), initOf(Op));
    forEachClaimedBlock(parts, 1, threads, [&](i64 p0, i64 p1) {
      for (i64 part = p0; part < p1; ++part) {
        i64 b, e;
        splitRange(n, static_cast<int>(parts), static_cast<int>(part), b, e);
        partial[part] = foldRun<Op>(initOf(Op), x + b, e - b);
      }
    });
    for (double v : partial) acc[0] = combine(acc[0], v);
    return;
  }
  if (outer <= 1 || (bl.reduced[0] && !split)) {
    reduceInto<Op>(x, bl, 0, rows, acc.data());
    return;
  }
  if (!bl.reduced[0]) {
    // Parts own disjoint slices of the output.
    parallelFor(outer, n / outer, [&](i64 b, i64 e) { reduceInto<Op>(x, bl, b * rowsPerOuter, e * rowsPerOuter, acc.data()); });
    return;
  }
  const i64 parts = std::min<i64>({kMaxFoldParts, outer, n / kFoldPart});
  std::vector<std::vector<double>> partial(static_cast<std::size_t>(parts), std::vector<double>(static_cast<std::size_t>(nOut), initOf(Op)));
  forEachClaimedBlock(parts, 1, threads, [&](i64 p0, i64 p1) {
    for (i64 part = p0; part < p1; ++part) {
      i64 b, e;
      splitRange(outer, static_cast<int>(parts), static_cast<int>(part), b, e);
      reduceInto<Op>(x, bl, b * rowsPerOuter, e * rowsPerOuter, partial[part].data());
    }
  });
  for (const auto& part : partial)
    for (i64 o = 0; o < nOut; ++o) acc[o] = combine(acc[o], part[o]);
}

template <typename T>
void reduceDispatch(int op, const T* x, i64 n, const Blocks& bl, i64 nOut, std::vector<double>& acc) {
  switch (op) {
    case kSum: return reduceTyped<kSum>(x, n, bl, nOut, acc);
    case kProd: return reduceTyped<kProd>(x, n, bl, nOut, acc);
    case kMax: return reduceTyped<kMax>(x, n, bl, nOut, acc);
    case kMin: return reduceTyped<kMin>(x, n, bl, nOut, acc);
    case kAll: return reduceTyped<kAll>(x, n, bl, nOut, acc);
    case kAny: return reduceTyped<kAny>(x, n, bl, nOut, acc);
  }
}

template <typename T> void argTyped(bool isMax, const T* x, i64 outer, i64 len, i64 inner, std::int32_t* out) {
  // Work items: one output row chunk of up to 256 inner positions.
  const i64 chunk = 256, chunks = (inner + chunk - 1) / chunk;
  parallelFor(outer * chunks, len * std::min(inner, chunk), [&](i64 b, i64 e) {
    T best[256];
    for (i64 t = b; t < e; ++t) {
      i64 o = t / chunks, i0 = (t % chunks) * chunk, i1 = std::min(inner, i0 + chunk);
      const T* base = x + o * len * inner;
      std::int32_t* res = out + o * inner;
      for (i64 i = i0; i < i1; ++i) {
        best[i - i0] = base[i];
        res[i] = 0;
      }
      for (i64 r = 1; r < len; ++r) {
        const T* row = base + r * inner;
        for (i64 i = i0; i < i1; ++i) {
          T v = row[i], cur = best[i - i0];
          bool better = isMax ? v > cur : v < cur;
          if (cur == cur && (better || v != v)) {
            best[i - i0] = v;
            res[i] = static_cast<std::int32_t>(r);
          }
        }
      }
    }
  });
}

}  // namespace

void reduce(int op, const Buffer& x, const Shape& shape, const std::vector<bool>& reduced, const Buffer& out) {
  if (!validCode<ReduceOp>(op)) throw InputError("reduce: unknown op code");
  const char* name = reduceOpNames()[op];
  if (shape.size() > 64) throw InputError(std::string(name) + ": rank above 64 is not supported");
  const i64 n = elementCount(shape, name);
  expectLength(x, n, name, "input");
  Blocks bl;
  i64 nOut = 1;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (!reduced[d]) nOut *= shape[d];
    if (shape[d] == 1) continue;
    if (bl.count > 0 && bl.reduced[bl.count - 1] == reduced[d]) bl.size[bl.count - 1] *= shape[d];
    else {
      bl.size[bl.count] = shape[d];
      bl.reduced[bl.count] = reduced[d];
      ++bl.count;
    }
  }
  if (bl.count == 0) {
    bl.count = 1;
    bl.size[0] = 1;
    bl.reduced[0] = false;
  }
  expectLength(out, nOut, name, "output");
  thread_local std::vector<double> acc;
  withType(x.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    reduceDispatch<T>(op, x.as<T>(), n, bl, nOut, acc);
    return 0;
  });
  withType(out.dtype, [&](auto* tag) {
    using O = std::remove_pointer_t<decltype(tag)>;
    O* o = out.as<O>();
    // Finite results store as JS stores them; infinities (empty max/min) saturate like a cast.
    for (i64 i = 0; i < nOut; ++i) o[i] = std::isfinite(acc[i]) ? storeAs<O>(acc[i]) : castTo<O>(acc[i]);
    return 0;
  });
}

void argReduce(int op, const Buffer& x, const Shape& shape, int axis, const Buffer& out) {
  if (!validCode<ArgOp>(op)) throw InputError("argReduce: unknown op code");
  const char* name = argOpNames()[op];
  if (axis < 0 || axis >= static_cast<int>(shape.size()))
    throw InputError(std::string(name) + ": axis " + std::to_string(axis) + " out of range");
  const i64 n = elementCount(shape, name);
  expectLength(x, n, name, "input");
  if (out.dtype != DType::I32) throw InputError(std::string(name) + ": output must be int32");
  i64 outer = 1, inner = 1, len = shape[axis];
  for (int d = 0; d < axis; ++d) outer *= shape[d];
  for (std::size_t d = axis + 1; d < shape.size(); ++d) inner *= shape[d];
  if (len == 0) throw InputError(std::string(name) + ": cannot reduce an empty axis");
  expectLength(out, outer * inner, name, "output");
  if (outer * inner == 0) return;
  withType(x.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    argTyped<T>(op == code(ArgOp::argmax), x.as<T>(), outer, len, inner, out.as<std::int32_t>());
    return 0;
  });
}

}  // namespace nabla
