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
import { reshape, transpose } from '../../../ops/primitives/shape.js';
import { elu, leakyRelu, logSoftmax, relu6, softmax } from '../../../ops/composite/activations.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { assertSize, type TfNodeContext } from '../node-context.js';
import { one, type TfOpTable } from '../op-table.js';

/** Whether the node's images are NCHW (channels first); anything but NHWC or NCHW fails at load. */
function channelsFirst(attrs: TfNodeAttrs): boolean {
  const format = attrs.string('data_format', 'NHWC');
  if (format !== 'NHWC' && format !== 'NCHW') attrs.unsupported(`data_format '${format}' (NHWC and NCHW are)`);
  return format === 'NCHW';
}

/** The [h, w] of a 4-list attribute in the node's layout (strides, dilations, ksize), checked to leave batch and channels alone. */
function spatialPair(attrs: TfNodeAttrs, name: string): [number, number] {
  const first = channelsFirst(attrs);
  const v = attrs.ints(name) ?? [1, 1, 1, 1];
  const [h, w] = first ? [2, 3] : [1, 2];
  const [n, c] = first ? [0, 1] : [0, 3];
  if (v.length !== 4 || v[n] !== 1 || v[c] !== 1 || !v.every((k) => Number.isInteger(k) && k > 0)) {
    attrs.unsupported(`${name} ${JSON.stringify(v)} (only ${first ? '[1, 1, h, w]' : '[1, h, w, 1]'} with positive h and w)`);
  }
  return [v[h]!, v[w]!];
}

function checkNhwc(attrs: TfNodeAttrs): void {
  channelsFirst(attrs);
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/**
 * `f` on NHWC images: an NCHW node's input is transposed to NHWC and the result back (nabla's
 * kernels are channels-last), so TF.js's NCHW models run as written.
 */
function inLayout(ctx: TfNodeContext, f: (x: Tensor) => Tensor): Tensor {
  const x = ctx.input(0);
  if (!channelsFirst(ctx.attrs)) return f(x);
  if (x.rank !== 4) throw new ShapeError(`loadGraphModel: ${ctx.where}: NCHW input must have rank 4, got ${fmtShape(x.shape)}`);
  return transpose(f(transpose(x, TO_NHWC)), TO_NCHW);
}

/** TensorFlow's padding attribute as nabla's: 'same', 'valid', or explicit [[top, bottom], [left, right]]. */
function paddingOf(attrs: TfNodeAttrs, explicitAllowed = true): Padding {
  const p = attrs.string('padding', 'VALID');
  if (p === 'SAME') return 'same';
  if (p === 'VALID') return 'valid';
  if (p === 'EXPLICIT' && explicitAllowed) {
    const e = attrs.ints('explicit_paddings') ?? [];
    // Pairs per axis in the node's layout: the batch and channel pairs must be zero.
    const [h, w, c] = channelsFirst(attrs) ? [4, 6, 2] : [2, 4, 6];
    if (e.length !== 8 || e[0] || e[1] || e[c] || e[c + 1] || e.some((n) => n < 0)) attrs.unsupported(`explicit_paddings ${JSON.stringify(e)}`);
    return [
      [e[h]!, e[h + 1]!],
      [e[w]!, e[w + 1]!],
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

/** The convolution, then `tail` (the fused bias and activation, channels-last), in the node's layout. */
function convWith(ctx: TfNodeContext, depthwise: boolean, tail: (y: Tensor) => Tensor = (y) => y): Tensor {
  return inLayout(ctx, (x) => tail(convNhwc(ctx, x, depthwise)));
}

function convNhwc(ctx: TfNodeContext, x: Tensor, depthwise: boolean): Tensor {
  const opts = { strides: spatialPair(ctx.attrs, 'strides'), dilations: spatialPair(ctx.attrs, 'dilations'), padding: paddingOf(ctx.attrs) };
  if (x.rank !== 4) throw new ShapeError(`loadGraphModel: ${ctx.where}: input must be NHWC of rank 4, got ${fmtShape(x.shape)}`);
  if (Array.isArray(opts.padding)) {
    const [[t, b], [l, r]] = opts.padding as [[number, number], [number, number]];
    assertSize(ctx.where, [x.shape[0]!, x.shape[1]! + t + b, x.shape[2]! + l + r, x.shape[3]!]);
  }
  return depthwise ? depthwiseConv2d(x, ctx.input(1), opts) : conv2d(x, ctx.input(1), opts);
}

function pool(ctx: TfNodeContext, f: typeof maxPool): Tensor {
  return inLayout(ctx, (x) => f(x, { poolSize: spatialPair(ctx.attrs, 'ksize'), strides: spatialPair(ctx.attrs, 'strides'), padding: paddingOf(ctx.attrs, false) as 'same' | 'valid' }));
}

function matmulOf(ctx: TfNodeContext, ta: string, tb: string): Tensor {
  return matmul(ctx.input(0), ctx.input(1), { transposeA: ctx.attrs.bool(ta, false), transposeB: ctx.attrs.bool(tb, false) });
}

/** Inference batch norm over the last (channel) axis: (x - mean) * scale / sqrt(var + eps) + offset. */
function batchNorm(ctx: TfNodeContext): Tensor {
  const [x, scale, offset, m, v] = [0, 1, 2, 3, 4].map((i) => perChannel(ctx, ctx.input(i), i === 0)) as [Tensor, Tensor, Tensor, Tensor, Tensor];
  const k = mul(scale, rsqrt(add(v, ctx.attrs.float('epsilon', 0.0001))));
  return add(mul(sub(x, m), k), offset);
}

/** A per-channel vector shaped to broadcast over the node's images ([C, 1, 1] for NCHW). */
function perChannel(ctx: TfNodeContext, t: Tensor, isData = false): Tensor {
  if (isData || !channelsFirst(ctx.attrs)) return t;
  const rank = ctx.input(0).rank;
  if (rank < 2) throw new ShapeError(`loadGraphModel: ${ctx.where}: NCHW input must have rank >= 2, got ${fmtShape(ctx.input(0).shape)}`);
  return reshape(t, [t.size, ...Array<number>(rank - 2).fill(1)]);
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
  const first = channelsFirst(ctx.attrs);
  const given = ctx.numbers(0, 'input_sizes');
  const sizes = first && given.length === 4 ? TO_NHWC.map((a) => given[a]!) : given;
  const opts = { strides: spatialPair(ctx.attrs, 'strides'), dilations: spatialPair(ctx.attrs, 'dilations'), padding: paddingOf(ctx.attrs) };
  const dy = ctx.input(2);
  if (!first) return conv2dTranspose(dy, ctx.input(1), sizes, opts);
  return transpose(conv2dTranspose(transpose(dy, TO_NHWC), ctx.input(1), sizes, opts), TO_NCHW);
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
    (ctx) => convWith(ctx, false, (y) => fusedTail(y, ctx)),
    (a) => (checkWindowed(a), fusedSteps(a)),
  ),
  FusedDepthwiseConv2dNative: one(
    (ctx) => convWith(ctx, true, (y) => fusedTail(y, ctx)),
    (a) => (checkWindowed(a), fusedSteps(a)),
  ),
  MatMul: one((ctx) => matmulOf(ctx, 'transpose_a', 'transpose_b')),
  BatchMatMul: one((ctx) => matmulOf(ctx, 'adj_x', 'adj_y')),
  BatchMatMulV2: one((ctx) => matmulOf(ctx, 'adj_x', 'adj_y')),
  _FusedMatMul: one(
    (ctx) => fusedTail(matmulOf(ctx, 'transpose_a', 'transpose_b'), ctx),
    (a) => void fusedSteps(a),
  ),
  BiasAdd: one((ctx) => add(ctx.input(0), perChannel(ctx, ctx.input(1))), checkBiasAdd),
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
