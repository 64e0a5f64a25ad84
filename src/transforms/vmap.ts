import { engine } from '../engine/engine.js';
import { ValueError, fmtShape } from '../errors.js';
import { flatten, unflatten, type Template } from '../jit/pytree.js';
import { broadcastTo, moveAxis, reshape } from '../ops/primitives/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { BatchTracer } from './batch-tracer.js';

/**
 * Where the batch axis is: a number (negative counts from the end), null for "not batched", or,
 * for a structured argument, the same structure (arrays, plain objects) with a number or null per
 * tensor; a number or null also stands for a whole sub-structure.
 */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [key: string]: AxisSpec };

/** Options of {@link vmap}. */
export interface VmapOptions {
  /**
   * The batch axis of each positional argument (default 0 for all): one spec for all arguments,
   * or an array with one spec per argument. null passes an argument unbatched to every example.
   */
  inAxes?: AxisSpec;
  /** Where the batch axis goes in each output (default 0): a number, or a spec per output structure. */
  outAxes?: AxisSpec;
}

/** One axis (or null) per tensor of `template`, following `spec` down the structure. */
function axesOf(template: Template, spec: AxisSpec, where: string, out: (number | null)[]): void {
  if (spec === null || typeof spec === 'number') {
    const fill = (t: Template): void => {
      if (t.t === 'tensor') out[t.i] = spec;
      else if (t.t === 'array') t.items.forEach(fill);
      else if (t.t === 'record') t.entries.forEach(([, e]) => fill(e));
    };
    fill(template);
    return;
  }
  if (Array.isArray(spec) && template.t === 'array' && spec.length === template.items.length) {
    template.items.forEach((item, i) => axesOf(item, (spec as readonly AxisSpec[])[i]!, `${where}[${i}]`, out));
    return;
  }
  if (!Array.isArray(spec) && typeof spec === 'object' && template.t === 'record') {
    const record = spec as { readonly [key: string]: AxisSpec };
    for (const [k, e] of template.entries) {
      if (!(k in record)) throw new ValueError(`vmap: the axis spec for ${where} has no entry '${k}' (it has ${Object.keys(record).join(', ') || 'none'})`);
      axesOf(e, record[k]!, `${where}.${k}`, out);
    }
    return;
  }
  throw new ValueError(`vmap: the axis spec ${JSON.stringify(spec)} does not match the structure of ${where}`);
}

function normalizeAxis(axis: number, rank: number, what: string, shape: readonly number[]): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ValueError(`vmap: axis ${axis} is out of range for ${what} of shape ${fmtShape(shape)} (valid: ${-rank} to ${rank - 1})`);
  }
  return a;
}

/**
 * `vmap(f, { inAxes, outAxes })`: `f` written for one example, run on a whole batch at once. Each
 * op `f` performs on per-example tensors runs its primitive's batching rule on the batched values
 * (a batched matmul, a reduction over shifted axes, ...) instead of looping over the batch. Composes
 * with `grad` (per-example gradients: `vmap(grad(f))`), `nb.jit`, GradientTape and itself.
 *
 * Tensors `f` closes over, and arguments with inAxes null, are shared by every example. Random ops
 * inside `f` draw once for the whole batch (as in JAX with an unbatched key: every example gets
 * the same values). Reading a per-example tensor's values inside `f` is an error; `nb.cond` and
 * `nb.whileLoop` take per-example predicates (each example keeps its own branch; a loop steps while
 * any example goes on).
 */
export function vmap<F extends (...args: any[]) => any>(f: F, opts: VmapOptions = {}): (...args: Parameters<F>) => ReturnType<F> {
  // null is a meaningful spec ("not batched"), so only a missing option takes the default.
  const inAxes = opts.inAxes === undefined ? 0 : opts.inAxes;
  const outAxes = opts.outAxes === undefined ? 0 : opts.outAxes;
  return ((...args: unknown[]) => {
    if (Array.isArray(inAxes) && inAxes.length !== args.length) {
      throw new ValueError(`vmap: inAxes has ${inAxes.length} entries but the function got ${args.length} arguments`);
    }
    const flat = flatten(args, () => true);
    const axes = new Array<number | null>(flat.tensors.length).fill(null);
    if (flat.template.t !== 'array') throw new ValueError('vmap: internal: arguments did not flatten to a list');
    flat.template.items.forEach((item, i) => axesOf(item, Array.isArray(inAxes) ? (inAxes as readonly AxisSpec[])[i]! : inAxes, `argument ${i}`, axes));

    const argOf = argumentIndex(flat.template);
    let size = -1;
    const sizes: string[] = [];
    const resolved = flat.tensors.map((t, i) => {
      const axis = axes[i];
      if (axis === null || axis === undefined) return null;
      t.assertAlive('vmap');
      const a = normalizeAxis(axis, t.rank, `argument ${argOf[i]}`, t.shape);
      sizes.push(`argument ${argOf[i]} ${fmtShape(t.shape)} axis ${a} has ${t.shape[a]}`);
      if (size < 0) size = t.shape[a]!;
      else if (t.shape[a] !== size) size = -2;
      return a;
    });
    if (sizes.length === 0) throw new ValueError('vmap: inAxes maps no tensor argument; at least one argument must have a batch axis');
    if (size === -2) throw new ValueError(`vmap: the mapped axes must all have one size, got: ${sizes.join('; ')}`);

    const tracer = new BatchTracer(size, engine.tracer);
    const inputs = flat.tensors.map((t, i) => (resolved[i] === null ? t : tracer.symbolFor(t, resolved[i]!)));
    const prevTracer = engine.tracer;
    engine.tracer = tracer;
    let out: ReturnType<typeof flatten>;
    let batched: Tensor[];
    try {
      const result = (f as (...a: unknown[]) => unknown)(...(unflatten(flat.template, inputs) as unknown[]));
      engine.tracer = prevTracer;
      out = flatten(result, () => true);
      const wanted = new Array<number | null>(out.tensors.length).fill(0);
      axesOf(out.template, outAxes, 'the output', wanted);
      batched = engine.collectInto(tracer.scope, () => out.tensors.map((t, i) => placeBatch(tracer, t, wanted[i] ?? null)));
    } catch (e) {
      engine.tracer = prevTracer;
      engine.releaseScope(tracer.scope, undefined);
      throw e;
    }
    // Per-example code that may still run (a custom gradient's backward pass) keeps the batch's values.
    engine.releaseScope(tracer.scope, tracer.retainValues ? [batched, tracer.scope] : batched);
    return unflatten(out.template, batched);
  }) as (...args: Parameters<F>) => ReturnType<F>;
}

/** The positional argument each flattened tensor came from. */
function argumentIndex(template: Template): number[] {
  const owner: number[] = [];
  const walk = (t: Template, arg: number): void => {
    if (t.t === 'tensor') owner[t.i] = arg;
    else if (t.t === 'array') t.items.forEach((e) => walk(e, arg));
    else if (t.t === 'record') t.entries.forEach(([, e]) => walk(e, arg));
  };
  if (template.t === 'array') template.items.forEach((e, i) => walk(e, i));
  return owner;
}

/** An output of the mapped function as a batched tensor with its batch axis at `axis`. */
function placeBatch(tracer: BatchTracer, t: Tensor, axis: number | null): Tensor {
  const { value, axis: from } = tracer.lookup(t);
  if (axis === null) {
    if (from !== null) throw new ValueError(`vmap: an output with outAxes null must not depend on the batch, but this one (shape ${fmtShape(t.shape)}) does`);
    return value;
  }
  const to = normalizeAxis(axis, t.rank + 1, 'an output (with its batch axis)', [...t.shape, tracer.size]);
  if (from !== null) return moveAxis(value, from, to);
  // The same for every example: broadcast along a new batch axis.
  const shape = [...value.shape];
  shape.splice(to, 0, 1);
  const target = [...value.shape];
  target.splice(to, 0, tracer.size);
  return broadcastTo(reshape(value, shape), target);
}

