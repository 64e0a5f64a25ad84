// nb.layers: every built-in layer, the Layer base class, and register() for custom layers.
import { Activation, Dense, Dropout, Lambda } from './core.js';
import { Embedding } from './embedding.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { BatchNormalization, LayerNormalization } from './normalization.js';
import { Normalization, Rescaling } from './preprocessing.js';
import { registerLayer } from './registry.js';
import { Flatten, Permute, RepeatVector, Reshape } from './reshaping.js';
import { InputLayer } from '../models/input-layer.js';
import { Model } from '../models/model.js';
import { Sequential } from '../models/sequential.js';

export { Layer, type CallArgs, type LayerArgs, type InputSpec, type WeightOptions, type Shape, type InputShapes } from './layer.js';
export { Dense, Activation, Dropout, Lambda, type DenseArgs, type ActivationArgs, type DropoutArgs, type LambdaArgs } from './core.js';
export { Flatten, Reshape, Permute, RepeatVector } from './reshaping.js';
export { BatchNormalization, LayerNormalization, type BatchNormalizationArgs, type LayerNormalizationArgs } from './normalization.js';
export { Normalization, Rescaling, type NormalizationArgs, type RescalingArgs } from './preprocessing.js';
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, type ConcatenateArgs } from './merge.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export { InputLayer } from '../models/input-layer.js';
export { registerLayer as register, serializeLayer as serialize, deserializeLayer as deserialize } from './registry.js';

for (const cls of [
  Dense, Activation, Dropout, Lambda, Flatten, Reshape, Permute, RepeatVector, BatchNormalization, LayerNormalization,
  Normalization, Rescaling, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Embedding, InputLayer,
  Model, Sequential,
]) {
  registerLayer(cls);
}
