import type { Backend, BackendInfo } from '../backends/backend.js';
import { engine, type Tracer } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { OpDef } from '../ops/define-op.js';
import { randomOp, generator, type RandomAttrs } from '../ops/primitives/random.js';
import { readVariableOp } from '../engine/read-variable.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Variable } from '../autograd/variable.js';
import { Graph, type Value } from './graph.js';

function traced(what: string): never {
  throw new ValueError(
    `jit: cannot ${what} a traced tensor inside nb.jit: its value is not known while tracing. ` +
      'Data-dependent JS control flow is not supported in a jitted function; use nb.cond / nb.whileLoop, ' +
      'or move the branch out of the jitted function.',
  );
}

/** The backend of symbolic tensors: it holds no data, and any attempt to read it explains why. */
const symbolicBackend: Backend<null> = {
  name: 'symbolic',
  kernels: {},
  upload: () => traced('upload into'),
  read: () => traced('read'),
  readSync: () => traced('read'),
  materialize: () => null,
  subrange: () => null,
  free: () => undefined,
  byteLength: () => 0,
  info: (): BackendInfo => ({ name: 'symbolic' }),
};

export function isSymbolic(t: Tensor): boolean {
  return t.storage.backend === symbolicBackend;
}

/**
 * Records ops into a Graph instead of running them. Tensors the function did not receive as
 * inputs become constants; variables become variable reads, and their assigns become updates.
 */
export class GraphTracer implements Tracer {
  readonly graph = new Graph();
  private values = new Map<number, Value>();
  private constants = new Map<number, Value>();
  private scalarConstants = new Map<string, Value>();
  private variableValues = new Map<Variable, Value>();
  /** Random ops fed by the global generator, in trace order (replay draws fresh keys for them). */
  readonly randomNodes: number[] = [];

  /** Host computations fed as extra inputs on every call (see `hostScalar`). */
  readonly feeds: (() => number)[] = [];

  /** A scalar input whose value `thunk` computes on the host before each run. */
  feed(thunk: () => number, dtype: DType): Tensor {
    this.feeds.push(thunk);
    return this.symbol(this.graph.addInput({ shape: [], dtype }));
  }

  /** A symbolic tensor for a function input. */
  input(t: Tensor): Tensor {
    const v = this.graph.addInput({ shape: t.shape, dtype: t.dtype });
    return this.symbol(v);
  }

  private symbol(v: Value): Tensor {
    const t = engine.wrap(symbolicBackend, null, v.shape, v.dtype);
    this.values.set(t.id, v);
    return t;
  }

  /** The graph value a tensor stands for (capturing constants and variables on first use). */
  valueOf(t: Tensor): Value {
    const v = this.values.get(t.id);
    if (v) return v;
    if (t.isVariable) {
      const variable = t as Variable;
      let cur = this.variableValues.get(variable);
      if (!cur) {
        cur = this.graph.newValue({ shape: t.shape, dtype: t.dtype }, { kind: 'variable', variable });
        this.variableValues.set(variable, cur);
      }
      return cur;
    }
    if (isSymbolic(t)) {
      throw new ValueError('jit: a tensor traced by another nb.jit call was used here; return it from that function instead of storing it');
    }
    let c = this.constants.get(t.id);
    // Equal scalars (each JS number in the traced code becomes its own tensor) are one value,
    // so common-subexpression elimination can merge the arithmetic built on them.
    const value = !c && t.size === 1 && t.storage.backend.readSync ? t.dataSync()[0]! : undefined;
    const scalarKey = value === undefined ? undefined : `${t.dtype}|${t.shape.join(',')}|${Object.is(value, -0) ? '-0' : value}`;
    if (scalarKey) c = this.scalarConstants.get(scalarKey);
    if (!c) {
      // The graph holds on to it: a tidy() inside the traced function must not dispose it.
      engine.keep(t);
      c = this.graph.newValue({ shape: t.shape, dtype: t.dtype }, { kind: 'const', tensor: t });
      this.constants.set(t.id, c);
      if (scalarKey) this.scalarConstants.set(scalarKey, c);
    }
    return c;
  }

  run(op: OpDef<any>, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
    const ins = inputs.map((t) => this.valueOf(t));
    // A variable read is the variable's current value in the graph.
    if (op === readVariableOp) return [this.symbol(ins[0]!)];
    const specs = op.infer(inputs, attrs);
    const node = this.graph.addNode(op, ins, attrs, specs);
    if (engine.nameScopes.length) node.scope = engine.nameScopes.join('/');
    if (op === randomOp && (attrs as RandomAttrs).fromGenerator) this.randomNodes.push(node.id);
    return node.outputs.map((v) => this.symbol(v));
  }

  assign(variable: Tensor, value: Tensor): void {
    const v = this.valueOf(value);
    this.variableValues.set(variable as Variable, v);
    this.graph.updates.set(variable as Variable, v);
  }

  /** Each variable's current value in the graph (for branches that must be undone). */
  variableState(): Map<Variable, Value> {
    return new Map(this.variableValues);
  }

  restoreVariables(state: Map<Variable, Value>): void {
    this.variableValues = new Map(state);
    for (const v of [...this.graph.updates.keys()]) {
      const cur = state.get(v);
      if (!cur || cur.source.kind === 'variable') this.graph.updates.delete(v);
      else this.graph.updates.set(v, cur);
    }
  }

  /** A symbolic tensor standing for a graph value. */
  symbolOf(v: Value | undefined): Tensor | undefined {
    return v ? this.symbol(v) : undefined;
  }

  /** Variables the graph reads or writes. */
  variables(): Variable[] {
    return [...this.variableValues.keys()];
  }
}

/** The jit's graph tracer, if one is recording: the engine's tracer or the one a transform's tracer runs on. */
export function graphTracer(): GraphTracer | null {
  let tr = engine.tracer;
  while (tr && !(tr instanceof GraphTracer)) tr = tr.prev ?? null;
  return tr;
}

/**
 * Trace `fn` on symbolic versions of `args` (flattened tensors). The generator state is restored
 * afterwards so that the first real run draws the same numbers eager mode would.
 */
export function trace<T>(flatArgs: readonly Tensor[], fn: (symbols: Tensor[]) => T): { tracer: GraphTracer; result: T } {
  const tracer = new GraphTracer();
  return { tracer, result: tracing(tracer, () => fn(flatArgs.map((t) => tracer.input(t)))) };
}

/**
 * Trace `fn` on symbolic inputs of the given shapes and dtypes into a graph, without running a
 * kernel or optimising: the ops as written, each node under the layers that called it (for
 * showing a model's graph, as TensorBoard does).
 */
export function traceGraph(specs: readonly { shape: readonly number[]; dtype: DType }[], fn: (symbols: Tensor[]) => Tensor[]): Graph {
  const tracer = new GraphTracer();
  tracing(tracer, () => {
    const outs = fn(specs.map((s) => tracer.symbolOf(tracer.graph.addInput({ shape: [...s.shape], dtype: s.dtype }))!));
    tracer.graph.outputs = outs.map((t) => tracer.valueOf(t));
  });
  return tracer.graph;
}

/** Run `body` with `tracer` recording ops, then put back the previous tracer and the generator's state. */
function tracing<T>(tracer: GraphTracer, body: () => T): T {
  const prev = engine.tracer;
  const savedCounter = generator.counter;
  engine.tracer = tracer;
  try {
    return body();
  } finally {
    engine.tracer = prev;
    generator.counter = savedCounter;
  }
}

/**
 * Run `fn` on symbolic tensors of the given shapes and dtypes: only the ops' shape rules run, no
 * kernel, so what `fn` returns has the shapes and dtypes it would compute (Keras's
 * compute_output_spec).
 */
export function traceSpecs<T>(specs: readonly { shape: readonly number[]; dtype: DType }[], fn: (symbols: Tensor[]) => T): T {
  const tracer = new GraphTracer();
  return tracing(tracer, () => fn(specs.map((s) => tracer.symbolOf(tracer.graph.addInput({ shape: [...s.shape], dtype: s.dtype }))!)));
}
