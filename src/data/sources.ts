// Where elements come from besides tensor slices (slice-table.ts): generators and ranges.
import { ValueError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { fromHost } from './host-tensors.js';
import type { Source } from './transforms.js';

/** What a generator function may return: a (sync or async) iterable or iterator. */
export type GeneratorResult<T> = Iterable<T> | AsyncIterable<T> | Iterator<T> | AsyncIterator<T>;

export function generatorSource<T>(fn: () => GeneratorResult<T>): Source<T> {
  if (typeof fn !== 'function') {
    throw new ValueError(
      `fromGenerator: expected a function that returns a fresh iterator on each call (so the dataset can be iterated many times), got ${typeof fn}; for a fixed array use Dataset.fromArray`,
    );
  }
  return async function* () {
    const made = fn() as unknown;
    if (made !== null && typeof made === 'object') {
      if (Symbol.asyncIterator in made) return yield* made as AsyncIterable<T>;
      if (Symbol.iterator in made) return yield* made as Iterable<T>;
      if ('next' in made && typeof made.next === 'function') {
        const it = made as Iterator<T> | AsyncIterator<T>;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
        return;
      }
    }
    throw new ValueError(`fromGenerator: the function returned ${made === null ? 'null' : typeof made}; expected an iterable or iterator (e.g. a generator function)`);
  };
}

export function rangeSource(start: number, stop: number, step: number, dtype: DType): Source<Tensor> {
  return async function* () {
    for (let v = start; step > 0 ? v < stop : v > stop; v += step) {
      yield fromHost(dtype === 'int32' ? Int32Array.of(v) : Float32Array.of(v), [], dtype);
    }
  };
}

export function rangeLength(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}
