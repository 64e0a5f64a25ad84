// Weight regularizers (keras.regularizers): a penalty computed from a weight, added to the loss.
import { ValueError } from '../errors.js';
import { add, mul } from '../ops/primitives/binary.js';
import { sum } from '../ops/primitives/reduce.js';
import { abs, square } from '../ops/primitives/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import { isSerialized, lookupByName, lookupKey, type SerializedObject } from './serialization.js';

/** Base class of regularizers: `call(weight)` is the penalty added to the loss. */
export abstract class Regularizer {
  /** The penalty for weight `x`, a scalar. */
  abstract call(x: Tensor): Tensor;
  /** Constructor arguments as JSON, enough to make an equal regularizer. */
  abstract getConfig(): Record<string, unknown>;
  get className(): string {
    return this.constructor.name;
  }
}

function checkFactor(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new ValueError(`${name}: the factor must be a finite number >= 0, got ${v}`);
  return v;
}

/** `l1 * sum(|x|) + l2 * sum(x^2)`. */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;
  constructor(opts: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = checkFactor('L1L2', opts.l1 ?? 0);
    this.l2 = checkFactor('L1L2', opts.l2 ?? 0);
  }
  call(x: Tensor): Tensor {
    const terms: Tensor[] = [];
    if (this.l1) terms.push(mul(sum(abs(x)), this.l1));
    if (this.l2) terms.push(mul(sum(square(x)), this.l2));
    if (!terms.length) return mul(sum(x), 0);
    return terms.length === 1 ? terms[0]! : add(terms[0]!, terms[1]!);
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
}

export class L1 extends L1L2 {
  constructor(opts: number | { l1?: number } = {}) {
    super({ l1: typeof opts === 'number' ? opts : (opts.l1 ?? 0.01) });
  }
  override getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
}

export class L2 extends L1L2 {
  constructor(opts: number | { l2?: number } = {}) {
    super({ l2: typeof opts === 'number' ? opts : (opts.l2 ?? 0.01) });
  }
  override getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
}

const CLASSES: Record<string, new (config?: never) => Regularizer> = { L1, L2, L1L2 };
const TABLE = new Map(Object.entries(CLASSES).map(([k, v]) => [lookupKey(k), v]));

/** A regularizer, its name ('l1', 'l2', 'l1l2') or its serialized form. */
export type RegularizerIdentifier = string | Regularizer | SerializedObject;

/** Resolve 'l1' / 'l2' / 'l1l2' (default factors 0.01), {className, config} or an instance. */
export function getRegularizer(id: RegularizerIdentifier): Regularizer {
  if (id instanceof Regularizer) return id;
  if (typeof id === 'string') return new (lookupByName('regularizer', TABLE, id, ['l1', 'l2', 'l1l2']))();
  if (isSerialized(id)) return new (lookupByName('regularizer', TABLE, id.className, ['L1', 'L2', 'L1L2']))(id.config as never);
  throw new ValueError(`getRegularizer: expected a name, {className, config} or a Regularizer, got ${typeof id}`);
}

/** A regularizer as `{ className, config }` JSON. */
export function serializeRegularizer(r: Regularizer): SerializedObject {
  return { className: r.className, config: r.getConfig() };
}

// Factory functions, as in keras.regularizers.l2(0.01).
/** An L1 penalty `factor * sum(abs(x))`. */
export const l1 = (factor = 0.01) => new L1(factor);
/** An L2 penalty `factor * sum(square(x))`. */
export const l2 = (factor = 0.01) => new L2(factor);
/** The sum of an L1 and an L2 penalty. */
export const l1l2 = (opts: { l1?: number; l2?: number } = { l1: 0.01, l2: 0.01 }) => new L1L2(opts);
