/**
 * `nb.layers`: every built-in layer, the Layer base class, and register() for custom layers.
 * @module
 */
import { Activation, Dense, Dropout, Lambda } from './core.js';
import { Softmax } from './softmax.js';
import { Embedding } from './embedding.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge.js';
import { Dot } from './dot.js';
import { BatchNormalization, GroupNormalization, LayerNormalization } from './normalization.js';
import { Identity, UnitNormalization } from './unit-normalization.js';
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
import { AdditiveAttention, Attention } from './dot-attention.js';
import { Bidirectional, TimeDistributed } from './wrappers.js';
import { Masking } from './masking.js';
import { ELU, LeakyReLU, PReLU, ReLU, ThresholdedReLU } from './advanced-activations.js';
import { Cropping1D, Cropping2D, Cropping3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D } from './padding.js';
import { UpSampling1D, UpSampling2D, UpSampling3D } from './upsampling.js';
import { AlphaDropout, GaussianDropout, GaussianNoise, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D } from './noise.js';
import { ActivityRegularization } from './activity-regularization.js';
import { Conv3D, Conv3DTranspose } from './conv3d.js';
import { AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, MaxPooling3D } from './pooling3d.js';
import { ConvLSTM2D } from './conv-lstm.js';
import { ConvLSTM2DCell } from './conv-lstm-cell.js';
import { EinsumDense } from './einsum-dense.js';
import { Conv1DTranspose, DepthwiseConv1D, SeparableConv1D } from './conv1d-variants.js';
import { GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells } from './rnn-cells.js';
import { RNN } from './rnn.js';
import { RandomHeight, RandomWidth } from './image-preprocessing.js';
import { RandomBrightness, RandomCrop } from './random-crop-brightness.js';
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
export { BatchNormalization, LayerNormalization, GroupNormalization, type BatchNormalizationArgs, type LayerNormalizationArgs, type GroupNormalizationArgs } from './normalization.js';
export { UnitNormalization, Identity, type UnitNormalizationArgs } from './unit-normalization.js';
export { Normalization, Rescaling, type NormalizationArgs, type RescalingArgs } from './preprocessing.js';
export {
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, type RandomFlipArgs, type RandomRotationArgs,
  type RandomZoomArgs, type RandomTranslationArgs, type RandomContrastArgs, type Factor, type FlipMode,
} from './image-augmentation.js';
export { Resizing, CenterCrop, type ResizingArgs, type CenterCropArgs } from './image-resizing.js';
export type { FillMode } from './image-sampling.js';
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
export { Attention, AdditiveAttention, type AttentionArgs, type DotAttentionArgs } from './dot-attention.js';
export { TimeDistributed, Bidirectional, type BidirectionalArgs, type MergeMode } from './wrappers.js';
export { Masking, type MaskingArgs } from './masking.js';
export { getMask } from './mask-store.js';
export { ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, type ReLUArgs, type LeakyReLUArgs, type PReLUArgs, type ELUArgs, type ThresholdedReLUArgs } from './advanced-activations.js';
export { ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, Cropping1D, Cropping2D, Cropping3D, type ZeroPaddingArgs, type CroppingArgs, type SideSpec } from './padding.js';
export { UpSampling1D, UpSampling2D, UpSampling3D, type UpSamplingArgs, type Interpolation } from './upsampling.js';
export {
  GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
  type GaussianNoiseArgs, type GaussianDropoutArgs, type AlphaDropoutArgs, type SpatialDropoutArgs,
} from './noise.js';
export { ActivityRegularization, type ActivityRegularizationArgs } from './activity-regularization.js';
export { Conv3D, Conv3DTranspose } from './conv3d.js';
export { MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D } from './pooling3d.js';
export { ConvLSTM2D, type ConvLSTM2DArgs } from './conv-lstm.js';
export { ConvLSTM2DCell, type ConvLSTM2DCellArgs } from './conv-lstm-cell.js';
export { EinsumDense, type EinsumDenseArgs } from './einsum-dense.js';
export { SeparableConv1D, DepthwiseConv1D, Conv1DTranspose } from './conv1d-variants.js';
export { SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells, type RecurrentCell, type CellOutput, type CellArgs, type GRUCellArgs } from './rnn-cells.js';
export { RNN, type RNNLayerArgs } from './rnn.js';
export { RandomHeight, RandomWidth, type RandomResizeArgs } from './image-preprocessing.js';
export { RandomCrop, RandomBrightness, type RandomCropArgs, type RandomBrightnessArgs } from './random-crop-brightness.js';
// Keras's short names.
export {
  MaxPooling1D as MaxPool1D, MaxPooling2D as MaxPool2D, AveragePooling1D as AvgPool1D, AveragePooling2D as AvgPool2D,
  GlobalAveragePooling1D as GlobalAvgPool1D, GlobalAveragePooling2D as GlobalAvgPool2D,
  GlobalMaxPooling1D as GlobalMaxPool1D, GlobalMaxPooling2D as GlobalMaxPool2D,
} from './pooling.js';
export {
  MaxPooling3D as MaxPool3D, AveragePooling3D as AvgPool3D, GlobalAveragePooling3D as GlobalAvgPool3D, GlobalMaxPooling3D as GlobalMaxPool3D,
} from './pooling3d.js';
export { registerLayer as register, serializeLayer as serialize, deserializeLayer as deserialize } from './registry.js';

for (const cls of [
  Dense, Activation, Softmax, Dropout, Lambda, Flatten, Reshape, Permute, RepeatVector, BatchNormalization, LayerNormalization,
  Normalization, Rescaling, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, Embedding,
  Conv1D, Conv2D, Conv2DTranspose, DepthwiseConv2D, SeparableConv2D, MaxPooling1D, MaxPooling2D, AveragePooling1D,
  AveragePooling2D, GlobalAveragePooling1D, GlobalMaxPooling1D, GlobalAveragePooling2D, GlobalMaxPooling2D, SimpleRNN, LSTM, GRU, MultiHeadAttention, TimeDistributed, Bidirectional, Masking,
  RandomFlip, RandomRotation, RandomZoom, RandomTranslation, RandomContrast, Resizing, CenterCrop,
  StringLookup, IntegerLookup, CategoryEncoding, Hashing, Discretization, TextVectorization,
  ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D, Cropping1D, Cropping2D, Cropping3D,
  UpSampling1D, UpSampling2D, UpSampling3D, GaussianNoise, GaussianDropout, AlphaDropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
  ActivityRegularization, Conv3D, Conv3DTranspose, MaxPooling3D, AveragePooling3D, GlobalAveragePooling3D, GlobalMaxPooling3D, ConvLSTM2D, ConvLSTM2DCell, EinsumDense,
  SeparableConv1D, DepthwiseConv1D, Conv1DTranspose, RNN, SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells,
  RandomHeight, RandomWidth, GroupNormalization, UnitNormalization, Identity, Attention, AdditiveAttention, RandomCrop, RandomBrightness,
]) {
  registerLayer(cls);
}
