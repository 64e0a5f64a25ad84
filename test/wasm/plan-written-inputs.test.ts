// A replayed jit span may write into one of its inputs: a fused step over a buffer that a step
// outside any span (a reference kernel such as irfft) produced and that dies there. Native writes
// such inputs in place in JS memory; the wasm module works on copies, which must come back.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { sample } from '../conformance/harness.js';

function valueAndGrad(x: nb.Tensor): nb.Tensor[] {
  const tape = new nb.GradientTape();
  tape.watch(x);
  // irfft's output (made outside the span) is scaled and added in one fused step, in place.
  const y = nb.signal.irfft(nb.signal.rfft(x).mul(nb.signal.rfft(x.square())), 5).add(x.mul(2));
  return [y, tape.gradient(nb.sum(y), x)];
}

describe('wasm jit plans', () => {
  it('copy back the span inputs a replay writes in place (jitted = eager on every replay)', () =>
    nb.withBackend('wasm', () => {
      const jitted = nb.jit(valueAndGrad);
      for (const seed of [7, 19, 31]) {
        const x = sample([2, 5], -1, 1, seed);
        const got = jitted(x);
        const want = valueAndGrad(x);
        got.forEach((g, i) => expect(Array.from(g.dataSync()), `output ${i}, seed ${seed}`).toEqual(Array.from(want[i]!.dataSync())));
      }
    }));
});
