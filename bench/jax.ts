// jax-js (@jax-js/jax, its wasm device) for the matmul rows: the second browser-framework peer
// beside TF.js. jax-js runs its wasm kernels on Web Workers where the host has them with
// SharedArrayBuffer; Node has no global Worker, so it runs one thread here.
import { defaultDevice, init, numpy as np } from '@jax-js/jax';
import { medianMs, nablaOnly } from './common.js';

let ready: Promise<boolean> | undefined;

/** Threads jax-js computes with in this host (its own rule: workers when it can start them). */
export function jaxThreads(): number {
  const g = globalThis as { Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  return typeof g.Worker === 'function' && typeof SharedArrayBuffer === 'function' ? Math.max(1, g.navigator?.hardwareConcurrency || 4) : 1;
}

/** float32 n x n matmul on jax-js's wasm device, GFLOP/s (undefined in the nabla-only child). */
export async function jaxMatmulRate(n: number, reps: number, warmup: number): Promise<number | string | undefined> {
  if (nablaOnly) return undefined;
  try {
    ready ??= init('wasm').then((devices) => devices.includes('wasm'));
    if (!(await ready)) return 'no wasm device';
    defaultDevice('wasm');
    const a = np.ones([n, n]);
    const b = np.ones([n, n]);
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
