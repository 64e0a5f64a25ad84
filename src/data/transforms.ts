// Element-wise and sequencing transformations, as async generators over a source. A source is a
// function so that each pass (epoch) starts afresh.
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { fromHost } from './host-tensors.js';
import { isPlainObject } from './structure.js';

/** Something that can be iterated from the start, as often as wanted. */
export type Source<T> = () => AsyncIterable<T>;

export function mapSource<T, U>(src: Source<T>, fn: (el: T) => U | Promise<U>): Source<U> {
  return async function* () {
    for await (const el of src()) yield await fn(el);
  };
}

/** A predicate's answer as a boolean; a one-element tensor counts (as tf.data's predicates return). */
export function truthOf(v: unknown, op: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v instanceof Tensor) {
    if (v.size !== 1) throw new ValueError(`${op}: the predicate returned a tensor of shape [${v.shape.join(', ')}]; expected a boolean or a scalar`);
    return v.item() !== 0;
  }
  throw new ValueError(`${op}: the predicate returned ${typeof v}; expected a boolean or a scalar tensor`);
}

export function filterSource<T>(src: Source<T>, pred: (el: T) => boolean | Tensor | Promise<boolean | Tensor>): Source<T> {
  return async function* () {
    for await (const el of src()) if (truthOf(await pred(el), 'filter')) yield el;
  };
}

/** Elements index, index + numShards, index + 2 numShards, ... of `src`. */
export function shardSource<T>(src: Source<T>, numShards: number, index: number): Source<T> {
  return async function* () {
    let i = 0;
    for await (const el of src()) if (i++ % numShards === index) yield el;
  };
}

export function takeSource<T>(src: Source<T>, count: number): Source<T> {
  return async function* () {
    if (count === 0) return;
    let n = 0;
    for await (const el of src()) {
      yield el;
      if (++n >= count) return;
    }
  };
}

export function skipSource<T>(src: Source<T>, count: number): Source<T> {
  return async function* () {
    let n = 0;
    for await (const el of src()) if (n++ >= count) yield el;
  };
}

/** `count` passes over the source, or endless ones for `Infinity`. */
export function repeatSource<T>(src: Source<T>, count: number): Source<T> {
  return async function* () {
    for (let pass = 0; pass < count; pass++) {
      let any = false;
      for await (const el of src()) {
        any = true;
        yield el;
      }
      // An empty source would spin forever under an endless repeat.
      if (!any) return;
    }
  };
}

export function concatSource<T>(sources: readonly Source<T>[]): Source<T> {
  return async function* () {
    for (const src of sources) yield* src();
  };
}

export function enumerateSource<T>(src: Source<T>, start: number): Source<[Tensor, T]> {
  return async function* () {
    let i = start;
    for await (const el of src()) yield [fromHost(Int32Array.of(i++), [], 'int32'), el];
  };
}

/**
 * Replays the elements of the first complete pass. A pass left early is not kept (a later pass
 * reads the source again), so the cache never holds a truncated dataset.
 */
export function cacheSource<T>(src: Source<T>): Source<T> {
  let cached: T[] | undefined;
  return async function* () {
    if (cached) {
      yield* cached;
      return;
    }
    const filling: T[] = [];
    for await (const el of src()) {
      filling.push(el);
      yield el;
    }
    cached ??= filling;
  };
}

/** Zip a tuple or record of sources: elements are tuples/records, ending with the shortest source. */
export function zipSource(sources: readonly Source<unknown>[] | Record<string, Source<unknown>>): Source<unknown> {
  const keys = Array.isArray(sources) ? null : Object.keys(sources);
  const list: Source<unknown>[] = Array.isArray(sources) ? [...sources] : Object.values(sources as Record<string, Source<unknown>>);
  return async function* () {
    const its = list.map((s) => s()[Symbol.asyncIterator]());
    try {
      for (;;) {
        const results = await Promise.all(its.map((it) => it.next()));
        if (results.some((r) => r.done)) return;
        const values = results.map((r) => r.value as unknown);
        if (!keys) yield values;
        else yield Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      }
    } finally {
      await Promise.all(its.map((it) => it.return?.()));
    }
  };
}

