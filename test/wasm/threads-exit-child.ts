// Run by threads.test.ts in a child process whose addon path leads nowhere: wasm is the default
// backend, on two threads (NABLA_NUM_THREADS). Counts the workers made: none by the import, one
// (the pool's second thread) by the first op; then a matmul and a sum, and the process must end
// by itself (the pool's workers never keep it alive).
import { createRequire } from 'node:module';

const threads = createRequire(import.meta.url)('node:worker_threads') as { Worker: new (...a: never[]) => object };
let made = 0;
const Original = threads.Worker;
threads.Worker = class extends Original {
  constructor(...a: never[]) {
    super(...a);
    made++;
  }
};

const nb = await import('../../src/index.js');
const afterImport = made;
const a = nb.ones([256, 256]);
const s = nb.sum(nb.matmul(a, a)).dataSync()[0];
console.log(JSON.stringify({ backend: nb.getBackend(), threads: (nb.backendInfo('wasm') as Record<string, unknown>).threads, sum: s, afterImport, afterUse: made }));
