// The exporter's rewrite index: producers and readers follow each rewrite, nodes nothing reads any
// more die with what only they read, inserted nodes land after their anchor, unread initializers go.
import { describe, expect, it } from 'vitest';
import { NodeIndex } from '../../../src/io/onnx/export/node-index.js';
import { OnnxBuilder } from '../../../src/io/onnx/export/onnx-builder.js';

function chain(): { b: OnnxBuilder; ix: NodeIndex } {
  const b = new OnnxBuilder();
  const w = b.initializer('w', 'float32', [1], Float32Array.of(2));
  const t = b.add1('Transpose', ['x']);
  const m = b.add1('Mul', [t, w]);
  const r = b.add1('Relu', [m]);
  b.add('Identity', [r], {}, ['y']);
  return { b, ix: new NodeIndex(b, new Set(['y'])) };
}

describe('NodeIndex', () => {
  it('tracks producers and readers, and renaming a use kills the producers only it read', () => {
    const { b, ix } = chain();
    const [transpose, mul, relu] = b.nodes;
    expect(ix.producer('mul_out')).toBe(mul);
    expect(ix.readersOf('transpose_out')).toEqual([mul]);
    expect(ix.reads('w')).toBe(1);
    ix.renameUses('relu_out', 'x');
    for (const n of [transpose, mul, relu]) expect(ix.isLive(n!)).toBe(false);
    expect(ix.producer('mul_out')).toBeUndefined();
    ix.commit();
    expect(b.nodes.map((n) => n.opType)).toEqual(['Identity']);
    expect(b.nodes[0]!.input).toEqual(['x']);
    expect(b.initializers).toEqual([]);
  });

  it('counts a node that reads a value twice twice, and puts inserted nodes after their anchor', () => {
    const { b, ix } = chain();
    const mul = b.nodes[1]!;
    ix.setInputs(mul, ['transpose_out', 'transpose_out']);
    expect(ix.reads('transpose_out')).toBe(2);
    expect(ix.reads('w')).toBe(0);
    ix.setOutputs(mul, ['inner']);
    ix.insertAfter(mul, { opType: 'Neg', name: 'neg', input: ['inner'], output: ['mul_out'] });
    expect(ix.producer('mul_out')?.opType).toBe('Neg');
    ix.commit();
    expect(b.nodes.map((n) => n.opType)).toEqual(['Transpose', 'Mul', 'Neg', 'Relu', 'Identity']);
    expect(b.initializers).toEqual([]);
  });

  it('drops nodes that nothing reads from the start, and keeps what the graph outputs', () => {
    const b = new OnnxBuilder();
    b.add('Relu', ['x'], {}, ['unused']);
    b.add('Neg', ['x'], {}, ['y']);
    const ix = new NodeIndex(b, new Set(['y']));
    ix.commit();
    expect(b.nodes.map((n) => n.opType)).toEqual(['Neg']);
  });
});
