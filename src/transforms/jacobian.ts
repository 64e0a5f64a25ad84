// Jacobians and Hessians from the two modes: jacfwd (one jvp per input direction), jacrev (one
// backward pass per output direction), hessian = jacfwd(jacrev(f)), hvp = forward over reverse.
import { GradientTape } from '../autograd/tape.js';
import { grad } from '../autograd/grad.js';
import { ValueError } from '../errors.js';
import { tensor, toTensor, zeros, type TensorLike } from '../ops/creation.js';
import { reshape } from '../ops/primitives/shape.js';
import { stack } from '../ops/primitives/structure.js';
import { flatten, unflatten, type Template } from '../jit/pytree.js';
import { allocArray, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { jvp } from './jvp.js';

/** Options of {@link jacfwd}, {@link jacrev} and {@link hessian}. */
export interface JacobianOptions {
  /** Which positional arguments to differentiate: an index (default 0) or a list of indices (then one Jacobian per index). */
  argnums?: number | readonly number[];
}

/**
 * `fn` applied to each standard basis vector (one-hot, in `like`'s shape and dtype), in order.
 * The one place the Jacobians loop over directions: with a batching transform it becomes one call
 * of the batched `fn` on the identity reshaped to `[n, ...like.shape]`.
 */
export function overBasis<T>(like: { readonly shape: readonly number[]; readonly dtype: DType }, fn: (e: Tensor) => T): T[] {
  const n = like.shape.reduce((a, b) => a * b, 1);
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const values = allocArray(like.dtype, n);
    values[i] = 1;
    out.push(fn(tensor(values, like.shape, like.dtype)));
  }
  return out;
}

function argnumList(argnums: number | readonly number[], nArgs: number, op: string): number[] {
  const which = typeof argnums === 'number' ? [argnums] : [...argnums];
  if (which.length === 0) throw new ValueError(`${op}: argnums is empty; name at least one argument`);
  for (const i of which) {
    if (!Number.isInteger(i) || i < 0 || i >= nArgs) throw new ValueError(`${op}: argnums ${i} is out of range for ${nArgs} arguments`);
  }
  return which;
}

/** Per-direction results stacked into one Jacobian: `rows` are `outShape`-shaped pieces of `[...lead, ...tail]`. */
function assemble(pieces: Tensor[], axis: number, shape: readonly number[], dtype: DType): Tensor {
  if (pieces.length === 0) return zeros(shape, dtype);
  return reshape(stack(pieces, axis), shape);
}

/**
 * `jacfwd(f)(...args)`: the Jacobian of `f` with respect to `args[argnums]` by forward mode, one
 * `jvp` per element of the argument: for an output of shape O and an argument of shape I, a tensor of
 * shape [...O, ...I]. `f` may return a pytree of tensors (the result has its structure); with a list
 * of argnums each output leaf gets a list of Jacobians, one per argument (as JAX's jacfwd).
 */
export function jacfwd<R>(f: (...args: any[]) => R, opts?: { argnums?: number }): (...args: TensorLike[]) => R;
export function jacfwd(f: (...args: any[]) => unknown, opts: JacobianOptions): (...args: TensorLike[]) => any;
export function jacfwd(f: (...args: any[]) => unknown, opts: JacobianOptions = {}): (...args: TensorLike[]) => any {
  const argnums = opts.argnums ?? 0;
  return (...args) => {
    const xs = args.map((a) => toTensor(a, 'jacfwd'));
    const which = argnumList(argnums, xs.length, 'jacfwd');
    let template: Template | undefined;
    let outs: Tensor[] = [];
    const perArg = which.map((i) => {
      const x = xs[i]!;
      const at = (xi: Tensor) => f(...xs.map((a, j) => (j === i ? xi : a)));
      const outputOf = (y: unknown) => {
        if (template) return;
        const o = flatten(y, () => true);
        template = o.template;
        outs = o.tensors;
      };
      const columns = overBasis(x, (e) => {
        const [y, t] = jvp(at, [x], [e]);
        outputOf(y);
        return flatten(t, () => true).tensors;
      });
      if (columns.length === 0) outputOf(at(x));
      return outs.map((y, leaf) => assemble(columns.map((c) => c[leaf]!), y.shape.length, [...y.shape, ...x.shape], y.dtype));
    });
    const leaves = outs.map((_, leaf) => (typeof argnums === 'number' ? perArg[0]![leaf]! : perArg.map((j) => j[leaf]!)));
    return unflatten(template!, leaves as Tensor[]);
  };
}

/**
 * `jacrev(f)(...args)`: the Jacobian of a tensor-valued `f` with respect to `args[argnums]` by
 * reverse mode, one backward pass per element of the output: shape [...O, ...I] (a list of them for
 * a list of argnums).
 */
export function jacrev(f: (...args: any[]) => Tensor, opts?: { argnums?: number }): (...args: TensorLike[]) => Tensor;
export function jacrev(f: (...args: any[]) => Tensor, opts: JacobianOptions): (...args: TensorLike[]) => Tensor[];
export function jacrev(f: (...args: any[]) => Tensor, opts: JacobianOptions = {}): (...args: TensorLike[]) => Tensor | Tensor[] {
  const argnums = opts.argnums ?? 0;
  return (...args) => {
    const xs = args.map((a) => toTensor(a, 'jacrev'));
    const which = argnumList(argnums, xs.length, 'jacrev');
    const sources = which.map((i) => xs[i]!);
    const tape = new GradientTape({ persistent: true, watchAccessedVariables: false });
    try {
      tape.watch(sources);
      const y = f(...xs);
      if (!(y instanceof Tensor)) throw new ValueError('jacrev: the function must return a tensor (use jacfwd for a pytree of outputs)');
      const rows = overBasis(y, (e) => tape.gradient(y, sources, { outputGradients: e, unconnectedGradients: 'zero' }));
      const jacobians = sources.map((x, k) => assemble(rows.map((r) => r[k]!), 0, [...y.shape, ...x.shape], x.dtype));
      return typeof argnums === 'number' ? jacobians[0]! : jacobians;
    } finally {
      tape.dispose();
    }
  };
}

/**
 * `hessian(f)(...args)`: second derivatives of a scalar `f`, as `jacfwd(jacrev(f))` (forward over
 * reverse): shape [...I, ...I] for an argument of shape I; with a list of argnums, `H[i][j]` is the
 * block ∂²f/∂x_i∂x_j.
 */
export function hessian(f: (...args: any[]) => Tensor, opts?: { argnums?: number }): (...args: TensorLike[]) => Tensor;
export function hessian(f: (...args: any[]) => Tensor, opts: JacobianOptions): (...args: TensorLike[]) => Tensor[][];
export function hessian(f: (...args: any[]) => Tensor, opts: JacobianOptions = {}): (...args: TensorLike[]) => Tensor | Tensor[][] {
  return jacfwd(jacrev(f, opts) as (...args: TensorLike[]) => unknown, opts);
}

/**
 * `hvp(f, x, v)`: the Hessian of scalar `f` at `x` times `v`, without forming the Hessian: the
 * forward-mode derivative of `grad(f)` along `v` (one forward pass over one backward pass). For
 * several arguments pass arrays: `hvp(f, [x, y], [vx, vy])` gives `[Hxx·vx + Hxy·vy, Hyx·vx + Hyy·vy]`.
 */
export function hvp(f: (...args: any[]) => Tensor, primals: Tensor, tangents: Tensor): Tensor;
export function hvp(f: (...args: any[]) => Tensor, primals: readonly Tensor[], tangents: readonly Tensor[]): Tensor[];
export function hvp(f: (...args: any[]) => Tensor, primals: Tensor | readonly Tensor[], tangents: Tensor | readonly Tensor[]): Tensor | Tensor[] {
  const many = Array.isArray(primals);
  if (many !== Array.isArray(tangents)) throw new ValueError('hvp: give primals and tangents alike: both tensors, or both arrays of tensors');
  const xs = (many ? primals : [primals]) as Tensor[];
  const vs = (many ? tangents : [tangents]) as Tensor[];
  const g = grad(f, { argnums: many ? xs.map((_, i) => i) : 0 });
  return jvp((...a: Tensor[]) => g(...a), xs, vs)[1];
}
