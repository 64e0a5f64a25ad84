// Bad input reaching the addon directly (bypassing the TypeScript checks) gives a JS error,
// never a crash: wrong array types, lengths that do not match shapes, out-of-range views,
// 32-bit-overflowing shapes, unknown op codes, NaN in the argument buffer.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { addonsUnderTest } from './addons-under-test.js';

const nativeUp = nb.backendInfo('native').available;

// Where the addon is not built, native-vs-js.test.ts checks that the reason is reported.
if (!nativeUp) {
  describe('native addon not built', () => {
    it('loading the missing addon throws an Error naming the file', () => expect(() => loadAddon()).toThrow(/nabla\.node/));
  });
}

describe.each(addonsUnderTest())('$name kernels: bad input raises, the process survives', ({ load }) => {
  // The same module the backend uses (native) or a fresh instance (wasm): these tests own its argument buffer.
  const addon: NativeAddon = load();
  const args = new Float64Array(1024);
  const setArgs = (...v: number[]) => {
    args.fill(0);
    args.set(v);
    addon.setArgs(args);
  };

  it('rejects arrays of the wrong type and mismatched lengths', () => {
    setArgs(1, 3, 1, 3, 1, 3);
    expect(() => addon.binary(0, new Int16Array(3) as never, new Float32Array(3), new Float32Array(3))).toThrow(/typed array|Float32Array/);
    expect(() => addon.binary(0, new Float32Array(3), new Float32Array(2), new Float32Array(3))).toThrow(/holds 2 elements, expected 3/);
    expect(() => addon.binary(0, new Float32Array(3), new Float64Array(3), new Float32Array(3))).toThrow(/share a dtype/);
    expect(() => addon.unary(0, new Float32Array(4), new Float32Array(5))).toThrow(/sizes differ/);
    expect(() => (addon.unary as (...a: unknown[]) => void)(0, [1, 2, 3], new Float32Array(3))).toThrow(/typed array/);
  });

  it('rejects unknown op codes and bad shapes in the argument buffer', () => {
    expect(() => addon.unary(999, new Float32Array(1), new Float32Array(1))).toThrow(/unknown op/);
    setArgs(1, NaN, 1, 3, 1, 3);
    expect(() => addon.binary(0, new Float32Array(3), new Float32Array(3), new Float32Array(3))).toThrow(/integer/);
    setArgs(1, -3, 1, 3, 1, 3);
    expect(() => addon.binary(0, new Float32Array(3), new Float32Array(3), new Float32Array(3))).toThrow(/negative/);
    setArgs(1, 2, 1, 3, 1, 3);
    expect(() => addon.binary(0, new Float32Array(2), new Float32Array(3), new Float32Array(3))).toThrow(/broadcast/);
  });

  it('shapes whose size overflows 32 bits are refused by length, not wrapped', () => {
    setArgs(2, 65536, 65536, 2, 65536, 65536, 2, 65536, 65536);
    expect(() => addon.binary(0, new Float32Array(0), new Float32Array(0), new Float32Array(0))).toThrow(/expected 4294967296/);
    setArgs(2, 2 ** 40, 2 ** 40, 2, 1, 1, 0, 0);
    expect(() => addon.matmul(new Float32Array(1), new Float32Array(1), new Float32Array(1))).toThrow(/2\^53|expected/);
  });

  it('views that reach outside their buffer are refused', () => {
    setArgs(1, 4, 3, 0);
    expect(() => addon.materialize(new Float32Array(9), new Float32Array(4))).toThrow(/reaches elements \[0, 9\] of a buffer of 9/);
    setArgs(1, 4, -1, 2);
    expect(() => addon.materialize(new Float32Array(10), new Float32Array(4))).toThrow(/reaches elements \[-1, 2\]/);
    setArgs(1, 4, -1, 3);
    const out = new Float32Array(4);
    addon.materialize(Float32Array.from([1, 2, 3, 4]), out);
    expect(Array.from(out)).toEqual([4, 3, 2, 1]);
  });

  it('empty tensors and NaN go through with IEEE results', () => {
    setArgs(1, 0, 1, 0, 1, 0);
    addon.binary(0, new Float32Array(0), new Float32Array(0), new Float32Array(0));
    const out = new Float32Array(2);
    setArgs(1, 2, 1, 2, 1, 2);
    addon.binary(0, Float32Array.from([NaN, Infinity]), Float32Array.from([1, -Infinity]), out);
    expect(Array.from(out)).toEqual([NaN, NaN]);
    setArgs(1, 0, 0);
    expect(() => addon.argReduce(0, new Float32Array(0), new Int32Array(0))).toThrow(/empty axis/);
  });
});
