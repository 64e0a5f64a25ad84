// Variable: a mutable Tensor whose assign swaps in new storage.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

describe('Variable', () => {
  it('is a Tensor usable in any op and as a method receiver', () => {
    const v = new nb.Variable([[1, 2], [3, 4]]);
    expect(v).toBeInstanceOf(nb.Tensor);
    expect(v.shape).toEqual([2, 2]);
    expect(v.dtype).toBe('float32');
    expectClose(nb.add(v, 1), [[2, 3], [4, 5]]);
    expectClose(v.mul(v).sum(), 30);
    expectClose(nb.matmul(v, nb.tensor([[1], [0]])), [[1], [3]]);
    expectClose(v.transpose(), [[1, 3], [2, 4]]);
    expectClose(v.at(1), [3, 4]);
    expect([...v].map((r) => r.arraySync())).toEqual([[1, 2], [3, 4]]);
  });

  it('assign / assignAdd / assignSub change the value and return the variable', () => {
    const v = new nb.Variable(nb.tensor([1, 2], 'float64'));
    expect(v.assign([5, 6])).toBe(v);
    expectClose(v, [5, 6]);
    expect(v.assignAdd([1, -1])).toBe(v);
    expectClose(v, [6, 5]);
    v.assignSub(nb.tensor([0.5, 0.5], 'float64'));
    expectClose(v, [5.5, 4.5]);
    v.assignAdd(2); // a scalar broadcasts over the variable
    expectClose(v, [7.5, 6.5]);
    v.assign(nb.tensor([1, 1], 'float64')).assignAdd([1, 2]);
    expectClose(v, [2, 3]);
  });

  it('tensors taken from a variable keep their values after assign (tensors are immutable)', () => {
    const v = new nb.Variable([1, 2, 3]);
    const snapshot = v.value();
    const view = v.reshape([3, 1]);
    const derived = v.mul(2);
    v.assign([7, 8, 9]);
    expectClose(snapshot, [1, 2, 3]);
    expectClose(view, [[1], [2], [3]]);
    expectClose(derived, [2, 4, 6]);
    expectClose(v, [7, 8, 9]);
  });

  it('nb.tensor(variable) is a snapshot of its value, not the variable', () => {
    const v = new nb.Variable([1, 2]);
    const t = nb.tensor(v);
    expect(t).not.toBe(v);
    v.assign([5, 6]);
    expectClose(t, [1, 2]);
  });

  it('v.assign(v) keeps the value and the buffer', () => {
    const init = nb.tensor([1, 2]);
    const v = new nb.Variable(init);
    init.dispose(); // the variable is now the buffer's only tensor
    const backend = nb.getBackend();
    const before = nb.memory()[backend]!;
    v.assign(v);
    expect(nb.memory()[backend]).toEqual(before);
    expectClose(v, [1, 2]);
    v.assignAdd(v);
    expectClose(v, [2, 4]);
  });

  it('value() is seen by tapes (like read_value)', () => {
    const v = new nb.Variable(nb.tensor([1, 2], 'float64'));
    const tape = new nb.GradientTape();
    const y = nb.sum(nb.mul(v.value(), 3));
    expectClose(tape.gradient(y, v)!, [3, 3]);
  });

  it('the initial tensor is not changed by assign', () => {
    const init = nb.tensor([1, 2]);
    const v = new nb.Variable(init);
    v.assign([3, 4]);
    expectClose(init, [1, 2]);
  });

  it('a variable made from a strided view holds that view’s values', () => {
    const m = nb.tensor([[1, 2], [3, 4]]);
    const v = new nb.Variable(m.transpose());
    expectClose(v, [[1, 3], [2, 4]]);
    v.assignAdd(1);
    expectClose(v, [[2, 4], [3, 5]]);
  });

  it('assign with a different shape raises a ShapeError naming the variable and both shapes', () => {
    const v = new nb.Variable(nb.zeros([2, 3]), { name: 'kernel' });
    expect(() => v.assign(nb.zeros([3, 2]))).toThrow(nb.ShapeError);
    expect(() => v.assign(nb.zeros([3, 2]))).toThrow(/kernel.*\[3, 2\].*\[2, 3\]/);
    expect(() => v.assignAdd(nb.zeros([4, 2, 3]))).toThrow(/kernel.*\[4, 2, 3\].*\[2, 3\]/);
    expectClose(v, [[0, 0, 0], [0, 0, 0]]);
  });

  it('assign with a tensor of another dtype raises a DTypeError naming the variable and dtypes', () => {
    const v = new nb.Variable(nb.zeros([2]), { name: 'bias' });
    expect(() => v.assign(nb.tensor([1, 2], 'int32'))).toThrow(nb.DTypeError);
    expect(() => v.assign(nb.tensor([1, 2], 'int32'))).toThrow(/bias.*int32.*float32/);
    // JS values take the variable's dtype.
    const i = new nb.Variable(nb.tensor([1, 2], 'int32'));
    i.assign([5, 6]);
    expect(i.dtype).toBe('int32');
    expect(i.arraySync()).toEqual([5, 6]);
  });

  it('the dtype option casts the initial value', () => {
    const v = new nb.Variable([1.5, 2.5], { dtype: 'float64' });
    expect(v.dtype).toBe('float64');
    expectClose(v, [1.5, 2.5]);
  });

  it('trainable defaults to true; name defaults to a unique Variable_N', () => {
    const a = new nb.Variable(0);
    const b = new nb.Variable(0);
    expect(a.trainable).toBe(true);
    expect(a.name).toMatch(/^Variable_\d+$/);
    expect(a.name).not.toBe(b.name);
    const step = new nb.Variable(0, { trainable: false, name: 'step' });
    expect(step.trainable).toBe(false);
    expect(step.name).toBe('step');
    expect(step.toString()).toContain("'step'");
  });

  it('trainable can be switched off later, and the tape follows it', () => {
    const v = new nb.Variable(nb.tensor(3, 'float64'));
    v.trainable = false;
    const tape = new nb.GradientTape();
    expect(tape.gradient(nb.square(v), v)).toBeNull();
  });

  it('integer variables are not watched (no gradient for int32)', () => {
    const counter = new nb.Variable(nb.tensor(2, 'int32'));
    const tape = new nb.GradientTape();
    const y = nb.mul(counter, counter);
    expect(tape.gradient(y, counter)).toBeNull();
  });

  it('survives tidy (variables are never disposed by a scope)', () => {
    const v = nb.tidy(() => new nb.Variable([1, 2]));
    expect(v.isDisposed).toBe(false);
    expectClose(v, [1, 2]);
  });

  it('a disposed variable cannot be assigned or read', () => {
    const v = new nb.Variable([1, 2], { name: 'gone' });
    v.dispose();
    expect(() => v.assign([3, 4])).toThrow(nb.ValueError);
    expect(() => v.add(1)).toThrow(/add: variable 'gone' \(shape \[2\], float32\) was disposed/);
  });
});
