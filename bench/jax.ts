// jax-js (@jax-js/jax, its wasm device) for the matmul and MLP rows: the second browser-framework
// peer beside TF.js. jax-js runs its wasm kernels on Web Workers where the host has them with
// SharedArrayBuffer; Node has no global Worker, so it runs one thread here.
import { numpy as np } from '@jax-js/jax';
import { medianMs, nablaOnly } from './common.js';
import { jaxMlpEpoch, jaxThreads, jaxWasmDevice } from './jax-work.js';
import { MLP } from './workloads.js';

export { jaxThreads };

/** float32 n x n matmul on jax-js's wasm device, GFLOP/s (undefined in the nabla-only child). */
export async function jaxMatmulRate(n: number, reps: number, warmup: number): Promise<number | string | undefined> {
  if (nablaOnly) return undefined;
  try {
    if (!(await jaxWasmDevice())) return 'no wasm device';
    // Random operands: on np.ones jax-js folds the product (its kernel adds 1.0 k times and loads
    // neither matrix), which reads about twice as fast as a real product (bench/wasm-matmul-peers.ts).
    const random = () => np.array(Float32Array.from({ length: n * n }, Math.random), { shape: [n, n] });
    const a = random();
    const b = random();
    // jax-js arrays are reference counted: .ref keeps a and b alive across calls.
    const ms = await medianMs(async () => {
      const c = np.matmul(a.ref, b.ref);
      await c.data();
    }, { reps, warmup, budgetMs: 30_000 });
    a.dispose();
    b.dispose();
    return (2 * n ** 3) / (ms * 1e6);
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  }
}

/** The MLP row's epoch (bench/workloads.ts MLP) as a jitted jax-js training step, samples/s. */
export async function jaxMlpRate(reps: number): Promise<number | string | undefined> {
  if (nablaOnly) return undefined;
  try {
    if (!(await jaxWasmDevice())) return 'no wasm device';
    const epoch = jaxMlpEpoch(MLP);
    const ms = await medianMs(epoch.run, { reps, warmup: 1, budgetMs: 60_000 });
    epoch.dispose();
    return (MLP.samples / ms) * 1000;
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]!.slice(0, 80)}`;
  }
}
