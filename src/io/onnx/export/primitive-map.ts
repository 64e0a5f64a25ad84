// nabla primitives -> ONNX nodes (opset 17). Images stay channels-last as in nabla: Conv and the
// pools are wrapped in Transposes to ONNX's NCHW, and conv filters [kh, kw, in, out] are transposed
// to [out, in, kh, kw] by a node, so the initializers hold the variables' values unchanged.
import { ValueError } from '../../../errors.js';
import { isFloat, type DType } from '../../../tensor/dtype.js';
import { ONNX_DTYPE } from '../proto.js';
import type { OnnxBuilder } from './onnx-builder.js';
import { ONNX_OF, type Emit, type TracedNode } from './emit.js';
import { INDEXING_EXPORTS } from './indexing-exports.js';
import { RANDOM_EXPORTS } from './random-exports.js';
import { SCAN_EXPORTS } from './scan-exports.js';

/** Whether axis 0 of input 0 and output 0 is the (dynamic) batch axis carried through. */
const keepsBatch = (n: TracedNode) => n.batch !== null && n.inShapes[0]![0] === n.batch && n.outShapes[0]![0] === n.batch;

/** A shape argument with the batch axis made dynamic: `copy` stands for "the input's size". */
const shapeArg = (n: TracedNode, copy: number) => n.outShapes[0]!.map((d, i) => (i === 0 && keepsBatch(n) ? copy : d));

const TO_END = 2147483647;


const simple = (opType: string): Emit => (b, n) => [b.add1(opType, n.ins)];

const NCHW = [0, 3, 1, 2];
const NHWC = [0, 2, 3, 1];

/** [top, bottom, left, right] -> ONNX [top, left, bottom, right]. */
const onnxPads = (p: number[]) => [p[0]!, p[2]!, p[1]!, p[3]!];

/** An image operand as ONNX's NCHW: a channels-first op's as it is, a channels-last one's transposed. */
const toNCHW = (b: Parameters<Emit>[0], name: string, channelsFirst: boolean | undefined) => (channelsFirst ? name : b.add1('Transpose', [name], { perm: NCHW }));
const fromNCHW = (b: Parameters<Emit>[0], name: string, channelsFirst: boolean | undefined) => (channelsFirst ? name : b.add1('Transpose', [name], { perm: NHWC }));

type PoolAttrs = { poolSize: number[]; strides: number[]; pads: number[]; channelsFirst?: boolean };

/**
 * A channels-last pool whose window spans one unit axis (1-D pools, the depth pass of 3-D ones) is
 * in memory an NCHW pool of one channel: Reshapes around it, no Transposes. Null when it is not.
 */
function unitAxisPool(b: OnnxBuilder, n: TracedNode, opType: string, a: PoolAttrs): string | null {
  if (a.channelsFirst) return null;
  const [, h, w, c] = n.inShapes[0]!;
  const flat = (axis: 0 | 1, size: number) => size === 1 && a.poolSize[axis] === 1 && a.pads[2 * axis] === 0 && a.pads[2 * axis + 1] === 0;
  const along = flat(1, w!) ? 0 : flat(0, h!) ? 1 : -1;
  if (along < 0) return null;
  const x = b.add1('Reshape', [n.ins[0]!, b.int64s('shape', [0, 1, along === 0 ? h! : w!, c!])]);
  const y = b.add1(opType, [x], { kernel_shape: [a.poolSize[along]!, 1], strides: [a.strides[along]!, 1], pads: [a.pads[2 * along]!, 0, a.pads[2 * along + 1]!, 0] });
  return b.add1('Reshape', [y, b.int64s('shape', [0, ...n.outShapes[0]!.slice(1)])]);
}

function windowed(opType: 'MaxPool' | 'AveragePool'): Emit {
  return (b, n) => {
    const a = n.attrs as PoolAttrs;
    const unit = unitAxisPool(b, n, opType, a);
    if (unit) return [unit];
    const x = toNCHW(b, n.ins[0]!, a.channelsFirst);
    // nabla's average never counts padded cells: ONNX's count_include_pad=0 (the default).
    const y = b.add1(opType, [x], { kernel_shape: a.poolSize, strides: a.strides, pads: onnxPads(a.pads) });
    return [fromNCHW(b, y, a.channelsFirst)];
  };
}

function reduce(opType: string, axesAsInput: boolean): Emit {
  return (b, n) => {
    const a = n.attrs as { axes: number[]; keepDims: boolean };
    if (a.axes.length === 0) return [b.add1('Identity', [n.ins[0]!])];
    const keepdims = a.keepDims ? 1 : 0;
    if (axesAsInput) return [b.add1(opType, [n.ins[0]!, b.int64s('axes', a.axes)], { keepdims })];
    return [b.add1(opType, [n.ins[0]!], { axes: a.axes, keepdims })];
  };
}

export const PRIMITIVE_EXPORTS: Readonly<Record<string, Emit>> = {
  add: simple('Add'),
  sub: simple('Sub'),
  mul: simple('Mul'),
  div: simple('Div'),
  pow: simple('Pow'),
  maximum: simple('Max'),
  minimum: simple('Min'),
  neg: simple('Neg'),
  abs: simple('Abs'),
  sign: simple('Sign'),
  exp: simple('Exp'),
  expm1: (b, n) => [b.add1('Sub', [b.add1('Exp', n.ins), b.initializer('one', n.outDTypes[0]!, [], n.outDTypes[0] === 'float64' ? Float64Array.of(1) : Float32Array.of(1))])],
  log1p: (b, n) => [b.add1('Log', [b.add1('Add', [n.ins[0]!, b.initializer('one', n.outDTypes[0]!, [], n.outDTypes[0] === 'float64' ? Float64Array.of(1) : Float32Array.of(1))])])],
  log: simple('Log'),
  sqrt: simple('Sqrt'),
  rsqrt: (b, n) => [b.add1('Reciprocal', [b.add1('Sqrt', n.ins)])],
  square: (b, n) => [b.add1('Mul', [n.ins[0]!, n.ins[0]!])],
  reciprocal: simple('Reciprocal'),
  sin: simple('Sin'),
  cos: simple('Cos'),
  tanh: simple('Tanh'),
  sigmoid: simple('Sigmoid'),
  relu: simple('Relu'),
  erf: simple('Erf'),
  floor: simple('Floor'),
  ceil: simple('Ceil'),
  round: simple('Round'),
  logicalNot: simple('Not'),
  equal: simple('Equal'),
  notEqual: (b, n) => [b.add1('Not', [b.add1('Equal', n.ins)])],
  less: simple('Less'),
  lessEqual: simple('LessOrEqual'),
  greater: simple('Greater'),
  greaterEqual: simple('GreaterOrEqual'),
  logicalAnd: simple('And'),
  logicalOr: simple('Or'),
  where: simple('Where'),
  copy: simple('Identity'),
  stopGradient: simple('Identity'),
  cast: (b, n) => [b.add1('Cast', n.ins, { to: ONNX_OF[(n.attrs as { dtype: DType }).dtype] })],
  sum: reduce('ReduceSum', true),
  max: reduce('ReduceMax', false),
  min: reduce('ReduceMin', false),
  prod: reduce('ReduceProd', false),
  argmax: (b, n) => [b.add1('Cast', [b.add1('ArgMax', n.ins, { axis: (n.attrs as { axis: number }).axis, keepdims: 0 })], { to: ONNX_DTYPE.INT32 })],
  argmin: (b, n) => [b.add1('Cast', [b.add1('ArgMin', n.ins, { axis: (n.attrs as { axis: number }).axis, keepdims: 0 })], { to: ONNX_DTYPE.INT32 })],
  // Reshape's 0 copies the input's dim; Expand's 1 broadcasts to it.
  reshape: (b, n) => [b.add1('Reshape', [n.ins[0]!, b.int64s('shape', shapeArg(n, 0))])],
  transpose: (b, n) => [b.add1('Transpose', n.ins, { perm: (n.attrs as { perm: number[] }).perm })],
  broadcastTo: (b, n) => [b.add1('Expand', [n.ins[0]!, b.int64s('shape', shapeArg(n, 1))])],
  concat: (b, n) => [b.add1('Concat', n.ins, { axis: (n.attrs as { axis: number }).axis })],
  slice: (b, n) => {
    const { begin, size, step } = n.attrs as { begin: number[]; size: number[]; step: number[] };
    const full = (i: number) => begin[i] === 0 && step[i] === 1 && size[i] === n.inShapes[0]![i];
    const ends = begin.map((s, i) => {
      if (full(i)) return TO_END;
      const e = s + size[i]! * step[i]!;
      return step[i]! < 0 && e < 0 ? -(n.inShapes[0]![i]! + 1) : e;
    });
    const axes = begin.map((_, i) => i);
    return [b.add1('Slice', [n.ins[0]!, b.int64s('starts', begin), b.int64s('ends', ends), b.int64s('axes', axes), b.int64s('steps', step)])];
  },
  flip: (b, n) => {
    const axes = (n.attrs as { axes: number[] }).axes;
    const shape = n.inShapes[0]!;
    const starts = axes.map((a) => shape[a]! - 1);
    const ends = axes.map((a) => -(shape[a]! + 1));
    return [b.add1('Slice', [n.ins[0]!, b.int64s('starts', starts), b.int64s('ends', ends), b.int64s('axes', axes), b.int64s('steps', axes.map(() => -1))])];
  },
  pad: (b, n) => {
    const { paddings, value } = n.attrs as { paddings: [number, number][]; value: number };
    const pads = [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])];
    const dtype = n.outDTypes[0]!;
    // A float fill is a Constant node, not an initializer: importers (nabla's included) make float
    // initializers trainable weights, and Pad needs its fill known at load.
    const constant = () => b.add1('Constant', [], { value_float: { float: value } });
    const fill = isFloat(dtype)
      ? dtype === 'float32' ? constant() : b.add1('Cast', [constant()], { to: ONNX_OF[dtype] })
      : b.initializer('pad_value', dtype, [], dtype === 'bool' ? Uint8Array.of(value ? 1 : 0) : Int32Array.of(value));
    return [b.add1('Pad', [n.ins[0]!, b.int64s('pads', pads), fill], { mode: 'constant' })];
  },
  matmul: (b, n) => {
    const { transposeA, transposeB } = n.attrs as { transposeA: boolean; transposeB: boolean };
    const swapLast = (name: string, rank: number) => b.add1('Transpose', [name], { perm: [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2] });
    const a = transposeA ? swapLast(n.ins[0]!, n.inShapes[0]!.length) : n.ins[0]!;
    const c = transposeB ? swapLast(n.ins[1]!, n.inShapes[1]!.length) : n.ins[1]!;
    return [b.add1('MatMul', [a, c])];
  },
  conv2d: (b, n) => {
    const a = n.attrs as { strides: number[]; dilations: number[]; pads: number[]; groups: number; channelsFirst?: boolean };
    const x = toNCHW(b, n.ins[0]!, a.channelsFirst);
    const w = b.add1('Transpose', [n.ins[1]!], { perm: [3, 2, 0, 1] });
    const f = n.inShapes[1]!;
    const y = b.add1('Conv', [x, w], { kernel_shape: [f[0]!, f[1]!], strides: a.strides, dilations: a.dilations, pads: onnxPads(a.pads), group: a.groups });
    return [fromNCHW(b, y, a.channelsFirst)];
  },
  // conv2d's input gradient is a transposed convolution: its filter [kh, kw, out/g, in] is ONNX's
  // ConvTranspose weight [in, out/g, kh, kw]; output_padding supplies the rows no window reaches.
  conv2dBackpropInput: (b, n) => {
    const a = n.attrs as { strides: number[]; dilations: number[]; pads: number[]; groups: number; inputShape: number[]; channelsFirst?: boolean };
    const hw = a.channelsFirst ? 2 : 1;
    const [h, w] = n.inShapes[0]!.slice(hw, hw + 2);
    const f = n.inShapes[1]!;
    const span = (i: 0 | 1, inSize: number) => a.strides[i]! * (inSize - 1) + (f[i]! - 1) * a.dilations[i]! + 1 - a.pads[2 * i]! - a.pads[2 * i + 1]!;
    const outputPadding = [a.inputShape[hw]! - span(0, h!), a.inputShape[hw + 1]! - span(1, w!)];
    const x = toNCHW(b, n.ins[0]!, a.channelsFirst);
    const wt = b.add1('Transpose', [n.ins[1]!], { perm: [3, 2, 0, 1] });
    const y = b.add1('ConvTranspose', [x, wt], {
      kernel_shape: [f[0]!, f[1]!],
      strides: a.strides,
      dilations: a.dilations,
      pads: onnxPads(a.pads),
      output_padding: outputPadding,
      group: a.groups,
    });
    return [fromNCHW(b, y, a.channelsFirst)];
  },
  maxPool: windowed('MaxPool'),
  avgPool: windowed('AveragePool'),
  ...INDEXING_EXPORTS,
  ...SCAN_EXPORTS,
  ...RANDOM_EXPORTS,
};
