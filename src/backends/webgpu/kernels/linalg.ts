// The matrix decompositions of nb.linalg: one invocation per matrix of the batch running the
// reference kernel's serial algorithm in f32 (Cholesky, substitution, pivoted LU, Householder QR,
// Jacobi eigh and one-sided Jacobi SVD). Scratch matrices are buffers freed after the dispatch.
import type { TriangularSolveAttrs } from '../../../linalg/triangular-solve.js';
import { groupsFor, perElementKernel, type Binding } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

const f = (name: string, access: Binding['access'] = 'read_write'): Binding => ({ name, type: 'f32', access });
const count = (shape: readonly number[]) => shape.slice(0, -2).reduce((a, b) => a * b, 1);

const CHOLESKY = perElementKernel(
  [f('a', 'read'), f('l')],
  `  let n = M(1); let off = i * n * n;
  var ok = true;
  for (var j = 0; j < n; j++) {
    var d = a[off + j * n + j];
    for (var k = 0; k < j; k++) { let x = l[off + j * n + k]; d -= x * x; }
    if (is_nan(d) || d <= 0.0) { ok = false; break; }
    let ljj = sqrt(d);
    l[off + j * n + j] = ljj;
    for (var r = 0; r < j; r++) { l[off + r * n + j] = 0.0; }
    for (var r = j + 1; r < n; r++) {
      var s = a[off + r * n + j];
      for (var k = 0; k < j; k++) { s -= l[off + r * n + k] * l[off + j * n + k]; }
      l[off + r * n + j] = s / ljj;
    }
  }
  if (!ok) { for (var t = 0; t < n * n; t++) { l[off + t] = nan(); } }`,
);

const cholesky: GpuKernel<unknown> = (ctx, [a], _attrs, [o]) => {
  const c = count(o!.shape);
  const out = ctx.alloc(c * a!.shape.at(-1)! ** 2);
  ctx.dispatch(CHOLESKY, [a!.data, out], [c, a!.shape.at(-1)!], groupsFor(c));
  return [out];
};

const TRIANGULAR_SOLVE = perElementKernel(
  [f('a', 'read'), f('b', 'read'), f('x')],
  `  let n = M(1); let kk = M(2); let fwd = M(3) == 1; let ta = M(4) == 1;
  let offA = i * n * n; let offB = i * n * kk;
  for (var c = 0; c < kk; c++) {
    for (var step = 0; step < n; step++) {
      let r = select(n - 1 - step, step, fwd);
      var s = b[offB + r * kk + c];
      let lo = select(r + 1, 0, fwd);
      let hi = select(n, r, fwd);
      for (var j = lo; j < hi; j++) { s -= a[offA + select(r * n + j, j * n + r, ta)] * x[offB + j * kk + c]; }
      x[offB + r * kk + c] = s / a[offA + r * n + r];
    }
  }`,
);

const triangularSolve: GpuKernel<TriangularSolveAttrs> = (ctx, [a, b], { lower, transposeA }, [o]) => {
  const c = count(o!.shape);
  const [n, k] = o!.shape.slice(-2) as [number, number];
  const out = ctx.alloc(c * n * k);
  ctx.dispatch(TRIANGULAR_SOLVE, [a!.data, b!.data, out], [c, n, k, lower !== transposeA ? 1 : 0, transposeA ? 1 : 0], groupsFor(c));
  return [out];
};

const LU = perElementKernel(
  [f('a', 'read'), f('lu'), { name: 'perm', type: 'i32', access: 'read_write' }, f('sgn')],
  `  let n = M(1); let off = i * n * n;
  for (var t = 0; t < n * n; t++) { lu[off + t] = a[off + t]; }
  for (var r = 0; r < n; r++) { perm[i * n + r] = r; }
  var sign = 1.0;
  for (var j = 0; j < n; j++) {
    var best = j;
    for (var r = j + 1; r < n; r++) { if (abs(lu[off + r * n + j]) > abs(lu[off + best * n + j])) { best = r; } }
    if (best != j) {
      for (var c = 0; c < n; c++) { let t = lu[off + j * n + c]; lu[off + j * n + c] = lu[off + best * n + c]; lu[off + best * n + c] = t; }
      let p = perm[i * n + j]; perm[i * n + j] = perm[i * n + best]; perm[i * n + best] = p;
      sign = -sign;
    }
    let pivot = lu[off + j * n + j];
    if (pivot == 0.0) { continue; }
    for (var r = j + 1; r < n; r++) {
      let g = lu[off + r * n + j] / pivot;
      lu[off + r * n + j] = g;
      for (var c = j + 1; c < n; c++) { lu[off + r * n + c] -= g * lu[off + j * n + c]; }
    }
  }
  sgn[i] = sign;`,
);

const lu: GpuKernel<unknown> = (ctx, [a], _attrs, [o]) => {
  const c = count(o!.shape);
  const n = o!.shape.at(-1)!;
  const outs = [ctx.alloc(c * n * n), ctx.alloc(c * n), ctx.alloc(c)];
  ctx.dispatch(LU, [a!.data, ...outs], [c, n], groupsFor(c));
  return outs;
};

const QR = perElementKernel(
  [f('a', 'read'), f('q'), f('rr'), f('w'), f('vs'), f('vn')],
  `  let m = M(1); let n = M(2); let k = min(m, n);
  let offA = i * m * n; let offQ = i * m * k; let offR = i * k * n; let offV = i * k * m;
  for (var t = 0; t < m * n; t++) { w[offA + t] = a[offA + t]; }
  for (var j = 0; j < k; j++) {
    var norm2 = 0.0;
    for (var r = j; r < m; r++) { let x = w[offA + r * n + j]; norm2 += x * x; }
    let x0 = w[offA + j * n + j];
    let alpha = select(sqrt(norm2), -sqrt(norm2), x0 >= 0.0);
    var vv = 0.0;
    for (var r = j; r < m; r++) {
      let v = select(w[offA + r * n + j], x0 - alpha, r == j);
      vs[offV + j * m + r] = v;
      vv += v * v;
    }
    vn[i * k + j] = vv;
    if (vv == 0.0) { continue; }
    for (var c = j; c < n; c++) {
      var dot = 0.0;
      for (var r = j; r < m; r++) { dot += vs[offV + j * m + r] * w[offA + r * n + c]; }
      let g = 2.0 * dot / vv;
      for (var r = j; r < m; r++) { w[offA + r * n + c] -= g * vs[offV + j * m + r]; }
    }
  }
  for (var t = 0; t < m * k; t++) { q[offQ + t] = select(0.0, 1.0, t / k == t % k); }
  for (var jj = 0; jj < k; jj++) {
    let j = k - 1 - jj;
    let vv = vn[i * k + j];
    if (vv == 0.0) { continue; }
    for (var c = 0; c < k; c++) {
      var dot = 0.0;
      for (var r = j; r < m; r++) { dot += vs[offV + j * m + r] * q[offQ + r * k + c]; }
      let g = 2.0 * dot / vv;
      for (var r = j; r < m; r++) { q[offQ + r * k + c] -= g * vs[offV + j * m + r]; }
    }
  }
  for (var row = 0; row < k; row++) {
    for (var c = 0; c < n; c++) { rr[offR + row * n + c] = select(w[offA + row * n + c], 0.0, c < row); }
  }`,
);

const qr: GpuKernel<unknown> = (ctx, [a], _attrs, [oq, or]) => {
  const c = count(oq!.shape);
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const q = ctx.alloc(c * m * k);
  const r = ctx.alloc(c * k * n);
  const scratch = [ctx.alloc(c * m * n), ctx.alloc(c * k * m), ctx.alloc(c * k)];
  ctx.dispatch(QR, [a!.data, q, r, ...scratch], [c, m, n], groupsFor(c));
  for (const s of scratch) ctx.free(s);
  return [q, r];
};

/** Jacobi sweeps stop when the off-diagonal mass is this small relative to the whole (f32). */
const EIGH = perElementKernel(
  [f('a', 'read'), f('w'), f('v'), f('s')],
  `  let n = M(1); let off = i * n * n;
  for (var r = 0; r < n; r++) {
    for (var c = 0; c <= r; c++) { let x = a[off + r * n + c]; s[off + r * n + c] = x; s[off + c * n + r] = x; }
  }
  for (var t = 0; t < n * n; t++) { v[off + t] = select(0.0, 1.0, t / n == t % n); }
  for (var sweep = 0; sweep < 40; sweep++) {
    var offd = 0.0; var total = 0.0;
    for (var t = 0; t < n * n; t++) { let x = s[off + t] * s[off + t]; total += x; if (t / n != t % n) { offd += x; } }
    if (offd <= 1e-14 * total) { break; }
    for (var p = 0; p < n - 1; p++) {
      for (var q = p + 1; q < n; q++) {
        let apq = s[off + p * n + q];
        if (apq == 0.0) { continue; }
        let theta = (s[off + q * n + q] - s[off + p * n + p]) / (2.0 * apq);
        let t = select(-1.0, 1.0, theta >= 0.0) / (abs(theta) + sqrt(theta * theta + 1.0));
        let cs = 1.0 / sqrt(t * t + 1.0);
        let sn = t * cs;
        for (var k = 0; k < n; k++) {
          let xp = s[off + k * n + p]; let xq = s[off + k * n + q];
          s[off + k * n + p] = cs * xp - sn * xq; s[off + k * n + q] = sn * xp + cs * xq;
        }
        for (var k = 0; k < n; k++) {
          let xp = s[off + p * n + k]; let xq = s[off + q * n + k];
          s[off + p * n + k] = cs * xp - sn * xq; s[off + q * n + k] = sn * xp + cs * xq;
        }
        for (var k = 0; k < n; k++) {
          let xp = v[off + k * n + p]; let xq = v[off + k * n + q];
          v[off + k * n + p] = cs * xp - sn * xq; v[off + k * n + q] = sn * xp + cs * xq;
        }
      }
    }
  }
  // Selection sort, ascending, moving the eigenvector columns along.
  for (var j = 0; j < n; j++) {
    var best = j;
    for (var c = j + 1; c < n; c++) { if (s[off + c * n + c] < s[off + best * n + best]) { best = c; } }
    if (best != j) {
      let d = s[off + j * n + j]; s[off + j * n + j] = s[off + best * n + best]; s[off + best * n + best] = d;
      for (var k = 0; k < n; k++) { let x = v[off + k * n + j]; v[off + k * n + j] = v[off + k * n + best]; v[off + k * n + best] = x; }
    }
    w[i * n + j] = s[off + j * n + j];
  }`,
);

const eigh: GpuKernel<unknown> = (ctx, [a], _attrs, [ow]) => {
  const c = count(a!.shape);
  const n = a!.shape.at(-1)!;
  const w = ctx.alloc(c * n);
  const v = ctx.alloc(c * n * n);
  const s = ctx.alloc(c * n * n);
  ctx.dispatch(EIGH, [a!.data, w, v, s], [c, n], groupsFor(c));
  ctx.free(s);
  void ow;
  return [w, v];
};

/**
 * One-sided Jacobi on `work` (rows x k, rows >= k) accumulating `right` (k x k): U of A in work and
 * V in right when m >= n; for m < n the kernel reads Aᵀ, so work is A's V and right A's U.
 */
function svdSource(work: 'u' | 'v', right: 'u' | 'v'): string {
  return perElementKernel(
    [f('a', 'read'), f('u'), f('s'), f('v')],
    `  let m = M(1); let n = M(2); let k = min(m, n); let rows = max(m, n); let tall = m >= n;
  let offW = i * rows * k; let offR = i * k * k; let offA = i * m * n;
  for (var r = 0; r < m; r++) {
    for (var c = 0; c < n; c++) { ${work}[offW + select(c * m + r, r * n + c, tall)] = a[offA + r * n + c]; }
  }
  for (var t = 0; t < k * k; t++) { ${right}[offR + t] = select(0.0, 1.0, t / k == t % k); }
  for (var sweep = 0; sweep < 40; sweep++) {
    var rotated = false;
    for (var p = 0; p < k - 1; p++) {
      for (var q = p + 1; q < k; q++) {
        var al = 0.0; var be = 0.0; var ga = 0.0;
        for (var r = 0; r < rows; r++) {
          let xp = ${work}[offW + r * k + p]; let xq = ${work}[offW + r * k + q];
          al += xp * xp; be += xq * xq; ga += xp * xq;
        }
        if (ga == 0.0 || abs(ga) <= 1e-7 * sqrt(al * be)) { continue; }
        rotated = true;
        let zeta = (be - al) / (2.0 * ga);
        let t = select(-1.0, 1.0, zeta >= 0.0) / (abs(zeta) + sqrt(1.0 + zeta * zeta));
        let cs = 1.0 / sqrt(1.0 + t * t);
        let sn = cs * t;
        for (var r = 0; r < rows; r++) {
          let xp = ${work}[offW + r * k + p]; let xq = ${work}[offW + r * k + q];
          ${work}[offW + r * k + p] = cs * xp - sn * xq; ${work}[offW + r * k + q] = sn * xp + cs * xq;
        }
        for (var r = 0; r < k; r++) {
          let xp = ${right}[offR + r * k + p]; let xq = ${right}[offR + r * k + q];
          ${right}[offR + r * k + p] = cs * xp - sn * xq; ${right}[offR + r * k + q] = sn * xp + cs * xq;
        }
      }
    }
    if (!rotated) { break; }
  }
  for (var j = 0; j < k; j++) {
    var norm2 = 0.0;
    for (var r = 0; r < rows; r++) { let x = ${work}[offW + r * k + j]; norm2 += x * x; }
    s[i * k + j] = sqrt(norm2);
  }
  // Selection sort, descending, moving both sets of columns along.
  for (var j = 0; j < k; j++) {
    var best = j;
    for (var c = j + 1; c < k; c++) { if (s[i * k + c] > s[i * k + best]) { best = c; } }
    if (best != j) {
      let d = s[i * k + j]; s[i * k + j] = s[i * k + best]; s[i * k + best] = d;
      for (var r = 0; r < rows; r++) { let x = ${work}[offW + r * k + j]; ${work}[offW + r * k + j] = ${work}[offW + r * k + best]; ${work}[offW + r * k + best] = x; }
      for (var r = 0; r < k; r++) { let x = ${right}[offR + r * k + j]; ${right}[offR + r * k + j] = ${right}[offR + r * k + best]; ${right}[offR + r * k + best] = x; }
    }
  }
  let tiny = s[i * k] * f32(k) * 1e-7;
  for (var j = 0; j < k; j++) {
    let sj = s[i * k + j];
    if (sj > tiny && sj > 0.0) {
      for (var r = 0; r < rows; r++) { ${work}[offW + r * k + j] = ${work}[offW + r * k + j] / sj; }
      continue;
    }
    // A zero singular value: complete the column to an orthonormal set from the unit vectors.
    for (var e = 0; e < rows; e++) {
      for (var r = 0; r < rows; r++) { ${work}[offW + r * k + j] = select(0.0, 1.0, r == e); }
      for (var twice = 0; twice < 2; twice++) {
        for (var p = 0; p < j; p++) {
          var dot = 0.0;
          for (var r = 0; r < rows; r++) { dot += ${work}[offW + r * k + p] * ${work}[offW + r * k + j]; }
          for (var r = 0; r < rows; r++) { ${work}[offW + r * k + j] -= dot * ${work}[offW + r * k + p]; }
        }
      }
      var nn = 0.0;
      for (var r = 0; r < rows; r++) { let x = ${work}[offW + r * k + j]; nn += x * x; }
      if (nn > 0.25) {
        let inv = 1.0 / sqrt(nn);
        for (var r = 0; r < rows; r++) { ${work}[offW + r * k + j] = ${work}[offW + r * k + j] * inv; }
        break;
      }
    }
  }`,
  );
}

const SVD_TALL = svdSource('u', 'v');
const SVD_WIDE = svdSource('v', 'u');

const svd: GpuKernel<unknown> = (ctx, [a], _attrs) => {
  const c = count(a!.shape);
  const [m, n] = a!.shape.slice(-2) as [number, number];
  const k = Math.min(m, n);
  const u = ctx.alloc(c * m * k);
  const s = ctx.alloc(c * k);
  const v = ctx.alloc(c * n * k);
  ctx.dispatch(m >= n ? SVD_TALL : SVD_WIDE, [a!.data, u, s, v], [c, m, n], groupsFor(c));
  return [u, s, v];
};

export function linalgKernels() {
  return { cholesky, triangularSolve, lu, qr, eigh, svd };
}
