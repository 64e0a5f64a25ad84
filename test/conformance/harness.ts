// Shared machinery of the conformance suite: which backends to run, value checks against
// hand-derived expectations, and gradient checks against central finite differences in float64.
import { expect } from 'vitest';
import * as nb from '../../src/index.js';

/** Backends the suite runs on: NABLA_BACKENDS=js,native or every backend that starts here. */
export function backendsUnderTest(): string[] {
  const env = process.env.NABLA_BACKENDS;
  const names = env ? env.split(',').map((s) => s.trim()).filter(Boolean) : nb.backends();
  return names.filter((n) => nb.backendInfo(n).available);
}

/** Run `body` with `backend` current (for use inside `it`). */
export function on<T>(backend: string, body: () => T): T {
  return nb.withBackend(backend, body);
}

type Nested = number | boolean | Nested[];

/** Values (and shape) close to `expected`; NaN matches NaN, infinities must match exactly. */
export function expectClose(actual: nb.Tensor, expected: Nested, opts: { rtol?: number; atol?: number; shape?: number[] } = {}): void {
  const exp = nb.withBackend('js', () => nb.tensor(expected as never, 'float64'));
  const shape = opts.shape ?? exp.shape;
  expect(actual.shape, 'shape').toEqual(shape);
  const a = Array.from(actual.dataSync(), Number);
  const e = Array.from(exp.dataSync(), Number);
  expect(a.length).toBe(e.length);
  const rtol = opts.rtol ?? (actual.dtype === 'float64' ? 1e-10 : 1e-5);
  const atol = opts.atol ?? (actual.dtype === 'float64' ? 1e-12 : 1e-6);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (Number.isNaN(y)) {
      expect(x, `element ${i}`).toBeNaN();
      continue;
    }
    if (!Number.isFinite(y)) {
      expect(x, `element ${i}`).toBe(y);
      continue;
    }
    if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      throw new Error(`element ${i}: got ${x}, expected ${y} (rtol ${rtol}, atol ${atol}); actual ${actual.toString()}`);
    }
  }
}

/** Exact equality of values, shape and dtype. */
export function expectExact(actual: nb.Tensor, expected: Nested, dtype?: nb.DType): void {
  if (dtype) expect(actual.dtype).toBe(dtype);
  expect(actual.arraySync()).toEqual(expected);
}

/** Deterministic float64 values in [lo, hi) for gradient checks (independent of nb.random). */
export function sample(shape: number[], lo = -1, hi = 1, seed = 1): nb.Tensor {
  let s = seed * 2654435761;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    v[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return nb.tensor(v, shape, 'float64');
}

/**
 * Compare the tape's gradient of `sum(f(xs) * w)` (a random cotangent `w`) with central differences,
 * for every input. Inputs must be float64.
 */
export function checkGrad(
  f: (...xs: nb.Tensor[]) => nb.Tensor,
  xs: nb.Tensor[],
  opts: { eps?: number; rtol?: number; atol?: number; wrt?: number[] } = {},
): void {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-7;
  const wrt = opts.wrt ?? xs.map((_, i) => i);
  const y0 = f(...xs);
  const w = sample(y0.shape as number[], -1, 1, 7);
  const scalar = (...args: nb.Tensor[]) => nb.sum(nb.mul(nb.cast(f(...args), 'float64'), w));
  const tape = new nb.GradientTape();
  for (const i of wrt) tape.watch(xs[i]!);
  const out = scalar(...xs);
  const grads = tape.gradient(out, wrt.map((i) => xs[i]!), { unconnectedGradients: 'zero' });
  wrt.forEach((i, gi) => {
    const x = xs[i]!;
    const base = x.dataSync() as Float64Array;
    const analytic = grads[gi]!.dataSync();
    expect(grads[gi]!.shape, `gradient shape of input ${i}`).toEqual(x.shape);
    for (let k = 0; k < base.length; k++) {
      const plus = base.slice();
      const minus = base.slice();
      plus[k]! += eps;
      minus[k]! -= eps;
      const args = (v: Float64Array) => xs.map((t, j) => (j === i ? nb.tensor(v, x.shape as number[], 'float64') : t));
      const numeric = (scalar(...args(plus)).item() - scalar(...args(minus)).item()) / (2 * eps);
      const a = analytic[k]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new Error(`gradient of input ${i} element ${k}: tape ${a}, finite difference ${numeric}`);
      }
    }
  });
}

/** Check second derivatives of an elementwise f: d/dx (df/dx) against finite differences of the first derivative. */
export function checkSecondDerivative(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor, opts: { eps?: number; rtol?: number; atol?: number } = {}): void {
  const first = (t: nb.Tensor) => {
    const tape = new nb.GradientTape();
    tape.watch(t);
    const y = nb.sum(f(t));
    return tape.gradient(y, t);
  };
  checkGrad(first, [x], { eps: opts.eps ?? 1e-5, rtol: opts.rtol ?? 1e-4, atol: opts.atol ?? 1e-6 });
}
