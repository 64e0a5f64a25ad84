// Keras's single-head attention layers without projections: Attention (Luong, dot-product or
// concat scores) and AdditiveAttention (Bahdanau). Inputs [query, value] or [query, value, key].
import { ValueError } from '../../errors.js';
import { softmax } from '../../ops/composite/activations.js';
import { dropout } from '../../ops/composite/dropout.js';
import { add, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { sum } from '../../ops/primitives/reduce.js';
import { expandDims, reshape } from '../../ops/primitives/shape.js';
import { tanh } from '../../ops/primitives/unary.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type LayerArgs, type MaskArg, type Shape } from './layer.js';

export interface AttentionArgs extends LayerArgs {
  /** Learn a scalar (Attention) or per-feature (AdditiveAttention) scale of the scores. */
  useScale?: boolean;
  /** Fraction of attention weights dropped while training. */
  dropout?: number;
}

export interface DotAttentionArgs extends AttentionArgs {
  /** 'dot' (query . key, default) or 'concat' (sum of tanh(query + key)). */
  scoreMode?: 'dot' | 'concat';
}

const ATTENTION_KEYS = optionKeys<DotAttentionArgs>({ ...LAYER_KEYS, useScale: true, dropout: true, scoreMode: true });
const ADDITIVE_ATTENTION_KEYS = optionKeys<AttentionArgs>({ ...LAYER_KEYS, useScale: true, dropout: true });

/** Scores of queries against keys, softmax over the keys (masked ones excluded), weights times values. */
abstract class BaseAttention extends Layer {
  override readonly supportsMasking = true;
  readonly useScale: boolean;
  readonly dropout: number;
  constructor(a: AttentionArgs, defaultScale: boolean) {
    super(a);
    this.useScale = a.useScale ?? defaultScale;
    const r = a.dropout ?? 0;
    if (typeof r !== 'number' || !(r >= 0 && r < 1)) throw new ValueError(`${this.className}: dropout must be in [0, 1), got ${JSON.stringify(a.dropout)}`);
    this.dropout = r;
  }

  /** [query, value, key] shapes, checked: [batch, tq, dim], [batch, tv, dim_v], [batch, tv, dim]. */
  protected shapes(inputShape: InputShapes): Shape[] {
    const list = Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : null;
    if (!list || list.length < 2 || list.length > 3 || list.some((s) => s.length !== 3)) {
      throw new ValueError(`${this.className} '${this.name}': expects inputs [query, value] or [query, value, key], each [batch, steps, features]`);
    }
    const [q, v, k = v] = list as [Shape, Shape, Shape?];
    if (q[2] !== null && k![2] !== null && q[2] !== k![2]) {
      throw new ValueError(`${this.className} '${this.name}': query and key need the same feature size, got ${q[2]} and ${k![2]}`);
    }
    return [q, v, k!];
  }

  /** Scores [batch, tq, tv] of the queries against the keys. */
  protected abstract scores(query: Tensor, key: Tensor): Tensor;

  override call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[] {
    if (!Array.isArray(inputs)) throw new ValueError(`${this.className} '${this.name}': expects a list [query, value] or [query, value, key]`);
    const [query, value, key = value] = inputs as [Tensor, Tensor, Tensor?];
    let scores = this.scores(query, key);
    const masks = Array.isArray(kwargs.mask) ? kwargs.mask : [kwargs.mask ?? null];
    const [queryMask, valueMask] = [masks[0] ?? null, masks[1] ?? null];
    const tq = query.shape[1]!;
    const tv = key.shape[1]!;
    let keep: Tensor | null = valueMask ? expandDims(cast(valueMask, scores.dtype), 1) : null;
    if (kwargs.useCausalMask) {
      const rows = Array.from({ length: tq }, (_, i) => Array.from({ length: tv }, (_, j) => (j <= i ? 1 : 0)));
      const causal = reshape(tensor(rows, scores.dtype), [1, tq, tv]);
      keep = keep ? mul(keep, causal) : causal;
    }
    // Excluded keys get a large negative score, so their softmax weight is 0.
    if (keep) scores = add(scores, mul(sub(1, keep), -1e9));
    const weights = softmax(scores, -1);
    const used = kwargs.training && this.dropout > 0 ? dropout(weights, this.dropout) : weights;
    let out = matmul(used, value);
    if (queryMask) out = mul(out, expandDims(cast(queryMask, out.dtype), -1));
    return kwargs.returnAttentionScores ? [out, weights] : out;
  }

  /** The query's mask, as in Keras. */
  override computeMask(_inputs: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return (Array.isArray(mask) ? mask[0] : mask) ?? null;
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    const [q, v] = this.shapes(inputShape) as [Shape, Shape];
    return [q[0] ?? null, q[1] ?? null, v[2] ?? null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), useScale: this.useScale, dropout: this.dropout };
  }
}

/** Luong-style attention: scores query . key (optionally times a learned scalar), or the 'concat' form. */
export class Attention extends BaseAttention {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ATTENTION_KEYS;
  readonly scoreMode: 'dot' | 'concat';
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;
  constructor(args: DotAttentionArgs = {}) {
    const a = mergePositional<DotAttentionArgs>('Attention', ATTENTION_KEYS, [], [args]);
    super(a, false);
    const mode = a.scoreMode ?? 'dot';
    if (mode !== 'dot' && mode !== 'concat') throw new ValueError(`Attention: scoreMode must be 'dot' or 'concat', got ${JSON.stringify(a.scoreMode)}`);
    this.scoreMode = mode;
  }
  override build(inputShape: InputShapes): void {
    this.shapes(inputShape);
    if (this.useScale) this.scale = this.addWeight('scale', [], 'ones');
    if (this.scoreMode === 'concat') this.concatScoreWeight = this.addWeight('concat_score_weight', [], 'ones');
  }
  protected scores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const s = matmul(query, key, { transposeB: true });
      return this.scale ? mul(s, this.scale) : s;
    }
    const pairs = add(expandDims(query, 2), expandDims(key, 1));
    return mul(sum(tanh(this.scale ? mul(pairs, this.scale) : pairs), -1), this.concatScoreWeight!);
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scoreMode: this.scoreMode };
  }
}

/** Bahdanau-style attention: scores sum(scale * tanh(query + key)) over the features. */
export class AdditiveAttention extends BaseAttention {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ADDITIVE_ATTENTION_KEYS;
  scale: Variable | null = null;
  constructor(args: AttentionArgs = {}) {
    const a = mergePositional<AttentionArgs>('AdditiveAttention', ADDITIVE_ATTENTION_KEYS, [], [args]);
    super(a, true);
  }
  override build(inputShape: InputShapes): void {
    const [, , k] = this.shapes(inputShape) as [Shape, Shape, Shape];
    const dim = k[2];
    if (typeof dim !== 'number') throw new ValueError(`AdditiveAttention '${this.name}': the key's feature size must be known`);
    if (this.useScale) this.scale = this.addWeight('scale', [dim], 'glorotUniform');
  }
  protected scores(query: Tensor, key: Tensor): Tensor {
    const t = tanh(add(expandDims(query, 2), expandDims(key, 1)));
    return sum(this.scale ? mul(t, this.scale) : t, -1);
  }
}
