// Where a public op appears, declared once beside its definition. `nb.*` (src/api/ops.ts), `nb.nn`
// (src/api/nn.ts), the named activations (src/api/activations.ts) and the Tensor method names are
// generated from these declarations by scripts/gen-api.ts; the activation table, the Tensor
// methods and the TF.js activation names are derived from them at load. An exported function
// without a declaration is not public.
import type { Tensor } from '../tensor/tensor.js';

/** A named activation (`activation: 'relu'` in a layer). */
export interface ActivationSurface {
  /** The activation with Keras's default options, when the op's own defaults differ. */
  readonly apply?: (x: Tensor) => Tensor;
  /** The name, when it is not the op's (`exp` is the activation 'exponential'). */
  readonly name?: string;
  /** TF.js has it, so a model using it can be saved in TF.js's format. */
  readonly tfjs?: true;
}

export interface OpSurface {
  /** Also a Tensor method of the same name: `x.op(...rest)` is `nb.op(x, ...rest)`. */
  readonly method?: true;
  /** Also in `nb.nn` (tf.nn); 'only' keeps it out of the top level. */
  readonly nn?: true | 'only';
  /** Also a named activation. */
  readonly activation?: true | ActivationSurface;
  /** Other `nb.*` names for the same function (TensorFlow's `reduce_sum` for `sum`, ...). */
  readonly aliases?: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => unknown;

/** Declares `fn` public with `surface`; returns `fn`. */
export function declareOp<F extends AnyFunction>(fn: F, surface: OpSurface = {}): F {
  if (Object.prototype.hasOwnProperty.call(fn, 'surface')) throw new Error(`declareOp: '${fn.name}' is declared twice`);
  Object.defineProperty(fn, 'surface', { value: Object.freeze({ ...surface }), enumerable: false });
  return fn;
}

/** The declaration of a public op, or undefined for anything else. */
export function surfaceOf(value: unknown): OpSurface | undefined {
  if (typeof value !== 'function' || !Object.prototype.hasOwnProperty.call(value, 'surface')) return undefined;
  return (value as unknown as { surface: OpSurface }).surface;
}
