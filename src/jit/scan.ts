import type { OutSpec } from '../backends/backend.js';
import { engine } from '../engine/engine.js';
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import { defineOp, type BatchAxis, type BatchContext, type Batched, type ForwardContext, type WithTangents } from '../ops/define-op.js';
import { run } from '../ops/run.js';
import { add } from '../ops/primitives/binary.js';
import { stack } from '../ops/primitives/structure.js';
import { broadcastTo, expandDims, moveAxis } from '../ops/primitives/shape.js';
import { zeros, zerosLike } from '../ops/creation.js';
import { isFloat } from '../tensor/dtype.js';
import { contiguousLayout } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';
import { GradientTape } from '../autograd/tape.js';
import { flatten, unflatten, type Template } from './pytree.js';
import { scanSlices } from './scan-slices.js';
import { compileBody, type CompiledBody, type FlatStep } from './scan-body.js';
import { GraphTracer } from './trace.js';

/** Options of {@link scan}. */
export interface ScanLoopOptions {
  /** Number of steps; required when `xs` holds no tensor, checked against xs' leading axis otherwise. */
  length?: number;
  /** Walk xs from the last slice to the first (ys stay aligned with xs: ys[i] comes from xs[i]). */
  reverse?: boolean;
}

interface ScanAttrs {
  readonly length: number;
  readonly reverse: boolean;
  readonly nCarry: number;
  readonly nXs: number;
  /** The compiled body and the step it was traced from (a function, so CSE leaves scan nodes alone). */
  readonly body: () => { compiled: CompiledBody; step: FlatStep };
}

/**
 * A scan node of a jitted graph: inputs are the initial carries, the xs and the body's captures;
 * outputs the final carries and the stacked ys. It runs the body's compiled plan once per step.
 */
const scanOp = defineOp<ScanAttrs>({
  name: 'scan',
  infer: (inputs, attrs) => [
    ...inputs.slice(0, attrs.nCarry).map((t) => ({ shape: t.shape, dtype: t.dtype })),
    ...attrs.body().compiled.ySpecs.map((s) => ({ shape: [attrs.length, ...s.shape], dtype: s.dtype })),
  ],
  portable: true,
  ref: (inputs, attrs) => {
    const backend = engine.backend;
    // Every tensor made here is released at the end; the results are fresh copies the plan owns.
    return engine.tidy(() => {
      // Own copies of the inputs too: the plan that runs this node keeps owning (and frees) its buffers.
      const ts = inputs.map((k) => engine.wrap(backend, backend.materialize(k.data, k.dtype, contiguousLayout(k.shape)), k.shape, k.dtype));
      const { nCarry, nXs } = attrs;
      const captured = ts.slice(nCarry + nXs);
      const { plan, ySpecs } = attrs.body().compiled;
      const step: FlatStep = (carry, x) => {
        const outs = plan.run([...carry, ...x, ...captured]);
        return [outs.slice(0, nCarry), outs.slice(nCarry)];
      };
      const [carry, ys] = loop(step, ts.slice(0, nCarry), ts.slice(nCarry, nCarry + nXs), attrs.length, attrs.reverse, ySpecs, true);
      return [...carry, ...ys].map((t) => backend.materialize(engine.handleOn(t, backend), t.dtype, contiguousLayout(t.shape)));
    }) as never;
  },
  grad: (dys, { inputs, attrs }) => scanVjp(dys, inputs, attrs),
  batch: (inputs, axes, attrs, ctx) => scanBatch(inputs, axes, attrs, ctx),
  jvpWithValues: (inputs, tangents, attrs, fwd) => scanJvp(inputs, tangents, attrs, fwd),
});

/** Indices of `items` that `keep` holds for. */
function indicesWhere<T>(items: readonly T[], keep: (item: T, i: number) => boolean): number[] {
  return items.flatMap((item, i) => (keep(item, i) ? [i] : []));
}

/**
 * The scan node in forward mode: one scan whose carries are the carries and their tangents (every
 * float carry gets one, zeros where none came in), whose xs are the xs and the tangents given
 * for them, and whose body is the forward mode of the body (the captures' tangents enter as
 * tensors the new body closes over); its ys are the ys and their tangents.
 */
function scanJvp(inputs: readonly Tensor[], tangents: readonly (Tensor | null)[], attrs: ScanAttrs, fwd: ForwardContext): WithTangents {
  const { nCarry, nXs, length, reverse } = attrs;
  const { compiled, step } = attrs.body();
  const init = inputs.slice(0, nCarry);
  const xs = inputs.slice(nCarry, nCarry + nXs);
  const tc = indicesWhere(init, (c) => isFloat(c.dtype));
  const tx = indicesWhere(xs, (_, i) => tangents[nCarry + i] != null);
  const ty = indicesWhere(compiled.ySpecs, (s) => isFloat(s.dtype));
  const closedOver = new Map<Tensor, Tensor>();
  compiled.captured.forEach((t, k) => {
    const d = tangents[nCarry + nXs + k];
    if (d) closedOver.set(t, d);
  });
  const jointStep: FlatStep = (carry, x) => {
    const c = carry.slice(0, nCarry);
    const xi = x.slice(0, nXs);
    const tin = [...c.map((_, i) => (tc.includes(i) ? carry[nCarry + tc.indexOf(i)]! : null)), ...xi.map((_, i) => (tx.includes(i) ? x[nXs + tx.indexOf(i)]! : null))];
    const r = fwd.forward(
      (ts) => {
        const [c2, y] = step(ts.slice(0, nCarry), ts.slice(nCarry));
        return [...c2, ...y];
      },
      [...c, ...xi],
      tin,
      closedOver,
    );
    const tangentOf = (i: number) => r.tangents[i] ?? zerosLike(r.outputs[i]!);
    return [
      [...r.outputs.slice(0, nCarry), ...tc.map((i) => tangentOf(i))],
      [...r.outputs.slice(nCarry), ...ty.map((j) => tangentOf(nCarry + j))],
    ];
  };
  const dInit = tc.map((i) => tangents[i] ?? zerosLike(init[i]!));
  const dXs = tx.map((i) => tangents[nCarry + i]!);
  const [carry, ys] = scanFlat(jointStep, [...init, ...dInit], [...xs, ...dXs], length, reverse);
  const nY = compiled.ySpecs.length;
  return {
    outputs: [...carry.slice(0, nCarry), ...ys.slice(0, nY)],
    tangents: [
      ...init.map((_, i) => (tc.includes(i) ? carry[nCarry + tc.indexOf(i)]! : null)),
      ...compiled.ySpecs.map((_, j) => (ty.includes(j) ? ys[nY + ty.indexOf(j)]! : null)),
    ],
  };
}

/** `t` with its batch axis first: moved there, or broadcast along a new one for a value the same for every example. */
export function batchFirst(t: Tensor, axis: BatchAxis, size: number): Tensor {
  return axis === null ? broadcastTo(expandDims(t, 0), [size, ...t.shape]) : moveAxis(t, axis, 0);
}

/**
 * The scan node under nb.vmap: a new scan, at the level below, whose carries hold the whole batch
 * (batch axis first; a shared initial carry is broadcast, since a step may make it per-example)
 * and whose xs keep their batch axis after the scanned one; its body runs the per-example body as
 * part of the vmap (so the captures the body reads resolve to their batched values). The ys come
 * out as [length, batch, ...].
 */
function scanBatch(inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: ScanAttrs, ctx: BatchContext): Batched {
  const { nCarry, nXs, length, reverse } = attrs;
  const { step } = attrs.body();
  // The new node's gradient runs the per-example body again, maybe after vmap returned.
  if (engine.isRecording()) ctx.keepValues();
  const k = axes.findIndex((a) => a !== null);
  const size = inputs[k]!.shape[axes[k]!]!;
  const carries = inputs.slice(0, nCarry).map((c, i) => batchFirst(c, axes[i] ?? null, size));
  const xAxes = axes.slice(nCarry, nCarry + nXs).map((a) => a ?? null);
  const xs = inputs.slice(nCarry, nCarry + nXs).map((x, i) => (xAxes[i] === null ? x : moveAxis(x, xAxes[i]!, 1)));
  const sliceAxes = xAxes.map((a) => (a === null ? null : 0));
  const batchedStep: FlatStep = (carry, x) => {
    const r = ctx.perExample(
      (pe) => {
        const [c, y] = step(pe.slice(0, nCarry), pe.slice(nCarry));
        return [...c, ...y];
      },
      [...carry, ...x],
      [...carry.map(() => 0), ...sliceAxes],
    );
    const outs = r.outputs.map((t, i) => batchFirst(t!, r.axes[i] ?? null, size));
    return [outs.slice(0, nCarry), outs.slice(nCarry)];
  };
  const [c, ys] = scanFlat(batchedStep, carries, xs, length, reverse);
  return { outputs: [...c, ...ys], axes: [...c.map(() => 0), ...ys.map(() => 1)] };
}

/**
 * Whether a control-flow op here becomes a graph node: under nb.jit, directly or through the
 * tracers of nb.vmap and jvp (whose batching and forward rules map the node).
 */
export function tracingGraph(): boolean {
  let t = engine.tracer;
  while (t && !(t instanceof GraphTracer) && t.mapsNodes) t = t.prev ?? null;
  return t instanceof GraphTracer;
}

/**
 * Run `step` over the leading axis of `xs`; ys are stacked in xs' order. `ownCarries`: the loop
 * owns every carry it makes (the scan node's kernel, where no tape sees them), so each is released
 * once the next step has consumed it and its buffer is reused by a later step's outputs.
 */
function loop(step: FlatStep, init: Tensor[], xs: Tensor[], length: number, reverse: boolean, ySpecs?: readonly OutSpec[], ownCarries = false): [Tensor[], Tensor[]] {
  const slices = xs.map((x) => scanSlices(x));
  let carry = init;
  const ys: Tensor[][] = new Array(length);
  for (let s = 0; s < length; s++) {
    const i = reverse ? length - 1 - s : s;
    const [c, y] = step(carry, slices.map((sl) => sl[i]!));
    if (ownCarries && carry !== init) for (const t of carry) if (!c.includes(t) && !y.includes(t)) t.dispose();
    carry = c;
    ys[i] = y;
  }
  const specs = ySpecs ?? [];
  const nY = length > 0 ? ys[0]!.length : specs.length;
  const stacked = Array.from({ length: nY }, (_, j) => (length > 0 ? stack(ys.map((y) => y[j]!)) : zeros([0, ...specs[j]!.shape], specs[j]!.dtype)));
  return [carry, stacked];
}

/** A flat scan: the loop eagerly, one scan node (body traced once) inside nb.jit. */
function scanFlat(step: FlatStep, init: Tensor[], xs: Tensor[], length: number, reverse: boolean): [Tensor[], Tensor[]] {
  if (!tracingGraph()) return loop(step, init, xs, length, reverse);
  const spec = (t: Tensor) => ({ shape: t.shape, dtype: t.dtype });
  const compiled = compileBody(step, init.map(spec), xs.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype })));
  const attrs: ScanAttrs = { length, reverse, nCarry: init.length, nXs: xs.length, body: () => ({ compiled, step }) };
  const outs = run(scanOp, [...init, ...xs, ...compiled.captured], attrs);
  return [outs.slice(0, init.length), outs.slice(init.length)];
}

/**
 * The scan node's vector-Jacobian product, itself two scans (so it is jitted the same way and can
 * be differentiated again): a forward scan that recomputes the carry each step started from (the
 * forward pass saves nothing), then a reverse scan that differentiates one step at a time with a
 * tape, carrying the carry's gradient and the captures' summed gradients.
 */
function scanVjp(dys: readonly Tensor[], inputs: readonly Tensor[], attrs: ScanAttrs): (Tensor | null)[] {
  const { nCarry, nXs, length, reverse } = attrs;
  const { compiled, step } = attrs.body();
  const init = inputs.slice(0, nCarry);
  const xs = inputs.slice(nCarry, nCarry + nXs);
  // The body reads the captured tensors themselves (variables, tensors of the enclosing trace).
  const captured = compiled.captured.filter((t) => isFloat(t.dtype));
  const [, starts] = scanFlat((c, x) => [step(c, x)[0], c], init, xs, length, reverse);
  const nY = compiled.ySpecs.length;
  const back: FlatStep = (carry, x) => {
    const dCarry = carry.slice(0, nCarry);
    const dCaptured = carry.slice(nCarry);
    const c = x.slice(0, nCarry);
    const xi = x.slice(nCarry, nCarry + nXs);
    const dy = x.slice(nCarry + nXs);
    const tape = new GradientTape({ watchAccessedVariables: false });
    try {
      tape.watch([...c, ...xi, ...captured]);
      const [c2, y] = step(c, xi);
      const outs = [...c2, ...y];
      const seeds = [...dCarry, ...dy];
      const diff = outs.map((o, i) => (isFloat(o.dtype) ? i : -1)).filter((i) => i >= 0);
      const sources = [...c, ...xi, ...captured];
      const grads = diff.length
        ? tape.gradient(diff.map((i) => outs[i]!), sources, { outputGradients: diff.map((i) => seeds[i]!), unconnectedGradients: 'zero' })
        : sources.map((s) => zerosLike(s));
      const dc = grads.slice(0, nCarry);
      const dx = grads.slice(nCarry, nCarry + nXs);
      const dcap = grads.slice(nCarry + nXs).map((g, k) => add(dCaptured[k]!, g));
      return [[...dc, ...dcap], dx];
    } finally {
      tape.dispose();
    }
  };
  const dInit = dys.slice(0, nCarry);
  const dYs = dys.slice(nCarry, nCarry + nY);
  const [carry, dXs] = scanFlat(back, [...dInit, ...captured.map((t) => zerosLike(t))], [...starts, ...xs, ...dYs], length, !reverse);
  const dCaptured = new Map(captured.map((t, k) => [t, carry[nCarry + k]!]));
  return [...carry.slice(0, nCarry), ...dXs, ...compiled.captured.map((t) => dCaptured.get(t) ?? null)];
}

/**
 * `scan(f, init, xs)` like `jax.lax.scan`: `f(carry, x)` returns `[carry, y]`; the result is
 * `[finalCarry, ys]` with the ys stacked along a new leading axis. `init`, the slices of `xs` and
 * `y` may be tensors or nested arrays/objects of tensors. Eagerly it loops; inside `nb.jit` the
 * body is traced once into one scan node, whatever the length.
 *
 * Differentiable with respect to `init`, `xs` and what `f` reads (variables, tensors it closes
 * over): eagerly the tape records every step; in a jitted graph the scan node's gradient is a
 * scan that recomputes the carries each step started from, then a reverse scan of the body's
 * vector-Jacobian product (memory: one carry per step, no activations).
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => [C, Y], init: C, xs?: X, opts: ScanLoopOptions = {}): [C, Y] {
  if (typeof f !== 'function') throw new ValueError(`scan: expected a function f(carry, x) => [carry, y], got ${typeof f}`);
  const c0 = flatten(init, () => true);
  const x0 = flatten(xs, () => true);
  const length = scanLength(x0.tensors, opts.length);
  let yTemplate: Template | undefined;
  let yFirst: ReturnType<typeof flatten> | undefined;
  const step: FlatStep = (carry, x) => {
    const r = f(unflatten(c0.template, carry) as C, unflatten(x0.template, x) as X) as unknown;
    if (!Array.isArray(r) || r.length !== 2) throw new ValueError(`scan: f must return [carry, y], got ${Array.isArray(r) ? `an array of ${r.length}` : typeof r}`);
    const c = flatten(r[0], () => true);
    if (c.key !== c0.key) {
      throw new ShapeError(`scan: f must return a carry of the same structure, shapes and dtypes as init: init is ${describe(c0)}, f returned ${describe(c)}`);
    }
    const y = flatten(r[1], () => true);
    if (yFirst !== undefined && y.key !== yFirst.key) {
      throw new ShapeError(`scan: f must return ys of one structure, shapes and dtypes at every step: ${describe(yFirst)}, then ${describe(y)}`);
    }
    yFirst ??= y;
    yTemplate = y.template;
    return [c.tensors, y.tensors];
  };
  let carry: Tensor[];
  let ys: Tensor[];
  if (length === 0 && !tracingGraph()) {
    // No step runs: trace one to learn the ys' shapes.
    const compiled = compileBody(step, c0.tensors, x0.tensors.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype })));
    [carry, ys] = [c0.tensors, compiled.ySpecs.map((s) => zeros([0, ...s.shape], s.dtype))];
  } else {
    [carry, ys] = scanFlat(step, c0.tensors, x0.tensors, length, opts.reverse ?? false);
  }
  return [unflatten(c0.template, carry) as C, unflatten(yTemplate!, ys) as Y];
}

function scanLength(xs: readonly Tensor[], given: number | undefined): number {
  if (given !== undefined && (!Number.isInteger(given) || given < 0)) throw new ValueError(`scan: length must be a non-negative integer, got ${given}`);
  if (xs.length === 0) {
    if (given === undefined) throw new ValueError('scan: xs holds no tensor, so the number of steps is unknown; pass { length }');
    return given;
  }
  const shapes = xs.map((x) => fmtShape(x.shape)).join(', ');
  if (xs.some((x) => x.rank === 0)) throw new ShapeError(`scan: every tensor of xs needs a leading axis to scan over; got shapes ${shapes}`);
  const n = xs[0]!.shape[0]!;
  if (xs.some((x) => x.shape[0] !== n)) throw new ShapeError(`scan: the tensors of xs must have one leading length; got shapes ${shapes}`);
  if (given !== undefined && given !== n) throw new ShapeError(`scan: length ${given} does not match the leading length ${n} of xs (shapes ${shapes})`);
  return n;
}

/** A structure as people write it: `[float32[3], {h: float32[2, 4]}]`. */
function describe(flat: { template: Template; tensors: readonly Tensor[] }): string {
  const walk = (t: Template): string => {
    switch (t.t) {
      case 'tensor':
        return `${flat.tensors[t.i]!.dtype}${fmtShape(flat.tensors[t.i]!.shape)}`;
      case 'array':
        return `[${t.items.map(walk).join(', ')}]`;
      case 'record':
        return `{${t.entries.map(([k, e]) => `${k}: ${walk(e)}`).join(', ')}}`;
      default:
        return typeof t.value === 'object' && t.value !== null ? 'object' : String(t.value);
    }
  };
  return walk(flat.template);
}
