import { DTypeError, ValueError } from '../../errors.js';
import { promote } from '../../tensor/dtype.js';
import { eye, toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mul } from '../primitives/binary.js';
import { cast } from '../primitives/cast.js';
import { matmul } from '../primitives/matmul.js';
import { sum } from '../primitives/reduce.js';
import { broadcastTo, reshape, transpose } from '../primitives/shape.js';
import { parseEquation, type Label } from './einsum-equation.js';
import { declareOp } from '../surface.js';

// einsum as a composite of diagonal masks, sums, transposes, reshapes and one batched matmul,
// so every form gets its gradient (of any order) from those ops.

/** An operand together with the label of each of its axes. */
interface Labelled {
  t: Tensor;
  labels: Label[];
}

/** Take the diagonal over every label repeated within one operand ('ii->i'). */
function takeDiagonals(x: Labelled): Labelled {
  let { t, labels } = x;
  for (;;) {
    const q = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (q < 0) return { t, labels };
    const p = labels.indexOf(labels[q]!);
    const n = t.shape[p]!;
    const maskShape = t.shape.map((_, i) => (i === p || i === q ? n : 1));
    t = sum(mul(t, reshape(eye(n, n, t.dtype), maskShape)), q);
    labels = labels.filter((_, i) => i !== q);
  }
}

/** Sum out the axes whose label is needed neither by the output nor by the other operand. */
function sumUnused(x: Labelled, keep: ReadonlySet<Label>): Labelled {
  const axes = x.labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (axes.length === 0) return x;
  return { t: sum(x.t, axes), labels: x.labels.filter((l) => keep.has(l)) };
}

/** Axes of `x` reordered to `order` (every label of x, each once). */
function arrange(x: Labelled, order: readonly Label[]): Tensor {
  return transpose(x.t, order.map((l) => x.labels.indexOf(l)));
}

function prodOf(labels: readonly Label[], sizes: ReadonlyMap<Label, number>): number {
  return labels.reduce((n, l) => n * sizes.get(l)!, 1);
}

/** Stretch ellipsis axes of size 1 to their broadcast size. */
function broadcastLabels(x: Labelled, sizes: ReadonlyMap<Label, number>): Labelled {
  const shape = x.labels.map((l) => sizes.get(l)!);
  return { t: broadcastTo(x.t, shape), labels: x.labels };
}

/** Two operands with distinct labels each: batch axes pair up, contracted axes go through matmul. */
function contractPair(a: Labelled, b: Labelled, output: readonly Label[], sizes: ReadonlyMap<Label, number>): Labelled {
  const inB = new Set(b.labels);
  const outSet = new Set(output);
  const batch = output.filter((l) => a.labels.includes(l) && inB.has(l));
  const contracted = a.labels.filter((l) => inB.has(l) && !outSet.has(l));
  const freeA = output.filter((l) => a.labels.includes(l) && !inB.has(l));
  const freeB = output.filter((l) => inB.has(l) && !a.labels.includes(l));
  const size = (ls: readonly Label[]) => ls.map((l) => sizes.get(l)!);
  const ones = (ls: readonly Label[]) => ls.map(() => 1);
  let t: Tensor;
  if (contracted.length === 0) {
    // Nothing to sum over: a broadcasting product is cheaper than 1-wide matmuls.
    const ta = reshape(arrange(a, [...batch, ...freeA]), [...size(batch), ...size(freeA), ...ones(freeB)]);
    const tb = reshape(arrange(b, [...batch, ...freeB]), [...size(batch), ...ones(freeA), ...size(freeB)]);
    t = mul(ta, tb);
  } else {
    const nb = prodOf(batch, sizes);
    const ta = reshape(arrange(a, [...batch, ...freeA, ...contracted]), [nb, prodOf(freeA, sizes), prodOf(contracted, sizes)]);
    const tb = reshape(arrange(b, [...batch, ...contracted, ...freeB]), [nb, prodOf(contracted, sizes), prodOf(freeB, sizes)]);
    t = reshape(matmul(ta, tb), [...size(batch), ...size(freeA), ...size(freeB)]);
  }
  return { t, labels: [...batch, ...freeA, ...freeB] };
}

/**
 * Einstein summation over one or two operands, like tf.einsum / numpy.einsum:
 * 'ij,jk->ik' (matmul), 'bij,bjk->bik', 'i,i->' (dot), 'i,j->ij' (outer), 'ij->ji', 'ij->i',
 * 'ii->i' (diagonal), 'ii->' (trace), '...ij,...jk->...ik' (broadcast batch axes). Without '->'
 * the output is the letters used once, in alphabetical order.
 */
export function einsum(equation: string, ...operands: TensorLike[]): Tensor {
  if (operands.length < 1 || operands.length > 2) {
    throw new ValueError(`einsum: supports one or two operands, got ${operands.length} for '${equation}'`);
  }
  let ts = operands.map((x) => toTensor(x, 'einsum'));
  const bad = ts.find((t) => t.dtype === 'bool');
  if (bad) throw new DTypeError(`einsum: expected numeric operands, got bool for '${equation}'`);
  const dtype = ts.map((t) => t.dtype).reduce(promote);
  ts = ts.map((t) => cast(t, dtype));
  const { inputs, output, sizes } = parseEquation(equation, ts.map((t) => t.shape));
  const xs = ts.map((t, k) => takeDiagonals({ t, labels: inputs[k]! }));
  const reduced = xs.map((x, k) => {
    const keep = new Set([...output, ...(xs[1 - k]?.labels ?? [])]);
    return sumUnused(x, keep);
  });
  const result =
    reduced.length === 1 ? reduced[0]! : contractPair(broadcastLabels(reduced[0]!, sizes), broadcastLabels(reduced[1]!, sizes), output, sizes);
  return arrange(result, output);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(einsum);
