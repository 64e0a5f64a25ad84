// exp, sigmoid and tanh on float32 run as vectorised loops on native and wasm (a polynomial e^x in
// double, elementwise-loops-impl.h) instead of a libm call per element. They must still give the
// reference's values: computed in double, rounded once to float32. Checked bit for bit against
// the js backend over dense ranges (where a block of values takes the vectorised path), blocks
// mixing in the saturating and special values (NaN, infinities, signed zeros), in place and inside
// a jitted fused chain.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';

const OPS = ['exp', 'sigmoid', 'tanh'] as const;
const fns: Record<(typeof OPS)[number], (x: nb.Tensor) => nb.Tensor> = { exp: nb.exp, sigmoid: nb.sigmoid, tanh: nb.tanh };
const loopBackends = ['native', 'wasm'].filter((b) => nb.backendInfo(b).available);

/** n values evenly over [-scale, scale] (a golden-ratio walk, so neighbours differ in every bit). */
function spread(n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * (2 * ((i * 0.6180339887498949) % 1) - 1));
}

const SPECIALS = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 1e-8, -1e-8, 0.0625, -0.0625, 20, -20, 20.5, -20.5, 88.72, 88.73, -103.9, -104, 200, -200, 201, -201, 1e30, -1e30];

function valuesOn(backend: string, op: (typeof OPS)[number], data: Float32Array): Float32Array {
  return nb.withBackend(backend, () => fns[op](nb.tensor(data.slice(), [data.length])).dataSync() as Float32Array);
}

function expectBitEqual(got: Float32Array, want: Float32Array, label: string): void {
  expect(got.length).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < got.length && bad.length < 5; i++) if (!Object.is(got[i], want[i])) bad.push(`f(${i}) = ${got[i]}, reference ${want[i]}`);
  expect(bad, label).toEqual([]);
}

describe.runIf(loopBackends.length > 0)('float32 exp, sigmoid and tanh loops', () => {
  for (const backend of loopBackends) {
    for (const op of OPS) {
      it(`${op} on ${backend} equals the reference bit for bit, ranges and special values`, () => {
        for (const scale of [4, 30, 120, 0.1, 1e-5]) {
          const x = spread(20_000, scale);
          expectBitEqual(valuesOn(backend, op, x), valuesOn('js', op, x), `${op} over [-${scale}, ${scale}]`);
        }
        // Specials scattered in a long array, so some blocks of it hold one and others do not.
        const x = spread(3000, 10);
        SPECIALS.forEach((v, i) => (x[i * 97] = v));
        const got = valuesOn(backend, op, x);
        expectBitEqual(got, valuesOn('js', op, x), `${op} with special values`);
        const at = (v: number) => got[SPECIALS.findIndex((s) => Object.is(s, v)) * 97]!;
        expect(at(NaN)).toBeNaN();
        expect(Object.is(at(-0), op === 'exp' ? 1 : op === 'sigmoid' ? 0.5 : -0)).toBe(true);
        expect(at(Infinity)).toBe(op === 'exp' ? Infinity : 1);
        expect(at(-Infinity)).toBe(op === 'tanh' ? -1 : 0);
      });
    }

    it(`in a jitted fused chain on ${backend} (an LSTM cell's gates), equal to eager and to js`, () => {
      const cell = (g: nb.Tensor, c: nb.Tensor) => nb.add(nb.mul(nb.sigmoid(g), c), nb.mul(nb.sigmoid(nb.neg(g)), nb.tanh(nb.mul(g, 3))));
      const g = spread(4096, 6);
      const c = spread(4096, 2).reverse();
      const run = (b: string, f: typeof cell) => nb.withBackend(b, () => f(nb.tensor(g.slice(), [64, 64]), nb.tensor(c.slice(), [64, 64])).dataSync() as Float32Array);
      const eager = run(backend, cell);
      expectBitEqual(run(backend, nb.jit(cell)), eager, 'jit vs eager');
      expectBitEqual(eager, run('js', cell), `${backend} vs js`);
    });
  }
});
