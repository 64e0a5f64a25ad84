// nabla's wasm backend (the native kernels compiled to WebAssembly, 1 thread) beside TF.js's wasm
// backend (XNNPACK with SIMD; 1 thread in Node), jax-js's wasm device (1 thread in Node) and PyTorch
// (1 thread and all cores): matmul 1024 and the MLP fit (jax-js: a jitted Adam step,
// bench/jax-work.ts), same work as the other suites.
// `npm run bench -- wasm`.
import { nb, peerThreads, type Row } from './common.js';
import { jaxThreads } from './jax.js';
import { benchMatmul } from './matmul.js';
import { benchMlp } from './training.js';

export async function benchWasm(): Promise<Row[]> {
  const previous = nb.getBackend();
  await nb.setBackend('wasm');
  const info = nb.backendInfo() as { simd?: string; threads?: number };
  try {
    const rows = [...(await benchMatmul([1024], ['wasm'])), ...(await benchMlp(['wasm']))];
    const torch = peerThreads.torch ? `; pytorch 1 and ${peerThreads.torch} threads` : '';
    return rows.map((r) => ({ ...r, nablaThreads: info.threads, name: `${r.name} [nabla wasm ${info.simd}, ${info.threads} thread; tfjs-wasm 1 thread; jax-js ${jaxThreads()} thread${torch}]` }));
  } finally {
    await nb.setBackend(previous);
  }
}
