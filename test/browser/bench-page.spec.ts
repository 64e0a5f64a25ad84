// The browser benchmark page (`npm run bench:browser`, bench/browser/page.ts) runs in headless
// Chromium: on one tiny repetition of each row (not timed: speed belongs to the benchmark), nabla
// ran on wasm, TF.js on its wasm backend and jax-js on its wasm device; each reported finite
// positive throughput and a thread count; their results have the same shapes and agree (the matmul
// on the same inputs; the MLP's loss after one epoch near ln 10 on random labels); the table prints.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { buildBenchPage, formatTable, QUICK, runBenchPages, serveBenchPage } from '../../scripts/bench-browser.mjs';
import type { BenchResult } from '../../bench/browser/page.js';

describe('the browser benchmark page', () => {
  let close: (() => Promise<void>) | undefined;
  let result: BenchResult;
  let version: string;

  beforeAll(async () => {
    await buildBenchPage();
    const server = await serveBenchPage();
    close = server.close;
    ({ results: [result], version } = await runBenchPages(server.url, [QUICK], { timeoutMs: 120_000 }));
  }, 170_000);

  afterAll(async () => {
    await close?.();
  });

  it('runs nabla on wasm and TF.js on wasm in one cross-origin-isolated page, and says with how many threads', () => {
    expect(version).toMatch(/^\d+\./);
    expect(result.crossOriginIsolated).toBe(true);
    expect(result.nabla).toMatchObject({ backend: 'wasm', simd: expect.any(String) });
    expect(result.nabla!.threads).toBeGreaterThanOrEqual(1);
    expect(result.tfjs!.backend).toBe('wasm');
    expect(result.tfjs!.threads).toBeGreaterThanOrEqual(1);
    expect(result.jax!.device).toBe('wasm');
    expect(result.jax!.threads).toBeGreaterThanOrEqual(1);
  });

  it('measures every row on both sides, with results of the same shape that agree', () => {
    expect(result.rows.map((r) => r.name)).toEqual(['matmul 64', 'matmul 128', 'MLP 784-128-10 fit (batch 128)']);
    for (const row of result.rows) {
      for (const rate of [row.nabla, row.tfjs, row.jax, ...(row.nablaJit === undefined ? [] : [row.nablaJit])]) {
        expect(Number.isFinite(rate) && rate > 0, `${row.name}: ${rate}`).toBe(true);
      }
      expect(row.shapes.nabla).toEqual(row.shapes.tfjs);
    }
    const [mm64, mm128, mlp] = result.rows as [BenchResult['rows'][0], BenchResult['rows'][0], BenchResult['rows'][0]];
    expect(mm64.shapes.nabla).toEqual([64, 64]);
    expect(mm128.shapes.nabla).toEqual([128, 128]);
    // Sums of n x n products of uniform [0, 1) inputs: about n^3 / 4, equal to float32 rounding.
    for (const mm of [mm64, mm128]) {
      expect(mm.shapes.jax).toEqual(mm.shapes.nabla);
      for (const peer of [mm.check.tfjs, mm.check.jax]) expect(Math.abs(mm.check.nabla - peer) / peer).toBeLessThan(1e-4);
    }
    expect(mlp.nablaJit).toBeDefined();
    expect(mlp.shapes.nabla).toEqual([2, 10]);
    // One epoch on random labels: both losses near ln 10, neither diverged.
    for (const loss of [mlp.check.nabla, mlp.check.tfjs, mlp.check.jax]) expect(Math.abs(loss - Math.log(10))).toBeLessThan(0.5);
  });

  it('prints the table with the thread counts and ratios', () => {
    const table = formatTable(result) as string;
    expect(table).toMatch(/threads nabla \/ tfjs-wasm \/ jax-js/);
    expect(table).toContain(`${result.nabla!.threads ?? 1} / ${result.tfjs!.threads} / ${result.jax!.threads}`);
    expect(table.split('\n')).toHaveLength(2 + result.rows.length);
    expect(table).toMatch(/MLP 784-128-10 fit .*\d+\.\dx/);
  });
});
