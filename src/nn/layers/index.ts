/**
 * `nb.layers`: every built-in layer, the Layer base class, and register() for custom layers.
 * @module
 */
import { Activation, Dense, Dropout, Lambda } from './core.js';
import { Softmax } from './softmax.js';
import { Embedding } from './embedding.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { Dot } from './dot.js';
import { BatchNormalization, LayerNormalization } from './normalization.js';
import { Normalization, Rescaling } from './preprocessing.js';
import { RandomContrast, RandomFlip, RandomRotation, RandomTranslation, RandomZoom } from './image-augmentation.js';
import { CenterCrop, Resizing } from './image-resizing.js';
import { IntegerLookup, StringLookup } from './lookup/string-lookup.js';
import { CategoryEncoding } from './lookup/category-encoding.js';
import { Hashing } from './lookup/hashing.js';
import { Discretization } from './lookup/discretization.js';
import { TextVectorization } from './lookup/text-vectorization.js';
import { registerLayer } from './registry.js';
import { GRU, LSTM, SimpleRNN } from './recurrent.js';
import { MultiHeadAttention } from './attention.js';
import { Bidirectional, TimeDistributed } from './wrappers.js';
import { Masking } from './masking.js';
import { Flatten, Permute, RepeatVector, Reshape } from './reshaping.js';
import { Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D } from './conv.js';
import {
  AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D,
  MaxPooling1D, MaxPooling2D,
} from './pooling.js';

export { Layer, type CallArgs, type LayerArgs, type InputSpec, type WeightOptions, type Shape, type InputShapes } from './layer.js';
export { Dense, Activation, Dropout, Lambda, type DenseArgs, type ActivationArgs, type DropoutArgs, type LambdaArgs } from './core.js';
export { Softmax, type SoftmaxArgs } from './softmax.js';
export { Flatten, Reshape, Permute, RepeatVector } from './reshaping.js';
export { BatchNormalization, LayerNormalization, type BatchNormalizationArgs, type LayerNormalizationArgs } from './normalization.js';
export { Normalization, Rescaling, type NormalizationArgs, type RescalingArgs } from './preprocessing.js';
export {
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, type RandomFlipArgs, type RandomRotationArgs,
  type RandomZoomArgs, type RandomTranslationArgs, type RandomContrastArgs, type Factor, type FlipMode,
} from './image-augmentation.js';
export { Resizing, CenterCrop, type ResizingArgs, type CenterCropArgs } from './image-resizing.js';
export type { FillMode, Interpolation } from './image-sampling.js';
export { StringLookup, IntegerLookup, type StringLookupArgs, type IntegerLookupArgs } from './lookup/string-lookup.js';
export { CategoryEncoding, type CategoryEncodingArgs, type CategoryOutputMode } from './lookup/category-encoding.js';
export { Hashing, type HashingArgs } from './lookup/hashing.js';
export { Discretization, type DiscretizationArgs } from './lookup/discretization.js';
export { TextVectorization, type TextVectorizationArgs, type Standardize, type Split } from './lookup/text-vectorization.js';
export type { OutputMode as LookupOutputMode } from './lookup/encode-output.js';
export { Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, type ConcatenateArgs } from './merge.js';
export { Dot, type DotArgs } from './dot.js';
export { add, subtract, multiply, average, maximum, minimum, concatenate, dot, type MergeFunction } from './merge-functions.js';
export { Embedding, type EmbeddingArgs } from './embedding.js';
export { Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, type ConvArgs, type DepthwiseConvArgs, type SeparableConvArgs } from './conv.js';
export {
  MaxPooling1D, MaxPooling2D, AveragePooling1D, AveragePooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D,
  GlobalAveragePooling2D, GlobalMaxPooling2D, type PoolingArgs, type GlobalPoolingArgs,
} from './pooling.js';
export { SimpleRNN, LSTM, GRU, type RNNArgs, type GRUArgs } from './recurrent.js';
export { MultiHeadAttention, type MultiHeadAttentionArgs } from './attention.js';
export { TimeDistributed, Bidirectional, type BidirectionalArgs, type MergeMode } from './wrappers.js';
export { Masking, type MaskingArgs } from './masking.js';
export { getMask } from './mask-store.js';
// Keras's short names.
export {
  MaxPooling1D as MaxPool1D, MaxPooling2D as MaxPool2D, AveragePooling1D as AvgPool1D, AveragePooling2D as AvgPool2D,
  GlobalAveragePooling1D as GlobalAvgPool1D, GlobalAveragePooling2D as GlobalAvgPool2D,
  GlobalMaxPooling1D as GlobalMaxPool1D, GlobalMaxPooling2D as GlobalMaxPool2D,
} from './pooling.js';
export { registerLayer as register, serializeLayer as serialize, deserializeLayer as deserialize } from './registry.js';

for (const cls of [
  Dense, Activation, Softmax, Dropout, Lambda, Flatten, Reshape, Permute, RepeatVector, BatchNormalization, LayerNormalization,
  Normalization, Rescaling, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, Embedding,
  Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, MaxPooling1D, MaxPooling2D, AveragePooling1D,
  AveragePooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, SimpleRNN, LSTM, GRU, MultiHeadAttention, TimeDistributed, Bidirectional, Masking,
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, Resizing, CenterCrop,
  StringLookup, IntegerLookup, CategoryEncoding, Hashing, Discretization, TextVectorization,
]) {
  registerLayer(cls);
}
