// The conv tile products (conv-tile-avx512.cc, conv-tile-avx2.cc) sum each element in one order of
// fused multiply-adds from zero, so a conv and its gradients on the tile path give the same bits at
// every SIMD level that has them (a child process each: the level is chosen at load). Levels
// without tiles (scalar, neon) take the packed GEMM and are not compared.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { runChildAtLevel, simdLevelsFrom } from './simd-levels.js';

const nativeUp = nb.backendInfo('native').available;
const best = nativeUp ? String((nb.backendInfo('native') as { simd?: string }).simd) : '';
const tileLevels = simdLevelsFrom(best).filter((l) => l === 'avx512' || l === 'avx2');

const bitsAt = (level: string) => runChildAtLevel<{ simd: string; bits: string[] }>(new URL('./conv-tile-child.ts', import.meta.url), level).bits;

describe.skipIf(!nativeUp)('conv tile products', () => {
  it.skipIf(tileLevels.length < 2)(`give the same bits at ${tileLevels.join(' and ')} (this CPU has ${tileLevels.length < 2 ? 'one tile level' : 'both'})`, () => {
    const [first, ...rest] = tileLevels.map(bitsAt);
    for (const [i, other] of rest.entries()) expect(other, tileLevels[i + 1]).toEqual(first);
  }, 150_000);

  it.skipIf(tileLevels.length === 0)('run where the CPU has them, and differ from the packed GEMM (scalar) by rounding only', () => {
    const tiles = bitsAt(tileLevels[0]!);
    const gemm = bitsAt('scalar');
    expect(tiles.length).toBe(gemm.length);
    const floats = (b64: string) => new Float32Array(Uint8Array.from(Buffer.from(b64, 'base64')).buffer);
    let differing = 0;
    for (const [i, b64] of tiles.entries()) {
      const [t, g] = [floats(b64), floats(gemm[i]!)];
      for (let j = 0; j < t.length; j++) {
        expect(Math.abs(t[j]! - g[j]!), `array ${i} element ${j}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(g[j]!)));
        if (t[j] !== g[j]) differing++;
      }
    }
    // The two paths round differently somewhere, which says the tile path ran at all.
    expect(differing).toBeGreaterThan(0);
  }, 150_000);
});
