// The wasm GEMM's simd128 micro-kernel tile (5 rows by 8 float32 / 4 float64 columns) at its edges:
// products of 1, tile-1, tile and tile+1 rows and columns (and non-multiples, with a k that crosses
// a cache block) agree with the js backend, and two threads give the one-thread module's bits on
// shapes whose split cuts through partial tiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { createWasmBackend } from '../../src/backends/wasm/wasm-backend.js';
import { readWasmBinary, WASM_THREADS_FILE, WasmModule } from '../../src/backends/wasm/wasm-module.js';
import { runOn, type Input } from '../native/compare-backends.js';
import { randomArray } from '../native/random-inputs.js';

const THREADED = 'wasm-gemm-edges-threads';
const ONE = 'wasm-gemm-edges-one';

function input(shape: number[], seed: number, dtype: nb.DType): Input {
  return { data: randomArray(dtype, shape.reduce((a, b) => a * b, 1), seed, { lo: -1, hi: 1 }), shape, dtype };
}

const bitsOf = (v: nb.TypedArray) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

/** Every element within `tol` of js's, scaled by the sum of |a_ip b_pj| bound k. */
function expectNearJs(label: string, inputs: Input[], fn: (a: nb.Tensor, b: nb.Tensor) => nb.Tensor, k: number, tol: number) {
  const want = runOn('js', inputs, (a, b) => fn(a!, b!));
  const got = runOn(ONE, inputs, (a, b) => fn(a!, b!));
  expect(got.shape, label).toEqual(want.shape);
  for (let i = 0; i < want.values.length; i++) {
    const d = Math.abs(got.values[i]! - want.values[i]!);
    if (!(d <= tol * k)) throw new Error(`${label}: element ${i} is ${got.values[i]} on wasm, ${want.values[i]} on js`);
  }
}

describe('wasm GEMM micro-kernel edges', () => {
  const threaded = new WasmModule(readWasmBinary(WASM_THREADS_FILE));
  const one = new WasmModule(readWasmBinary());

  beforeAll(() => {
    threaded.setThreads(2);
    engine.registerBackend({ name: THREADED, priority: -100, create: () => createWasmBackend(threaded, THREADED) });
    engine.registerBackend({ name: ONE, priority: -100, create: () => createWasmBackend(one, ONE) });
  });
  afterAll(() => threaded.setThreads(1));

  // Rows around the 5-row tile; columns around 8 (float32) and 4 (float64). B transposed, so
  // that products of 4 rows or fewer take the GEMM too (not the few-rows path).
  const rows = [1, 4, 5, 6, 9, 10, 11, 23];
  const cols = { float32: [1, 7, 8, 9, 16, 17, 30], float64: [1, 3, 4, 5, 8, 9, 14] };
  for (const dtype of ['float32', 'float64'] as const) {
    const tol = dtype === 'float32' ? 1e-6 : 1e-14;
    it(`${dtype}: every m x n around the tile, k of 1, 2, 5 and 37, matches js`, () => {
      let seed = 100;
      for (const m of rows)
        for (const n of cols[dtype])
          for (const k of [1, 2, 5, 37]) {
            const a = input([m, k], seed++, dtype);
            const bt = input([n, k], seed++, dtype);
            expectNearJs(`${dtype} ${m}x${k} by (${n}x${k})^T`, [a, bt], (x, y) => nb.matmul(x, y, { transposeB: true }), k, tol);
          }
    });
    it(`${dtype}: a product whose k crosses a cache block, with partial edge tiles, matches js`, () => {
      const [m, k, n] = [23, 1100, dtype === 'float32' ? 37 : 19];
      expectNearJs(`${dtype} ${m}x${k} by ${k}x${n}`, [input([m, k], 1, dtype), input([k, n], 2, dtype)], (x, y) => nb.matmul(x, y), k, tol);
    });
  }

  // Large enough to be split between the threads (2^24 multiply-adds or more), with m and n not
  // multiples of the tile: split by columns (wide) and by rows (the team, narrow n).
  const splits: [string, Input[]][] = [
    ['float32 203x257 by 257x331 (column split)', [input([203, 257], 3, 'float32'), input([257, 331], 4, 'float32')]],
    ['float32 1001x2000 by 2000x9 (row split, two k blocks)', [input([1001, 2000], 5, 'float32'), input([2000, 9], 6, 'float32')]],
    ['float64 203x257 by 257x331 (column split)', [input([203, 257], 7, 'float64'), input([257, 331], 8, 'float64')]],
    ['float64 1001x2000 by 2000x9 (row split)', [input([1001, 2000], 9, 'float64'), input([2000, 9], 10, 'float64')]],
  ];
  for (const [label, inputs] of splits) {
    it(`${label}: the same bits on two threads as on one`, () => {
      const want = bitsOf(runOn(ONE, inputs, (a, b) => nb.matmul(a!, b!)).values);
      expect(bitsOf(runOn(THREADED, inputs, (a, b) => nb.matmul(a!, b!)).values), label).toBe(want);
    });
  }
});
