// GradientTape as API.md describes it: what it records, what it watches, how often it may be
// asked, the structure of its answers, and when it stops recording.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import { expectClose } from '../conformance/harness.js';

const f64 = (v: number | number[] | number[][]) => nb.tensor(v, 'float64');

describe('GradientTape: what it records', () => {
  it('records from construction: ops run before the tape exists are not on it', () => {
    const x = f64(3);
    const before = nb.square(x);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const after = nb.square(x);
    expect(tape.gradient(before, x)).toBeNull();
    expectClose(tape.gradient(after, x)!, 6);
  });

  it('watch() of a plain tensor: d/dx x^2 = 2x; an unwatched tensor gets null', () => {
    const x = f64([1, -2, 0.5]);
    const y = f64([4, 5, 6]);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const z = nb.sum(nb.mul(nb.square(x), y));
    expectClose(tape.gradient(z, x)!, [8, -20, 6]);
    expect(tape.gradient(z, y)).toBeNull();
  });

  it('watch() accepts several tensors and arrays of tensors', () => {
    const a = f64(2);
    const b = f64(3);
    const c = f64(5);
    const tape = new nb.GradientTape();
    tape.watch(a, [b, c]);
    const [da, db, dc] = tape.gradient(nb.mul(nb.mul(a, b), c), [a, b, c]);
    expectClose(da!, 15);
    expectClose(db!, 10);
    expectClose(dc!, 6);
  });

  it('watch() rejects non-tensors with a ValueError', () => {
    const tape = new nb.GradientTape();
    expect(() => tape.watch(3 as unknown as nb.Tensor)).toThrow(nb.ValueError);
    tape.dispose();
  });

  it('trainable variables are watched automatically; non-trainable ones are not', () => {
    const w = new nb.Variable(f64([1, 2]));
    const frozen = new nb.Variable(f64([3, 4]), { trainable: false });
    const tape = new nb.GradientTape();
    const loss = nb.sum(nb.mul(nb.mul(w, w), frozen));
    const { dw, dFrozen } = tape.gradient(loss, { dw: w, dFrozen: frozen });
    expectClose(dw!, [6, 16]); // 2 * w * frozen
    expect(dFrozen).toBeNull();
  });

  it('a non-trainable variable that is watched explicitly gets its gradient', () => {
    const frozen = new nb.Variable(f64(3), { trainable: false });
    const tape = new nb.GradientTape();
    tape.watch(frozen);
    expectClose(tape.gradient(nb.square(frozen), frozen)!, 6);
  });

  it('watchAccessedVariables: false watches only what watch() names', () => {
    const w = new nb.Variable(f64(2));
    const x = f64(5);
    const tape = new nb.GradientTape({ watchAccessedVariables: false, persistent: true });
    tape.watch(x);
    const y = nb.mul(w, x);
    expect(tape.gradient(y, w)).toBeNull();
    expectClose(tape.gradient(y, x)!, 2);
  });

  it('stopRecording: ops inside are not recorded, ops after are', () => {
    const x = f64(2);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(x);
    const paused = tape.stopRecording(() => nb.mul(y, 10));
    const z = nb.mul(y, 3);
    expect(tape.gradient(paused, x)).toBeNull();
    expectClose(tape.gradient(z, x)!, 12);
  });

  it('the gradient of a variable assigned after use is taken at the value the op saw', () => {
    const v = new nb.Variable(f64([2, 3]));
    const tape = new nb.GradientTape();
    const y = nb.sum(nb.mul(v, v));
    v.assign(f64([50, 70]));
    expectClose(tape.gradient(y, v)!, [4, 6]);
    expectClose(v, [50, 70]);
  });

  it('a tensor used twice sums both paths; broadcasting is reduced back to the input shape', () => {
    const x = f64([[1, 2, 3]]);
    const col = f64([[1], [2]]);
    const tape = new nb.GradientTape();
    tape.watch([x, col]);
    const y = nb.sum(nb.add(nb.mul(x, col), x)); // shape [2, 3]
    const [dx, dcol] = tape.gradient(y, [x, col]);
    expect(dx!.shape).toEqual([1, 3]);
    expectClose(dx!, [[5, 5, 5]]); // (col + 1) summed over the two rows
    expectClose(dcol!, [[6], [6]]);
  });
});

describe('GradientTape: how often it may be asked', () => {
  it('a non-persistent tape answers once, then raises a clear ValueError', () => {
    const x = f64(2);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.square(x);
    expectClose(tape.gradient(y, x)!, 4);
    expect(() => tape.gradient(y, x)).toThrow(nb.ValueError);
    expect(() => tape.gradient(y, x)).toThrow(/non-persistent.*only once.*persistent: true/);
  });

  it('a persistent tape answers many times, for several targets', () => {
    const x = f64(3);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(x);
    const z = nb.mul(y, x);
    expectClose(tape.gradient(y, x)!, 6);
    expectClose(tape.gradient(z, x)!, 27);
    expectClose(tape.gradient(y, x)!, 6);
    tape.dispose();
  });

  it('a disposed tape raises instead of answering from dropped records', () => {
    const x = f64(2);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(x);
    tape.dispose();
    expect(() => tape.gradient(y, x)).toThrow(/disposed/);
  });
});

describe('GradientTape: the structure of its answers', () => {
  const setup = () => {
    const w = f64([[1, 2], [3, 4]]);
    const b = f64([0.5, -0.5]);
    const x = f64([[1, 1]]);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch([w, b]);
    const loss = nb.sum(nb.add(nb.matmul(x, w), b));
    return { w, b, tape, loss };
  };

  it('one tensor in, one tensor out', () => {
    const { w, tape, loss } = setup();
    const dw = tape.gradient(loss, w);
    expect(dw).toBeInstanceOf(nb.Tensor);
    expectClose(dw!, [[1, 1], [1, 1]]);
  });

  it('an array in, an array in the same order out', () => {
    const { w, b, tape, loss } = setup();
    const grads = tape.gradient(loss, [b, w]);
    expect(Array.isArray(grads)).toBe(true);
    expect(grads).toHaveLength(2);
    expectClose(grads[0]!, [1, 1]);
    expectClose(grads[1]!, [[1, 1], [1, 1]]);
  });

  it('a record in, a record with the same keys out', () => {
    const { w, b, tape, loss } = setup();
    const grads = tape.gradient(loss, { kernel: w, bias: b });
    expect(Object.keys(grads).sort()).toEqual(['bias', 'kernel']);
    expectClose(grads.bias!, [1, 1]);
    expectClose(grads.kernel!, [[1, 1], [1, 1]]);
  });

  it('unconnected sources get null, or zeros of their shape and dtype with unconnectedGradients: zero', () => {
    const x = f64(1);
    const lonely = nb.tensor([[1, 2, 3]], 'float32');
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch([x, lonely]);
    const y = nb.square(x);
    expect(tape.gradient(y, [x, lonely])[1]).toBeNull();
    const z = tape.gradient(y, lonely, { unconnectedGradients: 'zero' })!;
    expect(z.dtype).toBe('float32');
    expect(z.arraySync()).toEqual([[0, 0, 0]]);
  });

  it('outputGradients seeds the backward pass (a vector-Jacobian product)', () => {
    const x = f64([1, 2, 3]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.square(x);
    expectClose(tape.gradient(y, x, { outputGradients: f64([1, 0, -2]) })!, [2, 0, -12]);
  });

  it('several targets add up, each with its own output gradient', () => {
    const x = f64(2);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y1 = nb.square(x);
    const y2 = nb.mul(x, 10);
    expectClose(tape.gradient([y1, y2], x)!, 14);
    expectClose(tape.gradient([y1, y2], x, { outputGradients: [f64(1), f64(0.5)] })!, 9);
  });

  it('an output gradient of the wrong shape raises a ValueError naming both shapes', () => {
    const x = f64([1, 2]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.square(x);
    expect(() => tape.gradient(y, x, { outputGradients: f64([1, 2, 3]) })).toThrow(/\[3\].*\[2\]/);
  });

  it('a number of output gradients that does not match the targets raises a ValueError', () => {
    const x = f64(1);
    const tape = new nb.GradientTape({ persistent: true });
    tape.watch(x);
    const y = nb.square(x);
    expect(() => tape.gradient([y, y], x, { outputGradients: [f64(1)] })).toThrow(/1 output gradients for 2 targets/);
  });

  it('sources that are not tensors raise a ValueError', () => {
    const tape = new nb.GradientTape();
    expect(() => tape.gradient(f64(1), [1 as unknown as nb.Tensor])).toThrow(nb.ValueError);
  });

  it('the gradient of a float32 source is float32 even when the computation is float64', () => {
    const x = nb.tensor([1, 2], 'float32');
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.sum(nb.square(nb.cast(x, 'float64')));
    const g = tape.gradient(y, x)!;
    expect(g.dtype).toBe('float32');
    expectClose(g, [2, 4]);
  });
});

describe('GradientTape: when it stops recording', () => {
  it('using: the tape stops recording at the end of its scope', () => {
    const before = engine.activeRecorders;
    const x = f64(2);
    let held: nb.GradientTape;
    {
      using t = new nb.GradientTape({ persistent: true });
      held = t;
      t.watch(x);
      expectClose(t.gradient(nb.square(x), x)!, 4);
      expect(engine.activeRecorders).toBe(before + 1);
    }
    expect(engine.activeRecorders).toBe(before);
    expect(() => held.gradient(nb.square(x), x)).toThrow(/disposed/);
  });

  it('a non-persistent tape stops recording once it has answered', () => {
    const before = engine.activeRecorders;
    const x = f64(2);
    const tape = new nb.GradientTape();
    tape.watch(x);
    tape.gradient(nb.square(x), x);
    expect(engine.activeRecorders).toBe(before);
  });

  it('a non-persistent tape whose gradient() threw stops recording too', () => {
    const before = engine.activeRecorders;
    const x = f64([1, 2]);
    const tape = new nb.GradientTape();
    tape.watch(x);
    const y = nb.square(x);
    expect(() => tape.gradient(y, x, { outputGradients: f64([1, 2, 3]) })).toThrow(nb.ValueError);
    expect(engine.activeRecorders).toBe(before);
  });

  it('dispose() stops recording', () => {
    const before = engine.activeRecorders;
    const tape = new nb.GradientTape({ persistent: true });
    expect(engine.activeRecorders).toBe(before + 1);
    tape.dispose();
    expect(engine.activeRecorders).toBe(before);
  });
});
