// Forward-mode autodiff: nb.jvp and nb.linearize.
//
// Design (README "Function transforms"): jvp is an interpreter over the same primitives as the
// tape and the jit. While `f` runs, a JvpTracer (jvp-tracer.ts) is the engine's tracer: it lets the
// level below compute each op's value and computes the op's output tangents with the op's rule
// (jvp-rules.ts): the op's own `jvp`, its `linear`/`bilinear` mark, or, for any other op, a JVP
// derived once, generically, from its VJP by transposition. The tangent computation is made of
// ordinary nabla ops, so GradientTape (grad of jvp), nb.jit (jit of jvp, jvp inside jit) and
// another jvp (jvp of jvp, jvp of grad) see it and compose.
import { engine } from '../engine/engine.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { zerosLike } from '../ops/creation.js';
import { Plan } from '../jit/executor.js';
import { optimize } from '../jit/passes/index.js';
import { flatten, unflatten, type Template } from '../jit/pytree.js';
import { GraphTracer } from '../jit/trace.js';
import { isFloat } from '../tensor/dtype.js';
import { shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { JvpTracer } from './jvp-tracer.js';

/**
 * `jvp(f, primals, tangents)` evaluates `f(...primals)` and its directional derivative along
 * `tangents` in one forward pass: `[f(...primals), J·tangents]`, as JAX's `jax.jvp`.
 *
 * `primals` and `tangents` are arrays of `f`'s arguments; each argument may be a tensor or a pytree
 * (nested arrays and plain objects of tensors), and each tangent must have the structure, shapes and
 * dtype of its primal. The primal tensors must be float. The tangent output has the structure of
 * `f`'s output, with zeros for outputs that do not depend on the primals.
 */
export function jvp<R>(f: (...args: any[]) => R, primals: readonly unknown[], tangents: readonly unknown[]): [R, R] {
  if (!Array.isArray(primals) || !Array.isArray(tangents)) {
    throw new ValueError('jvp: primals and tangents must be arrays of the function\'s arguments, e.g. nb.jvp(f, [x], [v])');
  }
  if (primals.length !== tangents.length) {
    throw new ValueError(`jvp: ${primals.length} primals but ${tangents.length} tangents; give one tangent per argument`);
  }
  const p = flatten(primals, () => true);
  const t = flatten(tangents, () => true);
  checkTangents(p.template, t.template, p.tensors, t.tensors);

  const tracer = new JvpTracer(engine.tracer);
  const args = unflatten(p.template, p.tensors.map((x, i) => tracer.seed(x, t.tensors[i]!))) as unknown[];
  const kept = new Set<Tensor>();
  try {
    let out: R;
    engine.tracer = tracer;
    try {
      out = f(...args);
    } finally {
      engine.tracer = tracer.prev;
    }
    if (out instanceof Promise) throw new ValueError('jvp: the function returned a Promise; jvp differentiates synchronous functions');
    const o = flatten(out, () => true);
    const outTangents = o.tensors.map((y) => tracer.tangentOf(y) ?? zerosLike(y));
    for (const ot of outTangents) kept.add(ot);
    return [out, unflatten(o.template, outTangents) as R];
  } finally {
    tracer.release(kept);
  }
}

/**
 * `linearize(f, primals)`: `[f(...primals), fJvp]` where `fJvp(...tangents)` gives the JVP at
 * `primals` along `tangents` (as JAX's `jax.linearize`). `f` runs once, in forward mode, with its
 * tangent computation recorded as a graph (a linear function of the tangents whose constants are
 * the primal intermediates it needs); each `fJvp` call replays that graph without running `f`.
 * Variables `f` reads are read again at each call. Under a tape or a tracer (`grad`, `jit`, an
 * outer transform), and on another backend than the one current at `linearize`, `fJvp` runs `f`
 * in forward mode instead, so that those see ordinary ops.
 */
export function linearize<R>(f: (...args: any[]) => R, primals: readonly unknown[]): [R, (...tangents: unknown[]) => R] {
  if (!Array.isArray(primals)) throw new ValueError("linearize: primals must be an array of the function's arguments, e.g. nb.linearize(f, [x])");
  const p = flatten(primals, () => true);
  checkTangents(p.template, p.template, p.tensors, p.tensors, 'linearize');
  const rerun = (tangents: unknown[]) => jvp(f, primals, tangents)[1];
  if (engine.tracer || engine.isRecording()) return [f(...primals), (...tangents) => rerun(tangents)];

  const backend = engine.backend;
  const recorder = new GraphTracer();
  const symbols = p.tensors.map((x) => recorder.input(x));
  const tracer = new JvpTracer(null, recorder);
  const args = unflatten(p.template, p.tensors.map((x, i) => tracer.seed(x, symbols[i]!))) as unknown[];
  let out: R;
  let template: Template;
  try {
    engine.tracer = tracer;
    try {
      out = f(...args);
    } finally {
      engine.tracer = null;
    }
    const o = flatten(out, () => true);
    template = o.template;
    recorder.graph.outputs = o.tensors.map((y) => recorder.valueOf(tracer.tangentOf(y) ?? zerosLike(y)));
  } finally {
    tracer.release(new Set());
  }
  optimize(recorder.graph, backend);
  const plan = new Plan(recorder.graph, backend);
  const fJvp = (...tangents: unknown[]): R => {
    if (engine.tracer || engine.isRecording() || engine.backend !== backend) return rerun(tangents);
    const t = flatten(tangents, () => true);
    checkTangents(p.template, t.template, p.tensors, t.tensors, 'linearize');
    return unflatten(template, plan.run(t.tensors)) as R;
  };
  return [out, fJvp];
}

/** Tangents must mirror the primals: same structure, and each tensor the same shape and dtype. */
function checkTangents(pt: Template, tt: Template, primals: readonly Tensor[], tangents: readonly Tensor[], op = 'jvp'): void {
  const mismatch = (where: string, what: string) => new ValueError(`${op}: tangents do not have the structure of the primals at ${where}: ${what}`);
  const walk = (a: Template, b: Template, where: string): void => {
    if (a.t === 'tensor') {
      if (b.t !== 'tensor') throw mismatch(where, 'expected a tensor');
      const x = primals[a.i]!;
      const v = tangents[b.i]!;
      if (!isFloat(x.dtype)) throw new DTypeError(`${op}: primal ${where} has dtype ${x.dtype}; forward-mode differentiation needs float tensors (cast it, or close over it in f)`);
      if (!shapesEqual(x.shape, v.shape)) throw new ShapeError(`${op}: tangent ${where} has shape ${fmtShape(v.shape)} but its primal has shape ${fmtShape(x.shape)}`);
      if (x.dtype !== v.dtype) throw new DTypeError(`${op}: tangent ${where} has dtype ${v.dtype} but its primal has dtype ${x.dtype}`);
      return;
    }
    if (a.t === 'array') {
      if (b.t !== 'array' || b.items.length !== a.items.length) throw mismatch(where, `expected an array of ${a.items.length}`);
      a.items.forEach((item, i) => walk(item, b.items[i]!, `${where}[${i}]`));
      return;
    }
    if (a.t === 'record') {
      const keys = a.entries.map(([k]) => k).join(',');
      if (b.t !== 'record' || b.entries.map(([k]) => k).join(',') !== keys) throw mismatch(where, `expected an object with keys {${keys}}`);
      a.entries.forEach(([k, e], i) => walk(e, b.entries[i]![1], `${where}.${k}`));
      return;
    }
    if (typeof a.value === 'number') throw new ValueError(`${op}: primal ${where} is the JS number ${a.value}; pass a float tensor (nb.tensor(${a.value})) to differentiate it`);
    if (b.t === 'tensor') throw mismatch(where, 'the primal is not a tensor');
  };
  if (pt.t !== 'array' || tt.t !== 'array') throw new ValueError(`${op}: primals and tangents must be arrays`);
  if (pt.items.length !== tt.items.length) throw new ValueError(`${op}: ${pt.items.length} primals but ${tt.items.length} tangents; give one tangent per argument`);
  pt.items.forEach((item, i) => walk(item, tt.items[i]!, `[${i}]`));
}
