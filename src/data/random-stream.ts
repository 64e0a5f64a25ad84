// A host-side stream of random numbers for shuffles, splits and synthetic data, drawn from
// nabla's counter-based generator so that `nb.random.seed` (or an explicit seed) makes it repeat.
import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { int, uniform } from '../ops/primitives/random.js';

const CHUNK = 4096;

/** Mix words into one 32-bit seed (a murmur3-style finaliser). */
export function mixSeed(...words: number[]): number {
  let h = 0x2545f491;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0) ^ Math.floor(w / 4294967296), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** A seed from the global generator: reproducible after `nb.random.seed(n)`, fresh otherwise. */
export function seedFromGlobal(): number {
  return engine.withBackend('js', () => int([1], 0, 2147483647).dataSync()[0]!);
}

export function checkSeed(seed: number | undefined, op: string): void {
  if (seed !== undefined && !Number.isFinite(seed)) throw new ValueError(`${op}: seed must be a finite number, got ${seed}`);
}

/** Uniform, integer and normal draws; the stream is a pure function of (seed, stream). */
export class RandomStream {
  private chunk: Float64Array = new Float64Array(0);
  private pos = 0;
  private chunkIndex = 0;
  private spareNormal: number | undefined;

  constructor(
    private readonly seed: number,
    private readonly stream = 0,
  ) {}

  /** Uniform in [0, 1). */
  next(): number {
    if (this.pos >= this.chunk.length) {
      const s = mixSeed(this.seed, this.stream, this.chunkIndex++);
      this.chunk = engine.withBackend('js', () => uniform([CHUNK], { seed: s, dtype: 'float64' }).dataSync() as Float64Array);
      this.pos = 0;
    }
    return this.chunk[this.pos++]!;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** A standard normal value (Box-Muller, both values of each pair used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const u1 = 1 - this.next();
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
