import type { Kernel, Layout, OutSpec } from '../backends/backend.js';
import type { DType, TypedArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

/** What a shape rule sees of an input. */
export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** What a gradient rule sees: the op's inputs and outputs (as tensors) and its attributes. */
export interface GradContext<A> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: A;
}

/**
 * One primitive, defined in one place (DESIGN.md principle 1): its shape/dtype rule, its
 * vector-Jacobian product written with nabla ops (so gradients of gradients work), and either a
 * reference kernel over typed arrays or, for views, a layout rule.
 */
export interface OpDef<A = Record<string, never>> {
  readonly name: string;
  /** Output shapes and dtypes; throws ShapeError/DTypeError naming the op on bad input. */
  infer(inputs: readonly TensorMeta[], attrs: A): OutSpec[];
  /**
   * Gradients of the inputs given the gradients of the outputs (zeros for outputs that got none).
   * A returned gradient may have a broadcast shape: the tape sums it back to the input's shape.
   */
  grad?(dys: readonly Tensor[], ctx: GradContext<A>): (Tensor | null)[];
  /**
   * Forward mode: the output tangents given the input tangents (null for an input without one: a
   * constant, or a non-float input). Optional: an op without it but marked `linear`/`bilinear` gets
   * its JVP from those marks, and any other op's JVP is derived once, generically, from `grad`
   * (src/transforms/jvp-rules.ts).
   */
  jvp?(tangents: readonly (Tensor | null)[], ctx: GradContext<A>): (Tensor | null)[];
  /**
   * Forward mode computing the outputs together with their tangents, for ops whose values and
   * tangents are best one computation (a scan node: the tangent carries become extra carries of
   * one scan). jvp uses it in place of running the op and then its `jvp`; `fwd` runs a function
   * (the op's body) in forward mode at the level the rule runs at.
   */
  jvpWithValues?(inputs: readonly Tensor[], tangents: readonly (Tensor | null)[], attrs: A, fwd: ForwardContext): WithTangents;
  /**
   * Linear in its float inputs jointly (views, sums, concat, gathers): its JVP is the op itself,
   * with the same attributes, applied to the tangents (zeros for inputs without one; non-float
   * inputs such as indices stay as they are).
   */
  readonly linear?: boolean;
  /** Linear in each of its two inputs separately (matmul, conv): JVP = op(ta, b) + op(a, tb). */
  readonly bilinear?: boolean;
  /** True for ops whose gradient is zero/undefined everywhere (comparisons, argmax, casts to int). */
  readonly notDifferentiable?: boolean;
  /** Reference kernel on contiguous typed arrays. */
  readonly ref?: Kernel<A, TypedArray>;
  /**
   * For elementwise ops: the scalar function (and its int32 form where it differs), so the jit can
   * fuse chains of them into one loop.
   */
  readonly pointwise?: Pointwise;
  /** The reference kernel only calls other nabla ops, so it runs on any backend's handles as is. */
  readonly portable?: boolean;
  /** For view ops: the output layout over the input's storage, or null if the input must be made contiguous first. */
  view?(input: Layout, attrs: A): Layout | null;
  /**
   * The batching rule `nb.vmap` uses: the op applied to inputs that carry an extra batch axis
   * (`axes[i]`, or null for an input shared by the whole batch; at least one is batched), written
   * with nabla ops so tapes, jit and an outer vmap see ordinary ops. It returns the batched
   * outputs and where each one's batch axis is.
   */
  batch?(inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: A, ctx: BatchContext): Batched;
}

/** What a batching rule may ask of the vmap running it. */
export interface BatchContext {
  /**
   * Run per-example code later (a custom gradient's backward pass, after vmap returned) as part
   * of this vmap: `fn` gets per-example tensors for `inputs` (batched on `axes`), and its results
   * come back batched, each with its batch axis (null: the same for every example). A rule that
   * will call it after the vmap returns calls `keepValues` first.
   */
  perExample(fn: (xs: Tensor[]) => (Tensor | null)[], inputs: readonly Tensor[], axes: readonly BatchAxis[]): { outputs: (Tensor | null)[]; axes: BatchAxis[] };
  /** Keep this vmap's batched values alive when it returns (per-example code may still read them). */
  keepValues(): void;
}

/** What a forward-mode rule may ask of the jvp running it. */
export interface ForwardContext {
  /**
   * `fn(primals)` in forward mode: its arguments carry `tangents` (null: none), the tensors in
   * `closedOver` that `fn` reads directly carry theirs; returns `fn`'s outputs and their tangents
   * (null: zero). Runs at the current level, so a tracer there (a scan body's) records both.
   */
  forward(fn: (xs: Tensor[]) => Tensor[], primals: readonly Tensor[], tangents: readonly (Tensor | null)[], closedOver: ReadonlyMap<Tensor, Tensor>): WithTangents;
}

/** Outputs and their tangents (null: zero). */
export interface WithTangents {
  readonly outputs: Tensor[];
  readonly tangents: (Tensor | null)[];
}

/** Where a tensor's batch axis is under `nb.vmap`; null when it is not batched. */
export type BatchAxis = number | null;

/** What a batching rule returns. */
export interface Batched {
  readonly outputs: Tensor[];
  readonly axes: BatchAxis[];
}

export interface Pointwise {
  readonly f: (...xs: number[]) => number;
  readonly fInt?: (...xs: number[]) => number;
}

/** Every op defined so far, so that tests can hold each to the rules every primitive must have (a batching rule). */
export const definedOps: OpDef<any>[] = [];

export function defineOp<A = Record<string, never>>(def: OpDef<A>): OpDef<A> {
  if (!def.ref && !def.view) throw new Error(`defineOp(${def.name}): needs a reference kernel or a view rule`);
  definedOps.push(def as OpDef<any>);
  return def;
}
