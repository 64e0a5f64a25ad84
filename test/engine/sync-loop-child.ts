// Child process of sync-loop-memory.test.ts: runs a synchronous loop that never yields and prints
// the heap (after full collections) at two points, with nb.memory() at the end.
// argv: mode (tape | tape-tidy | ops | ops-tidy), steps before the first measure, steps in all.
import * as nb from '../../src/index.js';

const [mode = 'ops', firstArg = '1000', allArg = '2000'] = process.argv.slice(2);
const first = Number(firstArg);
const all = Number(allArg);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

nb.random.seed(1);
const x = nb.random.uniform([8, 1]);
const y = x.mul(2);
const w = new nb.Variable(nb.random.normal([1, 1]));
const b = new nb.Variable(nb.zeros([1]));
const a = nb.tensor([1, 2, 3, 4]);
const c = nb.tensor([0.5, 0.5, 0.5, 0.5]);

function tapeStep(): void {
  const tape = new nb.GradientTape();
  const loss = nb.mean(nb.square(y.sub(nb.matmul(x, w).add(b))));
  const [dw, db] = tape.gradient(loss, [w, b]);
  w.assignSub(dw!.mul(0.01));
  b.assignSub(db!.mul(0.01));
}

function opsStep(): void {
  nb.add(nb.mul(a, c), a);
}

const step = mode.startsWith('tape') ? tapeStep : opsStep;
const tidy = mode.endsWith('-tidy');
const heap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

let heapFirst = 0;
for (let i = 1; i <= all; i++) {
  if (tidy) nb.tidy(step);
  else step();
  if (i === first) heapFirst = heap();
}
const heapAll = heap();
const memory = nb.memory();
console.log(JSON.stringify({ heapFirst, heapAll, memory, backend: nb.getBackend() }));
