// The forward-mode rule of a primitive, in one place: its own `jvp`, its `linear`/`bilinear` mark,
// or, for every other op, a JVP derived from its VJP by transposition (see `transposedVjp`).
import { GradientTape } from '../autograd/tape.js';
import { ValueError } from '../errors.js';
import type { ForwardContext, GradContext, OpDef } from '../ops/define-op.js';
import { zerosLike } from '../ops/creation.js';
import { run, run1 } from '../ops/run.js';
import { add, mul } from '../ops/primitives/binary.js';
import { sum, unbroadcast } from '../ops/primitives/reduce.js';
import { isFloat } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';

type Tangents = readonly (Tensor | null)[];

/**
 * Output tangents of `op` given its input tangents (null: no tangent, i.e. zero). Every op here
 * runs as an ordinary nabla op, so tapes, the jit and outer transforms see the computation.
 */
export function jvpOf(op: OpDef<any>, tangents: Tangents, ctx: GradContext<any>, fwd: ForwardContext): (Tensor | null)[] {
  if (op.notDifferentiable) return ctx.outputs.map(() => null);
  // Recomputes the values beside the tangents (the caller could not use the joint form).
  if (op.jvpWithValues) return op.jvpWithValues(ctx.inputs, tangents, ctx.attrs, fwd).tangents;
  if (op.linear) return linearJvp(op, tangents, ctx);
  if (op.bilinear) return bilinearJvp(op, tangents, ctx);
  if (op.jvp) return op.jvp(tangents, ctx);
  if (op.grad) return transposedVjp(op, tangents, ctx);
  throw new ValueError(`jvp: op '${op.name}' has no forward-mode rule and no gradient to derive one from`);
}

/** A linear op applied to the tangents; zeros stand in for float inputs without one, other inputs (indices, masks) stay. */
function linearJvp(op: OpDef<any>, tangents: Tangents, ctx: GradContext<any>): (Tensor | null)[] {
  const args = ctx.inputs.map((x, i) => (isFloat(x.dtype) ? (tangents[i] ?? zerosLike(x)) : x));
  return run(op, args, ctx.attrs);
}

/** d(op(a, b)) = op(da, b) + op(a, db). */
function bilinearJvp(op: OpDef<any>, [ta, tb]: Tangents, { inputs: [a, b], attrs }: GradContext<any>): (Tensor | null)[] {
  const da = ta ? run1(op, [ta, b!], attrs) : null;
  const db = tb ? run1(op, [a!, tb], attrs) : null;
  return [da && db ? add(da, db) : (da ?? db)];
}

/**
 * The JVP of any op with a VJP, derived once, generically: the VJP u ↦ Jᵀu is linear in the
 * cotangent u, so ⟨Jᵀu, t⟩ = ⟨u, Jt⟩ and J·t is the gradient of u ↦ ⟨Jᵀu, t⟩ (at any u; zeros
 * here). Costs a backward pass and its transpose, so cheap rules are given where they are easy.
 * Needs the VJP to be differentiable in u, which holds because gradients are written with nabla ops.
 */
export function transposedVjp(op: OpDef<any>, tangents: Tangents, ctx: GradContext<any>): (Tensor | null)[] {
  const us = ctx.outputs.map((y) => zerosLike(y));
  const floatUs = us.filter((u) => isFloat(u.dtype));
  const tape = new GradientTape({ watchAccessedVariables: false });
  try {
    tape.watch(floatUs);
    const vjps = op.grad!(us, ctx);
    let pairing: Tensor | null = null;
    for (let i = 0; i < ctx.inputs.length; i++) {
      const t = tangents[i];
      const g = vjps[i];
      if (!t || !g) continue;
      const term = sum(mul(unbroadcast(g, ctx.inputs[i]!.shape), t));
      pairing = pairing ? add(pairing, term) : term;
    }
    if (!pairing) return ctx.outputs.map(() => null);
    const jt = tape.gradient(pairing, floatUs, { unconnectedGradients: 'zero' });
    let k = 0;
    return us.map((u) => (isFloat(u.dtype) ? jt[k++]! : null));
  } finally {
    tape.dispose();
  }
}
