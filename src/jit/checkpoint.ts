import { engine, type Recorder } from '../engine/engine.js';
import { readVariableOp } from '../engine/read-variable.js';
import { ValueError } from '../errors.js';
import type { OpDef } from '../ops/define-op.js';
import { defineOp } from '../ops/define-op.js';
import { run, run1 } from '../ops/run.js';
import { isFloat } from '../tensor/dtype.js';
import { contiguousLayout } from '../tensor/layout.js';
import { Tensor } from '../tensor/tensor.js';
import { GradientTape } from '../autograd/tape.js';
import { batchedLike } from '../autograd/grad.js';
import { Variable } from '../autograd/variable.js';
import { flatten, unflatten } from './pytree.js';

interface CheckpointAttrs {
  /** How many leading inputs are the function's outputs (passed through). */
  readonly nOutputs: number;
  /** Gradients of the function's inputs and of the variables it read, given its outputs' gradients. */
  readonly backward: (dys: readonly Tensor[]) => (Tensor | null)[];
}

const checkpointGrad: OpDef<CheckpointAttrs>['grad'] = (dys, { attrs }) => [...new Array<null>(attrs.nOutputs).fill(null), ...attrs.backward(dys)];

/**
 * Under vmap the outputs keep their batch axes, and the node is made again at the level below with
 * a backward pass that recomputes per example as part of the vmap (as customGradient's rule does),
 * each input's gradient batched like that input (summed over the batch for a shared one).
 */
const checkpointBatch: NonNullable<OpDef<CheckpointAttrs>['batch']> = (inputs, axes, attrs, ctx) => {
  if (engine.isRecording()) ctx.keepValues();
  const n = attrs.nOutputs;
  const backward = (dys: readonly Tensor[]): (Tensor | null)[] => {
    const r = ctx.perExample((ds) => attrs.backward(ds), dys, axes.slice(0, n));
    return r.outputs.map((g, i) => (g === null ? null : batchedLike(g, r.axes[i] ?? null, inputs[n + i]!, axes[n + i] ?? null)));
  };
  const batchedAttrs: CheckpointAttrs = { nOutputs: n, backward };
  const outputs = n === 1 ? [run1(checkpointViewOp, inputs, batchedAttrs)] : run(checkpointOp, inputs, batchedAttrs);
  return { outputs, axes: axes.slice(0, n) };
};

/**
 * The tape's record of a checkpointed call: its outputs pass through, its inputs and the
 * variables it read are inputs too, so the tape keeps those and nothing computed in between.
 * One output is a view (free); several are copied, as an op has one view output at most.
 */
const checkpointViewOp = defineOp<CheckpointAttrs>({
  name: 'checkpoint',
  infer: ([y]) => [{ shape: y!.shape, dtype: y!.dtype }],
  view: (l) => l,
  grad: checkpointGrad,
  batch: checkpointBatch,
});

const checkpointOp = defineOp<CheckpointAttrs>({
  name: 'checkpoint',
  infer: (inputs, attrs) => inputs.slice(0, attrs.nOutputs).map((t) => ({ shape: t.shape, dtype: t.dtype })),
  portable: true,
  ref: (inputs, attrs) => {
    const backend = engine.backend;
    return inputs.slice(0, attrs.nOutputs).map((k) => backend.materialize(k.data, k.dtype, contiguousLayout(k.shape))) as never;
  },
  grad: checkpointGrad,
  batch: checkpointBatch,
});

/**
 * The recomputation's inputs: an identity whose attrs hold a function, so that the jit's
 * common-subexpression elimination (which skips such nodes) never merges the recomputed ops with
 * the forward ones, which would keep the forward's activations alive until the backward pass.
 */
const recomputeBarrierOp: OpDef<{ readonly distinct: () => void }> = defineOp<{ readonly distinct: () => void }>({
  name: 'recomputeBarrier',
  infer: ([x]) => [{ shape: x!.shape, dtype: x!.dtype }],
  view: (l) => l,
  grad: ([dy]) => [dy!],
  batch: ([x], [axis], attrs) => ({ outputs: [run1(recomputeBarrierOp, [x!], attrs)], axes: [axis ?? null] }),
});

/** Notes the trainable float variables a function reads (while it runs unseen by the tapes). */
class VariableReads implements Recorder {
  readonly variables: Variable[] = [];

  record(op: OpDef<any>, inputs: readonly Tensor[]): void {
    const v = inputs[0];
    if (op === readVariableOp && v instanceof Variable && v.trainable && isFloat(v.dtype) && !this.variables.includes(v)) this.variables.push(v);
  }
}

/**
 * `checkpoint(f)`: the same function, except that a GradientTape recording a call keeps only its
 * inputs and outputs (and the variables it reads), not the activations computed in between; the
 * backward pass runs `f` again from its inputs to get them (rematerialisation, like
 * `jax.checkpoint` or `torch.utils.checkpoint`). Trades one extra forward pass of `f` for memory.
 *
 * Arguments and results may be tensors or nested arrays/objects of tensors (other values are
 * passed as they are). Inside `nb.jit` the recomputation is part of the compiled graph and is
 * never merged with the forward pass. `f` must be pure: it runs twice, and a variable it reads
 * must not change between the forward and the backward pass.
 *
 * @typeParam F - The type of `f`; the result has the same type.
 */
export function checkpoint<F extends (...args: any[]) => any>(f: F): F {
  if (typeof f !== 'function') throw new ValueError(`checkpoint: expected a function, got ${typeof f}`);
  return ((...args: unknown[]) => {
    if (!engine.isRecording()) return f(...args);
    const inputs = flatten(args, () => true);
    const reads = new VariableReads();
    const result = engine.pauseRecording(() => {
      engine.addRecorder(reads);
      try {
        return engine.tidy(() => f(...args) as unknown);
      } finally {
        engine.removeRecorder(reads);
      }
    });
    const output = flatten(result, () => true);
    const passed = output.tensors.map((t, i) => (isFloat(t.dtype) ? i : -1)).filter((i) => i >= 0);
    if (passed.length === 0) return result;
    const xs = inputs.tensors;
    const variables = reads.variables.filter((v) => !xs.includes(v));
    const backward = (dys: readonly Tensor[]): (Tensor | null)[] =>
      engine.tidy(() => {
        const tape = new GradientTape({ watchAccessedVariables: false });
        try {
          const distinct = () => undefined;
          const fresh = xs.map((x) => run1(recomputeBarrierOp, [x], { distinct }));
          tape.watch(fresh);
          tape.watch(variables);
          const again = flatten(f(...(unflatten(inputs.template, fresh) as unknown[])), () => true).tensors;
          if (again.length !== output.tensors.length) {
            throw new ValueError(`checkpoint: the function returned ${again.length} tensors when recomputed, ${output.tensors.length} the first time; it must be pure`);
          }
          return tape.gradient(
            passed.map((i) => again[i]!),
            [...fresh, ...variables],
            { outputGradients: [...dys], unconnectedGradients: 'zero' },
          );
        } finally {
          tape.dispose();
        }
      });
    const attrs: CheckpointAttrs = { nOutputs: passed.length, backward };
    const opInputs = [...passed.map((i) => output.tensors[i]!), ...xs, ...variables];
    const through = passed.length === 1 ? [run1(checkpointViewOp, opInputs, attrs)] : run(checkpointOp, opInputs, attrs);
    const outs = [...output.tensors];
    passed.forEach((i, k) => (outs[i] = through[k]!));
    return unflatten(output.template, outs);
  }) as F;
}
