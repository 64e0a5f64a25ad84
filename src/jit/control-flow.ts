import { engine } from '../engine/engine.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { defineOp, type BatchAxis, type BatchContext, type Batched, type ForwardContext, type WithTangents } from '../ops/define-op.js';
import { any } from '../ops/primitives/reduce.js';
import { reshape } from '../ops/primitives/shape.js';
import { batchFirst, tracingGraph } from './scan.js';
import { compileBody, type CompiledBody } from './scan-body.js';
import { run } from '../ops/run.js';
import { where } from '../ops/primitives/select.js';
import { toTensor, zerosLike, type TensorLike } from '../ops/creation.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual, sizeOf, stridesOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { flatten, unflatten } from './pytree.js';
import { GraphTracer, graphTracer, isSymbolic } from './trace.js';

function truthy(pred: TensorLike, op: string): boolean {
  if (typeof pred === 'boolean') return pred;
  const t = toTensor(pred, op);
  if (t.size !== 1) throw new ShapeError(`${op}: the predicate must have one element, got shape ${fmtShape(t.shape)}`);
  return t.item() !== 0;
}

function activeTracer(pred: unknown): GraphTracer | null {
  const tr = graphTracer();
  return tr && pred instanceof Tensor && isSymbolic(pred) ? tr : null;
}

/**
 * `cond(pred, trueFn, falseFn)`: eagerly, runs one branch. Inside `nb.jit` with a traced
 * predicate, both branches are traced and their results (and any variable assignments) are
 * selected elementwise with `where`, so both must return the same structure of shapes. Under
 * `nb.vmap` with a per-example predicate, both branches run and each example takes its own
 * branch's results (the branches may not assign variables then).
 */
export function cond<T>(pred: TensorLike, trueFn: () => T, falseFn: () => T): T {
  const tr = engine.tracer;
  if (pred instanceof Tensor && tr?.varies?.(pred)) {
    const why = 'nb.cond with a per-example predicate (both branches run for every example)';
    return select(pred, tr.refusingAssign!(why, trueFn), tr.refusingAssign!(why, falseFn));
  }
  const tracer = activeTracer(pred);
  if (!tracer) return truthy(pred, 'cond') ? trueFn() : falseFn();
  const p = toTensor(pred, 'cond');
  const start = tracer.variableState();
  const a = trueFn();
  const afterA = tracer.variableState();
  tracer.restoreVariables(start);
  const b = falseFn();
  const afterB = tracer.variableState();
  tracer.restoreVariables(start);
  const changed = new Set<Variable>([...afterA.keys(), ...afterB.keys()].filter((v) => afterA.get(v) !== start.get(v) || afterB.get(v) !== start.get(v)));
  for (const v of changed) {
    const va = tracer.symbolOf(afterA.get(v)) ?? v;
    const vb = tracer.symbolOf(afterB.get(v)) ?? v;
    tracer.assign(v, where(p, va, vb));
  }
  return select(p, a, b);
}

/** The results of both branches, selected elementwise by `p`. */
function select<T>(p: Tensor, a: T, b: T): T {
  const fa = flatten(a, () => true);
  const fb = flatten(b, () => true);
  if (fa.key !== fb.key) throw new ValueError(`cond: both branches must return the same structure, shapes and dtypes; got ${fa.key} and ${fb.key}`);
  return unflatten(fa.template, fa.tensors.map((t, i) => where(p, t, fb.tensors[i]!))) as T;
}

interface WhileAttrs {
  readonly nVars: number;
  /** Captured tensors of the condition (they follow the loop variables among the node's inputs; the body's come last). */
  readonly nCondCaptured: number;
  /** The compiled condition and body and the per-example functions they were traced from (a function, so CSE leaves loop nodes alone). */
  readonly compiled: () => CompiledLoop;
  readonly maximumIterations: number;
}

interface CompiledLoop {
  readonly cond: CompiledBody;
  readonly body: CompiledBody;
  readonly condFn: (...xs: Tensor[]) => Tensor;
  readonly bodyFn: (...xs: Tensor[]) => Tensor[];
}

/**
 * A loop node of a jitted graph: runs the compiled condition and body until the condition is
 * false. Its inputs are the loop variables and then the tensors the condition and the body read
 * from the enclosing trace (captures), so the graph orders the node after them.
 */
const whileOp = defineOp<WhileAttrs>({
  name: 'whileLoop',
  infer: (inputs, attrs) => inputs.slice(0, attrs.nVars).map((t) => ({ shape: t.shape, dtype: t.dtype })),
  portable: true,
  ref: (inputs, attrs) => {
    const backend = engine.backend;
    return engine.tidy(() => {
      // Own copies: the plan running this node keeps owning (and frees) its input buffers.
      const ts = inputs.map((k) => engine.wrap(backend, backend.materialize(k.data, k.dtype, { shape: k.shape, strides: stridesOf(k.shape), offset: 0 }), k.shape, k.dtype));
      const { nVars, nCondCaptured } = attrs;
      const condCaptured = ts.slice(nVars, nVars + nCondCaptured);
      const bodyCaptured = ts.slice(nVars + nCondCaptured);
      const { cond, body } = attrs.compiled();
      let vars = ts.slice(0, nVars);
      for (let i = 0; i < attrs.maximumIterations; i++) {
        if (!truthy(cond.plan.run([...vars, ...condCaptured])[0]!, 'whileLoop')) break;
        vars = body.plan.run([...vars, ...bodyCaptured]);
      }
      return vars.map((t) => backend.materialize(engine.handleOn(t, backend), t.dtype, { shape: t.shape, strides: stridesOf(t.shape), offset: 0 }));
    }) as never;
  },
  notDifferentiable: true,
  batch: (inputs, axes, attrs, ctx) => whileBatch(inputs, axes, attrs, ctx),
  jvpWithValues: (inputs, tangents, attrs, fwd) => whileJvp(inputs, tangents, attrs, fwd),
});

/**
 * The loop node in forward mode (jvp inside nb.jit): one loop whose variables are the loop's and
 * the tangents of its float ones; the condition reads the primal variables only, and the body is
 * the body's forward mode (with the tangents of the tensors it closes over).
 */
function whileJvp(inputs: readonly Tensor[], tangents: readonly (Tensor | null)[], attrs: WhileAttrs, fwd: ForwardContext): WithTangents {
  const { nVars, nCondCaptured, maximumIterations } = attrs;
  const { body, condFn, bodyFn } = attrs.compiled();
  const vars = inputs.slice(0, nVars);
  const withTangent = vars.flatMap((v, i) => (isFloat(v.dtype) ? [i] : []));
  const closedOver = new Map<Tensor, Tensor>();
  body.captured.forEach((t, k) => {
    const d = tangents[nVars + nCondCaptured + k];
    if (d) closedOver.set(t, d);
  });
  const tangentOf = (list: readonly Tensor[], i: number) => (withTangent.includes(i) ? list[nVars + withTangent.indexOf(i)]! : null);
  const out = whileLoop(
    (...xs: Tensor[]) => condFn(...xs.slice(0, nVars)),
    (...xs: Tensor[]) => {
      const primals = xs.slice(0, nVars);
      const r = fwd.forward((ts) => bodyFn(...ts), primals, primals.map((_, i) => tangentOf(xs, i)), closedOver);
      return [...r.outputs, ...withTangent.map((i) => r.tangents[i] ?? zerosLike(r.outputs[i]!))];
    },
    [...vars, ...withTangent.map((i) => tangents[i] ?? zerosLike(vars[i]!))],
    { maximumIterations },
  );
  return { outputs: out.slice(0, nVars), tangents: vars.map((_, i) => tangentOf(out, i)) };
}

/** The loop as a graph node: its condition and body traced once here (at the loop variables' shapes), with what they read from outside as extra inputs. */
function loopNode(condFn: (...xs: Tensor[]) => Tensor, bodyFn: (...xs: Tensor[]) => Tensor[], vars: Tensor[], maximumIterations: number): Tensor[] {
  const specs = vars.map((t) => ({ shape: t.shape, dtype: t.dtype }));
  const cond = compileBody((_, xs) => [[], [condFn(...xs)]], [], specs, 'whileLoop');
  const pred = cond.ySpecs[0]!;
  if (sizeOf(pred.shape) !== 1) throw new ShapeError(`whileLoop: the predicate must have one element, got shape ${fmtShape(pred.shape)}`);
  const body = compileBody((xs) => [checkedStep(bodyFn(...xs), vars), []], specs, [], 'whileLoop');
  const compiled: CompiledLoop = { cond, body, condFn, bodyFn };
  const attrs: WhileAttrs = { nVars: vars.length, nCondCaptured: cond.captured.length, compiled: () => compiled, maximumIterations };
  return run(whileOp, [...vars, ...cond.captured, ...body.captured], attrs);
}

/** The body's results, checked against the loop variables' shapes and dtypes. */
function checkedStep(list: Tensor[], vars: readonly Tensor[]): Tensor[] {
  if (list.length !== vars.length || list.some((t, j) => !shapesEqual(t.shape, vars[j]!.shape) || t.dtype !== vars[j]!.dtype)) {
    throw new ShapeError(
      `whileLoop: the body must return ${vars.length} tensors of the loop variables' shapes and dtypes (${vars.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(', ')}), got ${list.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(', ')}`,
    );
  }
  return list;
}

/**
 * The loop node under nb.vmap (inside nb.jit), as JAX batches a while loop: one loop at the level
 * below over the whole batch (batch axis first; a shared variable is broadcast, since a step may
 * make it per-example) that runs while ANY example's condition holds; each step computes every
 * example's next variables and keeps them only where that example's condition still holds, so
 * finished examples keep theirs. The condition and body run per example as part of the vmap.
 */
function whileBatch(inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: WhileAttrs, ctx: BatchContext): Batched {
  const k = axes.findIndex((a) => a !== null);
  const size = inputs[k]!.shape[axes[k]!]!;
  const { condFn, bodyFn } = attrs.compiled();
  const nVars = attrs.nVars;
  const perExample = (fn: (xs: Tensor[]) => Tensor[], vars: Tensor[]): Tensor[] => {
    const r = ctx.perExample(fn, vars, vars.map(() => 0));
    return r.outputs.map((t, i) => batchFirst(t!, r.axes[i] ?? null, size));
  };
  const going = (vars: Tensor[]) => {
    const p = perExample((xs) => [condFn(...xs)], vars)[0]!;
    if (p.size !== size) throw new ShapeError(`whileLoop: the condition must give one element per example, got shape ${fmtShape(p.shape.slice(1))}`);
    return reshape(p, [size]);
  };
  const outputs = whileLoop(
    (...vars: Tensor[]) => any(going(vars)),
    (...vars: Tensor[]) => {
      const p = going(vars);
      const next = perExample((xs) => bodyFn(...xs), vars);
      return next.map((n, j) => where(reshape(p, [size, ...n.shape.slice(1).map(() => 1)]), n, vars[j]!));
    },
    // The captures are read again by the per-example condition and body, which close over them.
    inputs.slice(0, nVars).map((v, i) => batchFirst(v, axes[i] ?? null, size)),
    { maximumIterations: attrs.maximumIterations },
  );
  return { outputs, axes: outputs.map(() => 0) };
}

function loop(vars: Tensor[], attrs: { cond: (...xs: Tensor[]) => Tensor; body: (...xs: Tensor[]) => Tensor[] | Tensor; maximumIterations: number }): Tensor[] {
  for (let i = 0; i < attrs.maximumIterations; i++) {
    const pred = attrs.cond(...vars);
    // Under nb.vmap with a per-example condition: step while any example goes on, and keep the
    // finished examples' variables as they are.
    const tr = engine.tracer;
    const perExample = tr?.varies?.(pred) ?? false;
    if (!perExample && isSymbolic(pred)) {
      throw new ValueError(
        'whileLoop: under a transform inside nb.jit (nb.vmap or nb.jvp in a jitted function) the loop runs step by step, ' +
          'but its condition is a traced tensor whose value is unknown while tracing; apply the transform outside nb.jit ' +
          '(nb.vmap(nb.jit(f)) and nb.jvp of a jitted function work), or use nb.scan with a fixed number of steps',
      );
    }
    if (perExample ? !tr!.anyExample!(pred) : !truthy(pred, 'whileLoop')) break;
    const next = perExample ? tr!.refusingAssign!('nb.whileLoop with a per-example condition', () => attrs.body(...vars)) : attrs.body(...vars);
    const list = next instanceof Tensor ? [next] : next;
    if (list.length !== vars.length || list.some((t, j) => !shapesEqual(t.shape, vars[j]!.shape) || t.dtype !== vars[j]!.dtype)) {
      throw new ShapeError(
        `whileLoop: the body must return ${vars.length} tensors of the loop variables' shapes and dtypes (${vars.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(', ')}), got ${list.map((t) => `${t.dtype}${fmtShape(t.shape)}`).join(', ')}`,
      );
    }
    vars = perExample ? list.map((t, j) => where(pred, t, vars[j]!)) : list;
  }
  return vars;
}

/** Options of `whileLoop`. */
export interface WhileOptions {
  /** Stop after this many iterations even if the condition still holds. */
  maximumIterations?: number;
}

/**
 * `whileLoop(cond, body, loopVars)`: repeat `loopVars = body(...loopVars)` while `cond(...loopVars)`.
 * Inside `nb.jit` the loop becomes one graph node with its condition and body traced once (the
 * tensors and variables they close over become inputs of the node; they may not assign variables). Under
 * `nb.vmap` the condition may differ per example: the loop steps while any example's holds, and
 * finished examples keep their variables (eagerly, and inside `nb.jit` as one batched loop node).
 */
export function whileLoop(
  condFn: (...xs: Tensor[]) => TensorLike,
  body: (...xs: Tensor[]) => Tensor[] | Tensor,
  loopVars: readonly TensorLike[],
  opts: WhileOptions = {},
): Tensor[] {
  const vars = loopVars.map((v) => toTensor(v, 'whileLoop'));
  const maximumIterations = opts.maximumIterations ?? Number.POSITIVE_INFINITY;
  // Under nb.jit (directly, or through nb.vmap's and jvp's tracers, whose rules map the node) the loop is one graph node.
  if (!tracingGraph()) {
    return loop(vars, { cond: (...xs) => toTensor(condFn(...xs), 'whileLoop'), body, maximumIterations });
  }
  const bodyList = (...xs: Tensor[]) => {
    const r = body(...xs);
    return r instanceof Tensor ? [r] : r;
  };
  return loopNode((...xs) => toTensor(condFn(...xs), 'whileLoop'), bodyList, vars, maximumIterations);
}
