// Bad ONNX input: unsupported operators and attributes fail at load naming the op and node, malformed
// or mutated files raise a NablaError (never a crash, a hang or a stray TypeError).
import { describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { encodeModelProto, type ModelProto, type NodeProto } from '../../../src/io/onnx/proto.js';
import { fixtureBytes } from './onnx-fixtures.js';

const FLOAT = 1;

/** A one-node model over float input x [2, 3] with output y. */
function oneNodeModel(node: NodeProto, opset = 17, extra: Partial<NonNullable<ModelProto['graph']>> = {}): Uint8Array {
  const dims = [{ dimValue: 2 }, { dimValue: 3 }];
  return encodeModelProto({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: 'g',
      node: [node],
      input: [{ name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: dims } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: FLOAT } } }],
      ...extra,
    },
  });
}

describe('onnx load errors', () => {
  it('an unsupported operator fails at load, naming the op type and the node', () => {
    const bytes = oneNodeModel({ opType: 'NonMaxSuppression', name: 'nms_1', input: ['x'], output: ['y'] });
    expect(() => nb.onnx.fromBytes(bytes)).toThrow(nb.ValueError);
    expect(() => nb.onnx.fromBytes(bytes)).toThrow(/operator 'NonMaxSuppression' \(NonMaxSuppression node 'nms_1'\) is not supported/);
  });

  it('an operator of another domain fails at load, naming the domain', () => {
    const bytes = oneNodeModel({ opType: 'Relu', domain: 'com.microsoft', name: 'r', input: ['x'], output: ['y'] });
    expect(() => nb.onnx.fromBytes(bytes)).toThrow(/operator 'Relu' in domain 'com.microsoft'/);
  });

  it('an unsupported attribute value fails at load, not at run time', () => {
    const mode = { name: 'mode', type: 3, s: new TextEncoder().encode('lanczos') };
    const bytes = oneNodeModel({ opType: 'Resize', name: 'up', input: ['x', '', 's'], output: ['y'], attribute: [mode] });
    expect(() => nb.onnx.fromBytes(bytes)).toThrow(/Resize node 'up': Resize mode 'lanczos' \(nearest, linear and cubic are\) is not supported/);
  });

  it('opsets outside 9..21, inputs used before they are defined and missing outputs are refused', () => {
    const relu = { opType: 'Relu', name: 'r', input: ['x'], output: ['y'] };
    expect(() => nb.onnx.fromBytes(oneNodeModel(relu, 8))).toThrow(/opset 8; nabla imports opsets 9 to 21/);
    expect(() => nb.onnx.fromBytes(oneNodeModel({ ...relu, input: ['z'] }))).toThrow(/Relu node 'r' reads 'z', which no earlier node/);
    expect(() => nb.onnx.fromBytes(oneNodeModel({ ...relu, output: ['w'] }))).toThrow(/graph output 'y' is produced by no node/);
  });

  it('a shape argument computed from input values is a clear run-time error', () => {
    const bytes = oneNodeModel({ opType: 'Reshape', name: 'rs', input: ['x', 'shape'], output: ['y'] }, 17, {
      input: [
        { name: 'x', type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: 2 }, { dimValue: 3 }] } } } },
        { name: 'shape', type: { tensorType: { elemType: 7, shape: { dim: [{ dimValue: 1 }] } } } },
      ],
    });
    const model = nb.onnx.fromBytes(bytes);
    expect(() => model.predict({ x: nb.zeros([2, 3]), shape: nb.tensor([6], 'int32') })).toThrow(/Reshape node 'rs': input 1 \(shape\) depends on the values of the model's inputs/);
  });

  it('bytes that are not a protobuf raise a ValueError', async () => {
    expect(() => nb.onnx.fromBytes(new TextEncoder().encode('{"not": "onnx"}'))).toThrow(nb.ValueError);
    await expect(nb.onnx.load(new Uint8Array(0))).rejects.toThrow(/holds no graph/);
  });
});

describe('onnx fuzz', () => {
  it('every mutated model loads and runs or raises a NablaError (seeded)', () => {
    let seed = 2024;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const bases = [fixtureBytes('mlp.onnx'), fixtureBytes('cnn.onnx'), fixtureBytes('many-ops.onnx')];
    const inputs = [nb.ones([2, 6]), nb.ones([1, 3, 8, 8]), nb.ones([2, 4, 8])];
    const outcomes = { ran: 0, refused: 0 };
    for (let n = 0; n < 600; n++) {
      const which = n % bases.length;
      const base = bases[which]!;
      let bytes = base.slice();
      const kind = Math.floor(rand() * 3);
      if (kind === 0) {
        for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
          const at = Math.floor(rand() * bytes.length);
          bytes[at] = bytes[at]! ^ (1 << Math.floor(rand() * 8));
        }
      } else if (kind === 1) {
        bytes = bytes.subarray(0, Math.floor(rand() * bytes.length));
      } else {
        for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      }
      try {
        const model = nb.onnx.fromBytes(bytes);
        model.run(inputs[which]!);
        outcomes.ran++;
      } catch (e) {
        if (!(e instanceof nb.NablaError)) throw new Error(`mutation ${n} (kind ${kind}) escaped as ${(e as Error).stack}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.ran).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(100);
  });
});
