// Run by threads.test.ts in a child process whose addon path leads nowhere: wasm is the default
// backend, on two threads (NABLA_NUM_THREADS); a matmul and a sum, then the process must end by
// itself (the pool's workers never keep it alive).
import * as nb from '../../src/index.js';

const a = nb.ones([256, 256]);
const s = nb.sum(nb.matmul(a, a)).dataSync()[0];
console.log(JSON.stringify({ backend: nb.getBackend(), threads: (nb.backendInfo('wasm') as Record<string, unknown>).threads, sum: s }));
