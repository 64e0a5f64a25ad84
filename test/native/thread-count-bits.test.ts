// The native kernels give the same bits whatever the pool's thread count (1 to 4): work is cut into
// parts fixed by the sizes, claimed by whichever threads are free (thread-pool.h), so neither the
// count nor which thread ran a part changes a result. Covers elementwise loops, fused jit loops,
// reductions large enough to fold in parts, GEMMs (team and column splits, batched), conv and
// pooling with their gradients (thread-count-cases.ts), the bench CNN's compiled predict, and a few
// steps of the benchmark MLP's fit; the cases again at every lower SIMD level this CPU has (a child
// process each: the level is chosen at load) and on the threaded wasm module (the same C++).
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { cnn } from '../../bench/inference-models.js';
import { runChildAtLevel, simdLevelsFrom } from './simd-levels.js';
import { bitsOf, bitsPerThreadCount, input, THREAD_COUNT_CASES, THREADS } from './thread-count-cases.js';

const nativeUp = nb.backendInfo('native').available;
const wasmThreads = nb.backendInfo('wasm').available ? Number((nb.backendInfo('wasm') as { threads?: number }).threads) : 0;

function expectAllEqual(label: string, runs: string[][], threads = THREADS): void {
  for (let i = 1; i < runs.length; i++) expect(runs[i], `${label}: run ${i} (${threads[i >> 1]} threads)`).toEqual(runs[0]);
}

describe.skipIf(!nativeUp)('native: results do not depend on the thread count', () => {
  const backend = () => engine.instance('native') as NativeBackend;

  for (const c of THREAD_COUNT_CASES) {
    it(c.label, () => {
      expectAllEqual(c.label, bitsPerThreadCount('native', () => c.run('native')));
    });
  }

  const best = nativeUp ? String((nb.backendInfo('native') as { simd?: string }).simd) : '';
  for (const level of nativeUp ? simdLevelsFrom(best).slice(1) : [])
    it(`every case at the ${level} level`, () => {
      const out = runChildAtLevel<{ simd: string; varying: string[] }>(new URL('./thread-count-child.ts', import.meta.url), level);
      expect(out.varying, `cases whose bits vary with the thread count at ${level}`).toEqual([]);
    }, 150_000);

  it('the bench CNN compiled predict (fusedConvPool: threads claim whole pieces of the batch), batches 5, 37 and 256', () => {
    const model = nb.withBackend('native', () => {
      nb.random.seed(6);
      return cnn();
    });
    for (const n of [5, 37, 256]) {
      const x = input([n, 28, 28, 1], 40 + n);
      const runs = bitsPerThreadCount('native', () => nb.withBackend('native', () => [(model.predict(nb.tensor(x.data.slice(), x.shape), { batchSize: n }) as nb.Tensor).dataSync()]));
      expectAllEqual(`CNN predict batch ${n}`, runs);
    }
  });

  it('jobs whose caller waits for every thread (float64 conv) alternate with joinable ones (float32 add) without a lost or repeated job', () => {
    const before = backend().info().threads as number;
    try {
      backend().setThreads(3);
      nb.withBackend('native', () => {
        const a = nb.tensor(input([100_000], 30).data.slice(), [100_000]);
        const b = nb.tensor(input([100_000], 31).data.slice(), [100_000]);
        const x = nb.tensor(Float64Array.from(input([8, 16, 16, 8], 32).data), [8, 16, 16, 8], 'float64');
        const f = nb.tensor(Float64Array.from(input([3, 3, 8, 8], 33).data), [3, 3, 8, 8], 'float64');
        const sum = bitsOf(nb.add(a, b).dataSync());
        const conv = bitsOf(nb.conv2d(x, f, { padding: 'same' }).dataSync());
        for (let i = 0; i < 150; i++) {
          nb.tidy(() => {
            expect(bitsOf(nb.add(a, b).dataSync())).toBe(sum);
            expect(bitsOf(nb.conv2d(x, f, { padding: 'same' }).dataSync())).toBe(conv);
          });
        }
      });
    } finally {
      backend().setThreads(before);
    }
  });

  for (const jitCompile of [false, true]) {
    it(`three steps of the MLP 784-128-10 fit${jitCompile ? ' (jit)' : ''} end with the same weights`, async () => {
      const n = 384;
      const xs = input([n, 784], 22);
      const labels = Float32Array.from({ length: n * 10 }, (_, i) => (i % 10 === (Math.floor(i / 10) * 7) % 10 ? 1 : 0));
      const before = backend().info().threads as number;
      const runs: string[][] = [];
      try {
        for (const t of THREADS) {
          backend().setThreads(t);
          runs.push(
            await nb.withBackend('native', async () => {
              nb.random.seed(5);
              const model = new nb.Sequential([new nb.layers.Dense(128, { activation: 'relu', inputShape: [784] }), new nb.layers.Dense(10, { activation: 'softmax' })]);
              model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', jitCompile });
              await model.fit(nb.tensor(xs.data.slice(), xs.shape), nb.tensor(labels, [n, 10]), { batchSize: 128, epochs: 1, verbose: 0, shuffle: false });
              return model.getWeights().map((w) => bitsOf(w.dataSync()));
            }),
          );
        }
      } finally {
        backend().setThreads(before);
      }
      for (let i = 1; i < runs.length; i++) expect(runs[i], `${THREADS[i]} threads`).toEqual(runs[0]);
    });
  }
});

// The wasm module's pool runs on worker threads over its shared memory; 1 to 3 (its workers start on demand).
describe.skipIf(wasmThreads < 2)('threaded wasm: results do not depend on the thread count', () => {
  for (const c of THREAD_COUNT_CASES) {
    it(c.label, () => {
      expectAllEqual(c.label, bitsPerThreadCount('wasm', () => c.run('wasm'), [1, 2, 3]), [1, 2, 3]);
    });
  }
});
