import { engine } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { typedShapeKey } from '../tensor/shape-key.js';
import type { Variable } from '../autograd/variable.js';
import { Plan } from './executor.js';
import type { Graph } from './graph.js';
import { optimize, type PassStats } from './passes/index.js';
import { flatten, unflatten, type Template } from './pytree.js';
import { trace, graphTracer } from './trace.js';
import { splitWeightPrep, WeightPrep } from './weight-prep.js';
import { tensor as scalarTensor } from '../ops/creation.js';
import type { DType } from '../tensor/dtype.js';

/** Options of {@link jit}. */
export interface JitOptions {
  /** Name shown in graph dumps and retrace warnings (default: the function's name). */
  name?: string;
  /**
   * The function only runs a model forward with weights it does not change (what `predict` and
   * `evaluate` compile): allows inference rewrites that alter float rounding, such as folding
   * BatchNormalization into the preceding conv2d/matmul. What the graph computes from weights alone
   * (folded or transposed weights) runs once and is reused by later calls until a variable is
   * written (assign, a training step), so it follows later `fit` epochs and `setWeights`.
   */
  inference?: boolean;
  /**
   * The function is a training step (what `fit` compiles): fold BatchNormalization into the conv or
   * dense layer before it where the step updates neither (frozen layers). Changes float rounding.
   */
  foldFrozen?: boolean;
}

/**
 * A jitted function: call it like the original; inspect its traces.
 * @typeParam F - The type of the function that was jitted.
 */
export interface Jitted<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** How many times the function was traced (once per new input signature). */
  readonly traceCount: number;
  /** The optimised graph for these arguments' signature, as readable text. */
  graph(...args: Parameters<F>): string;
  /** The name used in graph dumps and retrace warnings. */
  readonly jitName: string;
}

interface Compiled {
  readonly graph: Graph;
  readonly plan: Plan;
  readonly output: Template;
  readonly variables: Variable[];
  readonly stats: PassStats;
  readonly feeds: readonly (() => number)[];
  readonly feedDTypes: readonly DType[];
  /** Inference graphs: the weight-only part, computed once per change of the variables. */
  readonly prep?: WeightPrep;
}

const RETRACE_WARNING_AFTER = 5;

/**
 * Compile `fn` like `@tf.function`: traced once per input signature (tensor shapes and dtypes,
 * non-tensor arguments by value, variables by identity) into a graph of nabla ops, optimised,
 * and replayed on later calls with one prepared plan.
 *
 * As in TensorFlow, JS side effects (console.log, pushing to arrays) happen while tracing only;
 * reading a tensor's value inside the function is an error (use `nb.cond` / `nb.whileLoop`).
 * Called under an active GradientTape, the function runs eagerly so that the tape can see it.
 *
 * @typeParam F - The type of `fn`; the result has the same parameters and return type.
 */
export function jit<F extends (...args: any[]) => any>(fn: F, opts: JitOptions = {}): Jitted<F> {
  const name = opts.name ?? (fn.name || 'fn');
  const cache = new Map<string, Compiled>();
  let traceCount = 0;
  let warned = false;

  const compile = (key: string, flatTensors: Tensor[], template: Template): Compiled => {
    traceCount++;
    if (traceCount > RETRACE_WARNING_AFTER && !warned) {
      warned = true;
      console.warn(
        `nabla: jit '${name}' has been traced ${traceCount} times. Each new input signature (shape, dtype, or JS value of a non-tensor argument) ` +
          'traces again; pass tensors instead of changing JS numbers, or keep shapes fixed.',
      );
    }
    const backend = engine.backend;
    const { tracer, result } = trace(flatTensors, (symbols) => fn(...(unflatten(template, symbols) as unknown[])));
    const out = flatten(result, () => true);
    tracer.graph.outputs = out.tensors.map((t) => tracer.valueOf(t));
    const stats = optimize(tracer.graph, backend, { inference: opts.inference ?? false, foldFrozen: opts.foldFrozen ?? false });
    const feedDTypes = tracer.graph.inputs.slice(flatTensors.length).map((v) => v.dtype);
    const prepGraph = opts.inference ? splitWeightPrep(tracer.graph) : undefined;
    if (prepGraph) stats.weightPrep = prepGraph.nodes.length;
    cache.get(key)?.prep?.release();
    const compiled: Compiled = {
      graph: tracer.graph,
      plan: new Plan(tracer.graph, backend),
      output: out.template,
      variables: tracer.variables(),
      stats,
      feeds: tracer.feeds,
      feedDTypes,
      ...(prepGraph ? { prep: new WeightPrep(prepGraph, backend, prepGraph.outputs.length) } : {}),
    };
    cache.set(key, compiled);
    return compiled;
  };

  const where = `jit '${name}'`;
  const lookup = (args: unknown[]) => {
    const flat = flattenTensorArgs(args) ?? flatten(args, (t) => !t.isVariable);
    for (const t of flat.tensors) t.assertAlive(where);
    const key = `${flat.key}@${engine.backend.name}`;
    let c = cache.get(key);
    if (!c || anyDisposed(c.variables)) c = compile(key, flat.tensors, flat.template);
    return { c, flat };
  };

  const jitted = ((...args: unknown[]) => {
    if (engine.tracer || engine.isRecording()) return fn(...args);
    const { c, flat } = lookup(args);
    let inputs = c.feeds.length ? [...flat.tensors, ...c.feeds.map((f, i) => scalar(f(), c.feedDTypes[i]!))] : flat.tensors;
    if (c.prep) inputs = inputs.concat(c.prep.tensors());
    const outs = c.plan.run(inputs);
    // A lone tensor result (a model's prediction) needs no rebuilding.
    return c.output.t === 'tensor' ? outs[c.output.i] : unflatten(c.output, outs);
  }) as unknown as Jitted<F>;

  Object.defineProperties(jitted, {
    traceCount: { get: () => traceCount },
    jitName: { value: name },
    graph: {
      value: (...args: unknown[]) => {
        if (engine.tracer) throw new ValueError(`jit '${name}': graph() cannot be called while tracing`);
        const { c } = lookup(args);
        const passes = Object.entries(c.stats)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k}: ${n}`)
          .join(', ');
        return `${c.graph.dump(name)}\n// passes: ${passes || 'none changed the graph'}`;
      },
    },
  });
  return jitted;
}

function anyDisposed(variables: readonly Variable[]): boolean {
  for (let i = 0; i < variables.length; i++) if (variables[i]!.isDisposed) return true;
  return false;
}

/** Templates of the argument lists flattenTensorArgs takes, by their pattern ('t' tensor, 'n' null, '[...]' a list). */
const argTemplates = new Map<string, Template>();

/** Each tensor's part of a signature key. */
function tensorKey(t: Tensor): string {
  return typedShapeKey(t.dtype, t.shape);
}

function templateOf(pattern: string): Template {
  let i = 0;
  const items: Template[] = [];
  let list: Template[] | null = null;
  for (const ch of pattern) {
    if (ch === '[') list = [];
    else if (ch === ']') (items.push({ t: 'array', items: list! }), (list = null));
    else if (ch === 'n') items.push({ t: 'leaf', value: null });
    else (list ?? items).push({ t: 'tensor', i: i++ });
  }
  return { t: 'array', items };
}

/**
 * The usual calls, `f(x)` and the training loops' `step([x], null, null)`: arguments that are
 * plain tensors, nulls or lists of plain tensors are flattened without walking a tree (a batch-1
 * predict pays for every step here). Undefined for anything else; its keys never equal those of
 * the general flatten, which start otherwise.
 */
function flattenTensorArgs(args: unknown[]): { template: Template; tensors: Tensor[]; key: string } | undefined {
  let key = 'T';
  let pattern = '';
  const tensors: Tensor[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === null) {
      key += ' n';
      pattern += 'n';
    } else if (a instanceof Tensor) {
      if (a.isVariable) return undefined;
      tensors.push(a);
      key += ` ${tensorKey(a)}`;
      pattern += 't';
    } else if (Array.isArray(a) && a.length <= 16) {
      key += ' [';
      pattern += '[';
      for (let j = 0; j < a.length; j++) {
        const e: unknown = a[j];
        if (!(e instanceof Tensor) || e.isVariable) return undefined;
        tensors.push(e);
        key += ` ${tensorKey(e)}`;
        pattern += 't';
      }
      key += ' ]';
      pattern += ']';
    } else {
      return undefined;
    }
  }
  let template = argTemplates.get(pattern);
  if (!template) argTemplates.set(pattern, (template = templateOf(pattern)));
  return { template, tensors, key };
}

function scalar(v: number, dtype: DType): Tensor {
  return scalarTensor(v, dtype);
}

/**
 * A scalar computed on the host: eagerly, `thunk()` as a tensor; inside `nb.jit`, an extra graph
 * input that `thunk` recomputes before every call (how optimizers feed learning rates and bias
 * corrections that change each step into a compiled train step).
 */
export function hostScalar(thunk: () => number, dtype: DType = 'float32'): Tensor {
  const tr = graphTracer();
  if (tr) return tr.feed(thunk, dtype);
  return scalarTensor(thunk(), dtype);
}
