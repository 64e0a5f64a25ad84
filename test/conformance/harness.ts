// Shared machinery of the conformance suite: which backends to run, value checks against
// hand-derived expectations, and gradient checks against central finite differences in float64.
import { expect, type TestContext } from 'vitest';
import * as nb from '../../src/index.js';

/** Backends the suite runs on: NABLA_BACKENDS=js,native or every backend that starts here. */
export function backendsUnderTest(): string[] {
  const env = envVariable('NABLA_BACKENDS');
  const names = env ? env.split(',').map((s) => s.trim()).filter(Boolean) : nb.backends();
  return names.filter((n) => nb.backendInfo(n).available);
}

/** A variable of the test config's `env`: process.env in Node, import.meta.env in a browser (no `process` there). */
function envVariable(name: string): string | undefined {
  if (typeof process !== 'undefined') return process.env[name];
  return (import.meta as { env?: Record<string, string | undefined> }).env?.[name];
}

/**
 * Run `body` with `backend` current (for use inside `it`). On a backend that reads only
 * asynchronously (webgpu), the value checks `body` starts are awaited: the result is then a Promise,
 * which `it` awaits. A float64 case there is marked skipped, with the reason printed beside its name.
 */
export function on<T>(backend: string, body: () => T): T {
  if (!ASYNC_READ_BACKENDS.has(backend)) return nb.withBackend(backend, body);
  const checks: Promise<void>[] = [];
  deferred.push(checks);
  let result: T;
  try {
    result = nb.withBackend(backend, body);
  } catch (e) {
    deferred.pop();
    // The checks made before the float64 part still count; then the test is marked skipped.
    if (e instanceof nb.DTypeError && /float64 is not supported on the webgpu backend/.test(e.message)) {
      return Promise.all(checks).then(() => skipFloat64Case(backend, e)) as T;
    }
    throw e;
  }
  deferred.pop();
  return Promise.all(checks).then(() => result) as T;
}

/**
 * `on(backend, body)`, except on the backends `unsupported` names: there the test is marked
 * skipped with the reason beside its name (kept in the test, not in a name filter of a config).
 */
export function onExcept<T>(ctx: TestContext, backend: string, unsupported: Readonly<Record<string, string>>, body: () => T): T | undefined {
  const reason = unsupported[backend];
  if (reason !== undefined) {
    ctx.skip(`not run on ${backend}: ${reason}`);
    return undefined;
  }
  return on(backend, body);
}

/** Backends whose tensors can only be read with `await data()`; their checks in `on` are deferred. */
const ASYNC_READ_BACKENDS = new Set(['webgpu']);
/** The checks started by the innermost `on` on such a backend. */
const deferred: Promise<void>[][] = [];

let currentTest: TestContext | undefined;
/** Called by test/webgpu/conformance-setup.ts before each test, so a float64 case can mark itself skipped. */
export function setCurrentTest(ctx: TestContext): void {
  currentTest = ctx;
}

function skipFloat64Case(backend: string, error: Error): never {
  if (!currentTest) throw error;
  // The reporter prints the note beside the test's name.
  return currentTest.skip(`float64 case skipped on ${backend}: WebGPU has no 64-bit floats`);
}

/** Values of `t` now, or (on an async-read backend inside `on`) later, via `check`. */
function withValues(t: nb.Tensor, check: (values: ArrayLike<number | bigint>) => void): void {
  const pending = deferred[deferred.length - 1];
  if (pending && !t.storage.backend.readSync) pending.push(t.data().then(check));
  else check(t.dataSync());
}

type Nested = number | boolean | Nested[];

/** Values (and shape) close to `expected`; NaN matches NaN, infinities must match exactly. */
export function expectClose(actual: nb.Tensor, expected: Nested, opts: { rtol?: number; atol?: number; shape?: number[] } = {}): void {
  const exp = nb.withBackend('js', () => nb.tensor(expected as never, 'float64'));
  const shape = opts.shape ?? exp.shape;
  expect(actual.shape, 'shape').toEqual(shape);
  const async = !actual.storage.backend.readSync;
  withValues(actual, (values) => compareClose(actual, Array.from(values, Number), Array.from(exp.dataSync(), Number), opts, async));
}

function compareClose(actual: nb.Tensor, a: number[], e: number[], opts: { rtol?: number; atol?: number }, async: boolean): void {
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
      throw new Error(`element ${i}: got ${x}, expected ${y} (rtol ${rtol}, atol ${atol}); actual ${async ? `[${a.join(', ')}]` : actual.toString()}`);
    }
  }
}

/** Exact equality of values, shape and dtype. */
export function expectExact(actual: nb.Tensor, expected: Nested, dtype?: nb.DType): void {
  if (dtype) expect(actual.dtype).toBe(dtype);
  const pending = deferred[deferred.length - 1];
  if (pending && !actual.storage.backend.readSync) pending.push(actual.array().then((v) => void expect(v).toEqual(expected)));
  else expect(actual.arraySync()).toEqual(expected);
}

/** Deterministic float64 values in [lo, hi) for gradient checks (independent of nb.random). */
export function sample(shape: number[], lo = -1, hi = 1, seed = 1): nb.Tensor {
  const v = sampleValues(shape, lo, hi, seed);
  // A backend without float64 (webgpu) gets host tensors: checkGrad copies them to float32 there.
  if (readsAsyncNow()) return nb.withBackend('js', () => nb.tensor(v, shape, 'float64'));
  return nb.tensor(v, shape, 'float64');
}

/** Given float64 values for `checkGrad` (a point where the case's gradient is known), host tensors like `sample`'s. */
export function gradInput(values: Nested): nb.Tensor {
  if (readsAsyncNow()) return nb.withBackend('js', () => nb.tensor(values as never, 'float64'));
  return nb.tensor(values as never, 'float64');
}

/**
 * `fn` (a reference computed from `sample`/`sampleFloat` inputs) where its values read synchronously:
 * on the current backend, or on js where reads are asynchronous (those inputs are host tensors there).
 */
export function onHost<T>(fn: () => T): T {
  return readsAsyncNow() ? nb.withBackend('js', fn) : fn();
}

/** The widest float `backend` has: float64, or float32 on webgpu (for cases whose values are exact in either). */
export function widestFloat(backend: string): nb.DType {
  return ASYNC_READ_BACKENDS.has(backend) ? 'float32' : 'float64';
}

/**
 * `sample` for a case about values rather than float64 precision: float32 host tensors on a backend
 * without float64 (webgpu; ops copy them there), float64 elsewhere.
 */
export function sampleFloat(shape: number[], lo = -1, hi = 1, seed = 1): nb.Tensor {
  if (readsAsyncNow()) return nb.withBackend('js', () => nb.tensor(Float32Array.from(sampleValues(shape, lo, hi, seed)), shape, 'float32'));
  return sample(shape, lo, hi, seed);
}

function sampleValues(shape: readonly number[], lo: number, hi: number, seed: number): Float64Array {
  let s = seed * 2654435761;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 2246822519) + 0x9e3779b9) | 0;
    v[i] = lo + ((s >>> 0) / 4294967296) * (hi - lo);
  }
  return v;
}

/** True inside `on` for a backend that reads only asynchronously. */
function readsAsyncNow(): boolean {
  return deferred.length > 0 && ASYNC_READ_BACKENDS.has(nb.getBackend());
}

/** The tape's gradients of sum(f(xs) * w) for the inputs `wrt`, w the fixed cotangent, in `dtype`. */
function tapeGradients(f: (...xs: nb.Tensor[]) => nb.Tensor, xs: nb.Tensor[], wrt: number[], dtype: nb.DType): nb.Tensor[] {
  const y0 = f(...xs);
  const w = nb.tensor(sampleValues(y0.shape, -1, 1, 7), y0.shape as number[], dtype);
  const tape = new nb.GradientTape();
  for (const i of wrt) tape.watch(xs[i]!);
  const out = nb.sum(nb.mul(nb.cast(f(...xs), dtype), w));
  return tape.gradient(out, wrt.map((i) => xs[i]!), { unconnectedGradients: 'zero' }) as nb.Tensor[];
}

/**
 * checkGrad on a backend without float64 (webgpu): its float32 tape gradients against the js
 * backend's float64 tape gradients, which the suite checks against finite differences on js.
 */
function checkGradAgainstJs(f: (...xs: nb.Tensor[]) => nb.Tensor, xs: nb.Tensor[], opts: { rtol?: number; atol?: number; wrt?: number[] }): void {
  const wrt = opts.wrt ?? xs.map((_, i) => i);
  const host = xs.map((x, i) => {
    if (!x.storage.backend.readSync) throw new Error(`checkGrad on ${nb.getBackend()}: input ${i} must come from sample() (host values)`);
    return x.dataSync();
  });
  const reference = nb.withBackend('js', () => tapeGradients(f, host.map((v, i) => nb.tensor(Float64Array.from(v as Float64Array), xs[i]!.shape as number[], 'float64')), wrt, 'float64'));
  const gradients = tapeGradients(f, host.map((v, i) => nb.tensor(Float32Array.from(v as Float64Array), xs[i]!.shape as number[])), wrt, 'float32');
  const rtol = Math.max(opts.rtol ?? 0, 1e-3);
  const atol = Math.max(opts.atol ?? 0, 1e-4);
  const check = Promise.all(gradients.map((g) => g.data())).then((values) => {
    values.forEach((got, gi) => {
      expect(gradients[gi]!.shape, `gradient shape of input ${wrt[gi]}`).toEqual(xs[wrt[gi]!]!.shape);
      const want = reference[gi]!.dataSync();
      for (let k = 0; k < want.length; k++) {
        const a = Number(got[k]);
        const b = Number(want[k]);
        if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b))) {
          throw new Error(`gradient of input ${wrt[gi]} element ${k}: ${nb.getBackend()} float32 tape ${a}, js float64 tape ${b}`);
        }
      }
    });
  });
  deferred[deferred.length - 1]!.push(check);
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
  if (readsAsyncNow()) return checkGradAgainstJs(f, xs, opts);
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
