// Bad input reaching the addon's conv2d, pool2d and fusedElementwise directly (bypassing the TypeScript shape
// rules) gives a JS error, never a crash: wrong dtypes, lengths that do not match the geometry,
// inconsistent geometry, negative or huge values, NaN, unknown op codes; empty tensors work.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { loadAddon, type NativeAddon } from '../../src/backends/native/load-addon.js';
import { addonsUnderTest } from './addons-under-test.js';

const nativeUp = nb.backendInfo('native').available;

if (!nativeUp) {
  describe('native conv2d/pool2d (addon not built)', () => {
    it('loading the missing addon throws an Error naming the file', () => expect(() => loadAddon()).toThrow(/nabla\.node/));
  });
}

describe.each(addonsUnderTest())('$name conv2d/pool2d: bad input raises', ({ load }) => {
  const addon: NativeAddon = load();
  const args = new Float64Array(1024);
  const setArgs = (...v: number[]) => {
    args.fill(0);
    args.set(v);
    addon.setArgs(args);
  };
  // x [1, 3, 3, 1], filter [2, 2, 1, 1] -> y [1, 2, 2, 1]; strides 1, dilations 1, no padding, 1 group.
  const conv = [1, 3, 3, 1, 2, 2, 1, 1, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1];
  const f32 = (n: number) => new Float32Array(n);

  it('a valid call works (the baseline the others break)', () => {
    setArgs(...conv);
    const y = f32(4);
    addon.conv2d(0, Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Float32Array.from([1, 1, 1, 1]), y);
    expect(Array.from(y)).toEqual([12, 16, 24, 28]);
  });

  it('rejects mismatched lengths, dtypes and op codes', () => {
    setArgs(...conv);
    expect(() => addon.conv2d(0, f32(8), f32(4), f32(4))).toThrow(/holds 8 elements, expected 9/);
    expect(() => addon.conv2d(0, f32(9), f32(4), f32(5))).toThrow(/output holds 5/);
    expect(() => addon.conv2d(0, f32(9), new Float64Array(4), f32(4))).toThrow(/one dtype/);
    expect(() => addon.conv2d(0, new Int32Array(9), new Int32Array(4), new Int32Array(4))).toThrow(/float32 or float64/);
    expect(() => addon.conv2d(7, f32(9), f32(4), f32(4))).toThrow(/unknown op/);
    expect(() => (addon.conv2d as (...a: unknown[]) => void)(0, [1], f32(4), f32(4))).toThrow(/typed array/);
  });

  it('rejects inconsistent or out-of-range geometry', () => {
    const bad = (i: number, v: number) => conv.map((c, k) => (k === i ? v : c));
    for (const [i, v, msg] of [
      [8, 3, /does not follow/], // output height
      [10, 0, /strides and dilations/],
      [18, 2, /groups/],
      [0, -1, /out of range/],
      [1, 2 ** 45, /out of range/],
      [14, NaN, /integer/],
    ] as const) {
      setArgs(...bad(i, v));
      expect(() => addon.conv2d(0, f32(9), f32(4), f32(4)), `param ${i} = ${v}`).toThrow(msg);
    }
    // A geometry cut short reads zeros for the rest: zero strides are refused.
    setArgs(...conv.slice(0, 10));
    expect(() => addon.conv2d(0, f32(9), f32(4), f32(4))).toThrow(/strides and dilations/);
  });

  it('shapes whose size overflows 32 bits are refused by length', () => {
    setArgs(65536, 65536, 2, 1, 1, 1, 1, 1, 65536, 2, 1, 1, 1, 1, 0, 0, 0, 0, 1);
    expect(() => addon.conv2d(0, f32(4), f32(1), f32(4))).toThrow(/expected 8589934592/);
  });

  it('fusedElementwise: bad programs and lengths raise', () => {
    // One output (register 2), n = 3, one instruction: binary op 0 (add), float32, registers 0 and 1.
    const program = [9, 1, 2, 3, 1, 1, 0, 0, 0, 1];
    setArgs(...program);
    const out = f32(3);
    addon.fusedElementwise(out, Float32Array.from([1, 2, 3]), Float32Array.from([10]));
    expect(Array.from(out)).toEqual([11, 12, 13]);
    expect(() => addon.fusedElementwise(out, f32(2), f32(1))).toThrow(/holds 2 elements, expected 3 or 1/);
    expect(() => addon.fusedElementwise(new Float64Array(3), f32(3), f32(1))).toThrow(/output 0 must hold 3 elements of its register's dtype/);
    setArgs(9, 1, 2, 3, 1, 1, 0, 0, 0, 5);
    expect(() => addon.fusedElementwise(out, f32(3), f32(1))).toThrow(/register out of range/);
    setArgs(7, 1, 2, 3, 1, 1, 0, 0);
    expect(() => addon.fusedElementwise(out, f32(3), f32(1))).toThrow(/too short/);
    setArgs(9, 1, 2, 3, 1, 9, 0, 0, 0, 1);
    expect(() => addon.fusedElementwise(out, f32(3), f32(1))).toThrow(/unknown instruction kind/);
    setArgs(9, 1, 2, 3, 1, 1, 99, 0, 0, 1);
    expect(() => addon.fusedElementwise(out, f32(3), f32(1))).toThrow(/unknown op/);
  });

  it('fusedElementwise: output counts and registers are checked', () => {
    // Two outputs: register 3 ((x + y) * y) and register 2 (x + y); n = 3; add (0), then mul (2).
    const two = [2, 3, 2, 3, 2, 1, 0, 0, 0, 1, 1, 2, 0, 2, 1];
    setArgs(two.length, ...two);
    const [a, b] = [f32(3), f32(3)];
    addon.fusedElementwise(a, b, Float32Array.from([1, 2, 3]), Float32Array.from([10]));
    expect(Array.from(a)).toEqual([110, 120, 130]);
    expect(Array.from(b)).toEqual([11, 12, 13]);
    // The words name two outputs; with only two arrays there is no input left for register 1.
    expect(() => addon.fusedElementwise(a, b)).toThrow(/register out of range/);
    setArgs(two.length, 0, ...two.slice(1));
    expect(() => addon.fusedElementwise(a, b, f32(3), f32(1))).toThrow(/1 to 16 outputs expected.*names 0/);
    setArgs(two.length, 5, ...two.slice(1));
    expect(() => addon.fusedElementwise(a, b, f32(3), f32(1))).toThrow(/no more than the 4 arrays passed; the program names 5/);
    // An output may not name an input's register.
    setArgs(two.length, 2, 3, 0, ...two.slice(3));
    expect(() => addon.fusedElementwise(a, b, f32(3), f32(1))).toThrow(/output 1 names register 0, expected an instruction's \(2 to 3\)/);
    // Output 1 (register 2) given float64.
    setArgs(two.length, ...two);
    expect(() => addon.fusedElementwise(a, new Float64Array(3), f32(3), f32(1))).toThrow(/output 1 must hold 3 elements of its register's dtype/);
  });

  it('pool2d: lengths, geometry, empty batches', () => {
    // x [1, 4, 4, 1] -> y [1, 2, 2, 1], pool 2, strides 2, no padding.
    const pool = [1, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0];
    setArgs(...pool);
    const y = f32(4);
    addon.pool2d(0, Float32Array.from({ length: 16 }, (_, i) => i), f32(1), y);
    expect(Array.from(y)).toEqual([5, 7, 13, 15]);
    expect(() => addon.pool2d(1, f32(16), f32(3), f32(16))).toThrow(/gradient holds 3/);
    expect(() => addon.pool2d(9, f32(16), f32(4), f32(4))).toThrow(/unknown op/);
    setArgs(...pool.map((v, i) => (i === 4 ? 3 : v)));
    expect(() => addon.pool2d(0, f32(16), f32(1), f32(6))).toThrow(/does not follow/);
    setArgs(0, 4, 4, 1, 2, 2, 2, 2, 2, 2, 0, 0, 0, 0);
    addon.pool2d(4, f32(0), f32(0), f32(0));
  });
});
