// jax-js's side of the bench, with no Node imports (bench/jax.ts for the Node suites, and the
// browser page): its wasm device, its thread count, and the MLP row's work: the 784-128-10 network
// (relu, softmax), categorical cross-entropy averaged over the batch, Adam with Keras's defaults
// (lr 0.001, beta 0.9 / 0.999, epsilon 1e-7), one epoch of batches of 128 over the synthetic data
// the other libraries train on. The step (forward, loss, grad, update) is one jax-js `jit`; jax-js
// has no Keras `fit`, so the batches are cut once before timing (nabla and TF.js slice them inside
// `fit`, a copy of 400 KB per step). jax-js arrays are reference counted: every use consumes a
// reference, `.ref` adds one.
import { defaultDevice, init, jit, nn, numpy as np, tree, valueAndGrad } from '@jax-js/jax';
import { syntheticData, type Work } from './workloads.js';

let ready: Promise<boolean> | undefined;

/** Threads jax-js computes with in this host (its own rule: Web Workers where it can start them with shared memory). */
export function jaxThreads(): number {
  const g = globalThis as { Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  return typeof g.Worker === 'function' && typeof SharedArrayBuffer === 'function' ? Math.max(1, g.navigator?.hardwareConcurrency || 4) : 1;
}

/** Start jax-js's wasm device and make it the default; false where it has none. */
export async function jaxWasmDevice(): Promise<boolean> {
  ready ??= init('wasm').then((devices) => devices.includes('wasm'));
  if (!(await ready)) return false;
  defaultDevice('wasm');
  return true;
}

type Params = { w1: np.Array; b1: np.Array; w2: np.Array; b2: np.Array };
type Step = { p: Params; m: Params; v: Params; loss: np.Array };

const KEYS = ['w1', 'b1', 'w2', 'b2'] as const;
const [LR, BETA1, BETA2, EPSILON] = [0.001, 0.9, 0.999, 1e-7];

function loss(p: Params, x: np.Array, y: np.Array): np.Array {
  const batch = x.shape[0]!;
  const hidden = nn.relu(np.matmul(x, p.w1).add(p.b1));
  const logits = np.matmul(hidden, p.w2).add(p.b2);
  return nn.logSoftmax(logits, -1).mul(y).sum().mul(-1 / batch);
}

/** One Adam step; `lrT` is the learning rate with step t's bias corrections folded in. */
function adamStep(p: Params, m: Params, v: Params, x: np.Array, y: np.Array, lrT: np.Array): Step {
  const [value, g] = valueAndGrad(loss)(tree.ref(p), x, y);
  const out = { p: {}, m: {}, v: {} } as { p: Params; m: Params; v: Params };
  for (const k of KEYS) {
    const gk = g[k];
    const mk = m[k].mul(BETA1).add(gk.ref.mul(1 - BETA1));
    const vk = v[k].mul(BETA2).add(gk.ref.mul(gk).mul(1 - BETA2));
    out.p[k] = p[k].sub(lrT.ref.mul(mk.ref).div(np.sqrt(vk.ref).add(EPSILON)));
    out.m[k] = mk;
    out.v[k] = vk;
  }
  lrT.dispose();
  return { ...out, loss: value };
}

/** Glorot-uniform weights and zero biases, from a fixed seed. */
function initParams(inputs: number, hidden: number, classes: number): Params {
  let s = 777;
  const glorot = (fanIn: number, fanOut: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = Float32Array.from({ length: fanIn * fanOut }, () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296) * 2 * limit - limit);
    return np.array(values, { shape: [fanIn, fanOut] });
  };
  return { w1: glorot(inputs, hidden), b1: np.zeros([hidden]), w2: glorot(hidden, classes), b2: np.zeros([classes]) };
}

/** An epoch runner for `work` (784 inputs, 128 hidden units, 10 classes): `run` trains one epoch and waits for its last loss. */
export function jaxMlpEpoch(work: Work, samples = work.samples): { run: () => Promise<number>; dispose: () => void } {
  const inputs = work.inputShape[0]!;
  const { x, y } = syntheticData(work, samples);
  const batches: [np.Array, np.Array][] = [];
  for (let start = 0; start < samples; start += work.batchSize) {
    const n = Math.min(work.batchSize, samples - start);
    batches.push([
      np.array(x.subarray(start * inputs, (start + n) * inputs), { shape: [n, inputs] }),
      np.array(y.subarray(start * 10, (start + n) * 10), { shape: [n, 10] }),
    ]);
  }
  const step = jit(adamStep);
  let p = initParams(inputs, 128, 10);
  const zeros = () => ({ w1: np.zeros([inputs, 128]), b1: np.zeros([128]), w2: np.zeros([128, 10]), b2: np.zeros([10]) });
  let m: Params = zeros();
  let v: Params = zeros();
  let t = 0;
  return {
    run: async () => {
      let last: np.Array | undefined;
      for (const [bx, by] of batches) {
        t++;
        const lrT = np.array([(LR * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t)], { shape: [] });
        last?.dispose();
        ({ p, m, v, loss: last } = step(p, m, v, bx.ref, by.ref, lrT));
      }
      return (await last!.data())[0]!;
    },
    dispose: () => {
      tree.dispose([p, m, v, batches]);
      step.dispose();
    },
  };
}
