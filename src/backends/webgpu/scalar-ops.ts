// The elementwise primitives as WGSL expressions, one table for eager kernels and fused programs.
import type { DType } from '../../tensor/dtype.js';
import type { unaryOps } from '../../ops/primitives/unary.js';
import type { binaryOps } from '../../ops/primitives/binary.js';
import type { compareOps } from '../../ops/primitives/compare.js';
import { wgslType } from './wgsl.js';

/** A WGSL value: a side-effect-free expression (usually a `let` name) and its type. bool is i32 0/1. */
export interface Val {
  readonly expr: string;
  readonly dtype: DType;
}

const asF = (v: Val) => (v.dtype === 'float32' ? v.expr : `f32(${v.expr})`);
const asI = (v: Val) => (v.dtype === 'float32' ? `f2i(${v.expr})` : v.expr);
const isFloatVal = (v: Val) => v.dtype === 'float32' || v.dtype === 'float64';
const b01 = (cond: string) => `select(0, 1, ${cond})`;

type Fn1 = (x: string) => string;
type Fn2 = (a: string, b: string) => string;

/** Unary ops: the f32 form, the i32 form (for 'same'-dtype ops on int32), or a bool predicate. */
type PredicateOp = 'isNaN' | 'isFinite' | 'logicalNot';

// Each table must hold every op of its family: a primitive without a WGSL form does not compile.
const UNARY_F: Record<Exclude<keyof typeof unaryOps, PredicateOp>, Fn1> = {
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `select(sign(${x}), ${x}, is_nan(${x}))`,
  // SwiftShader's exp(NaN) is Infinity.
  exp: (x) => `select(exp(${x}), ${x}, is_nan(${x}))`,
  expm1: (x) => `expm1_(${x})`,
  log: (x) => `log_(${x})`,
  log1p: (x) => `log1p_(${x})`,
  // log_ gives log2's value at 0, below 0, infinity and NaN.
  log2: (x) => `select(log2(${x}), log_(${x}), ${x} <= 0.0 || is_inf(${x}) || is_nan(${x}))`,
  sqrt: (x) => `sqrt_(${x})`,
  rsqrt: (x) => `(1.0 / sqrt_(${x}))`,
  square: (x) => `(${x} * ${x})`,
  reciprocal: (x) => `(1.0 / ${x})`,
  sin: (x) => `sin_(${x})`,
  cos: (x) => `cos_(${x})`,
  asin: (x) => `arc_(atan2_(${x}, sqrt((1.0 - ${x}) * (1.0 + ${x}))), ${x})`,
  acos: (x) => `arc_(atan2_(sqrt((1.0 - ${x}) * (1.0 + ${x})), ${x}), ${x})`,
  atan: (x) => `select(atan(${x}), ${x}, is_nan(${x}))`,
  tanh: (x) => `tanh_(${x})`,
  sigmoid: (x) => `sigmoid_(${x})`,
  relu: (x) => `select(select(0.0, ${x}, ${x} > 0.0), ${x}, is_nan(${x}))`,
  erf: (x) => `erf_(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`,
};

const UNARY_I: Partial<Record<keyof typeof unaryOps, Fn1>> = {
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  square: (x) => `(${x} * ${x})`,
  relu: (x) => `max(${x}, 0)`,
  floor: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
};

/** Predicates: [float form, int form]. */
const UNARY_BOOL: Record<PredicateOp, [Fn1, Fn1]> = {
  isNaN: [(x) => `is_nan(${x})`, () => 'false'],
  isFinite: [(x) => `!(is_nan(${x}) || is_inf(${x}))`, () => 'true'],
  logicalNot: [(x) => `!nonzero(${x})`, (x) => `${x} == 0`],
};

const BINARY_F: Record<keyof typeof binaryOps, Fn2> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  div: (a, b) => `(${a} / ${b})`,
  floorDiv: (a, b) => `floor(${a} / ${b})`,
  mod: (a, b) => `fmod_(${a}, ${b})`,
  pow: (a, b) => `pow_(${a}, ${b})`,
  maximum: (a, b) => `fmax_(${a}, ${b})`,
  minimum: (a, b) => `fmin_(${a}, ${b})`,
  atan2: (a, b) => `atan2_(${a}, ${b})`,
};

const BINARY_I: Partial<Record<keyof typeof binaryOps, Fn2>> = {
  add: (a, b) => `(${a} + ${b})`,
  sub: (a, b) => `(${a} - ${b})`,
  mul: (a, b) => `(${a} * ${b})`,
  floorDiv: (a, b) => `idiv(${a}, ${b})`,
  mod: (a, b) => `imod(${a}, ${b})`,
  pow: (a, b) => `ipow(${a}, ${b})`,
  maximum: (a, b) => `max(${a}, ${b})`,
  minimum: (a, b) => `min(${a}, ${b})`,
};

/** Comparisons: [float form, int form] of a WGSL bool. NaN compares unequal to everything. */
const COMPARE: Record<keyof typeof compareOps, [Fn2, Fn2]> = {
  equal: [(a, b) => `(${a} == ${b} && !is_nan(${a}))`, (a, b) => `${a} == ${b}`],
  notEqual: [(a, b) => `(${a} != ${b} || is_nan(${a}) || is_nan(${b}))`, (a, b) => `${a} != ${b}`],
  less: [(a, b) => `${a} < ${b}`, (a, b) => `${a} < ${b}`],
  lessEqual: [(a, b) => `${a} <= ${b}`, (a, b) => `${a} <= ${b}`],
  greater: [(a, b) => `${a} > ${b}`, (a, b) => `${a} > ${b}`],
  greaterEqual: [(a, b) => `${a} >= ${b}`, (a, b) => `${a} >= ${b}`],
  logicalAnd: [(a, b) => `(nonzero(${a}) && nonzero(${b}))`, (a, b) => `(${a} != 0 && ${b} != 0)`],
  logicalOr: [(a, b) => `(nonzero(${a}) || nonzero(${b}))`, (a, b) => `(${a} != 0 || ${b} != 0)`],
};

/** Names of the elementwise primitives this table covers (cast and where included). */
export type ElementwiseOpName = keyof typeof unaryOps | keyof typeof binaryOps | keyof typeof compareOps | 'cast' | 'where';
export const ELEMENTWISE_OPS = [
  ...Object.keys(UNARY_F),
  ...Object.keys(UNARY_BOOL),
  ...Object.keys(BINARY_F),
  ...Object.keys(COMPARE),
  'cast',
  'where',
] as readonly ElementwiseOpName[];

const has = <K extends string>(table: Partial<Record<K, unknown>>, op: string): op is K => Object.prototype.hasOwnProperty.call(table, op);

/** `v` converted to `to`, with the reference's cast rules (truncation, saturation, NaN → 0, non-zero → true). */
export function castVal(v: Val, to: DType): string {
  if (to === 'bool') return isFloatVal(v) ? b01(`nonzero(${v.expr})`) : b01(`${v.expr} != 0`);
  if (to === 'int32') return asI(v);
  return asF(v);
}

/** The expression of `op` applied to `args`, producing a value of the storage type of `out`. */
export function scalarExpr(op: string, args: readonly Val[], out: DType): string {
  const [a, b, c] = args;
  if (op === 'cast') return castVal(a!, out);
  if (op === 'where') return `select(${c!.expr}, ${b!.expr}, ${a!.expr} != 0)`;
  const intOut: boolean = wgslType(out, op) === 'i32' && out !== 'bool';
  if (has(UNARY_BOOL, op)) {
    const [ff, fi] = UNARY_BOOL[op];
    return b01(isFloatVal(a!) ? ff(a!.expr) : fi(a!.expr));
  }
  if (has(COMPARE, op)) {
    const [ff, fi] = COMPARE[op];
    const floaty = isFloatVal(a!) || isFloatVal(b!);
    return b01(floaty ? ff(asF(a!), asF(b!)) : fi(a!.expr, b!.expr));
  }
  if (has(UNARY_F, op)) {
    if (intOut) {
      const f = UNARY_I[op];
      if (!f) throw new Error(`webgpu: no int32 form of '${op}'`);
      return f(asI(a!));
    }
    return UNARY_F[op](asF(a!));
  }
  if (has(BINARY_F, op)) {
    if (intOut) {
      const f = BINARY_I[op];
      if (!f) throw new Error(`webgpu: no int32 form of '${op}'`);
      return f(asI(a!), asI(b!));
    }
    return BINARY_F[op](asF(a!), asF(b!));
  }
  throw new Error(`webgpu: '${op}' is not an elementwise op`);
}
