// nabla's wasm backend (the native kernels compiled to WebAssembly, on 1 and on 2 threads) beside TF.js's wasm
// backend (XNNPACK with SIMD; 1 thread in Node), jax-js's wasm device (1 thread in Node) and PyTorch
// (1 thread and all cores): matmul 1024 and the MLP fit (jax-js: a jitted Adam step,
// bench/jax-work.ts), same work as the other suites; the 1-element add (dispatch cost) on one thread.
// `npm run bench -- wasm`.
import { engine } from '../src/engine/engine.js';
import type { NativeBackend } from '../src/backends/native/native-backend.js';
import { nb, peerThreads, type Row } from './common.js';
import { jaxThreads } from './jax.js';
import { benchMatmul } from './matmul.js';
import { benchOpOverhead } from './op-overhead.js';
import { benchMlp } from './training.js';

export async function benchWasm(): Promise<Row[]> {
  const previous = nb.getBackend();
  await nb.setBackend('wasm');
  const wasm = engine.instance('wasm') as NativeBackend;
  const info = nb.backendInfo() as { simd?: string; threads?: number; oneThreadReason?: string };
  const before = info.threads ?? 1;
  // One thread, then two where the threaded module runs (Node: always), each row naming its count.
  const counts = info.oneThreadReason ? [1] : [1, 2];
  const rows: Row[] = [];
  try {
    for (const threads of counts) {
      wasm.setThreads(threads);
      const dispatch = threads === 1 ? await benchOpOverhead(['wasm']) : [];
      const measured = [...dispatch, ...(await benchMatmul([1024], ['wasm'])), ...(await benchMlp(['wasm']))];
      const torch = peerThreads.torch ? `; pytorch 1 and ${peerThreads.torch} threads` : '';
      const plural = threads === 1 ? 'thread' : 'threads';
      rows.push(...measured.map((r) => ({ ...r, nablaThreads: threads, name: `${r.name} [nabla wasm ${info.simd}, ${threads} ${plural}; tfjs-wasm 1 thread; jax-js ${jaxThreads()} thread${torch}]` })));
    }
    return rows;
  } finally {
    wasm.setThreads(before);
    await nb.setBackend(previous);
  }
}
