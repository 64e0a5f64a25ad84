import { RandomStream } from './random-stream.js';
import type { Source } from './transforms.js';

/**
 * tf.data's buffered shuffle: fill a buffer of `bufferSize` elements, then repeatedly yield a
 * random one and put the next incoming element in its place. Each element comes out exactly once
 * per pass; a buffer at least as large as the dataset gives a uniform permutation.
 * Pass k of a reshuffling dataset draws from stream k of the seed, so epochs differ but repeat.
 */
export function shuffleSource<T>(src: Source<T>, bufferSize: number, seed: number, reshuffleEachIteration: boolean): Source<T> {
  let passes = 0;
  return async function* () {
    const rng = new RandomStream(seed, reshuffleEachIteration ? passes++ : 0);
    const buffer: T[] = [];
    for await (const el of src()) {
      if (buffer.length < bufferSize) {
        buffer.push(el);
        continue;
      }
      const j = rng.int(bufferSize);
      const out = buffer[j]!;
      buffer[j] = el;
      yield out;
    }
    while (buffer.length > 0) {
      const j = rng.int(buffer.length);
      const out = buffer[j]!;
      buffer[j] = buffer[buffer.length - 1]!;
      buffer.pop();
      yield out;
    }
  };
}
