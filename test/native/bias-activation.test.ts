// The fused linear layers' epilogue on native: out = act(out + bias) in one pass must give the
// bits of the separate broadcast add and activation kernels, and refuse bad input.
import { beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { randomArray } from './random-inputs.js';

const nativeUp = nb.backendInfo('native').available;

describe.runIf(nativeUp)('native biasActivation', () => {
  // This file owns the module's argument buffer (as bad-input.test.ts does). Loaded in the tests,
  // not while collecting them: where the addon is not built this suite is skipped.
  let addon!: NativeAddon;
  let names!: ReturnType<NativeAddon['opNames']>;
  const args = new Float64Array(1024);
  beforeAll(() => {
    addon = loadAddon();
    addon.setArgs(args);
    names = addon.opNames();
  });
  const words = (...v: number[]) => {
    args.fill(0);
    args.set(v);
  };

  it('equals the broadcast add then the activation, bit for bit', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [rows, cols] of [[1, 1], [7, 3], [300, 32], [5, 1000], [4097, 10]] as const) {
        for (const act of [null, 'relu', 'sigmoid', 'tanh', 'exp']) {
          const code = act === null ? -1 : names.unary.indexOf(act);
          const out = randomArray(dtype, rows * cols, rows + cols, { specials: true }) as Float32Array | Float64Array;
          const bias = randomArray(dtype, cols, 3 * cols + 1, { specials: true }) as Float32Array | Float64Array;
          const want = out.slice();
          words(2, rows, cols, 1, cols, 2, rows, cols);
          addon.binary(names.binary.indexOf('add'), want, bias, want);
          if (code >= 0) addon.unary(code, want, want);
          words(rows, cols);
          addon.biasActivation(code, out, bias);
          expect(Array.from(out).map(String), `${dtype} ${rows}x${cols} ${act}`).toEqual(Array.from(want).map(String));
        }
      }
    }
  });

  it('refuses mismatched sizes and dtypes and unknown activations', () => {
    words(2, 3);
    expect(() => addon.biasActivation(-1, new Float32Array(5), new Float32Array(3))).toThrow(/expected 2 x 3/);
    expect(() => addon.biasActivation(-1, new Float32Array(6), new Float32Array(2))).toThrow(/expected 2 x 3/);
    expect(() => addon.biasActivation(-1, new Float32Array(6), new Float64Array(3))).toThrow(/both be float32 or both float64/);
    expect(() => addon.biasActivation(-1, new Int32Array(6), new Int32Array(3))).toThrow(/float32 or both float64/);
    expect(() => addon.biasActivation(999, new Float32Array(6), new Float32Array(3))).toThrow(/unknown activation/);
    words(-2, 3);
    expect(() => addon.biasActivation(-1, new Float32Array(6), new Float32Array(3))).toThrow(/negative/);
  });
});
