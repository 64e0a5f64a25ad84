import type { Backend, BackendInfo } from '../backends/backend.js';
import { engine, type Tracer } from '../engine/engine.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { BatchAxis, BatchContext, OpDef } from '../ops/define-op.js';
import type { Tensor } from '../tensor/tensor.js';
import { isSymbolic } from '../jit/trace.js';
import { any } from '../ops/primitives/reduce.js';

function unreadable(): never {
  throw new ValueError(
    'vmap: this tensor stands for a whole batch inside nb.vmap, so its values cannot be read in the mapped function ' +
      '(JS control flow on tensor values is not supported there; use nb.where), and it cannot be used after vmap returns ' +
      '(return it from the mapped function instead)',
  );
}

/** The backend of per-example tensors: they hold no data; their batched values live in the tracer. */
const perExampleBackend: Backend<null> = {
  name: 'vmap',
  kernels: {},
  upload: () => unreadable(),
  read: () => unreadable(),
  readSync: () => unreadable(),
  materialize: () => null,
  subrange: () => null,
  free: () => undefined,
  byteLength: () => 0,
  info: (): BackendInfo => ({ name: 'vmap' }),
};

function isPerExample(t: Tensor): boolean {
  return t.storage.backend === perExampleBackend;
}

interface BatchedValue {
  readonly value: Tensor;
  readonly axis: number;
}

/**
 * Runs the mapped function one op at a time: the function sees per-example tensors (shapes without
 * the batch axis, no data); each op on them runs its primitive's batching rule on the batched
 * values, with the previous tracer (none, nb.jit's, an outer vmap's) back in place, so the batched
 * computation is made of ordinary ops that tapes, jit and outer vmaps see.
 */
export class BatchTracer implements Tracer, BatchContext {
  private readonly batched = new Map<number, BatchedValue>();
  /** Why assignments are refused now (inside per-example control flow), innermost last. */
  private readonly refusals: string[] = [];
  /** The batched values this vmap made, released (but its outputs) when it returns. */
  scope: Tensor[] = [];
  /** Per-example code may run after vmap returns (see `perExample`): keep the batched values then. */
  retainValues = false;
  /** Scan and whileLoop nodes reaching this vmap run their batching rules. */
  readonly mapsNodes = true;

  constructor(
    readonly size: number,
    public prev: Tracer | null,
  ) {}

  get batchSize(): number {
    return this.size;
  }

  /** The per-example tensor standing for `value`, batched along `axis`. */
  symbolFor(value: Tensor, axis: number): Tensor {
    const shape = value.shape.filter((_, i) => i !== axis);
    const t = engine.wrap(perExampleBackend, null, shape, value.dtype);
    this.batched.set(t.id, { value, axis });
    return t;
  }

  /** What `t` stands for in this vmap: its batched value and axis, or itself shared by the batch. */
  lookup(t: Tensor): { value: Tensor; axis: BatchAxis } {
    const b = this.batched.get(t.id);
    if (b) return b;
    if (isPerExample(t) && !(this.prev instanceof BatchTracer && this.prev.owns(t))) unreadable();
    return { value: t, axis: null };
  }

  private owns(t: Tensor): boolean {
    return this.batched.has(t.id) || (this.prev instanceof BatchTracer && this.prev.owns(t));
  }

  /** Run `fn` as the code around the vmap would: the previous tracer active, tensors kept in this vmap's scope. */
  outside<T>(fn: () => T): T {
    const self = engine.tracer;
    engine.tracer = this.prev;
    try {
      return engine.collectInto(this.scope, fn);
    } finally {
      engine.tracer = self;
    }
  }

  run(op: OpDef<any>, inputs: readonly Tensor[], attrs: unknown): Tensor[] {
    const found = inputs.map((t) => this.lookup(t));
    const values = found.map((f) => f.value);
    const axes = found.map((f) => f.axis);
    // Nothing batched: the op runs as it is. The engine records it on tapes once this returns.
    if (axes.every((a) => a === null)) return this.outside(() => engine.pauseRecording(() => engine.runOp(op, values, attrs)));
    if (!op.batch) {
      throw new ValueError(`vmap: the primitive '${op.name}' has no batching rule, so it cannot run under nb.vmap (add a 'batch' rule to its OpDef)`);
    }
    // Bad input fails here with the shapes of one example, as the user wrote them.
    const expected = op.infer(inputs, attrs);
    const r = this.outside(() => op.batch!(values, axes, attrs, this));
    return r.outputs.map((out, i) => {
      const axis = r.axes[i] ?? null;
      const perExample = axis === null ? out : this.symbolFor(out, axis);
      const want = expected[i]!;
      if (perExample.shape.length !== want.shape.length || perExample.shape.some((d, j) => d !== want.shape[j]) || perExample.dtype !== want.dtype) {
        throw new ShapeError(
          `vmap: the batching rule of '${op.name}' gave ${out.dtype}${fmtShape(out.shape)} batched on axis ${axis}, ` +
            `but one example should be ${want.dtype}${fmtShape(want.shape)}`,
        );
      }
      return perExample;
    });
  }

  perExample(fn: (xs: Tensor[]) => (Tensor | null)[], inputs: readonly Tensor[], axes: readonly BatchAxis[]): { outputs: (Tensor | null)[]; axes: BatchAxis[] } {
    if (engine.tracer === this) {
      // Still inside the mapped function: nothing to re-enter.
      return this.translate(fn(inputs.map((t, i) => (axes[i] === null ? t : this.symbolFor(t, axes[i]!)))));
    }
    const savedTracer = engine.tracer;
    const savedPrev = this.prev;
    const savedScope = this.scope;
    this.prev = savedTracer;
    this.scope = [];
    engine.tracer = this;
    try {
      const outs = fn(inputs.map((t, i) => (axes[i] === null ? t : this.symbolFor(t, axes[i]!))));
      engine.tracer = savedTracer;
      const result = this.translate(outs);
      engine.releaseScope(this.scope, result.outputs);
      return result;
    } finally {
      engine.tracer = savedTracer;
      this.prev = savedPrev;
      this.scope = savedScope;
    }
  }

  keepValues(): void {
    this.retainValues = true;
  }

  private translate(outs: (Tensor | null)[]): { outputs: (Tensor | null)[]; axes: BatchAxis[] } {
    const found = outs.map((o) => (o === null ? null : this.lookup(o)));
    return { outputs: found.map((f) => f?.value ?? null), axes: found.map((f) => f?.axis ?? null) };
  }

  varies(t: Tensor): boolean {
    return isPerExample(t);
  }

  anyExample(pred: Tensor): boolean {
    const { value, axis } = this.lookup(pred);
    return this.outside(() => {
      const some = axis === null ? value : any(value);
      // Still per example of an outer vmap: that one reduces over its own batch.
      if (this.prev?.varies?.(some)) return this.prev.anyExample!(some);
      if (isSymbolic(some)) {
        throw new ValueError(
          'vmap: a whileLoop whose condition differs between examples needs its values at every step, which nb.jit does not have while tracing; ' +
            'use a fixed number of steps with nb.where, or call the vmapped function outside nb.jit',
        );
      }
      return some.dataSync()[0] !== 0;
    });
  }

  refusingAssign<T>(why: string, fn: () => T): T {
    this.refusals.push(why);
    try {
      return fn();
    } finally {
      this.refusals.pop();
    }
  }

  assign(variable: Tensor, value: Tensor): void {
    const refusal = this.refusals[this.refusals.length - 1];
    if (refusal) throw new ValueError(`vmap: cannot assign ${variable.label()} inside ${refusal}: the assignment would apply to every example`);
    if (this.lookup(value).axis !== null) {
      throw new ValueError(`vmap: cannot assign a batched value to ${variable.label()}: a variable holds one value for the whole batch`);
    }
    this.outside(() => (variable as unknown as { assign(v: Tensor): void }).assign(value));
  }
}
