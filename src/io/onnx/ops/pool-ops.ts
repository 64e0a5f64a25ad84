// ONNX pooling on nabla's pool primitives (which never count padded cells: ONNX's
// count_include_pad=0, and a max over real cells). ceil_mode adds end padding for the extra
// windows; count_include_pad=1 pads zeros explicitly first so they are counted (ceil_mode's extra
// cells too: onnxruntime divides every window by the full kernel size then).
import { ShapeError, fmtShape } from '../../../errors.js';
import { avgPoolOp, maxPoolOp } from '../../../ops/primitives/pool.js';
import { max } from '../../../ops/primitives/reduce.js';
import { pad } from '../../../ops/primitives/structure.js';
import { mean } from '../../../ops/composite/math.js';
import { run1 } from '../../../ops/run.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes, NodeContext } from '../node-context.js';
import { one, type OpTable } from '../op-table.js';
import { asNCHW, checkSpatialRank, fromNCHW, windowOf } from './window-attrs.js';
import { onnxPool3d } from './volume-ops.js';

/** End padding that makes a ceil_mode window count fit; a window starting past the input and its begin padding is dropped (as PyTorch and onnxruntime do). */
function ceilExtra(inSize: number, k: number, stride: number, before: number, after: number): number {
  let out = Math.ceil((inSize + before + after - k) / stride) + 1;
  if ((out - 1) * stride >= inSize + before) out--;
  return Math.max(0, (out - 1) * stride + k - (inSize + before + after));
}

function onnxPool(ctx: NodeContext, kind: 'max' | 'avg'): Tensor {
  if (ctx.input(0).rank === 5) return onnxPool3d(ctx, kind);
  const { t, spatial } = asNCHW(ctx.input(0), ctx.where);
  const k = ctx.attrs.ints('kernel_shape') ?? [];
  if (k.length !== spatial) throw new ShapeError(`onnx: ${ctx.where}: kernel_shape ${JSON.stringify(k)} does not fit input ${fmtShape(ctx.input(0).shape)}`);
  const kernel: [number, number] = spatial === 1 ? [1, k[0]!] : [k[0]!, k[1]!];
  const win = windowOf(ctx.attrs, kernel, [t.shape[2]!, t.shape[3]!], spatial);
  let x = t;
  let pads = win.pads;
  if (ctx.attrs.int('ceil_mode', 0) === 1) {
    const eh = ceilExtra(t.shape[2]!, kernel[0], win.strides[0], win.pads[0], win.pads[1]);
    const ew = ceilExtra(t.shape[3]!, kernel[1], win.strides[1], win.pads[2], win.pads[3]);
    pads = [pads[0], pads[1] + eh, pads[2], pads[3] + ew];
  }
  if (kind === 'avg' && ctx.attrs.int('count_include_pad', 0) === 1 && pads.some((p) => p > 0)) {
    x = pad(x, [[0, 0], [0, 0], [pads[0], pads[1]], [pads[2], pads[3]]]);
    pads = [0, 0, 0, 0];
  }
  const y = run1(kind === 'max' ? maxPoolOp : avgPoolOp, [x], { poolSize: kernel, strides: win.strides, pads, channelsFirst: true });
  return fromNCHW(y, spatial);
}

function checkPool(attrs: NodeAttributes): void {
  checkSpatialRank(attrs, 3);
  if ((attrs.ints('dilations') ?? []).some((d) => d !== 1)) attrs.unsupported('pooling with dilations other than 1');
  if (attrs.opType === 'MaxPool' && (attrs.node.output?.[1] ?? '') !== '') attrs.unsupported("MaxPool's Indices output");
  if (attrs.int('storage_order', 0) !== 0) attrs.unsupported('storage_order=1');
}

const spatialAxes = (x: Tensor) => x.shape.map((_, i) => i).slice(2);

export const poolOps: OpTable = {
  MaxPool: one((ctx) => onnxPool(ctx, 'max'), checkPool),
  AveragePool: one((ctx) => onnxPool(ctx, 'avg'), checkPool),
  GlobalAveragePool: one((ctx) => mean(ctx.input(0), spatialAxes(ctx.input(0)), true)),
  GlobalMaxPool: one((ctx) => max(ctx.input(0), spatialAxes(ctx.input(0)), true)),
};
