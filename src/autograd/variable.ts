import { engine } from '../engine/engine.js';
import { noteVariableWrite } from '../engine/variable-writes.js';
import { add as addFn, sub as subFn } from '../ops/primitives/binary.js';
import { cast as castTo } from '../ops/primitives/cast.js';
import { copy as copyFn } from '../ops/primitives/copy.js';
import { readVariableOp } from '../engine/read-variable.js';
import { NO_ATTRS } from '../ops/run.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import { assertDType, type DType } from '../tensor/dtype.js';
import { contiguousLayout } from '../tensor/layout.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** Options of {@link Variable}. */
export interface VariableOptions {
  /** Trainable variables are watched by every GradientTape automatically (default true). */
  trainable?: boolean;
  /** Name shown in logs and used for saved weights. */
  name?: string;
  /** dtype of the stored value (default: the initial value's). */
  dtype?: DType;
}

let unnamed = 0;

/**
 * A mutable tensor: `assign` swaps in new storage, so tensors computed from the old value (and
 * tapes that saved it) keep seeing the old value.
 */
export class Variable extends Tensor {
  trainable: boolean;
  name: string;

  constructor(initial: TensorLike, opts: VariableOptions = {}) {
    let t = toTensor(initial, 'Variable');
    if (opts.dtype && opts.dtype !== t.dtype) t = castTo(t, assertDType(opts.dtype, 'Variable'));
    const owned = ownCopy(t);
    super(owned.storage, contiguousLayout(owned.shape));
    engine.memory.onTensor(this);
    engine.memory.dedicate(this.storage);
    this.trainable = opts.trainable ?? true;
    this.name = opts.name ?? `Variable_${unnamed++}`;
  }

  override isKeptAlive(): boolean {
    return true;
  }

  override get isVariable(): boolean {
    return true;
  }

  /** The current value as a plain (immutable) tensor; tapes see the read, as with `read_value`. */
  value(): Tensor {
    return engine.runOp(readVariableOp, [this], NO_ATTRS)[0]!;
  }

  /** The current value, unseen by tapes: the arithmetic of assignAdd/assignSub is not differentiated. */
  private current(): Tensor {
    if (engine.tracer) return this.value();
    return engine.view(this.storage, this);
  }

  /** Replace the value; shape and dtype must match. */
  assign(value: TensorLike): this {
    this.assertAlive('assign');
    let v = toTensor(value, 'assign', this.dtype);
    if (!shapesEqual(v.shape, this.shape)) {
      throw new ShapeError(`Variable.assign (${this.name}): value of shape ${fmtShape(v.shape)} does not match the variable's shape ${fmtShape(this.shape)}`);
    }
    if (v.dtype !== this.dtype) {
      if (value instanceof Tensor) {
        throw new DTypeError(`Variable.assign (${this.name}): value of dtype ${v.dtype} does not match the variable's dtype ${this.dtype}`);
      }
      v = castTo(v, this.dtype);
    }
    if (engine.tracer) {
      engine.tracer.assign(this, v);
      return this;
    }
    const owned = ownCopy(v);
    noteVariableWrite(this);
    const previous = this.storage;
    engine.memory.swapStorage(this, owned.storage);
    engine.memory.dedicate(this.storage, previous);
    return this;
  }

  /** Replace the value with `value + delta` (not recorded by tapes); returns this. */
  assignAdd(delta: TensorLike): this {
    return this.assign(addFn(this.current(), toTensor(delta, 'assignAdd', this.dtype)));
  }

  /** Replace the value with `value - delta` (not recorded by tapes); returns this. */
  assignSub(delta: TensorLike): this {
    return this.assign(subFn(this.current(), toTensor(delta, 'assignSub', this.dtype)));
  }

  override label(): string {
    return `variable '${this.name}'`;
  }

  override toString(): string {
    return `Variable '${this.name}' ${super.toString()}`;
  }
}

/** A contiguous tensor whose storage starts at offset 0 and holds exactly its elements. */
function ownCopy(t: Tensor): Tensor {
  if (t.disposed) throw new ValueError('Variable: the initial value was disposed');
  const s = t.storage;
  if (t.offset === 0 && s.size === t.size && t.strides.every((st, i) => st === contiguousLayout(t.shape).strides[i] || t.shape[i] === 1)) {
    return t;
  }
  return copyFn(t);
}
