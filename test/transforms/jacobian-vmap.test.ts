// jacfwd/jacrev/hessian are one vmap over the basis, not a loop over directions: f (and a custom
// gradient's backward function) runs once whatever the input size, and the result equals the one a
// loop of jvp / backward passes over the one-hot directions gives.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

const values = (t: nb.Tensor) => Array.from(t.dataSync() as Float64Array);

function oneHot(n: number, i: number, shape: number[]): nb.Tensor {
  const v = new Float64Array(n);
  v[i] = 1;
  return nb.tensor(v, shape, 'float64');
}

/** The per-direction loop the Jacobians used to be: one jvp per input element, stacked on the last axis. */
function loopJacfwd(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const cols = Array.from({ length: x.size }, (_, i) => nb.jvp(f, [x], [oneHot(x.size, i, [...x.shape])])[1]);
  const y = f(x);
  return nb.reshape(nb.stack(cols, y.rank), [...y.shape, ...x.shape]);
}

/** One backward pass per output element, stacked on the first axis. */
function loopJacrev(f: (x: nb.Tensor) => nb.Tensor, x: nb.Tensor): nb.Tensor {
  const tape = new nb.GradientTape({ persistent: true });
  tape.watch(x);
  const y = f(x);
  const rows = Array.from({ length: y.size }, (_, i) => tape.gradient(y, x, { outputGradients: oneHot(y.size, i, [...y.shape]) }) as nb.Tensor);
  tape.dispose();
  return nb.reshape(nb.stack(rows, 0), [...y.shape, ...x.shape]);
}

const w1 = sample([6, 5], -1, 1, 11);
const w2 = sample([5, 3], -1, 1, 12);
const mlp = (x: nb.Tensor) => nb.matmul(nb.tanh(nb.matmul(x, w1)), w2);
const mlp0 = (a: nb.Tensor) => nb.sum(nb.tanh(mlp(a)));

function expectSame(a: nb.Tensor, b: nb.Tensor, tol = 1e-14): void {
  expect(a.shape).toEqual(b.shape);
  const av = values(a);
  const bv = values(b);
  av.forEach((v, i) => {
    if (!(Math.abs(v - bv[i]!) <= tol * (1 + Math.abs(bv[i]!)))) throw new Error(`element ${i}: ${v} vs the loop's ${bv[i]}`);
  });
}

describe('Jacobians batched by vmap', () => {
  it('jacfwd runs f once for an input of 12 elements, and equals the loop of jvps', () => {
    const x = sample([2, 6], -1, 1, 13);
    let calls = 0;
    const f = (a: nb.Tensor) => {
      calls++;
      return mlp(a);
    };
    const j = nb.jacfwd(f)(x) as nb.Tensor;
    expect(calls).toBe(1);
    expect(j.shape).toEqual([2, 3, 2, 6]);
    expectSame(j, loopJacfwd(mlp, x));
  });

  it('jacrev runs one (batched) backward pass for an output of 6 elements, and equals the loop of backward passes', () => {
    let backward = 0;
    const seen: number[][] = [];
    const counted = nb.customGradient((a: nb.Tensor) => ({
      value: nb.tanh(a),
      gradFunc: (dy: nb.Tensor) => {
        backward++;
        seen.push([...dy.shape]);
        return nb.mul(dy, nb.sub(1, nb.square(nb.tanh(a))));
      },
    }));
    const f = (a: nb.Tensor) => nb.matmul(counted(nb.matmul(a, w1)), w2);
    const x = sample([2, 6], -1, 1, 14);
    const j = nb.jacrev(f)(x) as nb.Tensor;
    expect(backward).toBe(1);
    // The backward function sees one direction's gradient: the batch of 6 directions is vmap's.
    expect(seen).toEqual([[2, 5]]);
    expect(j.shape).toEqual([2, 3, 2, 6]);
    expectSame(j, loopJacrev(mlp, x));
  });

  it('hessian runs f once (one jacrev inside one jacfwd) and equals the loop over the loop', () => {
    let calls = 0;
    const f = (a: nb.Tensor) => {
      calls++;
      return mlp0(a);
    };
    const x = sample([6], -1, 1, 15);
    const h = nb.hessian(f)(x) as nb.Tensor;
    expect(calls).toBe(1);
    expectSame(h, loopJacfwd((a) => loopJacrev(mlp0, a), x), 1e-12);
  });

  it('empty inputs and outputs give empty Jacobians of the right shape', () => {
    const x = nb.zeros([0, 3], 'float64');
    expect((nb.jacfwd((a: nb.Tensor) => nb.sum(a, 0))(x) as nb.Tensor).shape).toEqual([3, 0, 3]);
    expect((nb.jacrev((a: nb.Tensor) => nb.sum(a, 1))(x) as nb.Tensor).shape).toEqual([0, 0, 3]);
  });
});
