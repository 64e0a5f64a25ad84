// ONNX RandomUniform / RandomNormal and their *Like forms, drawn with nabla's generator (so the
// numbers differ from onnxruntime's; the distribution is the same). A `seed` attribute becomes an
// op-level seed. These ops are never folded into constants: each run draws anew.
import { ValueError } from '../../../errors.js';
import { normal, uniform } from '../../../ops/primitives/random.js';
import { isFloat, type DType } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import type { OnnxOp, OpTable } from '../op-table.js';
import { dtypeOfOnnx } from '../tensor-proto.js';

function drawDType(ctx: NodeContext, like: Tensor | undefined): DType {
  const dtype = ctx.attrs.has('dtype') ? dtypeOfOnnx(ctx.attrs.int('dtype', 1), `the dtype of ${ctx.where}`) : (like?.dtype ?? 'float32');
  if (!isFloat(dtype)) throw new ValueError(`onnx: ${ctx.where}: random values of dtype ${dtype} are not supported (float or double are)`);
  return dtype;
}

function randomOp(kind: 'uniform' | 'normal', like: boolean): OnnxOp {
  return {
    random: true,
    run: (ctx) => {
      const ref = like ? ctx.input(0) : undefined;
      const shape = ref ? [...ref.shape] : (ctx.attrs.ints('shape') ?? []);
      const dtype = drawDType(ctx, ref);
      const seed = ctx.attrs.has('seed') ? Math.trunc(ctx.attrs.float('seed', 0)) : undefined;
      if (kind === 'uniform') return [uniform(shape, { min: ctx.attrs.float('low', 0), max: ctx.attrs.float('high', 1), dtype, seed })];
      return [normal(shape, { mean: ctx.attrs.float('mean', 0), stddev: ctx.attrs.float('scale', 1), dtype, seed })];
    },
    check: (attrs) => {
      if (!like && !attrs.has('shape')) attrs.unsupported('a random op without a shape attribute');
    },
  };
}

export const randomOps: OpTable = {
  RandomUniform: randomOp('uniform', false),
  RandomNormal: randomOp('normal', false),
  RandomUniformLike: randomOp('uniform', true),
  RandomNormalLike: randomOp('normal', true),
};
