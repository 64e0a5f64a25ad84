// nb.signal's surface: option forms, dtypes, shapes, the complex helpers, bad input and the jit.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

const { signal } = nb;

describe('nb.signal options, dtypes and shapes', () => {
  it('n as a number or in options; irfft defaults to 2 * (bins - 1); 2-D s as a pair or in options', () => {
    const x = nb.tensor([1, 2, 3, 4, 5], 'float64');
    expect(signal.rfft(x).shape).toEqual([3, 2]);
    expect(signal.rfft(x, 8).shape).toEqual([5, 2]);
    expect(signal.rfft(x, { n: 2 }).shape).toEqual([2, 2]);
    // rfft(x, 2) sees [1, 2]: sum 3, difference -1.
    expectClose(signal.rfft(x, 2), [[3, 0], [-1, 0]]);
    expect(signal.irfft(signal.rfft(x)).shape).toEqual([4]);
    expectClose(signal.irfft(signal.rfft(x), 5), [1, 2, 3, 4, 5]);
    const z = nb.zeros([2, 3, 4, 2]);
    expect(signal.fft2(z, [5, 2]).shape).toEqual([2, 5, 2, 2]);
    expect(signal.ifft2(z, { s: [1, 6] }).shape).toEqual([2, 1, 6, 2]);
    expect(signal.rfft2(nb.zeros([3, 6])).shape).toEqual([3, 4, 2]);
    expect(signal.irfft2(nb.zeros([3, 4, 2])).shape).toEqual([3, 6]);
    expect(signal.irfft2(nb.zeros([3, 4, 2]), [3, 7]).shape).toEqual([3, 7]);
  });

  it('keeps float32 and float64, takes int32 as float32, and handles empty batches', () => {
    expect(signal.fft(nb.zeros([4, 2], 'float64'), { norm: 'ortho' }).dtype).toBe('float64');
    expect(signal.irfft(nb.zeros([3, 2], 'float64'), { norm: 'backward' }).dtype).toBe('float64');
    expect(signal.rfft(nb.zeros([4])).dtype).toBe('float32');
    const fromInts = signal.rfft(nb.tensor([1, 2, 3, 4], 'int32'));
    expect(fromInts.dtype).toBe('float32');
    expectClose(fromInts, [[10, 0], [-2, 2], [-2, 0]], { atol: 1e-5 });
    expect(signal.fft(nb.zeros([0, 3, 2])).shape).toEqual([0, 3, 2]);
    expect(signal.irfft(nb.zeros([2, 0, 3, 2]), 4).shape).toEqual([2, 0, 4]);
  });

  it('the complex helpers', () => {
    const z = signal.complex(nb.tensor([3, 0, -1], 'float64'), nb.tensor([4, 2, 0], 'float64'));
    expectClose(z, [[3, 4], [0, 2], [-1, 0]]);
    expectClose(signal.real(z), [3, 0, -1]);
    expectClose(signal.imag(z), [4, 2, 0]);
    expectClose(signal.conj(z), [[3, -4], [0, -2], [-1, 0]]);
    expectClose(signal.abs(z), [5, 2, 1]);
    expectClose(signal.angle(z), [Math.atan2(4, 3), Math.PI / 2, Math.PI]);
    // A real row's spectrum is Hermitian: fft of complex(x, 0) starts with rfft(x).
    const x = nb.tensor([0.5, -1, 2, 3, 1], 'float64');
    const full = signal.fft(signal.complex(x, nb.zerosLike(x)));
    expectClose(nb.slice(full, [0, 0], [3, 2]), signal.rfft(x).arraySync() as number[][]);
  });

  it('works under nb.jit and its gradients under the jit too', () => {
    const f = nb.jit((x: nb.Tensor) => signal.abs(signal.rfft(x, { norm: 'ortho' })));
    const x = nb.tensor([1, -2, 0.5, 4, 3, 1], 'float64');
    expectClose(f(x), signal.abs(signal.rfft(x, { norm: 'ortho' })).arraySync() as number[]);
    const g = nb.jit(nb.grad((t: nb.Tensor) => nb.sum(nb.square(signal.irfft(signal.rfft(t), 6)))));
    expectClose(g(x) as nb.Tensor, nb.mul(x, 2).arraySync() as number[]);
  });
});

describe('nb.signal bad input', () => {
  it('rank-0, a trailing axis other than 2, and too few axes name the op and the shape', () => {
    expect(() => signal.rfft(nb.tensor(1))).toThrow(/signal\.rfft: expected a real tensor of rank >= 1.*shape \[\]/);
    expect(() => signal.fft(nb.zeros([4, 3]))).toThrow(/signal\.fft: expected a complex tensor \[\.\.\., n, 2\].*shape \[4, 3\]/);
    expect(() => signal.ifft(nb.zeros([2]))).toThrow(nb.ShapeError);
    expect(() => signal.irfft(nb.tensor(1))).toThrow(/signal\.irfft: expected a complex tensor.*shape \[\]/);
    expect(() => signal.fft2(nb.zeros([4, 2]))).toThrow(/signal\.fft2: expected a complex tensor \[\.\.\., m, n, 2\].*shape \[4, 2\]/);
    expect(() => signal.rfft2(nb.zeros([4]))).toThrow(/signal\.rfft2: expected a real tensor of rank >= 2.*shape \[4\]/);
    expect(() => signal.real(nb.zeros([3]))).toThrow(/signal\.real: expected a complex tensor.*shape \[3\]/);
    expect(() => signal.complex(nb.zeros([3]), nb.zeros([2]))).toThrow(/signal\.complex: .*one shape, got \[3\] and \[2\]/);
  });

  it('lengths below 1, bad norms and bool inputs', () => {
    expect(() => signal.fft(nb.zeros([4, 2]), 0)).toThrow(/signal\.fft: the transform length must be an integer >= 1, got 0 \(input shape \[4, 2\]\)/);
    expect(() => signal.rfft(nb.zeros([4]), { n: -3 })).toThrow(nb.ValueError);
    expect(() => signal.irfft(nb.zeros([4, 2]), 2.5)).toThrow(/signal\.irfft: .*got 2\.5/);
    expect(() => signal.rfft2(nb.zeros([4, 4]), [0, 4])).toThrow(/signal\.rfft2: the transform length/);
    expect(() => signal.fft2(nb.zeros([4, 4, 2]), { s: [4] as unknown as [number, number] })).toThrow(/signal\.fft2: s must be two lengths/);
    expect(() => signal.fft(nb.zeros([4, 2]), { norm: 'none' as never })).toThrow(/signal\.fft: norm must be one of backward, ortho, forward, got "none"/);
    // A single bin gives irfft a default length of 0; an empty axis has nothing to transform.
    expect(() => signal.irfft(nb.zeros([1, 2]))).toThrow(/signal\.irfft: 1 bin\(s\) \(shape \[1, 2\]\) give an output length of 0; pass n >= 1/);
    expect(() => signal.rfft(nb.zeros([2, 0]))).toThrow(/signal\.rfft: cannot transform an axis of length 0 \(shape \[2, 0\]\)/);
    expect(() => signal.rfft(nb.tensor([true, false]))).toThrow(/signal\.rfft: expected a float32 or float64 tensor, got bool/);
  });
});
