// Jacobians and Hessians from the two modes: jacfwd (a jvp along every input direction), jacrev (a
// backward pass along every output direction), each one call batched by vmap over the basis;
// hessian = jacfwd(jacrev(f)), hvp = forward over reverse. Arguments and outputs may be pytrees.
import { GradientTape } from '../autograd/tape.js';
import { grad } from '../autograd/grad.js';
import { DTypeError, ValueError } from '../errors.js';
import { tensor, toTensor, zeros, type TensorLike } from '../ops/creation.js';
import { cast } from '../ops/primitives/cast.js';
import { reshape, slice, squeeze } from '../ops/primitives/shape.js';
import { split } from '../ops/primitives/structure.js';
import { flatten, unflatten, type Template } from '../jit/pytree.js';
import { allocArray, isFloat, type DType } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { jvp } from './jvp.js';
import { vmap } from './vmap.js';

/** Options of {@link jacfwd}, {@link jacrev} and {@link hessian}. */
export interface JacobianOptions {
  /**
   * Which positional arguments to differentiate: an index (default 0), or a list of indices, in
   * which case each output leaf gets a list with one Jacobian structure per listed argument.
   */
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
  if (new Set(which).size !== which.length) throw new ValueError(`${op}: argnums ${JSON.stringify(which)} names an argument twice`);
  return which;
}

/** A number, boolean, typed array or nested array of numbers: a tensor literal rather than a pytree. */
function isTensorLiteral(a: unknown): boolean {
  if (typeof a === 'number' || typeof a === 'boolean' || (ArrayBuffer.isView(a) && !(a instanceof DataView))) return true;
  return Array.isArray(a) && a.length > 0 && a.every(isTensorLiteral);
}

/** The arguments with tensor literals made tensors (pytrees and other values stay as given), and the differentiated ones flattened. */
function prepare(args: readonly unknown[], argnums: number | readonly number[], op: string) {
  const xs = args.map((a) => (isTensorLiteral(a) ? toTensor(a as TensorLike, op) : a));
  const which = argnumList(argnums, xs.length, op);
  const chosen = which.map((i) => xs[i]);
  const flat = flatten(chosen, () => true);
  if (flat.tensors.length === 0) throw new ValueError(`${op}: the arguments named by argnums ${JSON.stringify(argnums)} hold no tensor to differentiate`);
  for (const x of flat.tensors) {
    if (!isFloat(x.dtype)) throw new DTypeError(`${op}: a differentiated argument holds a ${x.dtype} tensor of shape [${x.shape.join(', ')}]; Jacobians need float tensors`);
  }
  /** `f` as a function of the differentiated arguments only. */
  const call = (f: (...a: any[]) => unknown) => (...picked: unknown[]) => f(...xs.map((a, j) => (which.includes(j) ? picked[which.indexOf(j)] : a)));
  return { xs, chosen, template: flat.template, leaves: flat.tensors, call };
}

/** The widest float dtype of `ts` (float64 if any is), for a basis shared by all of them. */
function basisDType(ts: readonly Tensor[]): DType {
  return ts.some((t) => t.dtype === 'float64') ? 'float64' : ts[0]!.dtype;
}

/** `t` cut along `axis` into pieces of the given sizes, reshaped to `shapes` (and cast to `dtypes` where given). */
function cutAlong(t: Tensor, axis: number, sizes: readonly number[], shapes: readonly (readonly number[])[], dtypes?: readonly DType[]): Tensor[] {
  const pieces = sizes.length === 1 ? [t] : split(t, sizes, axis);
  return pieces.map((p, k) => {
    const r = reshape(p, shapes[k]!);
    const dt = dtypes?.[k];
    return dt === undefined || r.dtype === dt ? r : cast(r, dt);
  });
}

/**
 * The nested Jacobian structure JAX returns: the output's structure, with each output leaf
 * replaced by the differentiated argument's structure (argnums a number), or by a list of them,
 * one per listed argument; `jac(k, j)` is the block for output leaf k and input leaf j.
 */
function nest(out: Template, nOut: number, inTemplate: Template, nIn: number, single: boolean, jac: (k: number, j: number) => Tensor): unknown {
  const perOutput = Array.from({ length: nOut }, (_, k) => {
    const perArg = unflatten(inTemplate, Array.from({ length: nIn }, (_, j) => jac(k, j))) as unknown[];
    return single ? perArg[0] : perArg;
  });
  return unflatten(out, perOutput as Tensor[]);
}

function outputLeaves(y: unknown, op: string): { template: Template; tensors: Tensor[] } {
  if (y instanceof Promise) throw new ValueError(`${op}: the function returned a Promise; Jacobians need a synchronous function`);
  const o = flatten(y, () => true);
  if (o.tensors.length === 0) throw new ValueError(`${op}: the function must return a tensor or a pytree (nested arrays/objects) of tensors, got ${typeof y}`);
  return o;
}

/**
 * `jacfwd(f, { argnums })(...args)`: the Jacobian of `f` by forward mode: the `jvp` along every
 * one-hot direction of the differentiated arguments, batched into one call by vmap (so `f` runs
 * once, on a batch of directions).
 *
 * The result has JAX's nested structure: `f`'s output structure, each output leaf (shape O)
 * replaced by the structure of `args[argnums]` whose leaves (shape I) are the blocks ∂out/∂in of
 * shape `[...O, ...I]`; with a list of argnums each output leaf gets a list of those structures,
 * one per listed argument. So for tensors in and out it is one tensor `[...O, ...I]`, and for
 * `f(params: {w, b})` returning a tensor it is `{ w: [...O, ...w.shape], b: [...O, ...b.shape] }`.
 * Arguments not named by argnums are passed through as they are.
 */
export function jacfwd<R>(f: (...args: any[]) => R, opts?: { argnums?: number }): (...args: any[]) => any;
export function jacfwd(f: (...args: any[]) => unknown, opts: JacobianOptions): (...args: any[]) => any;
export function jacfwd(f: (...args: any[]) => unknown, opts: JacobianOptions = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  return (...args: unknown[]) => {
    const { chosen, template, leaves, call } = prepare(args, argnums, 'jacfwd');
    const at = call(f);
    const sizes = leaves.map((x) => x.size);
    const n = sizes.reduce((a, b) => a + b, 0);
    let y: unknown;
    let tangents: Tensor[];
    if (n === 0) {
      y = at(...chosen);
      tangents = outputLeaves(y, 'jacfwd').tensors.map((o) => zeros([...o.shape, 0], o.dtype));
    } else {
      // One direction per row of the basis: split into one tangent per leaf, all leaves at once.
      const direction = (e: Tensor) =>
        unflatten(template, cutAlong(e, 0, sizes, leaves.map((x) => x.shape), leaves.map((x) => x.dtype))) as unknown[];
      // The value comes out batched (the same for every direction) when a node computes it with the
      // tangents (a scan's forward rule): take the first.
      const [value, t] = vmap((e: Tensor) => jvp(at, chosen, direction(e)), { outAxes: [0, -1] })(basisOf({ shape: [n], dtype: basisDType(leaves) }));
      const v = flatten(value, () => true);
      y = unflatten(v.template, v.tensors.map((b) => squeeze(slice(b, [0], [1]), [0])));
      tangents = flatten(t, () => true).tensors;
    }
    const out = outputLeaves(y, 'jacfwd');
    // Each output tangent is [...O, n]: cut its last axis into the input leaves.
    const blocks = out.tensors.map((o, k) =>
      cutAlong(tangents[k]!, -1, sizes, leaves.map((x) => [...o.shape, ...x.shape])),
    );
    return nest(out.template, out.tensors.length, template, leaves.length, typeof argnums === 'number', (k, j) => blocks[k]![j]!);
  };
}

/**
 * `jacrev(f, { argnums })(...args)`: the Jacobian of `f` by reverse mode: the backward pass along
 * every one-hot output direction, batched into one pass by vmap. `f` may return a tensor or a
 * pytree of float tensors; the result has the same nested structure as {@link jacfwd}'s (output
 * structure outside, argument structure inside, blocks `[...O, ...I]`).
 */
export function jacrev(f: (...args: any[]) => unknown, opts?: { argnums?: number }): (...args: any[]) => any;
export function jacrev(f: (...args: any[]) => unknown, opts: JacobianOptions): (...args: any[]) => any;
export function jacrev(f: (...args: any[]) => unknown, opts: JacobianOptions = {}): (...args: any[]) => any {
  const argnums = opts.argnums ?? 0;
  return (...args: unknown[]) => {
    const { chosen, template, leaves, call } = prepare(args, argnums, 'jacrev');
    const tape = new GradientTape({ persistent: true, watchAccessedVariables: false });
    try {
      tape.watch(leaves);
      const out = outputLeaves(call(f)(...chosen), 'jacrev');
      const ys = out.tensors;
      for (const y of ys) {
        if (!isFloat(y.dtype)) throw new DTypeError(`jacrev: an output of the function is a ${y.dtype} tensor of shape [${y.shape.join(', ')}]; reverse mode needs float outputs`);
      }
      const sizes = ys.map((y) => y.size);
      const m = sizes.reduce((a, b) => a + b, 0);
      // One batched backward pass with every one-hot output cotangent at once: rows [m, ...leaf.shape].
      const rows =
        m === 0
          ? leaves.map((x) => zeros([0, ...x.shape], x.dtype))
          : (vmap((e: Tensor) =>
              tape.gradient(ys, leaves, {
                outputGradients: cutAlong(e, 0, sizes, ys.map((y) => y.shape), ys.map((y) => y.dtype)),
                unconnectedGradients: 'zero',
              }),
            )(basisOf({ shape: [m], dtype: basisDType(ys) })) as Tensor[]);
      const blocks = leaves.map((x, j) => cutAlong(rows[j]!, 0, sizes, ys.map((y) => [...y.shape, ...x.shape])));
      return nest(out.template, ys.length, template, leaves.length, typeof argnums === 'number', (k, j) => blocks[j]![k]!);
    } finally {
      tape.dispose();
    }
  };
}

/**
 * `hessian(f, { argnums })(...args)`: second derivatives of a scalar `f`, as `jacfwd(jacrev(f))`
 * (forward over reverse). For a tensor argument of shape I: `[...I, ...I]`. For a pytree argument
 * the argument's structure nested in itself (`H.w.b` is ∂²f/∂w∂b, shape `[...w.shape, ...b.shape]`).
 * With a list of argnums, the gradient's structure (a list over the arguments) with each leaf
 * replaced by a list over the arguments: for tensor arguments `H[i][j]` is ∂²f/∂x_i∂x_j; for
 * `hessian(f, { argnums: [0, 1] })(p, y)` with `p = { a }`, `H[0].a[1]` is ∂²f/∂a∂y.
 */
export function hessian(f: (...args: any[]) => Tensor, opts: JacobianOptions = {}): (...args: any[]) => any {
  return jacfwd(jacrev(f, opts), opts);
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
