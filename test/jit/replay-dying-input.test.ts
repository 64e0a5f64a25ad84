// A span input that dies inside a replayed span, where a later step of the span makes an output
// of the same size and dtype. The construct that trained the text-classification tutorial to NaN:
// a step that cannot be recorded (here a random op; there the LSTM's scan) makes an intermediate
// `r` (there a gradient); the span after it reads `r` for the last time (here max; there Adam's
// m and v updates), then makes an output of r's size (there the variable's new value, not
// written in place). While the span was recorded, `r` went back to the native output pool when it
// died and that output took the very same array, so the plan wrote the output into its input's
// array (a result "from an input") and the replay then gave that array back to the pool while the
// output held it: the next output of that size overwrote it. Now native recordings hold frees
// until the plan is compiled (as wasm's do), and a replay still never frees an array it returns.
import { describe, expect, it, vi } from 'vitest';
import * as nb from '../../src/index.js';
import { engine } from '../../src/engine/engine.js';
import type { Backend, CompiledKernels } from '../../src/backends/backend.js';
import type { NativeBackend } from '../../src/backends/native/native-backend.js';
import { replaySpan, type Span } from '../../src/jit/spans.js';
import { hostArrays } from '../../src/backends/native/array-store.js';
import { backendsUnderTest, on } from '../conformance/harness.js';

// 1024 float32s: 4 KiB, the smallest size the native output pool keeps.
const N = 1024;

const f = (a: nb.Tensor): [nb.Tensor, nb.Tensor] => {
  const r = nb.random.uniform([N]);
  const m = nb.max(r);
  return [a.mul(m), m];
};

describe.each(backendsUnderTest())('a jit span whose input dies before it makes an output of that size (%s)', (backend) => {
  it('leaves every call\'s result intact through later calls and allocations of its size', () =>
    on(backend, () => {
      nb.random.seed(3);
      const jf = nb.jit(f);
      const a = nb.range(1, N + 1);
      const calls: [nb.Tensor, nb.Tensor][] = [];
      for (let i = 0; i < 4; i++) {
        calls.push(jf(a));
        // An eager output of the same size, filled with values no result has.
        a.mul(-7).dispose();
      }
      const av = a.dataSync();
      for (const [y, m] of calls) {
        const mv = m.dataSync()[0]!;
        expect(mv).toBeGreaterThan(0);
        const yv = y.dataSync();
        const wrong = Array.from(yv).findIndex((v, i) => v !== Math.fround(av[i]! * mv));
        expect(wrong).toBe(-1);
      }
    }));
});

describe.runIf(nb.backendInfo('native').available)('native recording of that span', () => {
  it('keeps the dying input and the new output apart (frees are held until the plan is compiled)', () => {
    nb.withBackend('native', () => {
      const capture = (engine.instance('native') as NativeBackend).capture;
      const shared: number[] = [];
      const compile = capture.compile.bind(capture);
      const spy = vi.spyOn(capture, 'compile').mockImplementation((rec, ins, outs, donors) => {
        shared.push(outs.filter((o) => ins.includes(o)).length);
        return compile(rec, ins, outs, donors);
      });
      try {
        nb.jit(f)(nb.range(1, N + 1));
      } finally {
        spy.mockRestore();
      }
      expect(shared).toEqual([0]);
    });
  });

  it('gives frees back again when a recorded step throws (nothing is compiled)', () => {
    nb.withBackend('native', () => {
      // The gather's bad index throws in the middle of the span's first run, while it is recorded.
      const jf = nb.jit((x: nb.Tensor, i: nb.Tensor) => nb.gather(x.mul(2), i).add(1).exp());
      expect(() => jf(nb.ones([N]), nb.tensor([N + 5], 'int32'))).toThrow(/gather: index/);
      // A freed array of a pooled size is the next one handed out, not held back.
      const a = hostArrays.alloc('float32', N);
      hostArrays.free(a);
      expect(hostArrays.alloc('float32', N)).toBe(a);
    });
  });
});

describe('replaySpan', () => {
  it('does not free a dying input whose array the replay hands back as an output', () => {
    const input = new Float32Array(4);
    const other = new Float32Array(4);
    const replay: CompiledKernels = { donatable: [false, false], run: (ins) => [ins[0], new Float32Array(4)] };
    // Slots 0 and 1 are the span's inputs and both die in it; slots 2 and 3 its outputs.
    const span: Span = { start: 0, end: 2, inputSlots: [0, 1], outputSlots: [2, 3], frees: [0, 1], donors: [], recorded: true, replay };
    const freed: unknown[] = [];
    const backend = { free: (h: unknown) => freed.push(h) } as unknown as Backend;
    const buffers: unknown[] = [input, other, undefined, undefined];
    replaySpan(span, backend, buffers, new Set());
    expect(freed).toEqual([other]);
    expect(freed[0]).toBe(other);
    expect(buffers[2]).toBe(input);
    expect(buffers.slice(0, 2)).toEqual([undefined, undefined]);
  });
});

describe.each(backendsUnderTest())('a plan step\'s own dead output (%s)', (backend) => {
  it('is given back to the backend at that step', () =>
    on(backend, () => {
      const b = engine.instance(backend)!;
      const ysBytes = 6 * 300 * 4;
      // Frees of arrays the size of the scan's stacked ys during two calls (results kept until after).
      const ysFrees = (results: (xs: nb.Tensor) => nb.Tensor[]): number => {
        const f = nb.jit(results);
        const kept: nb.Tensor[] = [];
        let n = 0;
        const free = b.free.bind(b);
        const spy = vi.spyOn(b, 'free').mockImplementation((h: unknown) => {
          if (b.byteLength(h) === ysBytes) n++;
          free(h);
        });
        try {
          for (let i = 0; i < 2; i++) kept.push(...f(nb.ones([6, 300])));
        } finally {
          spy.mockRestore();
        }
        kept.forEach((t) => t.dispose());
        return n;
      };
      const body = (c: nb.Tensor, x: nb.Tensor): [nb.Tensor, nb.Tensor] => [c.add(x), c.mul(x)];
      const carryOnly = ysFrees((xs) => [nb.scan(body, nb.zeros([300]), xs)[0]]);
      const both = ysFrees((xs) => nb.scan(body, nb.zeros([300]), xs));
      // The same kernels run; only the unread ys, once per call, are given back by the plan.
      expect(carryOnly - both).toBe(2);
    }));
});
