// TensorFlow's neural-network ops: convolutions, pooling, matrix products, batch norm and softmax,
// and the fused forms TF.js's converter writes (_FusedConv2D, FusedDepthwiseConv2dNative,
// _FusedMatMul: the product, then an optional BiasAdd, then an optional activation).
import { ShapeError, fmtShape } from '../../../errors.js';
import { add, maximum, minimum, mul, sub } from '../../../ops/primitives/binary.js';
import { conv2d, conv2dTranspose, depthwiseConv2d } from '../../../ops/primitives/conv.js';
import { interpolateAxis } from '../../../ops/composite/interpolate-axis.js';
import type { Padding } from '../../../ops/primitives/conv-geometry.js';
import { matmul } from '../../../ops/primitives/matmul.js';
import { avgPool, maxPool } from '../../../ops/primitives/pool.js';
import { relu, rsqrt, sigmoid, tanh } from '../../../ops/primitives/unary.js';
import { elu, leakyRelu, logSoftmax, relu6, softmax } from '../../../ops/composite/activations.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { assertSize, type TfNodeContext } from '../node-context.js';
import { one, type TfOpTable } from '../op-table.js';

/** The [h, w] of an NHWC 4-list attribute (strides, dilations, ksize), checked to leave batch and channels alone. */
function spatialPair(attrs: TfNodeAttrs, name: string): [number, number] {
  const v = attrs.ints(name) ?? [1, 1, 1, 1];
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1 || !v.every((n) => Number.isInteger(n) && n > 0)) {
    attrs.unsupported(`${name} ${JSON.stringify(v)} (only [1, h, w, 1] with positive h and w)`);
  }
  return [v[1]!, v[2]!];
}

function checkNhwc(attrs: TfNodeAttrs): void {
  const format = attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC') attrs.unsupported(`data_format '${format}'`);
}

/** TensorFlow's padding attribute as nabla's: 'same', 'valid', or explicit [[top, bottom], [left, right]]. */
function paddingOf(attrs: TfNodeAttrs, explicitAllowed = true): Padding {
  const p = attrs.string('padding', 'VALID');
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  if (p === 'EXPLICIT' && explicitAllowed) {
    const e = attrs.ints('explicit_paddings') ?? [];
    if (e.length !== 8 || e[0] || e[1] || e[6] || e[7] || e.some((n) => n < 0)) attrs.unsupported(`explicit_paddings ${JSON.stringify(e)}`);
    return [
      [e[2]!, e[3]!],
      [e[4]!, e[5]!],
    ];
  }
  return attrs.unsupported(`padding '${p}'`);
}

function checkWindowed(attrs: TfNodeAttrs): void {
  checkNhwc(attrs);
  spatialPair(attrs, 'strides');
  spatialPair(attrs, 'dilations');
  paddingOf(attrs);
}

function checkPool(attrs: TfNodeAttrs): void {
  checkNhwc(attrs);
  spatialPair(attrs, 'strides');
  spatialPair(attrs, 'ksize');
  paddingOf(attrs, false);
}

const ACTIVATIONS = ['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Prelu'];

/** The fused ops list: [] , ['BiasAdd'], ['BiasAdd', activation] or [activation]; anything else fails at load. */
function fusedSteps(attrs: TfNodeAttrs): { bias: boolean; activation: string | null } {
  const ops = attrs.strings('fused_ops') ?? [];
  const bias = ops[0] === 'BiasAdd';
  const rest = bias ? ops.slice(1) : ops;
  if (rest.length > 1 || (rest.length === 1 && !ACTIVATIONS.includes(rest[0]!))) {
    attrs.unsupported(`fused_ops ${JSON.stringify(ops)} (nabla fuses BiasAdd and then one of ${ACTIVATIONS.join(', ')})`);
  }
  const activation = rest[0] ?? null;
  const args = (bias ? 1 : 0) + (activation === 'Prelu' ? 1 : 0);
  const numArgs = attrs.int('num_args', args);
  if (numArgs !== args) attrs.unsupported(`num_args ${numArgs} with fused_ops ${JSON.stringify(ops)} (expected ${args})`);
  return { bias, activation };
}

function activate(y: Tensor, activation: string | null, ctx: TfNodeContext, argIndex: number): Tensor {
  switch (activation) {
    case null:
      return y;
    case 'Relu':
      return relu(y);
    case 'Relu6':
      return relu6(y);
    case 'Elu':
      return elu(y);
    case 'LeakyRelu':
      return leakyRelu(y, { alpha: ctx.attrs.float('leakyrelu_alpha', 0.2) });
    case 'Sigmoid':
      return sigmoid(y);
    case 'Tanh':
      return tanh(y);
    default: {
      // Prelu: max(y, 0) + alpha * min(y, 0), alpha per channel.
      const alpha = ctx.input(argIndex);
      return add(maximum(y, 0), mul(alpha, minimum(y, 0)));
    }
  }
}

/** Bias and activation after the product, from the inputs after the first two. */
function fusedTail(y: Tensor, ctx: TfNodeContext): Tensor {
  const { bias, activation } = fusedSteps(ctx.attrs);
  if (bias) y = add(y, ctx.input(2));
  return activate(y, activation, ctx, bias ? 3 : 2);
}

function convWith(ctx: TfNodeContext, depthwise: boolean): Tensor {
  const opts = { strides: spatialPair(ctx.attrs, 'strides'), dilations: spatialPair(ctx.attrs, 'dilations'), padding: paddingOf(ctx.attrs) };
  const x = ctx.input(0);
  if (x.rank !== 4) throw new ShapeError(`loadGraphModel: ${ctx.where}: input must be NHWC of rank 4, got ${fmtShape(x.shape)}`);
  if (Array.isArray(opts.padding)) {
    const [[t, b], [l, r]] = opts.padding as [[number, number], [number, number]];
    assertSize(ctx.where, [x.shape[0]!, x.shape[1]! + t + b, x.shape[2]! + l + r, x.shape[3]!]);
  }
  return depthwise ? depthwiseConv2d(x, ctx.input(1), opts) : conv2d(x, ctx.input(1), opts);
}

function pool(ctx: TfNodeContext, f: typeof maxPool): Tensor {
  return f(ctx.input(0), { poolSize: spatialPair(ctx.attrs, 'ksize'), strides: spatialPair(ctx.attrs, 'strides'), padding: paddingOf(ctx.attrs, false) as 'same' | 'valid' });
}

function matmulOf(ctx: TfNodeContext, ta: string, tb: string): Tensor {
  return matmul(ctx.input(0), ctx.input(1), { transposeA: ctx.attrs.bool(ta, false), transposeB: ctx.attrs.bool(tb, false) });
}

/** Inference batch norm over the last (channel) axis: (x - mean) * scale / sqrt(var + eps) + offset. */
function batchNorm(ctx: TfNodeContext): Tensor {
  const [x, scale, offset, m, v] = [0, 1, 2, 3, 4].map((i) => ctx.input(i)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
  const k = mul(scale, rsqrt(add(v, ctx.attrs.float('epsilon', 0.0001))));
  return add(mul(sub(x, m), k), offset);
}

function checkBatchNorm(attrs: TfNodeAttrs): void {
  checkNhwc(attrs);
  if (attrs.bool('is_training', false)) attrs.unsupported('is_training=true (training-mode batch statistics)');
}

function checkBiasAdd(attrs: TfNodeAttrs): void {
  checkNhwc(attrs);
}

const batchNormOp = one(batchNorm, checkBatchNorm);

/** Conv2DBackpropInput (what Keras's Conv2DTranspose becomes): input_sizes, filter, the gradient-like input. */
function convBackpropInput(ctx: TfNodeContext): Tensor {
  const sizes = ctx.numbers(0, 'input_sizes');
  const opts = { strides: spatialPair(ctx.attrs, 'strides'), dilations: spatialPair(ctx.attrs, 'dilations'), padding: paddingOf(ctx.attrs) };
  return conv2dTranspose(ctx.input(2), ctx.input(1), sizes, opts);
}

/**
 * ResizeBilinear / ResizeNearestNeighbor on NHWC images to `size` (input 1), with TensorFlow's
 * coordinate rules: align_corners, half_pixel_centers, or neither (asymmetric).
 */
function resize(ctx: TfNodeContext, mode: 'linear' | 'nearest'): Tensor {
  let x = ctx.input(0);
  if (x.rank !== 4) throw new ShapeError(`loadGraphModel: ${ctx.where}: images must be NHWC of rank 4, got ${fmtShape(x.shape)}`);
  const size = ctx.numbers(1, 'size');
  if (size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1 || d > 2 ** 16)) throw new ShapeError(`loadGraphModel: ${ctx.where}: size ${JSON.stringify(size)} must be two positive integers`);
  const align = ctx.attrs.bool('align_corners', false);
  const half = ctx.attrs.bool('half_pixel_centers', false);
  for (const axis of [1, 2]) {
    const n = x.shape[axis]!;
    const out = size[axis - 1]!;
    const scale = align && out > 1 ? (n - 1) / (out - 1) : n / out;
    const src = Array.from({ length: out }, (_, i) => (half ? (mode === 'linear' ? (i + 0.5) * scale - 0.5 : (i + 0.5) * scale) : i * scale));
    x = interpolateAxis(x, axis, src, mode, align ? Math.round : Math.floor);
  }
  return x;
}

function checkResize(attrs: TfNodeAttrs): void {
  if (attrs.bool('align_corners', false) && attrs.bool('half_pixel_centers', false)) attrs.unsupported('align_corners together with half_pixel_centers');
}

export const nnOps: TfOpTable = {
  Conv2D: one((ctx) => convWith(ctx, false), checkWindowed),
  DepthwiseConv2dNative: one((ctx) => convWith(ctx, true), checkWindowed),
  _FusedConv2D: one(
    (ctx) => fusedTail(convWith(ctx, false), ctx),
    (a) => (checkWindowed(a), fusedSteps(a)),
  ),
  FusedDepthwiseConv2dNative: one(
    (ctx) => fusedTail(convWith(ctx, true), ctx),
    (a) => (checkWindowed(a), fusedSteps(a)),
  ),
  MatMul: one((ctx) => matmulOf(ctx, 'transpose_a', 'transpose_b')),
  BatchMatMul: one((ctx) => matmulOf(ctx, 'adj_x', 'adj_y')),
  BatchMatMulV2: one((ctx) => matmulOf(ctx, 'adj_x', 'adj_y')),
  _FusedMatMul: one(
    (ctx) => fusedTail(matmulOf(ctx, 'transpose_a', 'transpose_b'), ctx),
    (a) => void fusedSteps(a),
  ),
  BiasAdd: one((ctx) => add(ctx.input(0), ctx.input(1)), checkBiasAdd),
  MaxPool: one((ctx) => pool(ctx, maxPool), checkPool),
  AvgPool: one((ctx) => pool(ctx, avgPool), checkPool),
  FusedBatchNorm: batchNormOp,
  FusedBatchNormV2: batchNormOp,
  FusedBatchNormV3: batchNormOp,
  Conv2DBackpropInput: one(convBackpropInput, checkWindowed),
  ResizeBilinear: one((ctx) => resize(ctx, 'linear'), checkResize),
  ResizeNearestNeighbor: one((ctx) => resize(ctx, 'nearest'), checkResize),
  Softmax: one((ctx) => softmax(ctx.input(0), -1)),
  LogSoftmax: one((ctx) => logSoftmax(ctx.input(0), -1)),
  Prelu: one((ctx) => add(maximum(ctx.input(0), 0), mul(ctx.input(1), minimum(ctx.input(0), 0)))),
};
