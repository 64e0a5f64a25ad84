import { allocArray, isFloat, type DType } from '../../tensor/dtype.js';
import { makeElementwiseLoops } from '../loops.js';
import { DTypeError } from '../../errors.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { add, div, mul, sub } from './binary.js';
import { greater } from './compare.js';
import { where } from './select.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

type NoAttrs = Record<string, never>;

/** How a unary op's output dtype follows its input's. */
type DTypeRule = 'float' | 'same' | 'bool';

interface UnarySpec {
  /** The scalar function, as the reference kernel applies it. */
  f: (x: number) => number;
  /** d(out)/d(in) times dy, with nabla ops; omitted for ops without a gradient. */
  grad?: (x: Tensor, y: Tensor, dy: Tensor) => Tensor;
  dtype?: DTypeRule;
}

function outDType(name: string, rule: DTypeRule, d: DType): DType {
  if (rule === 'bool') return 'bool';
  if (rule === 'float') return isFloat(d) ? d : 'float32';
  if (d === 'bool') throw new DTypeError(`${name}: expected a numeric tensor, got dtype bool`);
  return d;
}

/** A unary elementwise primitive in a few lines: scalar function + gradient. */
function defineUnary(name: string, spec: UnarySpec): OpDef<NoAttrs> {
  const rule = spec.dtype ?? 'float';
  const { f, grad } = spec;
  const loops = makeElementwiseLoops();
  const op: OpDef<NoAttrs> = defineOp<NoAttrs>({
    name,
    infer: ([x]) => [{ shape: x!.shape, dtype: outDType(name, rule, x!.dtype) }],
    ref: ([x], _attrs, [o]) => {
      const a = x!.data;
      const out = allocArray(o!.dtype, a.length);
      loops.unary(f, a, out, a.length);
      return [out];
    },
    grad: grad ? ([dy], { inputs: [x], outputs: [y] }) => [grad(x!, y!, dy!)] : undefined,
    // The gradient rule is f'(x) * dy elementwise, so applied to a tangent it is the JVP.
    jvp: grad ? ([t], { inputs: [x], outputs: [y] }) => [t ? grad(x!, y!, t) : null] : undefined,
    linear: name === 'neg',
    notDifferentiable: !grad,
    pointwise: { f },
    batch: (inputs, axes, attrs) => batchBroadcasting(op, inputs, axes, attrs),
  });
  return op;
}

const SQRT_2_OVER_PI = 2 / Math.sqrt(Math.PI);

/** Round half to even, like numpy and TensorFlow. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** erf to float64 accuracy (W. J. Cody's rational approximations via erfc for large |x|). */
export function erfScalar(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: converges fast for small |x|.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 80; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return SQRT_2_OVER_PI * sum;
  }
  if (ax > 6) return Math.sign(x);
  // Continued fraction for erfc (Lentz), fast to converge for |x| >= 2.5.
  const z = ax;
  let fPrev = z;
  let C = z;
  let D = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    D = z + an * D;
    D = D === 0 ? 1e-300 : 1 / D;
    C = z + an / C;
    if (C === 0) C = 1e-300;
    const delta = C * D;
    fPrev *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / fPrev;
  return Math.sign(x) * (1 - erfc);
}

const sigmoidScalar = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/** The elementwise one-input primitives by name (`OpDef`s for backends and the `PRIMITIVES` table). */
export const unaryOps = {
  neg: defineUnary('neg', { f: (x) => -x, grad: (_x, _y, dy) => neg(dy), dtype: 'same' }),
  abs: defineUnary('abs', { f: Math.abs, grad: (x, _y, dy) => mul(dy, sign(x)), dtype: 'same' }),
  sign: defineUnary('sign', { f: (x) => (Number.isNaN(x) ? NaN : Math.sign(x) + 0), dtype: 'same' }),
  exp: defineUnary('exp', { f: Math.exp, grad: (_x, y, dy) => mul(dy, y) }),
  expm1: defineUnary('expm1', { f: Math.expm1, grad: (_x, y, dy) => mul(dy, add(y, 1)) }),
  log: defineUnary('log', { f: Math.log, grad: (x, _y, dy) => div(dy, x) }),
  log2: defineUnary('log2', { f: Math.log2, grad: (x, _y, dy) => div(dy, mul(x, Math.LN2)) }),
  log1p: defineUnary('log1p', { f: Math.log1p, grad: (x, _y, dy) => div(dy, add(x, 1)) }),
  sqrt: defineUnary('sqrt', { f: Math.sqrt, grad: (_x, y, dy) => div(dy, mul(y, 2)) }),
  rsqrt: defineUnary('rsqrt', { f: (x) => 1 / Math.sqrt(x), grad: (_x, y, dy) => mul(dy, mul(-0.5, mul(y, mul(y, y)))) }),
  square: defineUnary('square', { f: (x) => x * x, grad: (x, _y, dy) => mul(dy, mul(x, 2)), dtype: 'same' }),
  reciprocal: defineUnary('reciprocal', { f: (x) => 1 / x, grad: (_x, y, dy) => neg(mul(dy, mul(y, y))) }),
  sin: defineUnary('sin', { f: Math.sin, grad: (x, _y, dy) => mul(dy, cos(x)) }),
  cos: defineUnary('cos', { f: Math.cos, grad: (x, _y, dy) => neg(mul(dy, sin(x))) }),
  asin: defineUnary('asin', { f: Math.asin, grad: (x, _y, dy) => mul(dy, rsqrt(sub(1, mul(x, x)))) }),
  acos: defineUnary('acos', { f: Math.acos, grad: (x, _y, dy) => neg(mul(dy, rsqrt(sub(1, mul(x, x))))) }),
  atan: defineUnary('atan', { f: Math.atan, grad: (x, _y, dy) => div(dy, add(mul(x, x), 1)) }),
  tanh: defineUnary('tanh', { f: Math.tanh, grad: (_x, y, dy) => mul(dy, sub(1, mul(y, y))) }),
  sigmoid: defineUnary('sigmoid', { f: sigmoidScalar, grad: (_x, y, dy) => mul(dy, mul(y, sub(1, y))) }),
  relu: defineUnary('relu', { f: (x) => (x > 0 ? x : x === x ? 0 : x), grad: (x, _y, dy) => where(greater(x, 0), dy, 0), dtype: 'same' }),
  erf: defineUnary('erf', { f: erfScalar, grad: (x, _y, dy) => mul(dy, mul(SQRT_2_OVER_PI, exp(neg(mul(x, x))))) }),
  floor: defineUnary('floor', { f: Math.floor, dtype: 'same' }),
  ceil: defineUnary('ceil', { f: Math.ceil, dtype: 'same' }),
  round: defineUnary('round', { f: roundHalfEven, dtype: 'same' }),
  isNaN: defineUnary('isNaN', { f: (x) => (Number.isNaN(x) ? 1 : 0), dtype: 'bool' }),
  isFinite: defineUnary('isFinite', { f: (x) => (Number.isFinite(x) ? 1 : 0), dtype: 'bool' }),
  logicalNot: defineUnary('logicalNot', { f: (x) => (x === 0 ? 1 : 0), dtype: 'bool' }),
};

const u = (op: OpDef<NoAttrs>) => (x: TensorLike): Tensor => run1(op, [toTensor(x, op.name)], NO_ATTRS);

/** Elementwise `-x`. */
export const neg = u(unaryOps.neg);
/** Elementwise absolute value. */
export const abs = u(unaryOps.abs);
/** Elementwise sign: -1, 0 or 1 (NaN stays NaN). */
export const sign = u(unaryOps.sign);
/** Elementwise `e ** x`. */
export const exp = u(unaryOps.exp);
/** Elementwise `e ** x - 1`, accurate near 0. */
export const expm1 = u(unaryOps.expm1);
/** Elementwise natural logarithm. */
export const log = u(unaryOps.log);
/** Elementwise base-2 logarithm (exact at powers of two). */
export const log2 = u(unaryOps.log2);
/** Elementwise `log(1 + x)`, accurate near 0. */
export const log1p = u(unaryOps.log1p);
/** Elementwise square root. */
export const sqrt = u(unaryOps.sqrt);
/** Elementwise `1 / sqrt(x)`. */
export const rsqrt = u(unaryOps.rsqrt);
/** Elementwise `x * x`. */
export const square = u(unaryOps.square);
/** Elementwise `1 / x`. */
export const reciprocal = u(unaryOps.reciprocal);
/** Elementwise sine. */
export const sin = u(unaryOps.sin);
/** Elementwise cosine. */
export const cos = u(unaryOps.cos);
/** Elementwise arcsine. */
export const asin = u(unaryOps.asin);
/** Elementwise arccosine. */
export const acos = u(unaryOps.acos);
/** Elementwise arctangent. */
export const atan = u(unaryOps.atan);
/** Elementwise hyperbolic tangent. */
export const tanh = u(unaryOps.tanh);
/** Elementwise logistic `1 / (1 + e ** -x)`, stable for large |x|. */
export const sigmoid = u(unaryOps.sigmoid);
/** Elementwise `max(x, 0)` (NaN stays NaN). */
export const relu = u(unaryOps.relu);
/** Elementwise Gauss error function. */
export const erf = u(unaryOps.erf);
/** Elementwise round down. */
export const floor = u(unaryOps.floor);
/** Elementwise round up. */
export const ceil = u(unaryOps.ceil);
/** Elementwise round to nearest, ties to even. */
export const round = u(unaryOps.round);
/** Elementwise test for NaN, as bool. */
export const isNaN = u(unaryOps.isNaN);
/** Elementwise test for a finite value, as bool. */
export const isFinite = u(unaryOps.isFinite);
/** Elementwise logical not (zero is false), as bool. */
export const logicalNot = u(unaryOps.logicalNot);

// The public surface of these ops (src/ops/surface.ts).
declareOp(neg, { method: true });
declareOp(abs, { method: true });
declareOp(sign, { method: true });
declareOp(exp, { method: true, activation: { name: 'exponential' } });
declareOp(expm1, { method: true });
declareOp(log, { method: true });
declareOp(log1p, { method: true });
declareOp(log2, { method: true });
declareOp(sqrt, { method: true });
declareOp(rsqrt, { method: true });
declareOp(square, { method: true });
declareOp(reciprocal, { method: true });
declareOp(sin, { method: true });
declareOp(cos, { method: true });
declareOp(asin, { method: true });
declareOp(acos, { method: true });
declareOp(atan, { method: true });
declareOp(tanh, { method: true, nn: true, activation: { tfjs: true } });
declareOp(sigmoid, { method: true, nn: true, activation: { tfjs: true } });
declareOp(relu, { method: true, nn: true, activation: { tfjs: true } });
declareOp(erf, { method: true });
declareOp(floor, { method: true });
declareOp(ceil, { method: true });
declareOp(round, { method: true });
declareOp(isNaN, { method: true });
declareOp(isFinite, { method: true });
declareOp(logicalNot, { method: true });
