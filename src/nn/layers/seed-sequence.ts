import { ValueError } from '../../errors.js';

/** A number in [0, 1) from an integer seed (one step of mulberry32). */
export function unitFromSeed(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * The random draws of a layer with an optional seed: a seeded layer still draws anew on each call
 * (the seed picks the sequence, not one draw), as Keras's seeded layers do; without a seed, the
 * global generator.
 */
export class SeedSequence {
  private calls = 0;
  readonly seed: number | undefined;

  constructor(layer: string, seed: number | null | undefined) {
    if (seed != null && !Number.isInteger(seed)) throw new ValueError(`${layer}: seed must be an integer, got ${JSON.stringify(seed)}`);
    this.seed = seed ?? undefined;
  }

  /** The op-level seed of the next draw (undefined: the global generator). */
  next(): number | undefined {
    return this.seed === undefined ? undefined : this.seed + this.calls++ * 7919;
  }

  /** A number in [0, 1) drawn on the host: from the seed, or Math.random without one. */
  nextUnit(): number {
    const s = this.next();
    return s === undefined ? Math.random() : unitFromSeed(s);
  }
}
