// Blocked Householder QR in the compact WY form (Schreiber & Van Loan): a panel of columns is
// factored reflector by reflector (in a column-major copy, accumulating in double), its
// reflectors gathered as I - V T Vᵀ, and the trailing columns updated by three products, two of
// them GEMMs. Q is accumulated backwards from the identity by the same blocks. The reflections
// are the reference kernel's (src/linalg/qr.ts): v = x - alpha e1 with alpha = -sign(x0) |x|, so
// Q and R match it, signs included.
#include <algorithm>
#include <cmath>

#include "dense.h"
#include "linalg-kernels.h"

namespace nabla {

namespace {

constexpr i64 kBlock = 48;

template <typename T> double dot(const T* x, const T* y, i64 len) {
  double s = 0;
  for (i64 i = 0; i < len; ++i) s += double(x[i]) * double(y[i]);
  return s;
}

/**
 * Factor the panel p (b columns, column-major with `rows` rows each, the first row being the
 * panel's diagonal row) in place: R's part stays in p; reflector jj goes into v (column jj,
 * leading dimension ldv, zeros above row jj) with its tau.
 */
template <typename T> void factorPanel(T* p, i64 rows, i64 b, T* v, i64 ldv, double* tau) {
  for (i64 jj = 0; jj < b; ++jj) {
    T* x = p + jj * rows + jj;
    const i64 len = rows - jj;
    T* vj = v + jj * ldv;
    std::fill(vj, vj + jj, T(0));
    const double norm2 = dot(x, x, len), x0 = x[0];
    const double alpha = x0 >= 0 ? -std::sqrt(norm2) : std::sqrt(norm2);
    vj[jj] = static_cast<T>(x0 - alpha);
    std::copy(x + 1, x + len, vj + jj + 1);
    const double vv = dot(vj + jj, vj + jj, len);
    tau[jj] = vv == 0 ? 0 : 2 / vv;
    if (vv == 0) continue;
    // The column itself becomes (alpha, 0, ...); the rest of the panel is reflected.
    x[0] = static_cast<T>(alpha);
    std::fill(x + 1, x + len, T(0));
    parallelFor(b - jj - 1, len, [&](i64 c0, i64 c1) {
      for (i64 c = jj + 1 + c0; c < jj + 1 + c1; ++c) {
        T* y = p + c * rows + jj;
        const double f = tau[jj] * dot(vj + jj, y, len);
        for (i64 i = 0; i < len; ++i) y[i] = static_cast<T>(double(y[i]) - f * double(vj[jj + i]));
      }
    });
  }
}

/** The upper triangular t (b x b, row-major) with H_0 H_1 ... H_{b-1} = I - V t Vᵀ (LAPACK's larft, forward). */
template <typename T> void formT(const T* v, i64 ldv, i64 rows, i64 b, const double* tau, double* t) {
  std::fill(t, t + b * b, 0.0);
  std::vector<double> w(static_cast<std::size_t>(b));
  for (i64 i = 0; i < b; ++i) {
    t[i * b + i] = tau[i];
    for (i64 r = 0; r < i; ++r) w[r] = dot(v + r * ldv + i, v + i * ldv + i, rows - i);  // v_r is zero above row r <= i
    for (i64 r = 0; r < i; ++r) {
      double s = 0;
      for (i64 c = r; c < i; ++c) s += t[r * b + c] * w[c];
      t[r * b + i] = -tau[i] * s;
    }
  }
}

/**
 * c (rows x cols, leading dimension ldc) <- (I - V t Vᵀ) c, or (I - V tᵀ Vᵀ) c when `transposeT`
 * (V: rows x b, column-major with leading dimension ldv).
 */
template <typename T> void applyBlock(const T* v, i64 ldv, i64 rows, i64 b, const double* t, bool transposeT, T* c, i64 ldc, i64 cols) {
  if (cols == 0 || rows == 0) return;
  thread_local std::vector<T> yBuffer, zBuffer, pBuffer;
  T* y = dense::scratch(yBuffer, b * cols);
  T* z = dense::scratch(zBuffer, b * cols);
  T* prod = dense::scratch(pBuffer, rows * cols);
  dense::multiply<T>(b, cols, rows, MatrixRef<T>{v, ldv, 1}, dense::rows(c, ldc), y, cols);  // Vᵀ c
  for (i64 i = 0; i < b; ++i) {
    T* zi = z + i * cols;
    std::fill(zi, zi + cols, T(0));
    const i64 r0 = transposeT ? 0 : i, r1 = transposeT ? i + 1 : b;
    for (i64 r = r0; r < r1; ++r) {
      const T f = static_cast<T>(transposeT ? t[r * b + i] : t[i * b + r]);
      const T* yr = y + r * cols;
      for (i64 j = 0; j < cols; ++j) zi[j] += f * yr[j];
    }
  }
  dense::multiply<T>(rows, cols, b, MatrixRef<T>{v, 1, ldv}, dense::rows(z, cols), prod, cols);  // V z
  for (i64 i = 0; i < rows; ++i) {
    T* ci = c + i * ldc;
    const T* pi = prod + i * cols;
    for (i64 j = 0; j < cols; ++j) ci[j] -= pi[j];
  }
}

}  // namespace

template <typename T> void qrMatrix(const T* a, T* q, T* r, i64 m, i64 n) {
  const i64 k = std::min(m, n);
  thread_local std::vector<T> wBuffer, vBuffer, pBuffer;
  thread_local std::vector<double> tBuffer, tauBuffer;
  T* w = dense::scratch(wBuffer, m * n);
  std::copy(a, a + m * n, w);
  // V holds every reflector: column j (length m, zeros above row j) at v + j*m.
  T* v = dense::scratch(vBuffer, m * k);
  const i64 panels = (k + kBlock - 1) / kBlock;
  double* ts = dense::scratch(tBuffer, panels * kBlock * kBlock);
  double* tau = dense::scratch(tauBuffer, k);
  for (i64 j0 = 0, panel = 0; j0 < k; j0 += kBlock, ++panel) {
    const i64 b = std::min(kBlock, k - j0), rows = m - j0;
    T* p = dense::scratch(pBuffer, rows * b);
    for (i64 c = 0; c < b; ++c)
      for (i64 i = 0; i < rows; ++i) p[c * rows + i] = w[(j0 + i) * n + j0 + c];
    // The panel's reflectors, seen from row j0: V's columns j0.. starting at their row j0.
    T* vp = v + j0 * m + j0;
    for (i64 c = 0; c < b; ++c) std::fill(v + (j0 + c) * m, v + (j0 + c) * m + j0, T(0));
    factorPanel(p, rows, b, vp, m, tau + j0);
    for (i64 c = 0; c < b; ++c)
      for (i64 i = 0; i < rows; ++i) w[(j0 + i) * n + j0 + c] = p[c * rows + i];
    double* t = ts + panel * kBlock * kBlock;
    formT(vp, m, rows, b, tau + j0, t);
    // The trailing columns get Hb ... H1 = I - V tᵀ Vᵀ.
    applyBlock(vp, m, rows, b, t, true, w + j0 * n + j0 + b, n, n - j0 - b);
  }
  for (i64 i = 0; i < k; ++i)
    for (i64 j = 0; j < n; ++j) r[i * n + j] = j < i ? T(0) : w[i * n + j];
  for (i64 i = 0; i < m; ++i)
    for (i64 j = 0; j < k; ++j) q[i * k + j] = i == j ? T(1) : T(0);
  for (i64 panel = panels - 1; panel >= 0; --panel) {
    const i64 j0 = panel * kBlock, b = std::min(kBlock, k - j0);
    applyBlock(v + j0 * m + j0, m, m - j0, b, ts + panel * kBlock * kBlock, false, q + j0 * k + j0, k, k - j0);
  }
}

template void qrMatrix<float>(const float*, float*, float*, i64, i64);
template void qrMatrix<double>(const double*, double*, double*, i64, i64);

}  // namespace nabla
