// The index and structure kernels inside jit plans on native: a graph of gather, concat and pad
// (and elementwise ops around them) is recorded once and replayed as one addon call, equal to
// eager execution bit for bit; the scatters replay into reused arena buffers without carrying
// sums over from the previous step; a bad index in a replay raises instead of reading out of bounds.
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { watchReplays as watch } from './replay-watch.js';
import type { NativeAddon } from '../../src/backends/native/load-addon.js';

const nativeUp = nb.backendInfo('native').available;


const bits = (t: nb.Tensor) => Array.from(t.dataSync());

describe.runIf(nativeUp)('index and structure kernels in native jit plans', () => {
  afterEach(() => vi.restoreAllMocks());
  const backend = () => engine.instance('native') as NativeBackend;

  it('gather + concat + pad run as one replayed span, equal to eager', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const f = (x: nb.Tensor, ids: nb.Tensor) => {
        const rows = nb.gather(x, ids).mul(2);
        const joined = nb.concat([rows, x.exp()], 0);
        // A fill value that is no integer travels in the plan's words as it is.
        return nb.pad(joined, [[1, 0], [2, 1]], -1.5).add(1).sum(1);
      };
      const jf = nb.jit(f);
      for (let i = 0; i < 4; i++) {
        const x = nb.random.normal([5, 3]);
        const ids = nb.random.int([4], 0, 5);
        expect(bits(jf(x, ids))).toEqual(bits(f(x, ids)));
      }
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(3);
      const [x, ids] = [nb.random.normal([5, 3]), nb.random.int([4], 0, 5)];
      const before = w.kernelCalls();
      jf(x, ids);
      expect(w.kernelCalls()).toBe(before);
    });
  });

  it('an embedding step (gather forward, unsortedSegmentSum gradient, scatter and update) is one plan, equal to eager', () => {
    nb.withBackend('native', () => {
      const w = watch(backend());
      const make = () => new nb.Variable(nb.tensor(Float32Array.from({ length: 24 }, (_, k) => Math.sin(k)), [8, 3]));
      const step = (table: nb.Variable) => (ids: nb.Tensor) => {
        const tape = new nb.GradientTape();
        const e = nb.gather(table, ids);
        const loss = nb.sum(nb.square(e)).add(nb.sum(nb.scatterND(ids.expandDims(1), e, [8, 3]).mul(0.5)));
        const [g] = tape.gradient(loss, [table]);
        table.assign(nb.tensorScatterUpdate(table.sub(g!.mul(0.1)), [[0]], nb.zeros([1, 3])));
        return loss;
      };
      const eager = make();
      const jitted = make();
      const jstep = nb.jit(step(jitted));
      for (let i = 0; i < 5; i++) {
        const ids = nb.tensor([1, 3, 3, 7, i % 8, 1], [6], 'int32');
        expect(bits(jstep(ids))).toEqual(bits(step(eager)(ids)));
        expect(bits(jitted)).toEqual(bits(eager));
      }
      // The whole step is one plan: recorded on the first call, replayed after, no kernel call from JS.
      expect(w.compiled()).toBe(1);
      expect(w.replays()).toBe(4);
      const before = w.kernelCalls();
      jstep(nb.tensor([1, 2, 3, 4, 5, 6], [6], 'int32'));
      expect(w.kernelCalls()).toBe(before);
    });
  });

  it('a replay with an out-of-range index raises, naming the op and the index', () => {
    nb.withBackend('native', () => {
      const jf = nb.jit((x: nb.Tensor, ids: nb.Tensor) => nb.gather(x.mul(2), ids).add(1));
      const x = nb.random.normal([4, 2]);
      for (let i = 0; i < 3; i++) jf(x, nb.tensor([0, 3], [2], 'int32'));
      expect(() => jf(x, nb.tensor([0, 4], [2], 'int32'))).toThrow(/gather: index 4 at indices\[1\] is out of range for axis 0 of x \[4, 2\] \(size 4\)/);
      expect(bits(jf(x, nb.tensor([2, 1], [2], 'int32')))).toEqual(bits(nb.gather(x.mul(2), [2, 1]).add(1)));
    });
  });
});
