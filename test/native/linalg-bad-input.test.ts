// Bad input reaching the linalg and fft kernel entries directly (bypassing the ops' shape checks)
// gives a JS error naming the op, never a crash: unknown op codes, mixed or integer dtypes,
// lengths that disagree with the sizes in the argument buffer, bad flags and lengths.
import { describe, expect, it } from 'vitest';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';
import { addonsUnderTest } from './addons-under-test.js';

describe.each(addonsUnderTest())('$name linalg and fft entries: bad input raises, the process survives', ({ load }) => {
  const addon: NativeAddon = load();
  const args = new Float64Array(64);
  const setArgs = (...v: number[]) => {
    args.fill(0);
    args.set(v);
    addon.setArgs(args);
  };
  const code = (family: 'linalg' | 'fft', name: string) => addon.opNames()[family].indexOf(name);

  it('linalg: unknown op, wrong dtype, wrong lengths, bad flags', () => {
    setArgs(1, 2);
    expect(() => addon.linalg(99, new Float64Array(4), new Float64Array(4))).toThrow(/linalg: unknown op code 99/);
    expect(() => addon.linalg(code('linalg', 'cholesky'), new Int32Array(4), new Int32Array(4))).toThrow(/cholesky: a must be float32 or float64, got int32/);
    expect(() => addon.linalg(code('linalg', 'cholesky'), new Float64Array(4), new Float32Array(4))).toThrow(/cholesky: output must be float64/);
    expect(() => addon.linalg(code('linalg', 'cholesky'), new Float64Array(3), new Float64Array(4))).toThrow(/holds 3 elements, expected 4/);
    setArgs(1, 2, 1, 2, 0);
    expect(() => addon.linalg(code('linalg', 'triangularSolve'), new Float64Array(4), new Float64Array(2), new Float64Array(2))).toThrow(/triangularSolve: lower must be 0 or 1, got 2/);
    setArgs(1, 3, 2);
    expect(() => addon.linalg(code('linalg', 'qr'), new Float32Array(6), new Float32Array(6))).toThrow(/qr/);
    setArgs(-1, 2);
    expect(() => addon.linalg(code('linalg', 'lu'), new Float64Array(4), new Float64Array(7))).toThrow(/batch count must be non-negative/);
  });

  it('fft: unknown op, a length below 1, mismatched dtypes and lengths', () => {
    setArgs(1, 4, 0);
    expect(() => addon.fft(7, new Float64Array(8), new Float64Array(8))).toThrow(/fft: unknown op code 7/);
    expect(() => addon.fft(code('fft', 'fft'), new Float64Array(8), new Float32Array(8))).toThrow(/fft: input and output must both be float32 or float64/);
    expect(() => addon.fft(code('fft', 'fft'), new Float64Array(6), new Float64Array(8))).toThrow(/holds 6 elements, expected 8/);
    setArgs(1, 0, 0);
    expect(() => addon.fft(code('fft', 'fft'), new Float64Array(0), new Float64Array(0))).toThrow(/length >= 1/);
    setArgs(2, 4);
    expect(() => addon.fft(code('fft', 'rfft'), new Float32Array(8), new Float32Array(10))).toThrow(/rfft: .*output/);
  });
});
