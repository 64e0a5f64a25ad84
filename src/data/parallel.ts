// Overlap: prefetching pulls elements ahead of the consumer, and a parallel map keeps several
// asynchronous calls in flight. Both keep the order of elements.
import type { Source } from './transforms.js';

/** `numParallelCalls`/`prefetch` value asking nabla to choose. */
export const AUTOTUNE = -1;
/** What AUTOTUNE means here: enough to hide a slow step behind the others without hoarding memory. */
export const AUTOTUNE_DEPTH = 4;

/** Keep up to `bufferSize` elements requested ahead of the consumer. */
export function prefetchSource<T>(src: Source<T>, bufferSize: number): Source<T> {
  return async function* () {
    const it = src()[Symbol.asyncIterator]();
    const queue: Promise<IteratorResult<T>>[] = [];
    let ended = false;
    let previous: Promise<unknown> = Promise.resolve();
    // Requests are chained so the source sees one `next()` at a time, as an iterator expects.
    const request = (): void => {
      const p = previous.then(() => (ended ? ({ done: true, value: undefined } as IteratorResult<T>) : it.next()));
      previous = p.then(
        (r) => void (r.done && (ended = true)),
        () => void (ended = true),
      );
      p.catch(() => undefined);
      queue.push(p);
    };
    try {
      for (let i = 0; i < bufferSize; i++) request();
      for (;;) {
        const r = await queue.shift()!;
        if (r.done) return;
        request();
        yield r.value;
      }
    } finally {
      ended = true;
      await previous;
      await it.return?.();
    }
  };
}

/** Map with up to `parallelism` calls of `fn` running at once; results come in input order. */
export function parallelMapSource<T, U>(src: Source<T>, fn: (el: T) => U | Promise<U>, parallelism: number): Source<U> {
  return async function* () {
    const it = src()[Symbol.asyncIterator]();
    const inFlight: Promise<U>[] = [];
    let exhausted = false;
    try {
      for (;;) {
        while (!exhausted && inFlight.length < parallelism) {
          const r = await it.next();
          if (r.done) exhausted = true;
          else {
            const p = Promise.resolve(r.value).then(fn);
            p.catch(() => undefined);
            inFlight.push(p);
          }
        }
        if (inFlight.length === 0) return;
        yield await inFlight.shift()!;
      }
    } finally {
      await it.return?.();
    }
  };
}
