// The SVD by one-sided Jacobi rotations (Hestenes) on float64 matrices: simple, and accurate to
// working precision in the small singular values too.

const MAX_SWEEPS = 100;

/**
 * Thin SVD of u (row-major m x n with m >= n, overwritten by U): singular values (descending) into
 * s and right singular vectors into v (n x n, columns). Columns of U for zero singular values are
 * completed to an orthonormal set.
 */
export function jacobiSvd(u: Float64Array, m: number, n: number, s: Float64Array, v: Float64Array): void {
  // The rotations run on the columns stored as rows (ut: n x m, vt: n x n), in memory order.
  const ut = new Float64Array(n * m);
  for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) ut[j * m + k] = u[k * n + j]!;
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) vt[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let k = 0, pk = p * m, qk = q * m; k < m; k++) {
          const up = ut[pk + k]!;
          const uq = ut[qk + k]!;
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const sn = c * t;
        rotateRows(ut, m, p, q, c, sn);
        rotateRows(vt, n, p, q, c, sn);
      }
    }
    if (!rotated) break;
  }
  for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) u[k * n + j] = ut[j * m + k]!;
  for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) v[k * n + j] = vt[j * n + k]!;
  for (let j = 0; j < n; j++) {
    let norm2 = 0;
    for (let k = 0; k < m; k++) norm2 += u[k * n + j]! * u[k * n + j]!;
    s[j] = Math.sqrt(norm2);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => s[j]! - s[i]!);
  sortColumns(u, m, n, order);
  sortColumns(v, n, n, order);
  const sorted = order.map((i) => s[i]!);
  const tiny = (sorted[0] ?? 0) * n * 1e-15;
  for (let j = 0; j < n; j++) {
    s[j] = sorted[j]!;
    if (s[j]! > tiny && s[j]! > 0) for (let k = 0; k < m; k++) u[k * n + j]! /= s[j]!;
    else completeColumn(u, m, n, j);
  }
}

/** Rows p and q of x (rows of length `len`) <- [c -s; s c] applied pairwise. */
function rotateRows(x: Float64Array, len: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0, pk = p * len, qk = q * len; k < len; k++) {
    const xp = x[pk + k]!;
    const xq = x[qk + k]!;
    x[pk + k] = c * xp - s * xq;
    x[qk + k] = s * xp + c * xq;
  }
}

function sortColumns(x: Float64Array, rows: number, cols: number, order: readonly number[]): void {
  const copy = x.slice();
  for (let k = 0; k < rows; k++) for (let j = 0; j < cols; j++) x[k * cols + j] = copy[k * cols + order[j]!]!;
}

/** Column j of u (m x n) becomes a unit vector orthogonal to columns 0..j-1 (Gram-Schmidt on basis vectors). */
function completeColumn(u: Float64Array, m: number, n: number, j: number): void {
  const c = new Float64Array(m);
  for (let e = 0; e < m; e++) {
    c.fill(0);
    c[e] = 1;
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let k = 0; k < m; k++) dot += u[k * n + p]! * c[k]!;
        for (let k = 0; k < m; k++) c[k]! -= dot * u[k * n + p]!;
      }
    }
    let norm2 = 0;
    for (let k = 0; k < m; k++) norm2 += c[k]! * c[k]!;
    if (norm2 > 0.25) {
      const norm = Math.sqrt(norm2);
      for (let k = 0; k < m; k++) u[k * n + j] = c[k]! / norm;
      return;
    }
  }
}
