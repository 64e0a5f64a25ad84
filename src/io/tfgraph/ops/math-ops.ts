// TensorFlow's elementwise ops, reductions and casts on nabla ops (broadcasting is numpy's in both).
import { add, div, maximum, minimum, mul, pow, squaredDifference, sub } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { max, min, prod, sum } from '../../../ops/primitives/reduce.js';
import * as u from '../../../ops/primitives/unary.js';
import { elu, leakyRelu, relu6, selu, softplus } from '../../../ops/composite/activations.js';
import { mean } from '../../../ops/composite/math.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeAttrs } from '../graph-def.js';
import { normAxis, type TfNodeContext } from '../node-context.js';
import { one, type TfOp, type TfOpTable } from '../op-table.js';

const unary = (f: (x: Tensor) => Tensor) => one((ctx) => f(ctx.input(0)));
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => one((ctx) => f(ctx.input(0), ctx.input(1)));

type Reducer = (x: Tensor, axes: number[], keepDims: boolean) => Tensor;

/** Sum/Mean/Max/Min/Prod: axes as input 1 (a scalar or a list), `keep_dims` attribute; no axes is the identity. */
function reduction(f: Reducer): TfOp {
  return one((ctx: TfNodeContext) => {
    const x = ctx.input(0);
    const axes = [...new Set(ctx.numbers(1, 'reduction axes').map((a) => normAxis(a, x.rank, ctx.where)))];
    if (axes.length === 0) return x;
    return f(x, axes, ctx.attrs.bool('keep_dims', false));
  });
}

/** AddN: the sum of all inputs. */
function addN(ctx: TfNodeContext): Tensor {
  let acc = ctx.input(0);
  for (let i = 1; i < ctx.inputCount; i++) acc = add(acc, ctx.input(i));
  return acc;
}

function checkCast(attrs: TfNodeAttrs): void {
  attrs.dtype('DstT') ?? attrs.unsupported('a Cast without DstT');
}

export const mathOps: TfOpTable = {
  Add: binary(add),
  AddV2: binary(add),
  AddN: one(addN),
  Sub: binary(sub),
  Mul: binary(mul),
  RealDiv: binary(div),
  Div: binary(div),
  Maximum: binary(maximum),
  Minimum: binary(minimum),
  Pow: binary(pow),
  SquaredDifference: binary(squaredDifference),
  Neg: unary(u.neg),
  Abs: unary(u.abs),
  Exp: unary(u.exp),
  Log: unary(u.log),
  Sqrt: unary(u.sqrt),
  Rsqrt: unary(u.rsqrt),
  Square: unary(u.square),
  Reciprocal: unary(u.reciprocal),
  Relu: unary(u.relu),
  Relu6: unary(relu6),
  Elu: unary((x) => elu(x)),
  Selu: unary(selu),
  LeakyRelu: one((ctx) => leakyRelu(ctx.input(0), { alpha: ctx.attrs.float('alpha', 0.2) })),
  Sigmoid: unary(u.sigmoid),
  Tanh: unary(u.tanh),
  Softplus: unary(softplus),
  Sum: reduction((x, a, k) => sum(x, a, k)),
  Mean: reduction((x, a, k) => mean(x, a, k)),
  Max: reduction((x, a, k) => max(x, a, k)),
  Min: reduction((x, a, k) => min(x, a, k)),
  Prod: reduction((x, a, k) => prod(x, a, k)),
  Cast: one((ctx) => cast(ctx.input(0), ctx.attrs.dtype('DstT')!), checkCast),
};
