// ONNX Resize (and the older Upsample): nearest, (bi)linear and (bi)cubic interpolation, one axis
// at a time (interpolateAxis, cubicAxis), so it is ordinary differentiable nabla ops.
import { ShapeError, fmtShape } from '../../../errors.js';
import { interpolateAxis } from '../../../ops/composite/interpolate-axis.js';
import { cubicAxis } from '../../../ops/composite/cubic-axis.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from '../node-context.js';
import { assertSize, one, type OpTable } from '../op-table.js';

type Transform = (i: number, scale: number, inSize: number, outSize: number) => number;

const TRANSFORMS: Record<string, Transform> = {
  half_pixel: (i, s) => (i + 0.5) / s - 0.5,
  pytorch_half_pixel: (i, s, _n, out) => (out > 1 ? (i + 0.5) / s - 0.5 : 0),
  align_corners: (i, _s, n, out) => (out === 1 ? 0 : (i * (n - 1)) / (out - 1)),
  asymmetric: (i, s) => i / s,
  tf_half_pixel_for_nn: (i, s) => (i + 0.5) / s,
};

const ROUNDING: Record<string, (x: number) => number> = {
  round_prefer_floor: (x) => (x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x)),
  round_prefer_ceil: (x) => Math.round(x),
  floor: Math.floor,
  ceil: Math.ceil,
};

function checkResize(attrs: NodeAttributes, opset: number): void {
  const mode = attrs.string('mode', 'nearest');
  if (!['nearest', 'linear', 'bilinear', 'cubic', 'bicubic'].includes(mode)) attrs.unsupported(`Resize mode '${mode}' (nearest, linear and cubic are)`);
  if (attrs.int('antialias', 0) !== 0) attrs.unsupported('Resize with antialias');
  const ct = attrs.string('coordinate_transformation_mode', opset < 11 ? 'asymmetric' : 'half_pixel');
  if (!(ct in TRANSFORMS)) attrs.unsupported(`coordinate_transformation_mode '${ct}'`);
  const nm = attrs.string('nearest_mode', 'round_prefer_floor');
  if (!(nm in ROUNDING)) attrs.unsupported(`nearest_mode '${nm}'`);
  if (attrs.has('axes')) attrs.unsupported('Resize with axes');
  if (attrs.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch') attrs.unsupported('keep_aspect_ratio_policy other than stretch');
}

function resize(ctx: NodeContext): Tensor {
  let x = ctx.input(0);
  const old = ctx.opset < 11 || ctx.attrs.opType === 'Upsample';
  const scalesIn = old ? ctx.optionalNumbers(1, 'scales') ?? ctx.attrs.floats('scales') : ctx.optionalNumbers(2, 'scales');
  const sizesIn = old ? undefined : ctx.optionalNumbers(3, 'sizes');
  const inShape = x.shape;
  let sizes: number[];
  let scales: number[];
  if (sizesIn && sizesIn.length) {
    sizes = sizesIn;
    scales = sizes.map((s, i) => s / inShape[i]!);
  } else if (scalesIn && scalesIn.length) {
    scales = scalesIn;
    sizes = inShape.map((d, i) => Math.floor(d * scales[i]!));
  } else {
    throw new ShapeError(`onnx: ${ctx.where}: needs scales or sizes`);
  }
  if (sizes.length !== x.rank) throw new ShapeError(`onnx: ${ctx.where}: ${sizes.length} sizes/scales for input ${fmtShape(inShape)}`);
  assertSize(ctx.where, sizes);
  const mode = ctx.attrs.string('mode', 'nearest');
  const transform = TRANSFORMS[ctx.attrs.string('coordinate_transformation_mode', old ? 'asymmetric' : 'half_pixel')]!;
  const rounding = ROUNDING[ctx.attrs.string('nearest_mode', old ? 'floor' : 'round_prefer_floor')]!;
  for (let ax = 0; ax < x.rank; ax++) {
    const n = inShape[ax]!;
    const out = sizes[ax]!;
    if (out === n && scales[ax] === 1) continue;
    const src = Array.from({ length: out }, (_, i) => transform(i, scales[ax]!, n, out));
    if (mode === 'cubic' || mode === 'bicubic') x = cubicAxis(x, ax, src, ctx.attrs.float('cubic_coeff_a', -0.75), ctx.attrs.int('exclude_outside', 0) === 1);
    else x = interpolateAxis(x, ax, src, mode === 'nearest' ? 'nearest' : 'linear', rounding);
  }
  return x;
}

export const resizeOps: OpTable = {
  Resize: one(resize, checkResize),
  Upsample: one(resize, checkResize),
};
