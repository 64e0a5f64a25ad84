// The work each thread does in the worker-threads test (worker-threads.test.ts): sums, matmuls
// big enough to use the addon's thread pool, and a jitted training step, each checked against
// numbers computed here in plain JS. Every thread uses its own data (its id shifts the values),
// so a thread reading another's arguments or buffers gets a wrong answer, not a lucky right one.
// Run as a worker (workerData.role === 'nabla-worker') it waits for the start signal, works,
// and posts its failures.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as nb from '../../src/index.js';

export interface ThreadReport {
  id: number;
  backend: string;
  checks: number;
  failures: string[];
}

// 256^3 multiply-adds: enough for the addon to split a matmul (and 256^2 elements a sum) between
// the pool's threads.
const N = 256;

/** An n x n matrix of small integers (exact in float32 products and sums). */
function intMatrix(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n * n }, (_, k) => ((Math.floor(k / n) * 7 + (k % n) * 3 + seed) % 11) - 5);
}

/** `scale` times a permutation matrix: column j has its one entry in row (5j + shift) mod n. */
function scaledPermutation(n: number, shift: number, scale: number): Float32Array {
  const p = new Float32Array(n * n);
  for (let j = 0; j < n; j++) p[((5 * j + shift) % n) * n + j] = scale;
  return p;
}

type Vec3 = [number, number, number];
const dot = (u: Vec3, v: Vec3) => u[0] * v[0] + u[1] * v[1] + u[2] * v[2];

/** Linear regression on fixed data, trained by `steps` jitted SGD steps; the same steps in JS doubles. */
function trainingRun(id: number, steps: number): { got: number[]; want: number[] } {
  const rows = 8;
  const x = Array.from({ length: rows }, (_, i): Vec3 => [((i + id) % 5) - 2, ((i * 3 + id) % 7) - 3, 1 + (i % 2)]);
  const y = x.map((r) => dot(r, [0.5 + id, -1, 2]) + 0.25);
  const lr = 0.02;
  const w = new nb.Variable(nb.zeros([3, 1]));
  const b = new nb.Variable(nb.zeros([1]));
  const xt = nb.tensor(x);
  const yt = nb.tensor(y.map((v) => [v]));
  const step = nb.jit((xs: nb.Tensor, ys: nb.Tensor) => {
    const tape = new nb.GradientTape();
    const loss = nb.mean(nb.square(nb.matmul(xs, w).add(b).sub(ys)));
    const [dw, db] = tape.gradient(loss, [w, b]) as [nb.Tensor, nb.Tensor];
    w.assignSub(dw.mul(lr));
    b.assignSub(db.mul(lr));
    return loss;
  });
  for (let s = 0; s < steps; s++) step(xt, yt);
  const got = [...w.dataSync(), ...b.dataSync()];
  // The same steps in doubles: d(mean(e^2))/dw = 2/rows * x^T e, d/db = 2/rows * sum(e).
  const ww: Vec3 = [0, 0, 0];
  let bb = 0;
  for (let s = 0; s < steps; s++) {
    const e = x.map((r, i) => dot(r, ww) + bb - y[i]!);
    for (let k = 0; k < 3; k++) {
      const gk = (2 / rows) * x.reduce((acc, r, i) => acc + r[k]! * e[i]!, 0);
      ww[k] = ww[k]! - lr * gk;
    }
    const gb = (2 / rows) * e.reduce((acc, v) => acc + v, 0);
    bb -= lr * gb;
  }
  return { got, want: [...ww, bb] };
}

/** `rounds` rounds of checked work; returns the report (failures named with their round). */
export function exercise(id: number, rounds: number): ThreadReport {
  const failures: string[] = [];
  let checks = 0;
  const check = (ok: boolean, what: string) => {
    checks++;
    if (!ok && failures.length < 20) failures.push(`thread ${id}: ${what}`);
  };
  for (let r = 0; r < rounds; r++) {
    try {
      oneRound(id, r, check);
    } catch (e) {
      check(false, `round ${r} threw ${(e as Error).message}`);
    }
  }
  return { id, backend: nb.getBackend(), checks, failures };
}

function oneRound(id: number, r: number, check: (ok: boolean, what: string) => void): void {
  nb.tidy(() => {
    const m = nb.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]).add(id);
    const rowsSum = Array.from(nb.sum(m, 1).dataSync());
    const colsSum = Array.from(nb.sum(m, 0).dataSync());
    check(rowsSum.join() === [6 + 3 * id, 15 + 3 * id, 24 + 3 * id].join(), `round ${r}: sum over axis 1 gave ${rowsSum}`);
    check(colsSum.join() === [12 + 3 * id, 15 + 3 * id, 18 + 3 * id].join(), `round ${r}: sum over axis 0 gave ${colsSum}`);
    // A times a scaled permutation: every element of the product is one element of A, scaled.
    const a = intMatrix(N, id * 5 + r);
    const shift = id * 3 + 2 * r + 1;
    const c = nb.matmul(nb.tensor(a, [N, N]), nb.tensor(scaledPermutation(N, shift, id + 2), [N, N])).dataSync();
    let bad = '';
    for (let i = 0; i < N && !bad; i++) {
      for (let j = 0; j < N && !bad; j++) {
        const want = (id + 2) * a[i * N + ((5 * j + shift) % N)]!;
        if (c[i * N + j] !== want) bad = `[${i}, ${j}] is ${c[i * N + j]}, expected ${want}`;
      }
    }
    check(!bad, `round ${r}: matmul element ${bad}`);
    const total = nb.sum(nb.tensor(a, [N, N])).item();
    check(total === a.reduce((s, v) => s + v, 0), `round ${r}: the sum of a ${N}x${N} matrix gave ${total}`);
  });
  if (r % 4 === 0) {
    const { got, want } = trainingRun(id, 20);
    const off = got.findIndex((g, k) => !(Math.abs(g - want[k]!) <= 1e-4 * (1 + Math.abs(want[k]!))));
    check(off < 0, `round ${r}: jitted training gave [${got}], expected [${want}]`);
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'nabla-worker') {
  const { id, rounds, start } = workerData as { id: number; rounds: number; start: Int32Array };
  parentPort!.postMessage({ ready: id });
  Atomics.wait(start, 0, 0);
  parentPort!.postMessage(exercise(id, rounds));
}
