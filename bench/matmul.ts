// float32 matmul throughput, n x n times n x n, in GFLOP/s.
import { medianMs, nb, peerThreads, tf, tfSide, useTf, type Row, type TfBackend } from './common.js';
import { jaxMatmulRate, jaxThreads } from './jax.js';
import { torchRates } from './torch.js';
import { matmulWork } from './workloads.js';


/** `tfBackends`: the TF.js backends to measure beside nabla's current one. */
export async function benchMatmul(sizes = [128, 512, 1024, 2048], tfBackends: readonly TfBackend[] = ['cpu', 'wasm']): Promise<Row[]> {
  const rows: Row[] = [];
  const torch = torchRates(sizes.map((n) => `matmul:${n}`));
  if (torch) peerThreads.torch = torch.bestThreads;
  peerThreads.jax = jaxThreads();
  for (const n of sizes) {
    const { flops, reps, warmup } = matmulWork(n);
    const gflops = (ms: number) => flops / (ms * 1e6);
    nb.random.seed(1);
    const a = nb.random.uniform([n, n]);
    const b = nb.random.uniform([n, n]);
    // Read and dispose the product, as the TF.js rows below do.
    const nablaMs = await medianMs(() => {
      const c = nb.matmul(a, b);
      c.dataSync();
      c.dispose();
    }, { reps, warmup });
    const tfRate = async (backend: TfBackend) => {
      await useTf(backend);
      const ta = tf.randomUniform([n, n]);
      const tb = tf.randomUniform([n, n]);
      // TF.js's cpu backend takes minutes at 2048: one run is enough to place it.
      const ms = await medianMs(async () => {
        const c = tf.matMul(ta, tb);
        await c.data();
        c.dispose();
      }, { reps: backend === 'cpu' && n >= 1024 ? 1 : reps, warmup: backend === 'cpu' ? (n >= 1024 ? 0 : 1) : warmup, budgetMs: 30_000 });
      ta.dispose();
      tb.dispose();
      return gflops(ms);
    };
    rows.push({
      name: `matmul ${n}`,
      unit: 'GFLOP/s',
      higherIsBetter: true,
      nabla: gflops(nablaMs),
      tfCpu: !tfBackends.includes('cpu') ? undefined : n >= 2048 ? 'skipped (too slow)' : await tfSide(() => tfRate('cpu')),
      tfWasm: tfBackends.includes('wasm') ? await tfSide(() => tfRate('wasm')) : undefined,
      jax: await jaxMatmulRate(n, reps, warmup),
      torch: torch?.best[`matmul:${n}`],
      torch1: torch?.one[`matmul:${n}`],
    });
  }
  return rows;
}
