import { engine, type Tracer } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { OpDef } from '../ops/define-op.js';
import { generator } from '../ops/primitives/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { OutSpec } from '../backends/backend.js';
import { Plan } from './executor.js';
import type { Value } from './graph.js';
import { optimize } from './passes/index.js';
import { GraphTracer, isSymbolic } from './trace.js';

/** One step of a scan on flat lists: (carry, x) → [carry, y]. */
export type FlatStep = (carry: Tensor[], x: Tensor[]) => [Tensor[], Tensor[]];

/** A scan's body compiled once: a plan run at every step, and what it reads from outside. */
export interface CompiledBody {
  readonly plan: Plan;
  /** Tensors of the enclosing trace and variables the body reads: extra inputs of the scan node. */
  readonly captured: readonly Tensor[];
  readonly ySpecs: readonly OutSpec[];
}

/**
 * Traces a scan body. Symbolic tensors of the enclosing trace and variables become extra inputs
 * (captures) instead of failing or being read inside: the scan node then lists them as inputs,
 * so gradients reach them and the enclosing graph orders the node after them.
 */
class BodyTracer extends GraphTracer {
  readonly captured: Tensor[] = [];
  private captures = new Map<Tensor, Value>();
  private own = new Set<number>();

  /**
   * @param outer - the tracer around the scan: an nb.vmap's per-example tensors the body reads are captured too.
   * @param what - what the body belongs to, for error messages ('scan', 'whileLoop').
   */
  constructor(
    private readonly outer: Tracer | null,
    private readonly what: string,
  ) {
    super();
  }

  override symbolOf(v: Value | undefined): Tensor | undefined {
    const t = super.symbolOf(v);
    return t && this.mine(t);
  }

  override run(op: OpDef<any>, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
    return super.run(op, inputs, attrs).map((t) => this.mine(t));
  }

  override valueOf(t: Tensor): Value {
    const outside = (isSymbolic(t) || this.outer?.varies?.(t) === true) && !this.own.has(t.id);
    if (!t.isVariable && !outside) return super.valueOf(t);
    let v = this.captures.get(t);
    if (!v) {
      v = this.graph.addInput({ shape: t.shape, dtype: t.dtype });
      this.captures.set(t, v);
      this.captured.push(t);
    }
    return v;
  }

  override assign(variable: Tensor): void {
    throw new ValueError(`${this.what}: the body assigned ${variable.label()}; a ${this.what} body cannot assign variables (return the new value in the carry instead)`);
  }

  override feed(): Tensor {
    throw new ValueError(`${this.what}: the body computes a host scalar (an optimizer step?); ${this.what} bodies cannot take host-fed scalars`);
  }

  private mine(t: Tensor): Tensor {
    this.own.add(t.id);
    return t;
  }
}

/** Trace `step` once on symbolic carries and slices of the given specs, optimise it and prepare its plan. */
export function compileBody(step: FlatStep, carrySpecs: readonly OutSpec[], xSpecs: readonly OutSpec[], what = 'scan'): CompiledBody {
  const prev = engine.tracer;
  const tracer = new BodyTracer(prev, what);
  const savedCounter = generator.counter;
  engine.tracer = tracer;
  try {
    // Tapes recording around the scan must not see the body's symbolic ops; the scan node is what
    // they record, and its gradient rule differentiates the body.
    engine.pauseRecording(() => {
      const symbols = (specs: readonly OutSpec[]) => specs.map((s) => tracer.symbolOf(tracer.graph.addInput({ shape: [...s.shape], dtype: s.dtype }))!);
      const [carry, y] = step(symbols(carrySpecs), symbols(xSpecs));
      tracer.graph.outputs = [...carry, ...y].map((t) => tracer.valueOf(t));
    });
  } finally {
    engine.tracer = prev;
    generator.counter = savedCounter;
  }
  const backend = engine.backend;
  optimize(tracer.graph, backend);
  const nCarry = carrySpecs.length;
  return {
    plan: new Plan(tracer.graph, backend),
    captured: tracer.captured,
    ySpecs: tracer.graph.outputs.slice(nCarry).map((v) => ({ shape: v.shape, dtype: v.dtype })),
  };
}
