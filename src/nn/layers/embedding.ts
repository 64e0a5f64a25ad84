// Embedding: integer ids -> rows of a learned table.
import { ValueError } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { equal, notEqual } from '../../ops/primitives/compare.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { expandDims, reshape } from '../../ops/primitives/shape.js';
import { range } from '../../tensor/creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../tensor/variable.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, positiveInt, serializeOptional } from './core.js';
import { Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface EmbeddingArgs extends LayerArgs {
  inputDim?: number;
  outputDim?: number;
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  /** Id 0 is padding: computeMask reports where ids are non-zero. */
  maskZero?: boolean;
}

/** Maps ids in [0, inputDim) to vectors of size outputDim; output shape [...ids.shape, outputDim]. */
export class Embedding extends Layer {
  readonly vocabularySize: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly maskZero: boolean;
  embeddings!: Variable;

  constructor(inputDim: number | EmbeddingArgs, outputDim?: number, args: EmbeddingArgs = {}) {
    const a = typeof inputDim === 'number' ? { ...args, inputDim, outputDim } : inputDim;
    // inputDim here is the vocabulary size, not a shape: keep it away from LayerArgs.inputDim.
    super({ ...a, inputDim: undefined });
    this.vocabularySize = positiveInt('Embedding', 'inputDim', a.inputDim);
    this.outputDim = positiveInt('Embedding', 'outputDim', a.outputDim);
    this.embeddingsInitializer = getInitializer(a.embeddingsInitializer ?? { className: 'RandomUniform', config: {} });
    this.embeddingsRegularizer = optionalRegularizer(a.embeddingsRegularizer);
    this.maskZero = a.maskZero ?? false;
  }

  override build(): void {
    this.embeddings = this.addWeight('embeddings', [this.vocabularySize, this.outputDim], this.embeddingsInitializer, { regularizer: this.embeddingsRegularizer });
  }

  override call(ids: Tensor): Tensor {
    const idx = ids.dtype === 'int32' ? ids : cast(ids, 'int32');
    const data = idx.dataSync();
    for (const v of data) {
      if (v < 0 || v >= this.vocabularySize) throw new ValueError(`Embedding '${this.name}': id ${v} is out of range [0, ${this.vocabularySize})`);
    }
    // A one-hot product: its gradient w.r.t. the table is exact and needs no scatter primitive.
    const oneHot = cast(equal(expandDims(reshape(idx, [-1]), 1), range(0, this.vocabularySize)), this.embeddings.dtype);
    return reshape(matmul(oneHot, this.embeddings), [...ids.shape, this.outputDim]);
  }

  /** Where ids are non-zero, when maskZero is set. */
  override computeMask(ids: Tensor | Tensor[]): Tensor | null {
    return this.maskZero ? notEqual(ids as Tensor, 0) : null;
  }

  override computeOutputShape(s: InputShapes): Shape {
    return [...(s as Shape), this.outputDim];
  }

  protected override outputDType(): 'float32' | 'float64' | 'int32' | 'bool' {
    return this.dtype;
  }

  override getConfig() {
    return {
      ...super.getConfig(),
      inputDim: this.vocabularySize,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      embeddingsRegularizer: serializeOptional(this.embeddingsRegularizer),
      maskZero: this.maskZero,
    };
  }
}
