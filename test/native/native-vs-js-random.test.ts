// The native random kernel draws the reference kernel's streams bit for bit: every distribution
// and dtype, op-level seeds and the global generator, sizes that split across threads, and
// truncated normals' redraws; malformed calls reaching the addon raise.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { NativeBackend } from '../../src/backends/native/native-backend.js';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';
import type { ArgWriter } from '../../src/backends/native/kernel-table.js';
import { expectSameOnBoth } from './compare-backends.js';

const nativeUp = nb.backendInfo('native').available;

type Draw = (shape: number[], seed: number | undefined) => nb.Tensor;
const DRAWS: Record<string, Draw> = {
  'uniform float32': (s, seed) => nb.random.uniform(s, { seed }),
  'uniform float64 [-3, 5)': (s, seed) => nb.random.uniform(s, { seed, dtype: 'float64', min: -3, max: 5 }),
  'normal float32': (s, seed) => nb.random.normal(s, { seed, mean: 1, stddev: 2 }),
  'normal float64': (s, seed) => nb.random.normal(s, { seed, dtype: 'float64' }),
  'truncatedNormal float32': (s, seed) => nb.random.truncatedNormal(s, { seed }),
  'truncatedNormal float64': (s, seed) => nb.random.truncatedNormal(s, { seed, dtype: 'float64', stddev: 0.5 }),
  'int int32': (s, seed) => nb.random.int(s, -7, 1000, { seed }),
  'int float32': (s, seed) => nb.random.int(s, 0, 10, { seed, dtype: 'float32' }),
};

describe.runIf(nativeUp)('native vs js: random', () => {
  it('every distribution and dtype, op-level seeds, odd and threaded sizes: the same bits', () => {
    for (const [label, draw] of Object.entries(DRAWS)) {
      for (const shape of [[1], [7], [3, 33], [513, 400]]) {
        for (const seed of [0, 12345, 2 ** 31 + 5]) expectSameOnBoth(`${label} ${shape} seed ${seed}`, [], () => draw(shape, seed));
      }
    }
  });

  it('the global generator: the same sequence of streams on both backends', () => {
    for (const [label, draw] of Object.entries(DRAWS)) {
      const run = (backend: string) => nb.withBackend(backend, () => {
        nb.random.seed(42);
        draw([100], undefined).dispose();
        return draw([257], undefined).dataSync();
      });
      expect(Array.from(run('native')), label).toEqual(Array.from(run('js')));
    }
  });

  it('runs the C++ kernel, not the reference one', () => {
    expect(NativeBackend.referenceOps()).not.toContain('random');
  });

  it('rejects malformed calls reaching the addon', () => {
    const { addon, args } = engine.instance('native') as unknown as { addon: NativeAddon; args: ArgWriter };
    const out = new Float32Array(4);
    const call = (op: number, words: number[]) => {
      args.begin();
      for (const w of words) args.number(w);
      addon.random(op, out);
    };
    expect(() => call(9, [1, 2, 0, 1])).toThrow(/random: unknown distribution code 9/);
    expect(() => call(0, [-1, 2, 0, 1])).toThrow(/random: first key must be a 32-bit unsigned integer/);
    expect(() => call(0, [1, 2 ** 32, 0, 1])).toThrow(/random: second key must be a 32-bit unsigned integer/);
    expect(() => call(0, [1, 2.5, 0, 1])).toThrow(/second key must be an integer/);
    expect(() => call(1, [NaN, 2, 0, 1])).toThrow(/first key must be an integer/);
  });
});
