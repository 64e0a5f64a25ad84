// The linalg kernel entry: reads the words, checks the buffers and runs one factorisation per
// matrix of the batch. Small matrices are spread over the threads one per task; large ones run
// one after another, each threading its GEMMs.
#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

#include "../kernels.h"
#include "../op-codes.h"
#include "../scan-kernels.h"
#include "dense.h"
#include "linalg-kernels.h"

namespace nabla {

namespace {

/** Run body(t) for each matrix t of `count`, in parallel across matrices when each is cheap. */
template <typename F> void eachMatrix(i64 count, i64 workPerMatrix, F&& body) {
  constexpr i64 kSmallMatrixWork = i64{1} << 21;
  if (count > 1 && workPerMatrix < kSmallMatrixWork) {
    parallelFor(count, workPerMatrix, [&](i64 t0, i64 t1) {
      for (i64 t = t0; t < t1; ++t) body(t);
    });
    return;
  }
  for (i64 t = 0; t < count; ++t) body(t);
}

void expectFloat(const Buffer& b, DType dtype, const char* op, const char* what) {
  if (b.dtype != DType::F32 && b.dtype != DType::F64)
    throw InputError(std::string(op) + ": " + what + " must be float32 or float64, got " + dtypeName(b.dtype));
  if (b.dtype != dtype)
    throw InputError(std::string(op) + ": " + what + " must be " + dtypeName(dtype) + " like the first input, got " + dtypeName(b.dtype));
}

i64 dimension(WordCursor& w, const char* what) {
  const i64 d = w.integer(what);
  if (d < 0) throw InputError(std::string("linalg: ") + what + " must be non-negative, got " + std::to_string(d));
  return d;
}

template <typename T> void cholesky(const Buffer& a, const Buffer& out, i64 count, i64 n) {
  eachMatrix(count, n * n * n / 3, [&](i64 t) {
    T* l = out.as<T>() + t * n * n;
    if (!choleskyMatrix(a.as<T>() + t * n * n, l, n)) std::fill(l, l + n * n, std::numeric_limits<T>::quiet_NaN());
  });
}

template <typename T> void triangularSolve(const Buffer& a, const Buffer& b, const Buffer& out, i64 count, i64 n, i64 k, bool lower, bool transposeA) {
  eachMatrix(count, n * n * std::max<i64>(k, 1), [&](i64 t) {
    triangularSolveMatrix(a.as<T>() + t * n * n, b.as<T>() + t * n * k, out.as<T>() + t * n * k, n, k, lower, transposeA);
  });
}

template <typename T> void qr(const Buffer& a, const Buffer& out, i64 count, i64 m, i64 n) {
  const i64 k = std::min(m, n);
  T* q = out.as<T>();
  T* r = q + count * m * k;
  eachMatrix(count, 2 * m * n * k, [&](i64 t) { qrMatrix(a.as<T>() + t * m * n, q + t * m * k, r + t * k * n, m, n); });
}

template <typename T> void lu(const Buffer& a, const Buffer& out, i64 count, i64 n) {
  T* packed = out.as<T>();
  T* signs = packed + count * n * n;
  T* orders = signs + count;
  eachMatrix(count, n * n * n * 2 / 3, [&](i64 t) {
    T* w = packed + t * n * n;
    std::copy(a.as<T>() + t * n * n, a.as<T>() + (t + 1) * n * n, w);
    std::vector<i64> p(static_cast<std::size_t>(n));
    signs[t] = static_cast<T>(luMatrix(w, n, p.data()));
    for (i64 i = 0; i < n; ++i) orders[t * n + i] = static_cast<T>(p[i]);
  });
}

template <typename F> void byDType(DType d, F&& f) {
  if (d == DType::F32) f(static_cast<float*>(nullptr));
  else f(static_cast<double*>(nullptr));
}

}  // namespace

void linalgEntry(const KernelCall& c) {
  if (!validCode<LinalgOp>(c.op)) throw InputError("linalg: unknown op code " + std::to_string(c.op));
  WordCursor w(c);
  const i64 count = dimension(w, "batch count");
  const Buffer& a = c.buffer(0, "first input");
  const DType dtype = a.dtype;
  switch (static_cast<LinalgOp>(c.op)) {
    case LinalgOp::cholesky: {
      const i64 n = dimension(w, "n");
      const Buffer& out = c.buffer(1, "output");
      expectFloat(a, dtype, "cholesky", "a");
      expectFloat(out, dtype, "cholesky", "output");
      expectLength(a, count * n * n, "cholesky", "a");
      expectLength(out, count * n * n, "cholesky", "output");
      return byDType(dtype, [&](auto* tag) { cholesky<std::remove_pointer_t<decltype(tag)>>(a, out, count, n); });
    }
    case LinalgOp::triangularSolve: {
      const i64 n = dimension(w, "n"), k = dimension(w, "k");
      const bool lower = flagWord(w, "triangularSolve", "lower"), transposeA = flagWord(w, "triangularSolve", "transposeA");
      const Buffer& b = c.buffer(1, "b");
      const Buffer& out = c.buffer(2, "output");
      expectFloat(a, dtype, "triangularSolve", "a");
      expectFloat(b, dtype, "triangularSolve", "b");
      expectFloat(out, dtype, "triangularSolve", "output");
      expectLength(a, count * n * n, "triangularSolve", "a");
      expectLength(b, count * n * k, "triangularSolve", "b");
      expectLength(out, count * n * k, "triangularSolve", "output");
      return byDType(dtype, [&](auto* tag) { triangularSolve<std::remove_pointer_t<decltype(tag)>>(a, b, out, count, n, k, lower, transposeA); });
    }
    case LinalgOp::qr: {
      const i64 m = dimension(w, "m"), n = dimension(w, "n"), k = std::min(m, n);
      const Buffer& out = c.buffer(1, "output");
      expectFloat(a, dtype, "qr", "a");
      expectFloat(out, dtype, "qr", "output");
      expectLength(a, count * m * n, "qr", "a");
      expectLength(out, count * (m * k + k * n), "qr", "output (Q then R)");
      return byDType(dtype, [&](auto* tag) { qr<std::remove_pointer_t<decltype(tag)>>(a, out, count, m, n); });
    }
    case LinalgOp::lu: {
      const i64 n = dimension(w, "n");
      const Buffer& out = c.buffer(1, "output");
      expectFloat(a, dtype, "lu", "a");
      expectFloat(out, dtype, "lu", "output");
      expectLength(a, count * n * n, "lu", "a");
      expectLength(out, count * (n * n + 1 + n), "lu", "output (factors, signs, row orders)");
      return byDType(dtype, [&](auto* tag) { lu<std::remove_pointer_t<decltype(tag)>>(a, out, count, n); });
    }
    case LinalgOp::kCount: break;
  }
  throw InputError("linalg: unknown op code " + std::to_string(c.op));
}

}  // namespace nabla
