// Writes small TF.js graph models (model.json with format 'graph-model' + one weight shard) to
// test/fixtures/tfjs-graph/<name>/. TensorFlow's converter is not installable here, so the GraphDef
// JSON is written the way the converter writes it: every Const's value in the weights manifest under
// the node's name, int64 fields as strings, strings base64, the converter's fused ops. The tests run
// the same files through TF.js's own loadGraphModel as the oracle.
//   node scripts/make-tfjs-graph-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../test/fixtures/tfjs-graph/', import.meta.url).pathname;

/** A deterministic generator (mulberry32), so that the committed files are reproducible. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** IEEE half-precision bits of `v` (round to nearest; the small fixture values are normal halves). */
function toHalf(v) {
  const f = new Float32Array([v]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = ((bits >>> 23) & 0xff) - 127 + 15;
  const mant = bits & 0x7fffff;
  if (v === 0) return sign;
  if (exp <= 0) return sign; // below half's normal range: flushed to zero (not produced by the fixtures' values)
  const rounded = (exp << 10) + (mant >>> 13) + ((mant >>> 12) & 1);
  return sign | rounded;
}

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const dims = (shape) => ({ dim: shape.map((d) => ({ size: String(d) })) });
const T = { type: 'DT_FLOAT' };

class Graph {
  constructor(seed) {
    this.nodes = [];
    this.weights = [];
    this.chunks = [];
    this.functions = [];
    this.rand = rng(seed);
  }

  node(name, op, input = [], attr = {}) {
    this.nodes.push({ name, op, input, attr, ...(op === 'Const' || op === 'Placeholder' ? {} : { device: '/device:CPU:0' }) });
    return name;
  }

  placeholder(name, shape) {
    return this.node(name, 'Placeholder', [], { dtype: T, shape: { shape: dims(shape) } });
  }

  /** A Const whose value is in the manifest; `quantize` stores it as uint8 (true) or uint16 codes (TF.js's affine quantization) or as 'float16'. */
  const(name, shape, values, dtype = 'float32', quantize = false) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = values ?? Array.from({ length: n }, () => (this.rand() * 2 - 1) * 0.5);
    if (data.length !== n) throw new Error(`${name}: ${data.length} values for ${shape}`);
    const tfType = dtype === 'float32' ? 'DT_FLOAT' : 'DT_INT32';
    this.node(name, 'Const', [], { value: { tensor: { dtype: tfType, tensorShape: dims(shape) } }, dtype: { type: tfType } });
    if (quantize === 'float16') {
      this.weights.push({ name, shape, dtype, quantization: { dtype: 'float16', original_dtype: dtype } });
      this.chunks.push(Buffer.from(Uint16Array.from(data, toHalf).buffer));
    } else if (quantize) {
      // quantize: true (uint8) or 'uint16': value = code * scale + min.
      const levels = quantize === 'uint16' ? 65535 : 255;
      const min = Math.min(...data);
      const max = Math.max(...data);
      const scale = (max - min) / levels || 1;
      const codes = data.map((v) => Math.round((v - min) / scale));
      this.weights.push({ name, shape, dtype, quantization: { dtype: quantize === 'uint16' ? 'uint16' : 'uint8', min, scale, original_dtype: dtype } });
      this.chunks.push(Buffer.from(quantize === 'uint16' ? Uint16Array.from(codes).buffer : Uint8Array.from(codes)));
    } else {
      this.weights.push({ name, shape, dtype });
      const typed = dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data);
      this.chunks.push(Buffer.from(typed.buffer));
    }
    return name;
  }

  /** A Const node for a function body (returned, not added to the graph), its value in the weights manifest as the converter writes it. */
  fnConst(name, shape, values, dtype = 'float32') {
    const before = this.nodes.length;
    this.const(name, shape, values, dtype);
    return this.nodes.splice(before, 1)[0];
  }

  /** A library function: args and outputs [name, type], body nodes, ret {output: 'node:outputName:index'}. */
  fn(name, args, outputs, nodeDef, ret) {
    const arg = ([n, type]) => ({ name: n, type });
    this.functions.push({ signature: { name, inputArg: args.map(arg), outputArg: outputs.map(arg) }, nodeDef, ret, attr: {} });
  }

  /** A string Const, stored in the shard as TF.js does: each string's byte length (uint32 LE), then its UTF-8 bytes. */
  strings(name, shape, values) {
    this.node(name, 'Const', [], { value: { tensor: { dtype: 'DT_STRING', tensorShape: dims(shape) } }, dtype: { type: 'DT_STRING' } });
    this.weights.push({ name, shape, dtype: 'string' });
    for (const v of values) {
      const bytes = Buffer.from(v, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32LE(bytes.length);
      this.chunks.push(len, bytes);
    }
    return name;
  }

  ints(name, values, shape = [values.length]) {
    return this.const(name, shape, values, 'int32');
  }

  write(dir, extra = {}) {
    const out = join(ROOT, dir);
    mkdirSync(out, { recursive: true });
    const json = {
      format: 'graph-model',
      generatedBy: '2.15.0',
      convertedBy: 'nabla scripts/make-tfjs-graph-fixtures.mjs (written as TensorFlow.js Converter v4.22.0 writes)',
      modelTopology: { node: this.nodes, library: this.functions.length ? { function: this.functions } : {}, versions: { producer: 1645 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.weights }],
      ...extra,
    };
    writeFileSync(join(out, 'model.json'), `${JSON.stringify(json, null, 1)}\n`);
    writeFileSync(join(out, 'group1-shard1of1.bin'), Buffer.concat(this.chunks));
  }
}

const list = (...i) => ({ list: { i: i.map(String) } });
const fused = (...ops) => ({ list: { s: ops.map(b64) } });
const s = (v) => ({ s: b64(v) });

/** MLP: _FusedMatMul (BiasAdd, Relu), MatMul + BiasAdd, Tanh, Softmax; with a signature. */
function mlp() {
  const g = new Graph(1);
  g.placeholder('x', [-1, 8]);
  g.const('dense/kernel', [8, 16]);
  g.const('dense/bias', [16]);
  g.node('dense/Relu', '_FusedMatMul', ['x', 'dense/kernel', 'dense/bias'], {
    T, num_args: { i: '1' }, fused_ops: fused('BiasAdd', 'Relu'), transpose_a: { b: false }, transpose_b: { b: false }, epsilon: { f: 0 },
  });
  g.const('dense_1/kernel', [10, 16]);
  g.const('dense_1/bias', [10]);
  g.node('dense_1/MatMul', 'MatMul', ['dense/Relu', 'dense_1/kernel'], { T, transpose_a: { b: false }, transpose_b: { b: true } });
  g.node('dense_1/BiasAdd', 'BiasAdd', ['dense_1/MatMul', 'dense_1/bias'], { T, data_format: s('NHWC') });
  g.node('dense_1/Tanh', 'Tanh', ['dense_1/BiasAdd'], { T });
  g.node('dense_1/Softmax', 'Softmax', ['dense_1/Tanh'], { T });
  g.node('Identity', 'Identity', ['dense_1/Softmax'], { T });
  g.write('mlp', {
    signature: {
      inputs: { features: { name: 'x:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, 8]) } },
      outputs: { probs: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims([-1, 10]) } },
    },
  });
}

/** CNN: _FusedConv2D (BiasAdd, Relu), MaxPool, Conv2D + BiasAdd + Relu6 (explicit padding, dilation),
 * a dynamic flatten (Shape, StridedSlice, Pack, Reshape), _FusedMatMul (BiasAdd), Softmax. */
function cnn() {
  const g = new Graph(2);
  g.placeholder('input', [-1, 12, 12, 3]);
  g.const('conv1/kernel', [3, 3, 3, 8]);
  g.const('conv1/bias', [8]);
  g.node('conv1/Relu', '_FusedConv2D', ['input', 'conv1/kernel', 'conv1/bias'], {
    T, num_args: { i: '1' }, fused_ops: fused('BiasAdd', 'Relu'), strides: list(1, 1, 1, 1), padding: s('SAME'),
    data_format: s('NHWC'), dilations: list(1, 1, 1, 1), explicit_paddings: { list: {} }, use_cudnn_on_gpu: { b: true }, epsilon: { f: 0 },
  });
  g.node('pool1/MaxPool', 'MaxPool', ['conv1/Relu'], { T, ksize: list(1, 2, 2, 1), strides: list(1, 2, 2, 1), padding: s('VALID'), data_format: s('NHWC') });
  g.const('conv2/kernel', [3, 3, 8, 6], undefined, 'float32', true);
  g.const('conv2/bias', [6]);
  g.node('conv2/Conv2D', 'Conv2D', ['pool1/MaxPool', 'conv2/kernel'], {
    T, strides: list(1, 2, 2, 1), padding: s('EXPLICIT'), explicit_paddings: list(0, 0, 1, 2, 2, 1, 0, 0),
    data_format: s('NHWC'), dilations: list(1, 1, 1, 1), use_cudnn_on_gpu: { b: true },
  });
  g.node('conv2/BiasAdd', 'BiasAdd', ['conv2/Conv2D', 'conv2/bias'], { T, data_format: s('NHWC') });
  g.node('conv2/Relu6', 'Relu6', ['conv2/BiasAdd'], { T });
  g.node('flatten/Shape', 'Shape', ['conv2/Relu6'], { T, out_type: { type: 'DT_INT32' } });
  g.ints('flatten/strided_slice/stack', [0]);
  g.ints('flatten/strided_slice/stack_1', [1]);
  g.ints('flatten/strided_slice/stack_2', [1]);
  g.node('flatten/strided_slice', 'StridedSlice', ['flatten/Shape', 'flatten/strided_slice/stack', 'flatten/strided_slice/stack_1', 'flatten/strided_slice/stack_2'], {
    T: { type: 'DT_INT32' }, Index: { type: 'DT_INT32' }, shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' }, ellipsis_mask: { i: '0' }, new_axis_mask: { i: '0' },
  });
  g.ints('flatten/Reshape/shape/1', [-1], []);
  g.node('flatten/Reshape/shape', 'Pack', ['flatten/strided_slice', 'flatten/Reshape/shape/1'], { T: { type: 'DT_INT32' }, N: { i: '2' }, axis: { i: '0' } });
  g.node('flatten/Reshape', 'Reshape', ['conv2/Relu6', 'flatten/Reshape/shape'], { T, Tshape: { type: 'DT_INT32' } });
  g.const('dense/kernel', [96, 5]);
  g.const('dense/bias', [5]);
  g.node('dense/BiasAdd', '_FusedMatMul', ['flatten/Reshape', 'dense/kernel', 'dense/bias'], {
    T, num_args: { i: '1' }, fused_ops: fused('BiasAdd'), transpose_a: { b: false }, transpose_b: { b: false }, epsilon: { f: 0 },
  });
  g.node('dense/Softmax', 'Softmax', ['dense/BiasAdd'], { T });
  g.write('cnn');
}

/** A MobileNet-style block: DepthwiseConv2dNative, FusedBatchNormV3, Relu6, FusedDepthwiseConv2dNative
 * (BiasAdd, Relu), Pad, AvgPool, Mean, then elementwise ops, ConcatV2, ExpandDims, Squeeze, Transpose, Sum, Max, Cast. */
function dwbn() {
  const g = new Graph(3);
  g.placeholder('image', [-1, 9, 9, 4]);
  g.const('dw/depthwise_kernel', [3, 3, 4, 2]);
  g.node('dw/depthwise', 'DepthwiseConv2dNative', ['image', 'dw/depthwise_kernel'], { T, strides: list(1, 1, 1, 1), padding: s('SAME'), data_format: s('NHWC'), dilations: list(1, 1, 1, 1), explicit_paddings: { list: {} } });
  g.const('bn/gamma', [8], undefined, 'float32', 'float16');
  g.const('bn/beta', [8]);
  g.const('bn/moving_mean', [8]);
  g.const('bn/moving_variance', [8], Array.from({ length: 8 }, (_, i) => 0.5 + i * 0.1));
  g.node('bn/FusedBatchNormV3', 'FusedBatchNormV3', ['dw/depthwise', 'bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance'], {
    T, U: T, epsilon: { f: 0.001 }, data_format: s('NHWC'), is_training: {}, exponential_avg_factor: { f: 1 },
  });
  g.node('bn/Relu6', 'Relu6', ['bn/FusedBatchNormV3'], { T });
  g.const('dw2/depthwise_kernel', [3, 3, 8, 1], undefined, 'float32', 'uint16');
  g.const('dw2/bias', [8]);
  g.node('dw2/Relu', 'FusedDepthwiseConv2dNative', ['bn/Relu6', 'dw2/depthwise_kernel', 'dw2/bias'], {
    T, num_args: { i: '1' }, fused_ops: fused('BiasAdd', 'Relu'), strides: list(1, 2, 2, 1), padding: s('VALID'), data_format: s('NHWC'), dilations: list(1, 1, 1, 1), explicit_paddings: { list: {} },
  });
  g.ints('pad/paddings', [0, 0, 1, 1, 0, 1, 0, 0], [4, 2]);
  g.node('pad/Pad', 'Pad', ['dw2/Relu', 'pad/paddings'], { T, Tpaddings: { type: 'DT_INT32' } });
  g.node('pool/AvgPool', 'AvgPool', ['pad/Pad'], { T, ksize: list(1, 3, 3, 1), strides: list(1, 2, 2, 1), padding: s('SAME'), data_format: s('NHWC') });
  g.ints('gap/axes', [1, 2]);
  g.node('gap/Mean', 'Mean', ['pool/AvgPool', 'gap/axes'], { T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } });
  g.const('scale', [8]);
  g.const('shift', [8]);
  g.node('m/Mul', 'Mul', ['gap/Mean', 'scale'], { T });
  g.node('m/Sub', 'Sub', ['m/Mul', 'shift'], { T });
  g.node('m/Square', 'Square', ['m/Sub'], { T });
  g.const('one', [], [1]);
  g.node('m/AddV2', 'AddV2', ['m/Square', 'one'], { T });
  g.node('m/Rsqrt', 'Rsqrt', ['m/AddV2'], { T });
  g.node('m/RealDiv', 'RealDiv', ['m/Sub', 'm/AddV2'], { T });
  g.node('m/Maximum', 'Maximum', ['m/Rsqrt', 'm/RealDiv'], { T });
  g.node('m/Minimum', 'Minimum', ['m/Rsqrt', 'm/RealDiv'], { T });
  g.node('m/Sigmoid', 'Sigmoid', ['m/Maximum'], { T });
  g.node('m/Add', 'Add', ['m/Sigmoid', 'm/Minimum'], { T });
  g.ints('concat/axis', [1], []);
  g.node('concat', 'ConcatV2', ['m/Add', 'm/Minimum', 'concat/axis'], { T, N: { i: '2' }, Tidx: { type: 'DT_INT32' } });
  g.ints('expand/dim', [2], []);
  g.node('expand', 'ExpandDims', ['concat', 'expand/dim'], { T, Tdim: { type: 'DT_INT32' } });
  g.ints('transpose/perm', [2, 0, 1]);
  g.node('transpose', 'Transpose', ['expand', 'transpose/perm'], { T, Tperm: { type: 'DT_INT32' } });
  g.node('squeeze', 'Squeeze', ['transpose'], { T, squeeze_dims: list(0) });
  g.ints('sum/axis', [1]);
  g.node('sum', 'Sum', ['squeeze', 'sum/axis'], { T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: true } });
  g.node('max', 'Max', ['squeeze', 'sum/axis'], { T, Tidx: { type: 'DT_INT32' }, keep_dims: { b: true } });
  g.node('both', 'ConcatV2', ['sum', 'max', 'concat/axis'], { T, N: { i: '2' }, Tidx: { type: 'DT_INT32' } });
  g.node('cast', 'Cast', ['both'], { SrcT: T, DstT: { type: 'DT_INT32' }, Truncate: { b: false } });
  g.node('back', 'Cast', ['cast'], { SrcT: { type: 'DT_INT32' }, DstT: T, Truncate: { b: false } });
  g.node('out', 'AddV2', ['both', 'back'], { T });
  g.write('dwbn');
}

/** One node per remaining op (and the harder attribute cases): the tests compare every node listed in OP_NODES. */
function ops() {
  const g = new Graph(4);
  const F = (name, op, input, attr = {}) => g.node(name, op, input, { T, ...attr });
  g.placeholder('x', [-1, 6, 6, 4]);
  g.const('k', [3, 3, 4, 3]);
  g.const('b', [3]);
  g.const('alpha3', [3]);
  g.const('alpha4', [4]);
  const conv = { strides: list(1, 1, 1, 1), padding: s('SAME'), data_format: s('NHWC'), explicit_paddings: { list: {} } };
  F('conv_dilated', 'Conv2D', ['x', 'k'], { ...conv, dilations: list(1, 2, 2, 1) });
  F('conv_leaky', '_FusedConv2D', ['x', 'k', 'b'], { ...conv, dilations: list(1, 1, 1, 1), num_args: { i: '1' }, fused_ops: fused('BiasAdd', 'LeakyRelu'), leakyrelu_alpha: { f: 0.1 } });
  F('conv_prelu', '_FusedConv2D', ['x', 'k', 'b', 'alpha3'], { ...conv, strides: list(1, 2, 1, 1), padding: s('VALID'), dilations: list(1, 1, 1, 1), num_args: { i: '2' }, fused_ops: fused('BiasAdd', 'Prelu') });
  F('neg', 'Neg', ['x']);
  F('abs', 'Abs', ['x']);
  F('exp', 'Exp', ['x']);
  g.const('one', [], [1]);
  F('abs1', 'AddV2', ['abs', 'one']);
  F('log', 'Log', ['abs1']);
  F('sqrt', 'Sqrt', ['abs1']);
  F('reciprocal', 'Reciprocal', ['abs1']);
  F('elu', 'Elu', ['x']);
  F('selu', 'Selu', ['x']);
  F('softplus', 'Softplus', ['x']);
  F('leaky', 'LeakyRelu', ['x'], { alpha: { f: 0.3 } });
  F('prelu', 'Prelu', ['x', 'alpha4']);
  g.const('p15', [], [1.5]);
  F('pow', 'Pow', ['abs1', 'p15']);
  F('sqdiff', 'SquaredDifference', ['x', 'alpha4']);
  F('div', 'Div', ['x', 'abs1']);
  F('addn', 'AddN', ['x', 'abs', 'neg'], { N: { i: '3' } });
  g.ints('axis3', [3]);
  F('prod', 'Prod', ['abs1', 'axis3'], { Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } });
  g.ints('axes12', [1, 2]);
  F('min', 'Min', ['x', 'axes12'], { Tidx: { type: 'DT_INT32' }, keep_dims: { b: true } });
  g.ints('rows', [-1, 36, 4]);
  F('rows_x', 'Reshape', ['x', 'rows'], { Tshape: { type: 'DT_INT32' } });
  g.const('m45', [4, 5]);
  F('bmm', 'BatchMatMulV2', ['rows_x', 'm45'], { adj_x: { b: false }, adj_y: { b: false } });
  F('gram', 'BatchMatMulV2', ['rows_x', 'rows_x'], { adj_x: { b: true }, adj_y: { b: false } });
  F('logsoftmax', 'LogSoftmax', ['bmm']);
  g.ints('pads', [0, 0, 2, 0, 1, 1, 0, 1], [4, 2]);
  g.const('half', [], [0.5]);
  F('padv2', 'PadV2', ['x', 'pads', 'half'], { Tpaddings: { type: 'DT_INT32' } });
  g.ints('slice_begin', [0, 1, 1, 0]);
  g.ints('slice_size', [-1, 3, 4, -1]);
  F('slice', 'Slice', ['x', 'slice_begin', 'slice_size'], { Index: { type: 'DT_INT32' } });
  g.ints('c_axis', [3], []);
  F('concat_v1', 'Concat', ['c_axis', 'x', 'neg'], { N: { i: '2' } });
  const ss = (begin, end, strides, masks) => [g.ints(`${masks.name}/b`, begin), g.ints(`${masks.name}/e`, end), g.ints(`${masks.name}/s`, strides)];
  // x[:, ::-2, 1:5:2, -3:] (TF.js 4.22 slices wrongly when shrink_axis_mask meets these masks; that case has a known-value test instead)
  F('ss_reverse', 'StridedSlice', ['x', ...ss([0, 0, 1, -3], [0, 0, 5, 0], [1, -2, 2, 1], { name: 'ss1' })], {
    Index: { type: 'DT_INT32' }, begin_mask: { i: '3' }, end_mask: { i: '11' }, shrink_axis_mask: { i: '0' }, new_axis_mask: { i: '0' }, ellipsis_mask: { i: '0' },
  });
  // x[1:, newaxis, 2, :-1]
  F('ss_newaxis', 'StridedSlice', ['x', ...ss([1, 0, 2, 0], [0, 0, 3, -1], [1, 1, 1, 1], { name: 'ss2' })], {
    Index: { type: 'DT_INT32' }, begin_mask: { i: '0' }, end_mask: { i: '1' }, shrink_axis_mask: { i: '4' }, new_axis_mask: { i: '2' }, ellipsis_mask: { i: '0' },
  });
  F('snapshot', 'Snapshot', ['exp']);
  F('stop', 'StopGradient', ['snapshot']);
  F('pack', 'Pack', ['log', 'sqrt'], { N: { i: '2' }, axis: { i: '1' } });
  // Comparisons, logic, selection, rounding.
  g.const('three', [], [3]);
  g.const('zero', [], [0]);
  F('x3', 'Mul', ['x', 'three']);
  F('floor', 'Floor', ['x3']);
  F('ceil', 'Ceil', ['x3']);
  F('round', 'Round', ['x3']);
  F('sign', 'Sign', ['x']);
  F('erf', 'Erf', ['x']);
  F('sin', 'Sin', ['x3']);
  F('cos', 'Cos', ['x3']);
  F('gt', 'Greater', ['x', 'zero']);
  F('lt', 'Less', ['x', 'alpha4']);
  F('ge', 'GreaterEqual', ['x', 'alpha4']);
  F('le', 'LessEqual', ['x', 'zero']);
  F('eq', 'Equal', ['floor', 'zero']);
  F('ne', 'NotEqual', ['floor', 'zero']);
  g.node('and', 'LogicalAnd', ['gt', 'lt']);
  g.node('or', 'LogicalOr', ['gt', 'lt']);
  g.node('not', 'LogicalNot', ['gt']);
  F('select', 'SelectV2', ['gt', 'x', 'neg']);
  F('select_rows', 'Select', ['lt', 'x', 'neg']);
  g.const('c07', [], [0.7]);
  F('floordiv', 'FloorDiv', ['x3', 'c07']);
  F('floormod', 'FloorMod', ['x3', 'c07']);
  g.const('lo', [], [-0.3]);
  g.const('hi', [], [0.4]);
  F('clip', 'ClipByValue', ['x', 'lo', 'hi']);
  g.ints('dim3', [3], []);
  g.ints('dim1', [1], []);
  F('argmax', 'ArgMax', ['x', 'dim3'], { Tidx: { type: 'DT_INT32' }, output_type: { type: 'DT_INT32' } });
  F('argmin', 'ArgMin', ['x', 'dim1'], { Tidx: { type: 'DT_INT32' }, output_type: { type: 'DT_INT32' } });
  // Several outputs, and arrays made from shapes.
  F('split', 'Split', ['dim3', 'x'], { num_split: { i: '2' } });
  g.ints('split_sizes', [1, -1, 2]);
  F('splitv', 'SplitV', ['x', 'split_sizes', 'dim1'], { num_split: { i: '3' }, Tlen: { type: 'DT_INT32' } });
  F('unpack', 'Unpack', ['x'], { num: { i: '4' }, axis: { i: '3' } });
  g.ints('gather_idx', [3, 0, 0, 5]);
  F('gather', 'GatherV2', ['x', 'gather_idx', 'dim1'], { Tparams: T, Tindices: { type: 'DT_INT32' }, Taxis: { type: 'DT_INT32' }, batch_dims: { i: '0' } });
  g.ints('reps', [1, 2, 1, 1]);
  F('tile', 'Tile', ['x', 'reps'], { Tmultiples: { type: 'DT_INT32' } });
  g.ints('fill_dims', [2, 3]);
  F('fill', 'Fill', ['fill_dims', 'half'], { index_type: { type: 'DT_INT32' } });
  F('zeros', 'ZerosLike', ['x']);
  F('ones', 'OnesLike', ['x']);
  g.const('r0', [], [0]);
  g.const('r1', [], [5]);
  g.const('r2', [], [1.5]);
  F('range', 'Range', ['r0', 'r1', 'r2'], { Tidx: T });
  F('rank', 'Rank', ['x']);
  F('size', 'Size', ['x'], { out_type: { type: 'DT_INT32' } });
  // Resizes and the transposed convolution.
  const resize = (name, op, size, attrs) => F(name, op, ['x', g.ints(`${name}/size`, size)], { align_corners: { b: false }, half_pixel_centers: { b: false }, ...attrs });
  resize('resize_bilinear', 'ResizeBilinear', [9, 4], { half_pixel_centers: { b: true } });
  resize('resize_bilinear_corners', 'ResizeBilinear', [11, 8], { align_corners: { b: true } });
  resize('resize_bilinear_plain', 'ResizeBilinear', [4, 9], {});
  resize('resize_nearest', 'ResizeNearestNeighbor', [12, 5], { half_pixel_centers: { b: true } });
  resize('resize_nearest_corners', 'ResizeNearestNeighbor', [7, 10], { align_corners: { b: true } });
  resize('resize_nearest_plain', 'ResizeNearestNeighbor', [4, 9], {});
  g.ints('deconv/sizes', [2, 12, 12, 5]);
  g.const('deconv/kernel', [3, 3, 5, 4]);
  F('deconv', 'Conv2DBackpropInput', ['deconv/sizes', 'deconv/kernel', 'x'], { strides: list(1, 2, 2, 1), padding: s('SAME'), data_format: s('NHWC'), dilations: list(1, 1, 1, 1), explicit_paddings: { list: {} } });
  // The less common ops.
  g.ints('mirror_pads', [0, 0, 2, 1, 1, 3, 0, 0], [4, 2]);
  F('mirror_reflect', 'MirrorPad', ['x', 'mirror_pads'], { Tpaddings: { type: 'DT_INT32' }, mode: s('REFLECT') });
  F('mirror_symmetric', 'MirrorPad', ['x', 'mirror_pads'], { Tpaddings: { type: 'DT_INT32' }, mode: s('SYMMETRIC') });
  F('einsum', 'Einsum', ['rows_x', 'm45'], { equation: s('bij,jk->bki'), N: { i: '2' } });
  F('cumsum', 'Cumsum', ['x', 'dim1'], { Tidx: { type: 'DT_INT32' }, exclusive: { b: true }, reverse: { b: false } });
  F('cumsum_reverse', 'Cumsum', ['x', 'dim3'], { Tidx: { type: 'DT_INT32' }, exclusive: { b: false }, reverse: { b: true } });
  g.ints('depth', [5], []);
  g.const('on', [], [2]);
  g.const('off', [], [-1]);
  F('onehot', 'OneHot', ['argmax', 'depth', 'on', 'off'], { TI: { type: 'DT_INT32' }, axis: { i: '-1' } });
  g.ints('k3', [3], []);
  F('topk', 'TopKV2', ['x', 'k3'], { sorted: { b: true } });
  F('tan', 'Tan', ['x']);
  F('asin', 'Asin', ['x']);
  F('acos', 'Acos', ['x']);
  F('atan', 'Atan', ['x3']);
  F('atan2', 'Atan2', ['x', 'x3']);
  F('expm1', 'Expm1', ['x']);
  F('log1p', 'Log1p', ['abs']);
  F('cumprod', 'Cumprod', ['abs1', 'dim1'], { Tidx: { type: 'DT_INT32' }, exclusive: { b: false }, reverse: { b: false } });
  F('log_x', 'Log', ['x']);
  F('isnan', 'IsNan', ['log_x']);
  F('reciprocal_x', 'Reciprocal', ['floor']);
  F('isfinite', 'IsFinite', ['reciprocal_x']);
  g.write('ops');
}

/**
 * The same small CNN twice: in NCHW (data_format on Conv2D, _FusedConv2D, depthwise, BiasAdd,
 * FusedBatchNormV3, the pools and Conv2DBackpropInput) and as its NHWC twin with the same weights.
 * TF.js's executor ignores data_format on BiasAdd and the pools, so the tests compare nabla's NCHW
 * run with TF.js's run of the NHWC twin, transposed.
 */
function layouts(first) {
  const g = new Graph(7);
  const img = (n, c, h, w) => (first ? [n, c, h, w] : [n, h, w, c]);
  const four = (h, w) => (first ? list(1, 1, h, w) : list(1, h, w, 1));
  const fmt = s(first ? 'NCHW' : 'NHWC');
  g.placeholder('x', img(-1, 3, 8, 8));
  g.const('c1/kernel', [3, 3, 3, 6]);
  g.const('c1/bias', [6]);
  g.node('c1/Relu', '_FusedConv2D', ['x', 'c1/kernel', 'c1/bias'], {
    T, num_args: { i: '1' }, fused_ops: fused('BiasAdd', 'Relu'), strides: four(1, 1), padding: s('SAME'), data_format: fmt, dilations: four(1, 1), explicit_paddings: { list: {} }, epsilon: { f: 0 },
  });
  for (const k of ['scale', 'offset', 'mean']) g.const(`bn/${k}`, [6]);
  g.const('bn/variance', [6], Array.from({ length: 6 }, (_, i) => 0.5 + i / 10));
  g.node('bn/FusedBatchNormV3', 'FusedBatchNormV3', ['c1/Relu', 'bn/scale', 'bn/offset', 'bn/mean', 'bn/variance'], { T, U: T, epsilon: { f: 0.001 }, data_format: fmt, is_training: { b: false } });
  g.const('c2/kernel', [2, 2, 6, 5]);
  g.node('c2/Conv2D', 'Conv2D', ['bn/FusedBatchNormV3', 'c2/kernel'], {
    T, strides: four(1, 1), padding: s('EXPLICIT'), explicit_paddings: first ? list(0, 0, 0, 0, 1, 0, 0, 1) : list(0, 0, 1, 0, 0, 1, 0, 0), data_format: fmt, dilations: four(2, 2),
  });
  g.const('c2/bias', [5]);
  g.node('c2/BiasAdd', 'BiasAdd', ['c2/Conv2D', 'c2/bias'], { T, data_format: fmt });
  g.node('pool/MaxPool', 'MaxPool', ['c2/BiasAdd'], { T, ksize: four(2, 2), strides: four(2, 2), padding: s('SAME'), data_format: fmt });
  g.const('dw/kernel', [3, 3, 5, 2]);
  g.node('dw/depthwise', 'DepthwiseConv2dNative', ['pool/MaxPool', 'dw/kernel'], { T, strides: four(1, 1), padding: s('SAME'), data_format: fmt, dilations: four(1, 1), explicit_paddings: { list: {} } });
  g.node('avg/AvgPool', 'AvgPool', ['dw/depthwise'], { T, ksize: four(2, 2), strides: four(1, 1), padding: s('VALID'), data_format: fmt });
  g.ints('up/sizes', first ? [2, 4, 6, 6] : [2, 6, 6, 4]);
  g.const('up/kernel', [2, 2, 4, 10]);
  g.node('up/conv2d_transpose', 'Conv2DBackpropInput', ['up/sizes', 'up/kernel', 'avg/AvgPool'], { T, strides: four(2, 2), padding: s('VALID'), data_format: fmt, dilations: four(1, 1), explicit_paddings: { list: {} } });
  g.write(first ? 'nchw' : 'nchw_twin');
}

/** NonMaxSuppressionV3/V4 (padded)/V5 (soft-NMS) on fed boxes and scores, then a GatherV2 of the kept boxes. */
function nms() {
  const g = new Graph(8);
  g.node('boxes', 'Placeholder', [], { dtype: T, shape: { shape: dims([-1, 4]) } });
  g.node('scores', 'Placeholder', [], { dtype: T, shape: { shape: dims([-1]) } });
  g.ints('max5', [5], []);
  g.ints('max8', [8], []);
  g.const('iou', [], [0.4]);
  g.const('score_min', [], [0.1]);
  g.const('sigma', [], [0.5]);
  g.node('nms3', 'NonMaxSuppressionV3', ['boxes', 'scores', 'max5', 'iou', 'score_min'], { T });
  g.node('nms4', 'NonMaxSuppressionV4', ['boxes', 'scores', 'max8', 'iou', 'score_min'], { T, T_threshold: T, pad_to_max_output_size: { b: true } });
  g.node('nms5', 'NonMaxSuppressionV5', ['boxes', 'scores', 'max8', 'iou', 'score_min', 'sigma'], { T, pad_to_max_output_size: { b: false } });
  g.ints('axis0', [0], []);
  g.node('kept_boxes', 'GatherV2', ['boxes', 'nms3', 'axis0'], { Tparams: T, Tindices: { type: 'DT_INT32' }, Taxis: { type: 'DT_INT32' }, batch_dims: { i: '0' } });
  g.write('nms');
}

/**
 * TF2 functional control flow, as the converter writes a tf.function with tf.cond and tf.while_loop:
 * StatelessIf with then/else functions, StatelessWhile with cond/body functions (a counter and an
 * accumulator), and an If whose branches return two values; function inputs name their producers
 * as 'node:outputName:index'.
 */
function control() {
  const g = new Graph(9);
  const I = { type: 'DT_INT32' };
  const B = { type: 'DT_BOOL' };
  const fn = (name, op, input, attr = {}) => ({ name, op, input, attr, device: '/device:CPU:0' });
  g.placeholder('x', [-1, 3]);
  g.node('total', 'Sum', ['x', g.ints('all_axes', [0, 1])], { T, Tidx: I, keep_dims: { b: false } });
  g.const('zero', [], [0]);
  g.node('positive', 'Greater', ['total', 'zero'], { T });
  g.fn('then_fn', [['a', 'DT_FLOAT']], [['y', 'DT_FLOAT']], [g.fnConst('then_fn/two', [], [2]), fn('then_fn/mul', 'Mul', ['a', 'then_fn/two:output:0'], { T })], { y: 'then_fn/mul:z:0' });
  g.fn('else_fn', [['a', 'DT_FLOAT']], [['y', 'DT_FLOAT']], [fn('else_fn/neg', 'Neg', ['a'], { T })], { y: 'else_fn/neg:y:0' });
  const branchAttrs = (t, e, tout) => ({ Tcond: B, Tin: { list: { type: ['DT_FLOAT'] } }, Tout: { list: { type: tout } }, then_branch: { func: { name: t } }, else_branch: { func: { name: e } }, output_shapes: { list: {} } });
  g.node('if', 'StatelessIf', ['positive', 'x'], branchAttrs('then_fn', 'else_fn', ['DT_FLOAT']));
  // Two outputs: (a + 1, max over the row) and (a - 1, min over the row).
  g.fn('pair_then', [['a', 'DT_FLOAT']], [['p', 'DT_FLOAT'], ['q', 'DT_FLOAT']], [
    g.fnConst('pair_then/one', [], [1]), g.fnConst('pair_then/axis', [], [1], 'int32'),
    fn('pair_then/add', 'AddV2', ['a', 'pair_then/one:output:0'], { T }), fn('pair_then/max', 'Max', ['a', 'pair_then/axis:output:0'], { T, Tidx: I, keep_dims: { b: false } }),
  ], { p: 'pair_then/add:z:0', q: 'pair_then/max:output:0' });
  g.fn('pair_else', [['a', 'DT_FLOAT']], [['p', 'DT_FLOAT'], ['q', 'DT_FLOAT']], [
    g.fnConst('pair_else/one', [], [1]), g.fnConst('pair_else/axis', [], [1], 'int32'),
    fn('pair_else/sub', 'Sub', ['a', 'pair_else/one:output:0'], { T }), fn('pair_else/min', 'Min', ['a', 'pair_else/axis:output:0'], { T, Tidx: I, keep_dims: { b: false } }),
  ], { p: 'pair_else/sub:z:0', q: 'pair_else/min:output:0' });
  g.node('negative', 'LogicalNot', ['positive']);
  g.node('pair', 'If', ['negative', 'x'], branchAttrs('pair_then', 'pair_else', ['DT_FLOAT', 'DT_FLOAT']));
  // while i < 4: (i + 1, acc * 0.5 + x)
  g.fn('loop_cond', [['i', 'DT_INT32'], ['acc', 'DT_FLOAT'], ['x0', 'DT_FLOAT']], [['keep_going', 'DT_BOOL']], [
    g.fnConst('loop_cond/four', [], [4], 'int32'), fn('loop_cond/less', 'Less', ['i', 'loop_cond/four:output:0'], { T: I }),
  ], { keep_going: 'loop_cond/less:z:0' });
  g.fn('loop_body', [['i', 'DT_INT32'], ['acc', 'DT_FLOAT'], ['x0', 'DT_FLOAT']], [['i_next', 'DT_INT32'], ['acc_next', 'DT_FLOAT'], ['x0_out', 'DT_FLOAT']], [
    g.fnConst('loop_body/one', [], [1], 'int32'), g.fnConst('loop_body/half', [], [0.5]),
    fn('loop_body/inc', 'AddV2', ['i', 'loop_body/one:output:0'], { T: I }),
    fn('loop_body/scaled', 'Mul', ['acc', 'loop_body/half:output:0'], { T }),
    fn('loop_body/next', 'AddV2', ['loop_body/scaled:z:0', 'x0'], { T }),
  ], { i_next: 'loop_body/inc:z:0', acc_next: 'loop_body/next:z:0', x0_out: 'x0' });
  g.ints('i0', [0], []);
  g.node('while', 'StatelessWhile', ['i0', 'x', 'x'], {
    T: { list: { type: ['DT_INT32', 'DT_FLOAT', 'DT_FLOAT'] } }, cond: { func: { name: 'loop_cond' } }, body: { func: { name: 'loop_body' } },
    parallel_iterations: { i: '10' }, output_shapes: { list: {} }, _num_original_outputs: { i: '3' },
  });
  g.write('control');
}

/**
 * TF1 control flow, as tf.compat.v1's tf.cond and tf.while_loop write it (frames, not functions):
 * a cond (Switch on the predicate, pivots, one Switch per captured tensor, a Merge), a while loop
 * with a counter and an accumulator whose trip count depends on the input (Enter, Merge,
 * LoopCond, Switch, Identity, NextIteration, Exit; the captured input and the bound as loop
 * invariants: Enter with is_constant), and a loop nested in another's body.
 */
function tf1() {
  const g = new Graph(10);
  const I = { type: 'DT_INT32' };
  const B = { type: 'DT_BOOL' };
  const F = (name, op, input, attr = {}) => g.node(name, op, input, { T, ...attr });
  const Ti = (name, op, input, attr = {}) => g.node(name, op, input, { T: I, ...attr });
  /** A Const under control inputs (how TF1 puts constants in a branch or loop body). */
  const ctrlConst = (name, value, dtype, ...controls) => {
    g.const(name, [], [value], dtype);
    g.nodes[g.nodes.length - 1].input = controls.map((c) => `^${c}`);
    return name;
  };
  g.placeholder('x', [-1, 3]);
  g.node('total', 'Sum', ['x', g.ints('all_axes', [0, 1])], { T, Tidx: I, keep_dims: { b: false } });
  g.const('zero', [], [0]);
  g.node('positive', 'Greater', ['total', 'zero'], { T });
  // cond: positive ? x * 2 : -x
  g.node('cond/Switch', 'Switch', ['positive', 'positive'], { T: B });
  g.node('cond/switch_t', 'Identity', ['cond/Switch:1'], { T: B });
  g.node('cond/switch_f', 'Identity', ['cond/Switch'], { T: B });
  g.node('cond/pred_id', 'Identity', ['positive'], { T: B });
  F('cond/mul/Switch', 'Switch', ['x', 'cond/pred_id']);
  ctrlConst('cond/mul/y', 2, 'float32', 'cond/switch_t');
  F('cond/mul', 'Mul', ['cond/mul/Switch:1', 'cond/mul/y']);
  F('cond/Neg/Switch', 'Switch', ['x', 'cond/pred_id']);
  F('cond/Neg', 'Neg', ['cond/Neg/Switch']);
  F('cond/Merge', 'Merge', ['cond/Neg', 'cond/mul'], { N: { i: '2' } });

  // while i < n: (i + 1, acc * 0.5 + x), n = ceil(sum |x|) + 1
  const enter = (name, input, frame, constant, type = T) => g.node(name, 'Enter', [input], { T: type, frame_name: s(frame), is_constant: { b: constant }, parallel_iterations: { i: '10' } });
  F('abs', 'Abs', ['x']);
  g.node('abs_sum', 'Sum', ['abs', 'all_axes'], { T, Tidx: I, keep_dims: { b: false } });
  F('abs_ceil', 'Ceil', ['abs_sum']);
  g.node('abs_int', 'Cast', ['abs_ceil'], { SrcT: T, DstT: I, Truncate: { b: false } });
  g.ints('one_i', [1], []);
  Ti('n', 'AddV2', ['abs_int', 'one_i']);
  g.ints('i0', [0], []);
  const W = 'while/while_context';
  enter('while/Enter', 'i0', W, false, I);
  enter('while/Enter_1', 'x', W, false);
  Ti('while/Merge', 'Merge', ['while/Enter', 'while/NextIteration'], { N: { i: '2' } });
  F('while/Merge_1', 'Merge', ['while/Enter_1', 'while/NextIteration_1'], { N: { i: '2' } });
  enter('while/Less/Enter', 'n', W, true, I);
  Ti('while/Less', 'Less', ['while/Merge', 'while/Less/Enter']);
  g.node('while/LoopCond', 'LoopCond', ['while/Less']);
  Ti('while/Switch', 'Switch', ['while/Merge', 'while/LoopCond'], { _class: { list: { s: [b64('loc:@while/Merge')] } } });
  F('while/Switch_1', 'Switch', ['while/Merge_1', 'while/LoopCond']);
  Ti('while/Identity', 'Identity', ['while/Switch:1']);
  F('while/Identity_1', 'Identity', ['while/Switch_1:1']);
  ctrlConst('while/add/y', 1, 'int32', 'while/Identity');
  Ti('while/add', 'AddV2', ['while/Identity', 'while/add/y']);
  ctrlConst('while/mul/y', 0.5, 'float32', 'while/Identity');
  F('while/mul', 'Mul', ['while/Identity_1', 'while/mul/y']);
  enter('while/add_1/Enter', 'x', W, true);
  F('while/add_1', 'AddV2', ['while/mul', 'while/add_1/Enter']);
  Ti('while/NextIteration', 'NextIteration', ['while/add']);
  F('while/NextIteration_1', 'NextIteration', ['while/add_1']);
  Ti('while/Exit', 'Exit', ['while/Switch']);
  F('while/Exit_1', 'Exit', ['while/Switch_1']);

  // Nested: for i in 0..2: s = total; for j in 0..i: s += x * 0.5; total = s  (total = 4x); i and x loop invariants of the inner loop
  const O = 'outer/while_context';
  const N = 'outer/inner/while_context';
  enter('outer/Enter', 'i0', O, false, I);
  enter('outer/Enter_1', 'x', O, false);
  // x rides along as a loop variable: TF.js's executor enters an invariant into an inner frame only in the first outer iteration.
  enter('outer/Enter_2', 'x', O, false);
  Ti('outer/Merge', 'Merge', ['outer/Enter', 'outer/NextIteration'], { N: { i: '2' } });
  F('outer/Merge_1', 'Merge', ['outer/Enter_1', 'outer/NextIteration_1'], { N: { i: '2' } });
  F('outer/Merge_2', 'Merge', ['outer/Enter_2', 'outer/NextIteration_2'], { N: { i: '2' } });
  ctrlConst('outer/Less/y', 3, 'int32', 'outer/Merge');
  Ti('outer/Less', 'Less', ['outer/Merge', 'outer/Less/y']);
  g.node('outer/LoopCond', 'LoopCond', ['outer/Less']);
  Ti('outer/Switch', 'Switch', ['outer/Merge', 'outer/LoopCond']);
  F('outer/Switch_1', 'Switch', ['outer/Merge_1', 'outer/LoopCond']);
  F('outer/Switch_2', 'Switch', ['outer/Merge_2', 'outer/LoopCond']);
  Ti('outer/Identity', 'Identity', ['outer/Switch:1']);
  F('outer/Identity_1', 'Identity', ['outer/Switch_1:1']);
  F('outer/Identity_2', 'Identity', ['outer/Switch_2:1']);
  // (A Const under a control input would be TF1's j0; TF.js's executor enters the frame from the root for a Const.)
  Ti('outer/inner/j0', 'ZerosLike', ['outer/Identity']);
  enter('outer/inner/Enter', 'outer/inner/j0', N, false, I);
  enter('outer/inner/Enter_1', 'outer/Identity_1', N, false);
  enter('outer/inner/i/Enter', 'outer/Identity', N, true, I);
  enter('outer/inner/x/Enter', 'outer/Identity_2', N, true);
  Ti('outer/inner/Merge', 'Merge', ['outer/inner/Enter', 'outer/inner/NextIteration'], { N: { i: '2' } });
  F('outer/inner/Merge_1', 'Merge', ['outer/inner/Enter_1', 'outer/inner/NextIteration_1'], { N: { i: '2' } });
  Ti('outer/inner/LessEqual', 'LessEqual', ['outer/inner/Merge', 'outer/inner/i/Enter']);
  g.node('outer/inner/LoopCond', 'LoopCond', ['outer/inner/LessEqual']);
  Ti('outer/inner/Switch', 'Switch', ['outer/inner/Merge', 'outer/inner/LoopCond']);
  F('outer/inner/Switch_1', 'Switch', ['outer/inner/Merge_1', 'outer/inner/LoopCond']);
  Ti('outer/inner/Identity', 'Identity', ['outer/inner/Switch:1']);
  F('outer/inner/Identity_1', 'Identity', ['outer/inner/Switch_1:1']);
  ctrlConst('outer/inner/add/y', 1, 'int32', 'outer/inner/Identity');
  Ti('outer/inner/add', 'AddV2', ['outer/inner/Identity', 'outer/inner/add/y']);
  ctrlConst('outer/inner/half', 0.5, 'float32', 'outer/inner/Identity');
  F('outer/inner/mul', 'Mul', ['outer/inner/x/Enter', 'outer/inner/half']);
  F('outer/inner/add_1', 'AddV2', ['outer/inner/Identity_1', 'outer/inner/mul']);
  Ti('outer/inner/NextIteration', 'NextIteration', ['outer/inner/add']);
  F('outer/inner/NextIteration_1', 'NextIteration', ['outer/inner/add_1']);
  Ti('outer/inner/Exit', 'Exit', ['outer/inner/Switch']);
  F('outer/inner/Exit_1', 'Exit', ['outer/inner/Switch_1']);
  ctrlConst('outer/add/y', 1, 'int32', 'outer/Identity');
  Ti('outer/add', 'AddV2', ['outer/Identity', 'outer/add/y']);
  Ti('outer/NextIteration', 'NextIteration', ['outer/add']);
  F('outer/NextIteration_1', 'NextIteration', ['outer/inner/Exit_1']);
  F('outer/NextIteration_2', 'NextIteration', ['outer/Identity_2']);
  Ti('outer/Exit', 'Exit', ['outer/Switch']);
  F('outer/Exit_1', 'Exit', ['outer/Switch_1']);
  g.write('tf1');
}

/** TF1 frames gone wrong: a NextIteration outside any loop frame (nothing Enters it). */
function tf1Malformed() {
  const g = new Graph(11);
  g.placeholder('x', [-1, 3]);
  g.node('Merge', 'Merge', ['x', 'NextIteration'], { T, N: { i: '2' } });
  g.node('Neg', 'Neg', ['Merge'], { T });
  g.node('NextIteration', 'NextIteration', ['Neg'], { T });
  g.node('out', 'Identity', ['Merge'], { T });
  g.write('tf1_malformed');
}

/**
 * Strings and a hash table, as the converter writes a StringLookup-style vocabulary: the table's
 * initializer (HashTableV2, its keys and values, LookupTableImportV2) in modelInitializer, run
 * at load; the model looks words up (LookupTableFindV2, -1 for unknown words), counts the table
 * (LookupTableSizeV2), hashes words into buckets (StringToHashBucketFast), blanks their vowels
 * (StaticRegexReplace; lower case only: TF.js lower-cases the pattern) and splits them at '-' (StringSplit) before hashing the pieces
 * and taking their n-grams (StringNGrams).
 */
function table() {
  const g = new Graph(12);
  const S = { type: 'DT_STRING' };
  const I64 = { type: 'DT_INT64' };
  const tableAttrs = { key_dtype: S, value_dtype: I64, shared_name: s('hash_table_vocab'), use_node_name_sharing: { b: false }, container: s('') };
  // The initializer graph: its Consts' values are in the model's one weights manifest.
  g.node('vocab_table', 'HashTableV2', [], tableAttrs);
  g.strings('vocab_keys', [5], ['the', 'cat', 'sat', 'on', 'mat']);
  g.ints('vocab_values', [7, 3, 11, 2, 5]);
  g.node('vocab_init', 'LookupTableImportV2', ['vocab_table', 'vocab_keys', 'vocab_values'], { Tin: S, Tout: I64 });
  const initializer = g.nodes.splice(0);
  g.node('words', 'Placeholder', [], { dtype: S, shape: { shape: dims([-1]) } });
  g.node('vocab_table', 'HashTableV2', [], tableAttrs);
  g.ints('unknown', [-1], []);
  g.node('ids', 'LookupTableFindV2', ['vocab_table', 'words', 'unknown'], { Tin: S, Tout: I64 });
  g.node('vocab_size', 'LookupTableSizeV2', ['vocab_table']);
  g.node('ids_float', 'Cast', ['ids'], { SrcT: I64, DstT: T, Truncate: { b: false } });
  g.const('scale', [], [0.5]);
  g.node('scaled', 'Mul', ['ids_float', 'scale'], { T });
  g.node('buckets', 'StringToHashBucketFast', ['words'], { num_buckets: { i: '1000' } });
  g.node('lower', 'StaticRegexReplace', ['words'], { pattern: s('[aeiou]'), rewrite: s('_'), replace_global: { b: true } });
  g.strings('dash', [], ['-']);
  g.node('pieces', 'StringSplit', ['words', 'dash'], { skip_empty: { b: true } });
  g.node('piece_buckets', 'StringToHashBucketFast', ['pieces:1'], { num_buckets: { i: '2147483647' } });
  // The pieces as one ragged row (splits [0, n]): n-grams of widths 1-3 padded by one, and one padded short sequence.
  g.node('piece_count', 'Size', ['pieces:1'], { T: S, out_type: { type: 'DT_INT32' } });
  g.ints('zero_i', [0], []);
  g.node('piece_splits', 'Pack', ['zero_i', 'piece_count'], { T: { type: 'DT_INT32' }, N: { i: '2' }, axis: { i: '0' } });
  const ngramAttrs = (widths, pad, preserve) => ({
    separator: s(' '), ngram_widths: list(...widths), left_pad: s('<s>'), right_pad: s('</s>'), pad_width: { i: String(pad) }, preserve_short_sequences: { b: preserve }, T: S, Tsplits: { type: 'DT_INT32' },
  });
  g.node('ngrams', 'StringNGrams', ['pieces:1', 'piece_splits'], ngramAttrs([1, 2, 3], 1, false));
  g.node('long_ngrams', 'StringNGrams', ['pieces:1', 'piece_splits'], ngramAttrs([40], 0, true));
  g.write('table', { modelInitializer: { node: initializer, versions: { producer: 1645 } } });
}

mlp();
cnn();
dwbn();
ops();
layouts(true);
layouts(false);
nms();
control();
tf1();
tf1Malformed();
table();
console.log(`wrote ${ROOT}{mlp,cnn,dwbn,ops,nchw,nchw_twin,nms,control,tf1,tf1_malformed,table}`);
