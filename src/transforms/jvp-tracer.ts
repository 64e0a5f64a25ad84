import { engine, type Tracer } from '../engine/engine.js';
import { ValueError } from '../errors.js';
import type { ForwardContext, OpDef, WithTangents } from '../ops/define-op.js';
import { run1 } from '../ops/run.js';
import { cast } from '../ops/primitives/cast.js';
import { broadcastTo, reshapeOp } from '../ops/primitives/shape.js';
import type { Variable } from '../autograd/variable.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { jvpOf } from './jvp-rules.js';

/**
 * One level of forward-mode differentiation, installed as the engine's tracer while `f` runs.
 * Each op's value is computed by the level below (the previous tracer: an outer jvp, the jit's
 * graph tracer, or plain execution), and its output tangents by the op's JVP rule, run as ordinary
 * ops at the level below. So whatever sits below (a jit trace, an outer jvp, the GradientTapes)
 * sees ordinary ops for both, which is what makes jvp compose with grad, jit and itself.
 *
 * Tangents are kept beside the tensors (by object), so each level has its own and nested levels
 * cannot confuse them. Tensors without a tangent here (closed-over constants, variables, integer
 * tensors) have a zero tangent.
 */
export class JvpTracer implements Tracer {
  private readonly tangents = new Map<Tensor, Tensor>();
  /** A scan node reaching this level runs its forward rule: one node for values and tangents. */
  readonly mapsNodes = true;

  /**
   * @param prev - the tracer below this level; it computes the ops' values (null: plain execution).
   * @param tangentLevel - computes the tangents: the level below, or a graph tracer that records
   *   them as a linear function of symbolic input tangents (`linearize`).
   */
  constructor(
    readonly prev: Tracer | null,
    private readonly tangentLevel: Tracer | null = prev,
  ) {}

  /** Run `fn` with the level below current: the ops it runs are ordinary ops there. */
  atLevelBelow<T>(fn: () => T): T {
    return at(this.prev, fn);
  }

  /**
   * A fresh alias of `x` (a view, computed at the level below) that carries tangent `t` here. A
   * new tensor, so that `x` used elsewhere (closed over by `f`, or an outer level's primal) stays a
   * constant at this level.
   */
  seed(x: Tensor, t: Tensor): Tensor {
    const alias = this.atLevelBelow(() => run1(reshapeOp, [x], { shape: x.shape }));
    this.hold(alias, t);
    return alias;
  }

  tangentOf(t: Tensor): Tensor | undefined {
    return this.tangents.get(t);
  }

  run(op: OpDef<any>, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
    let any = false;
    const tin = inputs.map((x) => {
      const t = this.tangents.get(x) ?? null;
      any ||= t !== null;
      return t;
    });
    // Values and tangents as one computation at the level below. Not while a tape records: the
    // engine reports this op's outputs to it, and they must not also come from the joint node.
    if (any && op.jvpWithValues && this.tangentLevel === this.prev && !engine.isRecording()) {
      const r = this.atLevelBelow(() => op.jvpWithValues!(inputs, tin, attrs, forwardMode));
      this.atLevelBelow(() =>
        r.outputs.forEach((y, i) => {
          const t = r.tangents[i];
          if (t && isFloat(y.dtype)) this.hold(y, conform(t, y));
        }),
      );
      return r.outputs;
    }
    // The value is computed unseen by the tapes; they hear of the op once, from the engine.
    const outputs = this.atLevelBelow(() => (this.prev ? this.prev.run(op, inputs, attrs) : engine.execute(op, inputs, attrs)));
    if (!any) return outputs;
    // Before the tangent ops that read the outputs (tanh's, exp's): a tape differentiating the
    // tangents (grad of jvp) must see the op first to carry their gradient back through it.
    engine.recordEarly(op, inputs, outputs, attrs);
    const tout = at(this.tangentLevel, () => {
      const ts = jvpOf(op, tin, { inputs, outputs, attrs }, forwardMode);
      return outputs.map((y, i) => {
        const t = ts[i];
        return t && isFloat(y.dtype) ? conform(t, y) : null;
      });
    });
    tout.forEach((t, i) => t && this.hold(outputs[i]!, t));
    return outputs;
  }

  // vmap's control-flow hooks: a value computed by the level below varies between examples exactly
  // when it does there, so a per-example nb.cond / whileLoop inside jvp inside vmap asks that level.
  varies(t: Tensor): boolean {
    return this.prev?.varies?.(t) ?? false;
  }

  anyExample(pred: Tensor): boolean {
    if (!this.prev?.anyExample) throw new ValueError('jvp: internal: a per-example predicate without an enclosing vmap');
    return this.prev.anyExample(pred);
  }

  refusingAssign<T>(why: string, fn: () => T): T {
    return this.prev?.refusingAssign ? this.prev.refusingAssign(why, fn) : fn();
  }

  /** Variables carry no tangent: the assignment happens at the level below (and the value's tangent is dropped). */
  assign(variable: Tensor, value: Tensor): void {
    this.atLevelBelow(() => (variable as Variable).assign(value));
  }

  /** Give `x` tangent `t` here. A `tidy` inside `f` must not dispose a tangent this level still needs (the tape's `savedBy` mechanism). */
  hold(x: Tensor, t: Tensor): void {
    t.savedBy++;
    this.tangents.set(x, t);
  }

  /** Let go of every tangent; those `tidy` spared are disposed unless `keep` has them. */
  release(keep: ReadonlySet<Tensor>): void {
    for (const t of this.tangents.values()) {
      if (--t.savedBy === 0 && t.spared && !keep.has(t)) t.dispose();
    }
    this.tangents.clear();
  }
}

function at<T>(tracer: Tracer | null, fn: () => T): T {
  const saved = engine.tracer;
  engine.tracer = tracer;
  try {
    return fn();
  } finally {
    engine.tracer = saved;
  }
}

/** A rule may return a tangent of a broadcast shape or another float dtype; give it the output's. */
function conform(t: Tensor, y: Tensor): Tensor {
  let out = t.dtype === y.dtype ? t : cast(t, y.dtype);
  if (!shapesEqual(out.shape, y.shape)) out = broadcastTo(out, y.shape);
  return out;
}

/** The forward mode that ops' `jvpWithValues` rules run their bodies in: a fresh level over the current tracer. */
const forwardMode: ForwardContext = {
  forward(fn, primals, tangents, closedOver): WithTangents {
    const tracer = new JvpTracer(engine.tracer);
    const args = primals.map((x, i) => (tangents[i] ? tracer.seed(x, tangents[i]!) : x));
    for (const [x, t] of closedOver) tracer.hold(x, t);
    let outputs: Tensor[];
    engine.tracer = tracer;
    try {
      outputs = fn(args);
    } finally {
      engine.tracer = tracer.prev;
    }
    const outTangents = outputs.map((y) => tracer.tangentOf(y) ?? null);
    tracer.release(new Set(outTangents.filter((t): t is Tensor => t !== null)));
    return { outputs, tangents: outTangents };
  },
};
