// Jacobians and Hessians from the two modes: jacfwd (a jvp along every input direction), jacrev (a
// backward pass along every output direction), each one call batched by vmap over the basis;
// hessian = jacfwd(jacrev(f)), hvp = forward over reverse.
import { GradientTape } from '../autograd/tape.js';
import { grad } from '../autograd/grad.js';
import { ValueError } from '../errors.js';
import { tensor, toTensor, zeros, type TensorLike } from '../ops/creation.js';
import { reshape } from '../ops/primitives/shape.js';
import { flatten, unflatten, type Template } from '../jit/pytree.js';
import { allocArray, type DType } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { jvp } from './jvp.js';
import { vmap } from './vmap.js';

/** Options of {@link jacfwd}, {@link jacrev} and {@link hessian}. */
export interface JacobianOptions {
  /** Which positional arguments to differentiate: an index (default 0) or a list of indices (then one Jacobian per index). */
  argnums?: number | readonly number[];
}

/**
 * The standard basis of `like`'s space as one tensor: the identity in `like`'s dtype reshaped to
 * `[n, ...like.shape]`, so that row i is the i-th one-hot direction. The Jacobians map their
 * per-direction function over it with one vmap instead of looping over the n directions.
 */
export function basisOf(like: { readonly shape: readonly number[]; readonly dtype: DType }): Tensor {
  const n = sizeOf(like.shape);
  const values = allocArray(like.dtype, n * n);
  for (let i = 0; i < n; i++) values[i * n + i] = 1;
  return tensor(values, [n, ...like.shape], like.dtype);
}

function argnumList(argnums: number | readonly number[], nArgs: number, op: string): number[] {
  const which = typeof argnums === 'number' ? [argnums] : [...argnums];
  if (which.length === 0) throw new ValueError(`${op}: argnums is empty; name at least one argument`);
  for (const i of which) {
    if (!Number.isInteger(i) || i < 0 || i >= nArgs) throw new ValueError(`${op}: argnums ${i} is out of range for ${nArgs} arguments`);
  }
  return which;
}

/**
 * `jacfwd(f)(...args)`: the Jacobian of `f` with respect to `args[argnums]` by forward mode: the
 * `jvp` along every one-hot direction of the argument, batched into one call by vmap (so `f` runs
 * once): for an output of shape O and an argument of shape I, a tensor of shape [...O, ...I]. `f` may return a pytree of tensors (the result has its structure); with a list
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
      let y: unknown;
      let tangents: Tensor[];
      if (x.size === 0) {
        y = at(x);
        tangents = flatten(y, () => true).tensors.map((o) => zeros([...o.shape, 0], o.dtype));
      } else {
        // One batched jvp along every direction at once; each tangent gets the batch as its last axis.
        const [value, t] = vmap((e: Tensor) => jvp(at, [x], [e]), { outAxes: [null, -1] })(basisOf(x));
        y = value;
        tangents = flatten(t, () => true).tensors;
      }
      if (!template) {
        const o = flatten(y, () => true);
        template = o.template;
        outs = o.tensors;
      }
      return outs.map((o, leaf) => reshape(tangents[leaf]!, [...o.shape, ...x.shape]));
    });
    const leaves = outs.map((_, leaf) => (typeof argnums === 'number' ? perArg[0]![leaf]! : perArg.map((j) => j[leaf]!)));
    return unflatten(template!, leaves as Tensor[]);
  };
}

/**
 * `jacrev(f)(...args)`: the Jacobian of a tensor-valued `f` with respect to `args[argnums]` by
 * reverse mode: the backward pass along every one-hot output direction, batched into one pass by
 * vmap: shape [...O, ...I] (a list of them for a list of argnums).
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
      const shapeOf = (x: Tensor) => [...y.shape, ...x.shape];
      // One batched backward pass with every one-hot output gradient at once: rows [n, ...x.shape].
      const rows =
        y.size === 0
          ? sources.map((x) => zeros(shapeOf(x), x.dtype))
          : vmap((e: Tensor) => tape.gradient(y, sources, { outputGradients: e, unconnectedGradients: 'zero' }) as Tensor[])(basisOf(y));
      const jacobians = sources.map((x, k) => reshape(rows[k]!, shapeOf(x)));
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
