// MultiHeadAttention (Vaswani et al., 2017) with Keras's weight layout:
// query/key/value kernels [dim, heads, keyDim], output kernel [heads, valueDim, outDim].
import { ValueError } from '../../errors.js';
import { softmax } from '../../ops/composite/activations.js';
import { add, div, mul, sub } from '../../ops/primitives/binary.js';
import { cast } from '../../ops/primitives/cast.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { expandDims, reshape, transpose } from '../../ops/primitives/shape.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { Dropout, optionalRegularizer, positiveInt, serializeOptional } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type MaskArg, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface MultiHeadAttentionArgs extends LayerArgs {
  numHeads?: number;
  keyDim?: number;
  /** Size of each value head (default keyDim). */
  valueDim?: number;
  /** Dropout on the attention probabilities while training. */
  dropout?: number;
  useBias?: boolean;
  /** Last size of the output (default: the query's). */
  outputShape?: number;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

const MULTI_HEAD_ATTENTION_KEYS = optionKeys<MultiHeadAttentionArgs>({
  ...LAYER_KEYS, numHeads: true, keyDim: true, valueDim: true, dropout: true, useBias: true, outputShape: true,
  kernelInitializer: true, biasInitializer: true, kernelRegularizer: true, biasRegularizer: true,
});

interface Projection {
  kernel: Variable;
  bias: Variable | null;
}

/**
 * `apply([query, value])`, `apply([query, value, key])`, or `apply(x)` for self-attention, on
 * [batch, steps, dim] tensors. Call options: `attentionMask` [batch, queryLen, valueLen] (true/1
 * where attending is allowed), `useCausalMask`, `returnAttentionScores` (then use applyAll to get
 * [output, scores [batch, heads, queryLen, valueLen]]).
 */
export class MultiHeadAttention extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = MULTI_HEAD_ATTENTION_KEYS;
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropoutRate: number;
  readonly useBias: boolean;
  readonly outputDim: number | null;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  private readonly attentionDropout: Dropout;
  private proj: Record<'query' | 'key' | 'value' | 'output', Projection> | null = null;

  constructor(numHeads: number | MultiHeadAttentionArgs, keyDim?: number | MultiHeadAttentionArgs, options?: MultiHeadAttentionArgs) {
    const args = mergePositional<MultiHeadAttentionArgs>('MultiHeadAttention', MULTI_HEAD_ATTENTION_KEYS, ['numHeads', 'keyDim'], [numHeads, keyDim, options]);
    super(args);
    this.numHeads = positiveInt('MultiHeadAttention', 'numHeads', args.numHeads);
    this.keyDim = positiveInt('MultiHeadAttention', 'keyDim', args.keyDim);
    this.valueDim = positiveInt('MultiHeadAttention', 'valueDim', args.valueDim ?? this.keyDim);
    this.dropoutRate = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    this.outputDim = args.outputShape ?? null;
    this.kernelInitializer = getInitializer(args.kernelInitializer ?? 'glorotUniform');
    this.biasInitializer = getInitializer(args.biasInitializer ?? 'zeros');
    this.kernelRegularizer = optionalRegularizer(args.kernelRegularizer);
    this.biasRegularizer = optionalRegularizer(args.biasRegularizer);
    this.attentionDropout = new Dropout(this.dropoutRate, { name: `${this.name}_dropout` });
  }

  private shapes(inputShape: InputShapes): { q: Shape; v: Shape; k: Shape } {
    const list = inputShape.length > 0 && Array.isArray(inputShape[0]) ? (inputShape as Shape[]) : [inputShape as Shape];
    const q = list[0]!;
    const v = list[1] ?? q;
    const k = list[2] ?? v;
    for (const s of [q, v, k]) {
      if (s.length !== 3 || typeof s[2] !== 'number') throw new ValueError(`MultiHeadAttention '${this.name}': expects [batch, steps, dim] inputs with a known dim, got [${s.join(', ')}]`);
    }
    return { q, v, k };
  }

  override build(inputShape: InputShapes): void {
    const { q, v, k } = this.shapes(inputShape);
    const h = this.numHeads;
    const make = (name: string, inDim: number, heads: number, size: number, outSize: number[]): Projection => ({
      kernel: this.addWeight(`${name}/kernel`, heads ? [inDim, heads, size] : [...outSize], this.kernelInitializer, { regularizer: this.kernelRegularizer }),
      bias: this.useBias ? this.addWeight(`${name}/bias`, heads ? [heads, size] : [outSize.at(-1)!], this.biasInitializer, { regularizer: this.biasRegularizer }) : null,
    });
    const outDim = this.outputDim ?? (q[2] as number);
    this.proj = {
      query: make('query', q[2] as number, h, this.keyDim, []),
      key: make('key', k[2] as number, h, this.keyDim, []),
      value: make('value', v[2] as number, h, this.valueDim, []),
      output: make('attention_output', 0, 0, 0, [h, this.valueDim, outDim]),
    };
  }

  /** [b, t, d] -> [b, heads, t, size]. */
  private project(x: Tensor, p: Projection, size: number): Tensor {
    const [b, t, d] = x.shape as [number, number, number];
    let y = reshape(matmul(reshape(x, [b * t, d]), reshape(p.kernel, [d, this.numHeads * size])), [b, t, this.numHeads, size]);
    if (p.bias) y = add(y, p.bias);
    return transpose(y, [0, 2, 1, 3]);
  }

  override call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [query, value = query, key = value] = list as [Tensor, Tensor?, Tensor?];
    const p = this.proj!;
    const q = this.project(query, p.query, this.keyDim);
    const k = this.project(key, p.key, this.keyDim);
    const v = this.project(value, p.value, this.valueDim);
    let scores = div(matmul(q, k, { transposeB: true }), Math.sqrt(this.keyDim));
    const mask = this.combinedMask(query.shape[1]!, key.shape[1]!, kwargs, scores.dtype);
    // Masked positions get a large negative score, so their softmax weight is 0.
    if (mask) scores = add(scores, mul(sub(1, mask), -1e9));
    const weights = softmax(scores, -1);
    const dropped = this.attentionDropout.apply(weights, { training: kwargs.training });
    const context = transpose(matmul(dropped, v), [0, 2, 1, 3]);
    const [b, t] = context.shape as [number, number];
    const outDim = p.output.kernel.shape[2]!;
    let out = reshape(matmul(reshape(context, [b * t, this.numHeads * this.valueDim]), reshape(p.output.kernel, [this.numHeads * this.valueDim, outDim])), [b, t, outDim]);
    if (p.output.bias) out = add(out, p.output.bias);
    return kwargs.returnAttentionScores ? [out, weights] : out;
  }

  /** 1 where query i may attend to key j: the given mask times the inputs' masks and a causal (lower-triangular) one, as [b or 1, 1, tq or 1, tk]. */
  private combinedMask(tq: number, tk: number, kwargs: CallArgs, dtype: Tensor['dtype']): Tensor | null {
    let mask: Tensor | null = null;
    const given = kwargs.attentionMask as Tensor | undefined;
    if (given) {
      if (given.rank !== 3 || given.shape[1] !== tq || given.shape[2] !== tk) {
        throw new ValueError(`MultiHeadAttention '${this.name}': attentionMask must be [batch, ${tq}, ${tk}], got [${given.shape.join(', ')}]`);
      }
      mask = expandDims(cast(given, dtype), 1);
    }
    // As Keras: the inputs' own masks (Embedding maskZero) keep padded queries and keys out.
    const [qm, vm, km] = Array.isArray(kwargs.mask) ? [kwargs.mask[0], kwargs.mask[1] ?? kwargs.mask[0], kwargs.mask[2] ?? kwargs.mask[1] ?? kwargs.mask[0]] : [kwargs.mask, kwargs.mask, kwargs.mask];
    let own: Tensor | null = qm ? expandDims(cast(qm, dtype), 2) : null;
    for (const m of [vm, km]) if (m) own = own ? mul(own, expandDims(cast(m, dtype), 1)) : expandDims(cast(m, dtype), 1);
    if (own) mask = mask ? mul(mask, expandDims(own, 1)) : expandDims(own, 1);
    if (kwargs.useCausalMask) {
      const rows = Array.from({ length: tq }, (_, i) => Array.from({ length: tk }, (_, j) => (j <= i ? 1 : 0)));
      const causal = reshape(tensor(rows, dtype), [1, 1, tq, tk]);
      mask = mask ? mul(mask, causal) : causal;
    }
    return mask;
  }

  /** The query's mask, as in Keras. */
  override computeMask(_inputs: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return (Array.isArray(mask) ? mask[0] : mask) ?? null;
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    const { q } = this.shapes(inputShape);
    return [q[0] ?? null, q[1] ?? null, this.outputDim ?? (q[2] as number)];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropoutRate,
      useBias: this.useBias,
      outputShape: this.outputDim,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: serializeOptional(this.kernelRegularizer),
      biasRegularizer: serializeOptional(this.biasRegularizer),
    };
  }
}
