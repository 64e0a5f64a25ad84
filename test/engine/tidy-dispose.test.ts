// Deterministic release: tidy, keep, dispose, Symbol.dispose, and what using a disposed tensor does.
import { describe, it, expect } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';

describe('tidy', () => {
  it('disposes the intermediates and keeps the returned tensor', () => {
    const x = nb.tensor([1, 2, 3]);
    const made: nb.Tensor[] = [];
    const y = nb.tidy(() => {
      const a = nb.mul(x, 2);
      const b = nb.add(a, 1);
      made.push(a, b);
      return nb.sum(b);
    });
    expect(made.every((t) => t.isDisposed)).toBe(true);
    expect(y.isDisposed).toBe(false);
    expectClose(y, 15);
    expect(x.isDisposed).toBe(false);
  });

  it('keeps every tensor of a returned array or record (nested too)', () => {
    let inner!: nb.Tensor;
    const out = nb.tidy(() => {
      inner = nb.tensor([0]);
      const a = nb.tensor([1]);
      const b = nb.tensor([2]);
      const c = nb.tensor([3]);
      return { pair: [a, b], named: { c }, label: 'kept' };
    });
    expect(inner.isDisposed).toBe(true);
    expect(out.label).toBe('kept');
    expectClose(out.pair[0]!, [1]);
    expectClose(out.pair[1]!, [2]);
    expectClose(out.named.c, [3]);
  });

  it('returns non-tensor results unchanged and disposes everything made', () => {
    let t!: nb.Tensor;
    const n = nb.tidy(() => {
      t = nb.ones([2]);
      return t.sum().item();
    });
    expect(n).toBe(2);
    expect(t.isDisposed).toBe(true);
  });

  it('nested tidy: the inner result belongs to the outer scope, which disposes it unless returned', () => {
    let innerResult!: nb.Tensor;
    let innerTemp!: nb.Tensor;
    const outer = nb.tidy(() => {
      innerResult = nb.tidy(() => {
        innerTemp = nb.tensor([1, 2]).mul(2);
        return innerTemp.add(1);
      });
      expect(innerTemp.isDisposed).toBe(true);
      expect(innerResult.isDisposed).toBe(false);
      return innerResult.sum();
    });
    expect(innerResult.isDisposed).toBe(true);
    expectClose(outer, 8);
  });

  it('keep() lets a tensor outlive every enclosing tidy', () => {
    let kept!: nb.Tensor;
    let dropped!: nb.Tensor;
    nb.tidy(() => {
      nb.tidy(() => {
        kept = nb.keep(nb.tensor([4, 5]));
        dropped = nb.tensor([6]);
      });
    });
    expect(dropped.isDisposed).toBe(true);
    expect(kept.isDisposed).toBe(false);
    expectClose(kept, [4, 5]);
  });

  it('variables created or assigned inside tidy survive it', () => {
    const v = new nb.Variable([1, 2]);
    const w = nb.tidy(() => {
      v.assignAdd(nb.tensor([1, 1]).mul(10));
      return new nb.Variable([0]);
    });
    nb.tidy(() => {
      for (let i = 0; i < 3; i++) v.assignSub([1, 1]);
    });
    expectClose(v, [8, 9]);
    expect(w.isDisposed).toBe(false);
  });

  it('a returned view of an intermediate stays readable after the intermediate is disposed', () => {
    let base!: nb.Tensor;
    const view = nb.tidy(() => {
      base = nb.tensor([[1, 2], [3, 4]]).add(0);
      return base.transpose();
    });
    expect(base.isDisposed).toBe(true);
    expectClose(view, [[1, 3], [2, 4]]);
    expectClose(view.add(1), [[2, 4], [3, 5]]);
  });

  it('tensors a live tape needs for its backward pass survive tidy until the tape lets go of them', () => {
    const backend = nb.getBackend();
    const x = nb.tensor([0.5, 1], 'float64');
    const before = nb.memory()[backend]!;
    const tape = new nb.GradientTape();
    tape.watch(x);
    let inner!: nb.Tensor;
    const y = nb.tidy(() => {
      inner = nb.exp(nb.mul(x, 2));
      return nb.sum(inner);
    });
    expect(inner.isDisposed).toBe(false); // spared: the tape saved it
    const g = nb.tidy(() => tape.gradient(y, x)!); // d/dx sum(e^2x) = 2 e^2x
    // Read with dataSync: expectClose would make a tensor of the expected values on this backend.
    const [g0, g1] = Array.from(g.dataSync());
    expect(g0).toBeCloseTo(2 * Math.exp(1), 12);
    expect(g1).toBeCloseTo(2 * Math.exp(2), 12);
    expect(inner.isDisposed).toBe(true); // the tape is spent, so what tidy spared is gone now
    y.dispose();
    g.dispose();
    expect(nb.memory()[backend]).toEqual(before);
  });

  it('without a tape watching, tidy disposes the same intermediates at once', () => {
    const x = nb.tensor([0.5, 1], 'float64');
    let inner!: nb.Tensor;
    nb.tidy(() => {
      inner = nb.exp(nb.mul(x, 2));
      return nb.sum(inner);
    });
    expect(inner.isDisposed).toBe(true);
  });

  it('if fn throws, what it made is disposed and the error propagates', () => {
    let t!: nb.Tensor;
    expect(() =>
      nb.tidy(() => {
        t = nb.tensor([1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t.isDisposed).toBe(true);
    // The scope stack is intact afterwards.
    let u!: nb.Tensor;
    const r = nb.tidy(() => {
      u = nb.tensor([1]);
      return nb.tensor([2]);
    });
    expect(u.isDisposed).toBe(true);
    expect(r.isDisposed).toBe(false);
  });

  it('an async function is refused with a ValueError (tidy is synchronous)', async () => {
    let p: Promise<unknown> | undefined;
    expect(() => nb.tidy(() => (p = Promise.resolve(nb.tensor([1]))))).toThrow(/tidy: the function returned a Promise/);
    await p;
    // and the scope stack is still balanced
    let t!: nb.Tensor;
    nb.tidy(() => {
      t = nb.tensor([1]);
    });
    expect(t.isDisposed).toBe(true);
  });
});

describe('dispose', () => {
  it('dispose() marks the tensor disposed; a second dispose is harmless', () => {
    const t = nb.tensor([1, 2]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dispose()).not.toThrow();
  });

  it('using disposes at the end of the scope', () => {
    let seen!: nb.Tensor;
    {
      using t = nb.tensor([1, 2]).mul(2);
      seen = t;
      expectClose(t, [2, 4]);
    }
    expect(seen.isDisposed).toBe(true);
  });

  it('nb.dispose takes a tensor, an array or a record of them', () => {
    const a = nb.tensor([1]);
    const b = nb.tensor([2]);
    const c = nb.tensor([3]);
    const d = nb.tensor([4]);
    nb.dispose(a);
    nb.dispose([b, { c }]);
    nb.dispose({ d, note: 'x' });
    expect([a, b, c, d].every((t) => t.isDisposed)).toBe(true);
  });

  it('a disposed tensor raises a ValueError naming the op, the tensor, its shape and dtype', () => {
    const t = nb.tensor([[1, 2]]);
    t.dispose();
    expect(() => nb.add(t, 1)).toThrow(nb.ValueError);
    expect(() => nb.add(t, 1)).toThrow(new RegExp(`^add: tensor #${t.id} \\(shape \\[1, 2\\], float32\\) was disposed`));
    expect(() => t.dataSync()).toThrow(/^dataSync: tensor #\d+ .*disposed/);
    expect(() => t.reshape([2])).toThrow(/^reshape: .*disposed/);
    expect(() => nb.matmul(nb.ones([2, 1]), t)).toThrow(/^matmul: .*disposed/);
    expect(t.toString()).toContain('<disposed>');
  });

  it('reading a disposed tensor asynchronously rejects', async () => {
    const t = nb.tensor([1]);
    t.dispose();
    await expect(t.data()).rejects.toThrow(/^data: .*disposed/);
  });

  it('disposing the tensor a view was taken from leaves the view readable', () => {
    const base = nb.tensor([[1, 2], [3, 4]]);
    const row = base.at(1);
    const t = base.transpose();
    base.dispose();
    expectClose(row, [3, 4]);
    expectClose(t, [[1, 3], [2, 4]]);
  });
});
