// ONNX Gemm, MatMul and Einsum, and the normalizations: BatchNormalization (inference),
// LayerNormalization, InstanceNormalization.
import { ShapeError, fmtShape } from '../../../errors.js';
import { add, mul, sub } from '../../../ops/primitives/binary.js';
import { matmul } from '../../../ops/primitives/matmul.js';
import { reshape } from '../../../ops/primitives/shape.js';
import { einsum } from '../../../ops/composite/einsum.js';
import { mean } from '../../../ops/composite/math.js';
import { rsqrt, square } from '../../../ops/primitives/unary.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { normAxis, one, type OpTable } from '../op-table.js';

function gemm(ctx: NodeContext): Tensor {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`onnx: ${ctx.where}: A and B must be matrices, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  const alpha = ctx.attrs.float('alpha', 1);
  const beta = ctx.attrs.float('beta', 1);
  let y = matmul(a, b, { transposeA: ctx.attrs.int('transA', 0) === 1, transposeB: ctx.attrs.int('transB', 0) === 1 });
  if (alpha !== 1) y = mul(y, alpha);
  const c = ctx.optional(2);
  if (c) y = add(y, beta === 1 ? c : mul(c, beta));
  return y;
}

/** A per-channel vector [C] shaped to broadcast against an [N, C, ...] tensor of rank `rank`. */
function perChannel(v: Tensor, rank: number): Tensor {
  return reshape(v, [v.size, ...Array<number>(Math.max(rank - 2, 0)).fill(1)]);
}

function batchNorm(ctx: NodeContext): Tensor {
  const x = ctx.input(0);
  const [scale, bias, m, v] = [1, 2, 3, 4].map((i) => perChannel(ctx.input(i), x.rank)) as [Tensor, Tensor, Tensor, Tensor];
  const k = mul(rsqrt(add(v, ctx.attrs.float('epsilon', 1e-5))), scale);
  return add(mul(sub(x, m), k), bias);
}

/** Normalize over `axes` (keeping them): (x - mean) / sqrt(var + eps), with the mean and 1/std. */
function normalize(x: Tensor, axes: number[], eps: number): { y: Tensor; mu: Tensor; invStd: Tensor } {
  const mu = mean(x, axes, true);
  const centered = sub(x, mu);
  const invStd = rsqrt(add(mean(square(centered), axes, true), eps));
  return { y: mul(centered, invStd), mu, invStd };
}

export const linearOps: OpTable = {
  Gemm: one(gemm),
  MatMul: one((ctx) => matmul(ctx.input(0), ctx.input(1))),
  Einsum: one((ctx) => einsum(ctx.attrs.string('equation', ''), ...Array.from({ length: ctx.inputCount }, (_, i) => ctx.input(i)))),
  BatchNormalization: one(batchNorm, (attrs) => {
    if (attrs.int('training_mode', 0) === 1) attrs.unsupported('BatchNormalization in training mode (export the model in eval mode)');
    const outs = (attrs.node.output ?? []).filter((o) => o !== '');
    if (outs.length > 1) attrs.unsupported("BatchNormalization's running-statistics outputs (export the model in eval mode)");
  }),
  LayerNormalization: {
    run: (ctx) => {
      const x = ctx.input(0);
      const axis = normAxis(ctx.attrs.int('axis', -1), x.rank, ctx.where);
      const axes = x.shape.map((_, i) => i).slice(axis);
      const { y, mu, invStd } = normalize(x, axes, ctx.attrs.float('epsilon', 1e-5));
      const scaled = mul(y, ctx.input(1));
      const b = ctx.optional(2);
      return [b ? add(scaled, b) : scaled, mu, invStd];
    },
  },
  InstanceNormalization: one((ctx) => {
    const x = ctx.input(0);
    const { y } = normalize(x, x.shape.map((_, i) => i).slice(2), ctx.attrs.float('epsilon', 1e-5));
    return add(mul(y, perChannel(ctx.input(1), x.rank)), perChannel(ctx.input(2), x.rank));
  }),
};
