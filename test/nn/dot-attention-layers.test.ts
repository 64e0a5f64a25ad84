// Attention (dot and concat scores) and AdditiveAttention: runLayerTest, hand-computed values,
// masks (value, query, causal) and the returned scores.
import { describe, expect, it } from 'vitest';
import * as nb from '../../src/index.js';
import { expectClose } from '../conformance/harness.js';
import { runLayerTest } from './run-layer-test.js';

const L = nb.layers;

describe('Attention / AdditiveAttention', () => {
  it('pass the layer checks', () => {
    runLayerTest({ make: (a) => new L.Attention(a), inputShape: [[2, 3, 4], [2, 5, 4]], expectedOutputShape: [2, 3, 4], weights: 0 });
    runLayerTest({ make: (a) => new L.Attention({ useScale: true, scoreMode: 'concat', ...a }), inputShape: [[2, 3, 4], [2, 5, 2], [2, 5, 4]], expectedOutputShape: [2, 3, 2], weights: 2 });
    runLayerTest({ make: (a) => new L.AdditiveAttention(a), inputShape: [[2, 3, 4], [2, 5, 4]], expectedOutputShape: [2, 3, 4], weights: 1 });
  });

  it('weights the values by the softmax of query . key', () => {
    const q = nb.tensor([[[1, 0]]]);
    const v = nb.tensor([[[1, 0], [0, 1]]]);
    const [out, scores] = new L.Attention().applyAll([q, v], { returnAttentionScores: true });
    const w = [Math.E / (Math.E + 1), 1 / (Math.E + 1)];
    expectClose(scores!, [[w]]);
    expectClose(out!, [[w]]);
    // AdditiveAttention without scale: scores sum(tanh(q + k)) = tanh(2) + tanh(0), tanh(1) + tanh(1)
    const add = new L.AdditiveAttention({ useScale: false }).applyAll([q, v], { returnAttentionScores: true });
    const s = [Math.tanh(2), 2 * Math.tanh(1)];
    const e = s.map(Math.exp);
    expectClose(add[1]!, [[[e[0]! / (e[0]! + e[1]!), e[1]! / (e[0]! + e[1]!)]]]);
  });

  it('leaves masked values out, zeroes masked queries, and masks the future with useCausalMask', () => {
    const q = nb.zeros([1, 2, 2]); // equal scores everywhere
    const v = nb.tensor([[[1, 1], [5, 5], [9, 9]]]);
    const out = new L.Attention().apply([q, v], { mask: [nb.tensor([[true, false]]), nb.tensor([[true, true, false]])] });
    // query 0 sees values 0 and 1 equally (equal scores): their mean; query 1 is masked
    expectClose(out, [[[3, 3], [0, 0]]]);
    const causal = new L.Attention().apply([q, nb.tensor([[[1, 1], [5, 5]]])], { useCausalMask: true });
    expectClose(causal, [[[1, 1], [3, 3]]]);
    expect(() => new L.Attention({ scoreMode: 'general' as never })).toThrow(/scoreMode must be 'dot' or 'concat'/);
    expect(() => new L.Attention().apply([nb.ones([1, 2, 3]), nb.ones([1, 2, 4])])).toThrow(/query and key need the same feature size, got 3 and 4/);
  });
});
