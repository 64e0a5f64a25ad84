// NonMaxSuppressionV3/V4/V5 (what TF.js's converter keeps of tf.image.non_max_suppression*): greedy
// selection of the highest-scoring boxes, dropping those that overlap a selected one by more than
// the IoU threshold; V5's soft-NMS (sigma > 0) decays overlapping scores by exp(-iou^2 / (2 sigma))
// instead. How many boxes survive depends on the values, so these run on the host: outside nb.jit.
// The order of work (candidates by score, ties to the lower index; a decayed candidate re-queued)
// is TensorFlow's, so the selections and scores are TF.js's.
import { ShapeError, ValueError, fmtShape } from '../../../errors.js';
import { tensor } from '../../../ops/creation.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TfNodeContext } from '../node-context.js';
import type { TfOp, TfOpTable } from '../op-table.js';

interface Candidate {
  score: number;
  box: number;
  /** Selected boxes before this index were already applied to the score. */
  checkedUpTo: number;
}

/** Intersection over union of boxes i and j ([y1, x1, y2, x2], corners in either order); 0 for an empty box. */
function iou(boxes: ArrayLike<number>, i: number, j: number): number {
  const side = (b: number, k: number) => [Math.min(boxes[4 * b + k]!, boxes[4 * b + k + 2]!), Math.max(boxes[4 * b + k]!, boxes[4 * b + k + 2]!)] as const;
  const [ay0, ay1] = side(i, 0);
  const [ax0, ax1] = side(i, 1);
  const [by0, by1] = side(j, 0);
  const [bx0, bx1] = side(j, 1);
  const areaA = (ay1 - ay0) * (ax1 - ax0);
  const areaB = (by1 - by0) * (bx1 - bx0);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ay1, by1) - Math.max(ay0, by0), 0) * Math.max(Math.min(ax1, bx1) - Math.max(ax0, bx0), 0);
  return inter / (areaA + areaB - inter);
}

/** Queue order: ascending score, and among equal scores the higher index first (the queue pops from the end). */
const before = (a: Candidate, b: Candidate) => a.score - b.score || b.box - a.box;

function enqueue(queue: Candidate[], c: Candidate): void {
  let lo = 0;
  let hi = queue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(queue[mid]!, c) < 0) lo = mid + 1;
    else hi = mid;
  }
  queue.splice(lo, 0, c);
}

export function nonMaxSuppression(boxes: ArrayLike<number>, scores: ArrayLike<number>, maxOutputs: number, iouThreshold: number, scoreThreshold: number, sigma: number): { indices: number[]; scores: number[] } {
  const queue: Candidate[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i]! > scoreThreshold) queue.push({ score: scores[i]!, box: i, checkedUpTo: 0 });
  queue.sort(before);
  const decay = sigma > 0 ? -0.5 / sigma : 0;
  const indices: number[] = [];
  const kept: number[] = [];
  while (indices.length < maxOutputs && queue.length > 0) {
    const c = queue.pop()!;
    const original = c.score;
    if (original < scoreThreshold) break;
    let suppressed = false;
    // Newest selections first: overlapping boxes tend to have close scores.
    for (let j = indices.length - 1; j >= c.checkedUpTo; j--) {
      const o = iou(boxes, c.box, indices[j]!);
      if (o >= iouThreshold) {
        suppressed = true;
        break;
      }
      c.score *= o <= iouThreshold ? Math.exp(decay * o * o) : 0;
      if (c.score <= scoreThreshold) break;
    }
    c.checkedUpTo = indices.length;
    if (suppressed) continue;
    if (c.score === original) {
      indices.push(c.box);
      kept.push(c.score);
    } else if (c.score > scoreThreshold) {
      enqueue(queue, c);
    }
  }
  return { indices, scores: kept };
}

/** Input `i` on the host, with a clear error under nb.jit (the selection's size depends on values). */
function hostValues(ctx: TfNodeContext, i: number): ArrayLike<number> {
  try {
    return ctx.input(i).dataSync() as ArrayLike<number>;
  } catch (e) {
    throw new ValueError(`loadGraphModel: ${ctx.where} (non-max suppression) reads its inputs' values on the host, so a model with it runs outside nb.jit (${(e as Error).message})`);
  }
}

function nmsOp(version: 3 | 4 | 5): TfOp {
  return {
    outputs: version === 3 ? 1 : version === 4 ? 2 : 3,
    run: (ctx) => {
      const boxesT: Tensor = ctx.input(0);
      const scoresT: Tensor = ctx.input(1);
      const n = scoresT.size;
      if (boxesT.rank !== 2 || boxesT.shape[1] !== 4 || scoresT.rank !== 1 || boxesT.shape[0] !== n) {
        throw new ShapeError(`loadGraphModel: ${ctx.where}: expected boxes [n, 4] and scores [n], got ${fmtShape(boxesT.shape)} and ${fmtShape(scoresT.shape)}`);
      }
      const scalar = (i: number, what: string, dflt: number) => {
        if (i >= ctx.inputCount) return dflt;
        const v = hostValues(ctx, i);
        if (v.length !== 1) throw new ShapeError(`loadGraphModel: ${ctx.where}: ${what} must be a scalar, got ${v.length} values`);
        return Number(v[0]);
      };
      const maxOutputs = scalar(2, 'max_output_size', 0);
      if (!Number.isInteger(maxOutputs) || maxOutputs < 0) throw new ValueError(`loadGraphModel: ${ctx.where}: max_output_size must be a non-negative integer, got ${maxOutputs}`);
      const iouThreshold = scalar(3, 'iou_threshold', 0.5);
      if (!(iouThreshold >= 0 && iouThreshold <= 1)) throw new ValueError(`loadGraphModel: ${ctx.where}: iou_threshold must be in [0, 1], got ${iouThreshold}`);
      const scoreThreshold = scalar(4, 'score_threshold', Number.NEGATIVE_INFINITY);
      const sigma = version === 5 ? scalar(5, 'soft_nms_sigma', 0) : 0;
      const r = nonMaxSuppression(hostValues(ctx, 0), hostValues(ctx, 1), maxOutputs, iouThreshold, scoreThreshold, sigma);
      const valid = r.indices.length;
      if (version !== 3 && ctx.attrs.bool('pad_to_max_output_size', false)) {
        while (r.indices.length < maxOutputs) {
          r.indices.push(0);
          r.scores.push(0);
        }
      }
      const indices = tensor(Int32Array.from(r.indices), [r.indices.length], 'int32');
      const validT = tensor(valid, [], 'int32');
      if (version === 3) return [indices];
      if (version === 4) return [indices, validT];
      return [indices, tensor(Float32Array.from(r.scores), [r.scores.length], 'float32'), validT];
    },
  };
}

export const nmsOps: TfOpTable = {
  NonMaxSuppressionV3: nmsOp(3),
  NonMaxSuppressionV4: nmsOp(4),
  NonMaxSuppressionV5: nmsOp(5),
};
