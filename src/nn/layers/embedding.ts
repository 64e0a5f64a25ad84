// Embedding: integer ids -> rows of a learned table.
import { ValueError } from '../../errors.js';
import { engine } from '../../engine/engine.js';
import { cast } from '../../ops/primitives/cast.js';
import { notEqual } from '../../ops/primitives/compare.js';
import { gather } from '../../ops/primitives/indexing.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { getInitializer, serializeInitializer, type Initializer, type InitializerIdentifier } from '../initializers.js';
import type { Regularizer, RegularizerIdentifier } from '../regularizers.js';
import { optionalRegularizer, positiveInt, serializeOptional } from './core.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface EmbeddingArgs extends LayerArgs {
  inputDim?: number;
  outputDim?: number;
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  /** Id 0 is padding: computeMask reports where ids are non-zero. */
  maskZero?: boolean;
}

const EMBEDDING_KEYS = optionKeys<EmbeddingArgs>({ ...LAYER_KEYS, outputDim: true, embeddingsInitializer: true, embeddingsRegularizer: true, maskZero: true });

/** Maps ids in [0, inputDim) to vectors of size outputDim; output shape [...ids.shape, outputDim]. */
export class Embedding extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = EMBEDDING_KEYS;
  readonly vocabularySize: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly maskZero: boolean;
  embeddings!: Variable;

  constructor(inputDim: number | EmbeddingArgs, outputDim?: number | EmbeddingArgs, args?: EmbeddingArgs) {
    const a = mergePositional<EmbeddingArgs>('Embedding', EMBEDDING_KEYS, ['inputDim', 'outputDim'], [inputDim, outputDim, args]);
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
    // Eagerly, name the layer in the error; under nb.jit the values are unknown and gather checks them.
    if (!engine.tracer) {
      for (const v of idx.dataSync()) {
        if (v < 0 || v >= this.vocabularySize) throw new ValueError(`Embedding '${this.name}': id ${v} is out of range [0, ${this.vocabularySize})`);
      }
    }
    return gather(this.embeddings, idx, 0);
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
