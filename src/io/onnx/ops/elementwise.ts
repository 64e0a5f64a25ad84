// Elementwise ONNX operators: arithmetic (numpy broadcasting, like nabla's), comparisons, logic and
// activations, each written with nabla ops so gradients and jit come with them.
import { add, div, floorDiv, maximum, minimum, mod, mul, pow, sub } from '../../../ops/primitives/binary.js';
import { cast } from '../../../ops/primitives/cast.js';
import { equal, greater, greaterEqual, less, lessEqual, logicalAnd, logicalOr } from '../../../ops/primitives/compare.js';
import { logicalXor, tan } from '../../../ops/composite/elementwise.js';
import { where } from '../../../ops/primitives/select.js';
import * as u from '../../../ops/primitives/unary.js';
import { elu, gelu, softplus, softsign } from '../../../ops/composite/activations.js';
import { isFloat } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeContext } from '../node-context.js';
import { one, type OpTable } from '../op-table.js';

const unary = (f: (x: Tensor) => Tensor) => one((ctx) => f(ctx.input(0)));
const binary = (f: (a: Tensor, b: Tensor) => Tensor) => one((ctx) => f(ctx.input(0), ctx.input(1)));

/** ONNX's integer Div truncates toward zero (TensorFlow's and nabla's floor). */
function onnxDiv(a: Tensor, b: Tensor): Tensor {
  if (isFloat(a.dtype)) return div(a, b);
  const q = floorDiv(a, b);
  const inexact = u.logicalNot(equal(mul(q, b), a));
  const signsDiffer = logicalXor(less(a, 0), less(b, 0));
  return where(logicalAnd(inexact, signsDiffer), add(q, 1), q);
}

/** Variadic Min/Max/Sum/Mean fold their inputs pairwise. */
function variadic(f: (a: Tensor, b: Tensor) => Tensor, finish?: (acc: Tensor, n: number) => Tensor) {
  return one((ctx: NodeContext) => {
    let acc = ctx.input(0);
    for (let i = 1; i < ctx.inputCount; i++) acc = f(acc, ctx.input(i));
    return finish ? finish(acc, ctx.inputCount) : acc;
  });
}

function clipBound(ctx: NodeContext, i: number, attr: string, dflt: number): Tensor | number {
  if (ctx.opset < 11) return ctx.attrs.float(attr, dflt);
  return ctx.optional(i) ?? dflt;
}

function hardSigmoid(x: Tensor, alpha: number, beta: number): Tensor {
  return minimum(maximum(add(mul(x, alpha), beta), 0), 1);
}

export const elementwiseOps: OpTable = {
  Add: binary(add),
  Sub: binary(sub),
  Mul: binary(mul),
  Div: binary(onnxDiv),
  // fmod=0: the remainder takes the divisor's sign (nabla's mod); fmod=1: the dividend's, like C's fmod.
  Mod: one((ctx) => {
    const a = ctx.input(0);
    const b = ctx.input(1);
    if (!ctx.attrs.int('fmod', 0)) return mod(a, b);
    const q = div(a, b);
    return sub(a, mul(b, mul(u.sign(q), u.floor(u.abs(q)))));
  }),
  Pow: one((ctx) => {
    const x = ctx.input(0);
    const y = ctx.input(1);
    return pow(x, y.dtype === x.dtype ? y : cast(y, x.dtype));
  }),
  Max: variadic(maximum),
  Min: variadic(minimum),
  Sum: variadic(add),
  Mean: variadic(add, (acc, n) => div(acc, n)),
  Sqrt: unary(u.sqrt),
  Neg: unary(u.neg),
  Exp: unary(u.exp),
  Log: unary(u.log),
  Abs: unary(u.abs),
  Sign: unary(u.sign),
  Reciprocal: unary(u.reciprocal),
  Floor: unary(u.floor),
  Ceil: unary(u.ceil),
  Round: unary(u.round),
  Sin: unary(u.sin),
  Cos: unary(u.cos),
  Tan: unary(tan),
  Atan: unary(u.atan),
  Erf: unary(u.erf),
  Not: unary(u.logicalNot),
  IsNaN: unary(u.isNaN),
  Relu: unary(u.relu),
  Sigmoid: unary(u.sigmoid),
  Tanh: unary(u.tanh),
  Softplus: unary(softplus),
  Softsign: unary(softsign),
  Elu: one((ctx) => elu(ctx.input(0), ctx.attrs.float('alpha', 1))),
  Selu: one((ctx) => {
    const x = ctx.input(0);
    const alpha = ctx.attrs.float('alpha', 1.67326319217681884765625);
    const gamma = ctx.attrs.float('gamma', 1.05070102214813232421875);
    return mul(where(greater(x, 0), x, mul(u.expm1(x), alpha)), gamma);
  }),
  LeakyRelu: one((ctx) => {
    const x = ctx.input(0);
    return where(greater(x, 0), x, mul(x, ctx.attrs.float('alpha', 0.01)));
  }),
  PRelu: one((ctx) => {
    const x = ctx.input(0);
    return where(greater(x, 0), x, mul(x, ctx.input(1)));
  }),
  HardSigmoid: one((ctx) => hardSigmoid(ctx.input(0), ctx.attrs.float('alpha', 0.2), ctx.attrs.float('beta', 0.5))),
  HardSwish: one((ctx) => {
    const x = ctx.input(0);
    return mul(x, hardSigmoid(x, 1 / 6, 0.5));
  }),
  Gelu: one(
    (ctx) => gelu(ctx.input(0), { approximate: ctx.attrs.string('approximate', 'none') === 'tanh' }),
    (attrs) => {
      const a = attrs.string('approximate', 'none');
      if (a !== 'none' && a !== 'tanh') attrs.unsupported(`approximate='${a}'`);
    },
  ),
  Clip: one((ctx) => {
    const x = ctx.input(0);
    const lo = clipBound(ctx, 1, 'min', -Infinity);
    const hi = clipBound(ctx, 2, 'max', Infinity);
    const floorAt = typeof lo === 'number' && lo === -Infinity ? x : maximum(x, lo);
    return typeof hi === 'number' && hi === Infinity ? floorAt : minimum(floorAt, hi);
  }),
  Equal: binary(equal),
  Less: binary(less),
  Greater: binary(greater),
  LessOrEqual: binary(lessEqual),
  GreaterOrEqual: binary(greaterEqual),
  And: binary(logicalAnd),
  Or: binary(logicalOr),
  Xor: binary(logicalXor),
  Where: one((ctx) => where(ctx.input(0), ctx.input(1), ctx.input(2))),
};
