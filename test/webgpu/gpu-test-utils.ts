// Helpers for the WebGPU tests: start the backend once per file, run a computation on webgpu and
// on the js reference backend from the same host values, and compare what comes back.
import { expect } from 'vitest';
import * as nb from '../../src/index.js';

/** Starts webgpu (leaving the previous backend current): true, or the Error saying why not. */
export async function startWebGpu(): Promise<true | Error> {
  const previous = nb.getBackend();
  try {
    await nb.setBackend('webgpu');
    return true;
  } catch (e) {
    return e as Error;
  } finally {
    await nb.setBackend(previous);
  }
}

type Out = nb.Tensor | nb.Tensor[];

async function readAll(out: Out): Promise<{ shape: number[]; dtype: nb.DType; values: number[] }[]> {
  const list = Array.isArray(out) ? out : [out];
  return Promise.all(list.map(async (t) => ({ shape: [...t.shape], dtype: t.dtype, values: Array.from(await t.data(), Number) })));
}

/** Values of `fn()` computed on webgpu. */
export async function onGpu(fn: () => Out) {
  return readAll(nb.withBackend('webgpu', fn));
}

/**
 * `fn` (which builds its inputs from host values) gives the same shapes, dtypes and values on
 * webgpu as on the js reference backend: exactly for ints and bools, within tolerance for floats.
 */
export async function expectSameAsJs(fn: () => Out, opts: { rtol?: number; atol?: number } = {}): Promise<void> {
  const gpu = await onGpu(fn);
  const ref = await readAll(nb.withBackend('js', fn));
  const rtol = opts.rtol ?? 2e-5;
  const atol = opts.atol ?? 1e-5;
  expect(gpu.length).toBe(ref.length);
  ref.forEach((r, k) => {
    const g = gpu[k]!;
    expect(g.shape, `shape of output ${k}`).toEqual(r.shape);
    expect(g.dtype, `dtype of output ${k}`).toBe(r.dtype);
    if (r.dtype !== 'float32') {
      expect(g.values, `values of output ${k}`).toEqual(r.values);
      return;
    }
    r.values.forEach((want, i) => {
      const got = g.values[i]!;
      if (Number.isNaN(want)) expect(got, `output ${k} element ${i}`).toBeNaN();
      else if (!Number.isFinite(want)) expect(got, `output ${k} element ${i}`).toBe(want);
      else if (!(Math.abs(got - want) <= atol + rtol * Math.abs(want))) {
        throw new Error(`output ${k} element ${i}: webgpu ${got}, js ${want} (rtol ${rtol}, atol ${atol})`);
      }
    });
  });
}

/** Deterministic values in [lo, hi) (a small LCG, independent of nb.random). */
export function values(n: number, lo = -1, hi = 1, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + (s / 4294967296) * (hi - lo));
  }
  return out;
}

/** A float32 tensor of the given shape filled from `values`. */
export function rand(shape: number[], lo = -1, hi = 1, seed = 1): nb.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return nb.tensor(Float32Array.from(values(n, lo, hi, seed)), shape);
}
