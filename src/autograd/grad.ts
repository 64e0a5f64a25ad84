import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { defineOp, type BatchAxis, type OpDef } from '../ops/define-op.js';
import { broadcastTo, expandDims, moveAxis } from '../ops/primitives/shape.js';
import { sum } from '../ops/primitives/reduce.js';
import { run1 } from '../ops/run.js';
import { toTensor, type TensorLike } from '../ops/creation.js';
import { Tensor } from '../tensor/tensor.js';
import { GradientTape } from './tape.js';

/** Options of `grad` and `valueAndGrad`. */
export interface GradOptions {
  /** Which positional arguments to differentiate: an index (default 0) or a list of indices. */
  argnums?: number | readonly number[];
}

type Fn = (...args: Tensor[]) => Tensor;

function gradients(f: Fn, args: TensorLike[], argnums: number | readonly number[]): { value: Tensor; grads: Tensor[] } {
  const xs = args.map((a) => toTensor(a, 'grad'));
  const which = typeof argnums === 'number' ? [argnums] : [...argnums];
  for (const i of which) {
    if (!Number.isInteger(i) || i < 0 || i >= xs.length) throw new ValueError(`grad: argnums ${i} is out of range for ${xs.length} arguments`);
  }
  // Only the chosen arguments are differentiated, so variables f reads need not be recorded.
  const tape = new GradientTape({ watchAccessedVariables: false });
  try {
    for (const i of which) tape.watch(xs[i]!);
    const value = f(...xs);
    if (!(value instanceof Tensor)) throw new ValueError('grad: the function must return a tensor');
    const grads = tape.gradient(value, which.map((i) => xs[i]!), { unconnectedGradients: 'zero' });
    return { value, grads };
  } finally {
    tape.dispose();
  }
}

/** `grad(f)(x)`: the gradient of a tensor-valued `f` (summed if not scalar) with respect to its arguments. */
export function grad(f: Fn, opts: GradOptions = {}): (...args: TensorLike[]) => Tensor | Tensor[] {
  const argnums = opts.argnums ?? 0;
  return (...args) => {
    const { grads } = gradients(f, args, argnums);
    return typeof argnums === 'number' ? grads[0]! : grads;
  };
}

/** `valueAndGrad(f)(x)` returns `{ value, grad }` from one forward pass. */
export function valueAndGrad(f: Fn, opts: GradOptions = {}): (...args: TensorLike[]) => { value: Tensor; grad: Tensor | Tensor[] } {
  const argnums = opts.argnums ?? 0;
  return (...args) => {
    const { value, grads } = gradients(f, args, argnums);
    return { value, grad: typeof argnums === 'number' ? grads[0]! : grads };
  };
}

/** What a `customGradient` function returns: its value and how to differentiate it. */
export interface CustomGradientResult {
  /** The function's output. */
  value: Tensor;
  /** Gradients of the inputs given the output's gradient. */
  gradFunc: (dy: Tensor) => Tensor | (Tensor | null)[];
}

interface CustomAttrs {
  readonly gradFunc: CustomGradientResult['gradFunc'];
  readonly nInputs: number;
}

const customOp: OpDef<CustomAttrs> = defineOp<CustomAttrs>({
  name: 'customGradient',
  infer: ([v]) => [{ shape: v!.shape, dtype: v!.dtype }],
  view: (l) => l,
  grad: ([dy], { attrs }) => {
    const g = attrs.gradFunc(dy!);
    const list = g instanceof Tensor ? [g] : g;
    if (list.length !== attrs.nInputs) {
      throw new ValueError(`customGradient: gradFunc returned ${list.length} gradients for ${attrs.nInputs} inputs`);
    }
    return [null, ...list];
  },
  // The value keeps its batch. Its gradient runs the per-example gradFunc as part of the vmap
  // (again, if the backward pass comes after vmap returned), each input's gradient batched like it.
  batch: ([value, ...xs], [valueAxis, ...axes], attrs, ctx) => {
    if (engine.isRecording()) ctx.keepValues();
    const gradFunc = (dy: Tensor): (Tensor | null)[] => {
      const r = ctx.perExample(([d]) => {
        const g = attrs.gradFunc(d!);
        return g instanceof Tensor ? [g] : g;
      }, [dy], [valueAxis ?? null]);
      return r.outputs.map((g, i) => (g === null || i >= xs.length ? g : batchedLike(g, r.axes[i] ?? null, xs[i]!, axes[i] ?? null)));
    };
    return { outputs: [run1(customOp, [value!, ...xs], { ...attrs, gradFunc })], axes: [valueAxis ?? null] };
  },
});

/** A gradient batched on `axis` as its input `x` is on `xAxis`: moved there, summed for a shared input, broadcast for a shared gradient. */
export function batchedLike(g: Tensor, axis: BatchAxis, x: Tensor, xAxis: BatchAxis): Tensor {
  if (xAxis === null) return axis === null ? g : sum(g, axis);
  if (axis !== null) return moveAxis(g, axis, xAxis);
  return broadcastTo(expandDims(g, xAxis), x.shape);
}

/**
 * Define a function with its own gradient, like tf.custom_gradient:
 * `customGradient((x) => ({ value: f(x), gradFunc: (dy) => ... }))`.
 */
export function customGradient(fn: (...xs: Tensor[]) => CustomGradientResult): (...xs: TensorLike[]) => Tensor {
  return (...args) => {
    const xs = args.map((a) => toTensor(a, 'customGradient'));
    const { value, gradFunc } = engine.pauseRecording(() => fn(...xs));
    return run1(customOp, [value, ...xs], { gradFunc, nInputs: xs.length });
  };
}
