import { DTypeError } from '../../errors.js';
import { binaryBroadcast, makeElementwiseLoops } from '../loops.js';
import { isFloat, promote, type DType } from '../../tensor/dtype.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { toTensorPair, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { defineOp, type OpDef, type TensorMeta } from '../define-op.js';
import { NO_ATTRS, run1 } from '../run.js';
import { greaterEqual, less, greater, notEqual } from './compare.js';
import { where } from './select.js';
import { floor, log, neg, square } from './unary.js';
import { declareOp } from '../surface.js';
import { batchBroadcasting } from '../batch-rules.js';

type NoAttrs = Record<string, never>;
type DTypeRule = 'promote' | 'float';

interface BinarySpec {
  f: (a: number, b: number) => number;
  /** Integer version where it differs (C-like int arithmetic). */
  fInt?: (a: number, b: number) => number;
  grad?: (a: Tensor, b: Tensor, y: Tensor, dy: Tensor) => [Tensor | null, Tensor | null];
  dtype?: DTypeRule;
}

export function binaryOutDType(name: string, rule: DTypeRule, a: TensorMeta, b: TensorMeta): DType {
  const d = promote(a.dtype, b.dtype);
  if (rule === 'float') return isFloat(d) ? d : 'float32';
  if (d === 'bool') throw new DTypeError(`${name}: expected numeric tensors, got dtype bool and bool; cast them first`);
  return d;
}

/** A broadcasting binary elementwise primitive: scalar function + gradient. */
function defineBinary(name: string, spec: BinarySpec): OpDef<NoAttrs> {
  const rule = spec.dtype ?? 'promote';
  const { f, grad } = spec;
  const fInt = spec.fInt ?? ((x: number, y: number) => f(x, y) | 0);
  const floatLoops = makeElementwiseLoops();
  const intLoops = makeElementwiseLoops();
  const op: OpDef<NoAttrs> = defineOp<NoAttrs>({
    name,
    infer: ([a, b]) => [{ shape: broadcastShapes(name, a!.shape, b!.shape), dtype: binaryOutDType(name, rule, a!, b!) }],
    ref: ([a, b], _attrs, [o]) => [
      o!.dtype === 'int32'
        ? binaryBroadcast(a!.data, a!.shape, b!.data, b!.shape, o!.shape, o!.dtype, fInt, intLoops)
        : binaryBroadcast(a!.data, a!.shape, b!.data, b!.shape, o!.shape, o!.dtype, f, floatLoops),
    ],
    grad: grad ? ([dy], { inputs: [a, b], outputs: [y] }) => grad(a!, b!, y!, dy!) : undefined,
    // Each gradient is ∂f/∂input * dy elementwise, so applied to a tangent it is that input's JVP term.
    jvp: grad
      ? ([ta, tb], { inputs: [a, b], outputs: [y] }) => {
          const da = ta ? grad(a!, b!, y!, ta)[0] : null;
          const db = tb ? grad(a!, b!, y!, tb)[1] : null;
          return [da && db ? add(da, db) : (da ?? db)];
        }
      : undefined,
    linear: name === 'add' || name === 'sub',
    notDifferentiable: !grad,
    pointwise: { f, fInt },
    batch: (inputs, axes, attrs) => batchBroadcasting(op, inputs, axes, attrs),
  });
  return op;
}

/** Python/TensorFlow floor modulo: the result takes the divisor's sign. */
function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** C/IEEE pow: 1^y and (-1)^±inf are 1 even for NaN/inf exponents, where Math.pow gives NaN. */
function powC(a: number, b: number): number {
  if (a === 1 || (a === -1 && (b === Infinity || b === -Infinity))) return 1;
  return Math.pow(a, b);
}

function intPow(a: number, b: number): number {
  if (b < 0) return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  let base = a;
  let e = b;
  while (e > 0) {
    if (e & 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
    e >>>= 1;
  }
  return r;
}

/** The elementwise broadcasting two-input primitives by name (`OpDef`s). */
export const binaryOps = {
  add: defineBinary('add', { f: (a, b) => a + b, grad: (_a, _b, _y, dy) => [dy, dy] }),
  sub: defineBinary('sub', { f: (a, b) => a - b, grad: (_a, _b, _y, dy) => [dy, neg(dy)] }),
  mul: defineBinary('mul', { f: (a, b) => a * b, fInt: Math.imul, grad: (a, b, _y, dy) => [mul(dy, b), mul(dy, a)] }),
  div: defineBinary('div', {
    f: (a, b) => a / b,
    dtype: 'float',
    grad: (a, b, _y, dy) => [div(dy, b), neg(div(mul(dy, a), square(b)))],
  }),
  floorDiv: defineBinary('floorDiv', {
    f: (a, b) => Math.floor(a / b),
    fInt: (a, b) => (b === 0 ? 0 : Math.floor(a / b)),
  }),
  mod: defineBinary('mod', {
    f: floorMod,
    fInt: (a, b) => (b === 0 ? 0 : floorMod(a, b)),
    grad: (a, b, _y, dy) => [dy, neg(mul(dy, floor(div(a, b))))],
  }),
  pow: defineBinary('pow', {
    f: powC,
    fInt: intPow,
    grad: (a, b, y, dy) => {
      const da = mul(dy, mul(b, pow(a, sub(b, 1))));
      // d/db a^b = a^b log a, defined as 0 where a <= 0 (as TensorFlow does).
      const safeLog = log(where(greater(a, 0), a, 1));
      const db = mul(dy, where(greater(a, 0), mul(y, safeLog), 0));
      return [da, db];
    },
  }),
  maximum: defineBinary('maximum', {
    f: (a, b) => (a !== a || b !== b ? NaN : a >= b ? a : b),
    grad: (a, b, _y, dy) => {
      const ge = greaterEqual(a, b);
      return [where(ge, dy, 0), where(ge, 0, dy)];
    },
  }),
  minimum: defineBinary('minimum', {
    f: (a, b) => (a !== a || b !== b ? NaN : a <= b ? a : b),
    grad: (a, b, _y, dy) => {
      const lt = less(b, a);
      return [where(lt, 0, dy), where(lt, dy, 0)];
    },
  }),
  atan2: defineBinary('atan2', {
    f: Math.atan2,
    dtype: 'float',
    grad: (a, b, _y, dy) => {
      const denom = add(square(a), square(b));
      return [div(mul(dy, b), denom), neg(div(mul(dy, a), denom))];
    },
  }),
};

/** Convert a pair of op arguments, giving JS numbers the other operand's dtype. */
export const toPair = toTensorPair;

const bin = (op: OpDef<NoAttrs>) => (a: TensorLike, b: TensorLike): Tensor => run1(op, toPair(op.name, a, b), NO_ATTRS);

/** Elementwise `a + b`, broadcasting. */
export const add = bin(binaryOps.add);
/** Elementwise `a - b`, broadcasting. */
export const sub = bin(binaryOps.sub);
/** Elementwise `a * b`, broadcasting. */
export const mul = bin(binaryOps.mul);
/** Elementwise `a / b`, broadcasting (integer inputs give float32). */
export const div = bin(binaryOps.div);
/** Elementwise `floor(a / b)`, broadcasting. */
export const floorDiv = bin(binaryOps.floorDiv);
/** Elementwise remainder with the sign of `b` (floor modulo), broadcasting. */
export const mod = bin(binaryOps.mod);
/** Elementwise `a ** b`, broadcasting. */
export const pow = bin(binaryOps.pow);
/** Elementwise larger of `a` and `b`, broadcasting. */
export const maximum = bin(binaryOps.maximum);
/** Elementwise smaller of `a` and `b`, broadcasting. */
export const minimum = bin(binaryOps.minimum);
/** Elementwise angle of the point `(b, a)` in radians, broadcasting. */
export const atan2 = bin(binaryOps.atan2);

/** (a - b)^2, elementwise. */
export function squaredDifference(a: TensorLike, b: TensorLike): Tensor {
  return square(sub(a, b));
}

/** a / b, with 0 where b is 0 (and no NaN gradients there). */
export function divNoNan(a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = toPair('divNoNan', a, b);
  const nonzero = notEqual(tb, 0);
  return where(nonzero, div(ta, where(nonzero, tb, 1)), 0);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(add, { method: true });
declareOp(sub, { method: true });
declareOp(mul, { method: true });
declareOp(div, { method: true });
declareOp(floorDiv, { method: true });
declareOp(mod, { method: true });
declareOp(pow, { method: true });
declareOp(maximum, { method: true });
declareOp(minimum, { method: true });
declareOp(atan2, { method: true });
declareOp(squaredDifference, { method: true });
declareOp(divNoNan);
