// nb.models.loadGraphModel's contract beyond the numbers: inputs/outputs metadata, named feeds and
// execute, inline Const tensors, loading over http; and load-time errors that name the op and the
// node (unsupported ops and attributes, outputs nabla does not produce) or the mismatched weights.
import { createServer, type Server } from 'node:http';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nb from '../../../src/index.js';
import { graphModelFromJson } from '../../../src/io/tfgraph/index.js';
import { expectClose } from '../../conformance/harness.js';

const FIXTURES = new URL('../../fixtures/tfjs-graph/', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'nabla-tfgraph-'));
let count = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface GraphJson {
  format: string;
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, unknown> }[] };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
  signature?: unknown;
}

/** A copy of fixture `name` with its model.json (and optionally its shard) changed. */
function mutated(name: string, edit: (json: GraphJson) => void, editBin?: (bin: Buffer) => Buffer): string {
  const dir = join(root, `m${count++}`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as GraphJson;
  edit(json);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  if (editBin) writeFileSync(join(dir, 'group1-shard1of1.bin'), editBin(readFileSync(join(dir, 'group1-shard1of1.bin'))));
  return dir;
}

const nodeOf = (json: GraphJson, name: string) => json.modelTopology.node.find((n) => n.name === name)!;
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('graph model interface', () => {
  it('lists its inputs and outputs and takes positional, node-named or signature-named feeds', async () => {
    const model = await nb.models.loadGraphModel(`${FIXTURES}mlp/`);
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [null, 8] }]);
    expect(model.inputNodes).toEqual(['x']);
    expect(model.outputNodes).toEqual(['Identity']);
    const x = nb.random.uniform([4, 8], { min: -1, max: 1 });
    const y = model.predict(x) as nb.Tensor;
    expect(y.shape).toEqual([4, 10]);
    // Softmax rows sum to one: the graph's last op really ran.
    expectClose(nb.sum(y, 1), [1, 1, 1, 1], { atol: 1e-5 });
    const bySignature = model.predict({ features: x });
    expect(Object.keys(bySignature)).toEqual(['Identity']);
    expect(bySignature.Identity!.arraySync()).toEqual(y.arraySync());
    expect((model.predict({ x }) as Record<string, nb.Tensor>).Identity!.arraySync()).toEqual(y.arraySync());
    const [hidden, logits] = model.execute(x, ['dense/Relu', 'dense_1/BiasAdd:0']) as nb.Tensor[];
    expect(hidden!.shape).toEqual([4, 16]);
    expect(nb.min(hidden!).item()).toBeGreaterThanOrEqual(0);
    // 'node:0' and 'node' name the same tensor.
    expect(logits!.arraySync()).toEqual((model.execute(x, 'dense_1/BiasAdd') as nb.Tensor).arraySync());
  });

  it('ignores control inputs (^node) and NoOps, and runs a PlaceholderWithDefault as its default', async () => {
    const plain = await nb.models.loadGraphModel(`${FIXTURES}cnn`);
    const dir = mutated('cnn', (j) => {
      j.modelTopology.node.push({ name: 'init', op: 'NoOp', input: [] });
      j.modelTopology.node.push({ name: 'training', op: 'PlaceholderWithDefault', input: ['conv2/bias'], attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '6' }] } } } });
      nodeOf(j, 'conv2/BiasAdd').input = ['conv2/Conv2D', 'training', '^init'];
    });
    const edited = await nb.models.loadGraphModel(dir);
    expect(edited.inputNodes).toEqual(['input']);
    const x = nb.random.uniform([2, 12, 12, 3]);
    expect((edited.predict(x) as nb.Tensor).arraySync()).toEqual((plain.predict(x) as nb.Tensor).arraySync());
  });

  it('rejects inputs of the wrong shape or name, and outputs the graph does not compute', async () => {
    const model = await nb.models.loadGraphModel(`${FIXTURES}cnn/model.json`);
    expect(() => model.predict(nb.zeros([1, 12, 12, 4]))).toThrow(/input 'input' expects shape \[\?, 12, 12, 3\], got \[1, 12, 12, 4\]/);
    expect(() => model.predict({ image: nb.zeros([1, 12, 12, 3]) })).toThrow(/unknown input 'image' \(inputs: input\)/);
    expect(() => model.execute(nb.zeros([1, 12, 12, 3]), 'nowhere')).toThrow(/'nowhere' is no tensor this graph computes/);
  });

  it('reads Const values written inline in the GraphDef (float lists, tensorContent, a repeated value)', () => {
    const node = (name: string, op: string, input: string[], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
    const json = {
      format: 'graph-model',
      modelTopology: {
        node: [
          node('x', 'Placeholder', [], { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '3' }] } } }),
          node('bias', 'Const', [], { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] }, floatVal: [1, 2, 3] } }, dtype: { type: 'DT_FLOAT' } }),
          node('twos', 'Const', [], { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] }, floatVal: [2] } }, dtype: { type: 'DT_FLOAT' } }),
          node('shape', 'Const', [], { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] }, tensorContent: Buffer.from(Int32Array.from([3, -1]).buffer).toString('base64') } }, dtype: { type: 'DT_INT32' } }),
          node('add', 'AddV2', ['x', 'bias']),
          node('mul', 'Mul', ['add', 'twos']),
          node('out', 'Reshape', ['mul', 'shape']),
        ],
      },
    };
    const model = graphModelFromJson(json, [], 'the inline graph');
    const y = model.predict(nb.tensor([[0, 0, 0], [1, 1, 1]])) as nb.Tensor;
    expectClose(y, [[2, 4], [6, 4], [6, 8]]);
  });

  it('StridedSlice follows TensorFlow with a negative shrink index and a reversed axis (x[:, ::-2, 1:5:2, -1])', () => {
    const ints = (name: string, v: number[]) => ({ name, op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: String(v.length) }] }, intVal: v } } } });
    const json = {
      modelTopology: {
        node: [
          { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' } } },
          ints('b', [0, 0, 1, -1]),
          ints('e', [0, 0, 5, 0]),
          ints('s', [1, -2, 2, 1]),
          { name: 'y', op: 'StridedSlice', input: ['x', 'b', 'e', 's'], attr: { begin_mask: { i: '3' }, end_mask: { i: '3' }, shrink_axis_mask: { i: '8' } } },
        ],
      },
    };
    const model = graphModelFromJson(json, [], 'the slice graph');
    const y = model.predict(nb.cast(nb.reshape(nb.range(0, 2 * 6 * 6 * 4), [2, 6, 6, 4]), 'float32')) as nb.Tensor;
    const want = [0, 1].map((n) => [5, 3, 1].map((h) => [1, 3].map((w) => ((n * 6 + h) * 6 + w) * 4 + 3)));
    expectClose(y, want);
  });
  it("TF1's Select picks whole rows with a vector condition (TF.js lacks this form)", () => {
    const placeholder = (name: string, dtype: string) => ({ name, op: 'Placeholder', attr: { dtype: { type: dtype } } });
    const json = {
      modelTopology: {
        node: [placeholder('c', 'DT_BOOL'), placeholder('a', 'DT_FLOAT'), placeholder('b', 'DT_FLOAT'), { name: 'y', op: 'Select', input: ['c', 'a', 'b'] }],
      },
    };
    const model = graphModelFromJson(json, [], 'the select graph');
    const y = model.predict([nb.tensor([true, false]), nb.tensor([[1, 2], [3, 4]]), nb.tensor([[5, 6], [7, 8]])]) as nb.Tensor;
    expectClose(y, [[1, 2], [7, 8]]);
  });
});

describe('graph model load errors', () => {
  it('an op nabla does not implement fails at load, naming the op and its node', async () => {
    const dir = mutated('mlp', (j) => (nodeOf(j, 'dense_1/Tanh').op = 'Erfinv'));
    await expect(nb.models.loadGraphModel(dir)).rejects.toThrow(/op 'Erfinv' \(Erfinv node 'dense_1\/Tanh'\) is not supported/);
  });

  it('unsupported attributes fail at load: a fusion nabla lacks, a layout other than NHWC/NCHW, training-mode batch norm', async () => {
    const fusion = mutated('cnn', (j) => (nodeOf(j, 'conv1/Relu').attr!.fused_ops = { list: { s: ['BiasAdd', 'Relu', 'Sigmoid'].map(b64) } }));
    await expect(nb.models.loadGraphModel(fusion)).rejects.toThrow(/_FusedConv2D node 'conv1\/Relu': fused_ops \["BiasAdd","Relu","Sigmoid"\]/);
    const nchw = mutated('cnn', (j) => (nodeOf(j, 'pool1/MaxPool').attr!.data_format = { s: b64('NCDHW') }));
    await expect(nb.models.loadGraphModel(nchw)).rejects.toThrow(/MaxPool node 'pool1\/MaxPool': data_format 'NCDHW' \(NHWC and NCHW are\) is not supported/);
    const training = mutated('dwbn', (j) => (nodeOf(j, 'bn/FusedBatchNormV3').attr!.is_training = { b: true }));
    await expect(nb.models.loadGraphModel(training)).rejects.toThrow(/FusedBatchNormV3 node 'bn\/FusedBatchNormV3': is_training=true/);
  });

  it('reading an output nabla does not produce, or a node that does not exist, fails at load', async () => {
    const second = mutated('dwbn', (j) => (nodeOf(j, 'bn/Relu6').input = ['bn/FusedBatchNormV3:1']));
    await expect(nb.models.loadGraphModel(second)).rejects.toThrow(/reads output 1 of FusedBatchNormV3 node 'bn\/FusedBatchNormV3'/);
    const missing = mutated('mlp', (j) => (nodeOf(j, 'dense_1/Tanh').input = ['dense_1/Nowhere']));
    await expect(nb.models.loadGraphModel(missing)).rejects.toThrow(/Tanh node 'dense_1\/Tanh' reads 'dense_1\/Nowhere', which is no node/);
  });

  it('a cycle, an attribute of the wrong kind or a node without an op fail at load', async () => {
    const cycle = mutated('mlp', (j) => (nodeOf(j, 'dense/Relu').input = ['dense_1/Softmax', 'dense/kernel', 'dense/bias']));
    await expect(nb.models.loadGraphModel(cycle)).rejects.toThrow(/cycle through node/);
    const kind = mutated('cnn', (j) => (nodeOf(j, 'pool1/MaxPool').attr!.strides = { i: '2' }));
    await expect(nb.models.loadGraphModel(kind)).rejects.toThrow(/MaxPool node 'pool1\/MaxPool': attribute 'strides' is \{"i":"2"\}, expected a value of kind 'list'/);
    const noOp = mutated('mlp', (j) => delete (nodeOf(j, 'dense_1/Tanh') as { op?: string }).op);
    await expect(nb.models.loadGraphModel(noOp)).rejects.toThrow(/node \d+ has no name or op/);
  });

  it('a call of a missing function and a TF1 Enter naming no frame fail at load; a lookup in no table and strings fed to math fail at run, saying what is wrong', async () => {
    const missing = mutated('control', (j) => ((nodeOf(j, 'if').attr!.then_branch as { func: { name: string } }).func.name = 'missing_fn'));
    await expect(nb.models.loadGraphModel(missing)).rejects.toThrow(/StatelessIf node 'if' calls function 'missing_fn', which the model's library does not define \(it has then_fn, else_fn/);
    const frames = mutated('mlp', (j) => (nodeOf(j, 'dense_1/Tanh').op = 'Enter'));
    await expect(nb.models.loadGraphModel(frames)).rejects.toThrow(/Enter node 'dense_1\/Tanh' has no frame_name/);
    const table = mutated('mlp', (j) => (nodeOf(j, 'dense_1/Tanh').op = 'LookupTableFindV2'));
    await expect(nb.models.loadGraphModel(table).then((g) => g.predict(nb.ones([1, 8])))).rejects.toThrow(/LookupTableFindV2 node 'dense_1\/Tanh': input 0 must be a hash table/);
    const strings = mutated('mlp', (j) => (nodeOf(j, 'x').attr!.dtype = { type: 'DT_STRING' }));
    await expect(nb.models.loadGraphModel(strings).then((g) => g.predict(nb.ones([1, 8])))).rejects.toThrow(/input 'x' expects strings \(an nb.StringTensor\), got float32/);
    const stringMath = mutated('mlp', (j) => (nodeOf(j, 'x').attr!.dtype = { type: 'DT_STRING' }));
    await expect(nb.models.loadGraphModel(stringMath).then((g) => g.predict(nb.StringTensor.from([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']])))).rejects.toThrow(/_FusedMatMul node 'dense\/Relu': input 0 is a string tensor; this op takes a numeric tensor there/);
  });

  it('weights that do not match the manifest fail with the sizes', async () => {
    const short = mutated('mlp', () => undefined, (b) => b.subarray(0, b.length - 4));
    await expect(nb.models.loadGraphModel(short)).rejects.toThrow(/need 1256 bytes, but its files \(group1-shard1of1.bin\) hold 1252/);
    const reshaped = mutated('mlp', (j) => (j.weightsManifest[0]!.weights[0]!.shape = [8, 17]));
    await expect(nb.models.loadGraphModel(reshaped)).rejects.toThrow(/need 1288 bytes, but its files \(group1-shard1of1.bin\) hold 1256/);
    const unnamed = mutated('mlp', (j) => (j.weightsManifest[0]!.weights[0]!.name = 'renamed'));
    await expect(nb.models.loadGraphModel(unnamed)).rejects.toThrow(/Const node 'dense\/kernel' has no value/);
  });

  it('a layers model or a file without a GraphDef is refused with what to do', async () => {
    const layers = mutated('mlp', (j) => (j.format = 'layers-model'));
    await expect(nb.models.loadGraphModel(layers)).rejects.toThrow(/format 'layers-model', expected 'graph-model' \(load layers models with nb.models.load\)/);
    const empty = mutated('mlp', (j) => ((j as { modelTopology: unknown }).modelTopology = {}));
    await expect(nb.models.loadGraphModel(empty)).rejects.toThrow(/no modelTopology.node list/);
    await expect(nb.models.loadGraphModel(join(root, 'absent'))).rejects.toThrow(/no file at/);
  });
});

describe('graph model over http', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      try {
        const body = readFileSync(join(FIXTURES, normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname))));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404, 'Not Found').end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => server?.close());

  it('loads from a folder URL and predicts as from disk', async () => {
    const fromUrl = await nb.models.loadGraphModel(`${base}/cnn/`);
    const fromDisk = await nb.models.loadGraphModel(`${FIXTURES}cnn`);
    const x = nb.random.uniform([2, 12, 12, 3]);
    expect((fromUrl.predict(x) as nb.Tensor).arraySync()).toEqual((fromDisk.predict(x) as nb.Tensor).arraySync());
    await expect(nb.models.loadGraphModel(`${base}/absent/`)).rejects.toThrow(/HTTP 404/);
  });
});
