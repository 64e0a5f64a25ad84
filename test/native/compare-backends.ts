// Running one computation on native and on js, and comparing the results element by element.
import { expect } from 'vitest';
import * as nb from '../../src/index.js';

export interface Input {
  data: nb.TypedArray;
  shape: number[];
  dtype: nb.DType;
}

/** Run fn on a backend with fresh tensors made from the inputs; return dtype, shape and values. */
export function runOn(backend: string, inputs: Input[], fn: (...xs: nb.Tensor[]) => nb.Tensor) {
  return nb.withBackend(backend, () => {
    const xs = inputs.map((i) => nb.tensor(i.data.slice(), i.shape, i.dtype));
    const y = fn(...xs);
    return { dtype: y.dtype, shape: y.shape, values: y.dataSync() };
  });
}

/**
 * native and js agree: same dtype, shape, NaN positions and infinities, and finite values
 * within `tol` relative (0 = bitwise equal, signed zeros included).
 */
export function expectSameOnBoth(label: string, inputs: Input[], fn: (...xs: nb.Tensor[]) => nb.Tensor, tol = 0): void {
  const js = runOn('js', inputs, fn);
  const nat = runOn('native', inputs, fn);
  expect(nat.dtype, `${label}: dtype`).toBe(js.dtype);
  expect(nat.shape, `${label}: shape`).toEqual(js.shape);
  const a = nat.values;
  const b = js.values;
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Object.is(x, y)) continue;
    const ok = tol > 0 && Number.isFinite(y) && Math.abs(x - y) <= tol * Math.max(1, Math.abs(y));
    if (!ok) throw new Error(`${label}: element ${i} is ${x} on native, ${y} on js (tolerance ${tol})`);
  }
}
