// Keras's lowercase functional merge helpers: `nb.layers.concatenate([a, b])` is
// `new Concatenate().apply([a, b])`, on symbolic inputs (a functional graph) or on tensors.
import type { Tensor } from '../../tensor/tensor.js';
import type { SymbolicTensor } from '../symbolic-tensor.js';
import { Dot, type DotArgs } from './dot.js';
import type { Layer, LayerArgs } from './layer.js';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract, type ConcatenateArgs } from './merge.js';

/** A merge helper: symbolic inputs give a symbolic output, tensors a tensor. */
export interface MergeFunction<A> {
  (inputs: SymbolicTensor[], args?: A): SymbolicTensor;
  (inputs: Tensor[], args?: A): Tensor;
}

function helper<A extends LayerArgs>(make: (args?: A) => Layer): MergeFunction<A> {
  return ((inputs: Tensor[] | SymbolicTensor[], args?: A) => make(args).apply(inputs as Tensor[])) as MergeFunction<A>;
}

/** Sum of the inputs (keras.layers.add). */
export const add = helper<LayerArgs>((a) => new Add(a));
/** First input minus the second (keras.layers.subtract). */
export const subtract = helper<LayerArgs>((a) => new Subtract(a));
/** Elementwise product (keras.layers.multiply). */
export const multiply = helper<LayerArgs>((a) => new Multiply(a));
/** Elementwise mean (keras.layers.average). */
export const average = helper<LayerArgs>((a) => new Average(a));
/** Elementwise maximum (keras.layers.maximum). */
export const maximum = helper<LayerArgs>((a) => new Maximum(a));
/** Elementwise minimum (keras.layers.minimum). */
export const minimum = helper<LayerArgs>((a) => new Minimum(a));

/** The inputs joined along `axis` (default the last; keras.layers.concatenate). */
export function concatenate(inputs: SymbolicTensor[], axis?: number | ConcatenateArgs, args?: ConcatenateArgs): SymbolicTensor;
export function concatenate(inputs: Tensor[], axis?: number | ConcatenateArgs, args?: ConcatenateArgs): Tensor;
export function concatenate(inputs: Tensor[] | SymbolicTensor[], axis?: number | ConcatenateArgs, args?: ConcatenateArgs): Tensor | SymbolicTensor {
  return new Concatenate(axis, args).apply(inputs as Tensor[]);
}

/** Per-sample dot products of two inputs along `axes` (keras.layers.dot). */
export function dot(inputs: SymbolicTensor[], axes: number | [number, number] | DotArgs, args?: DotArgs): SymbolicTensor;
export function dot(inputs: Tensor[], axes: number | [number, number] | DotArgs, args?: DotArgs): Tensor;
export function dot(inputs: Tensor[] | SymbolicTensor[], axes: number | [number, number] | DotArgs, args?: DotArgs): Tensor | SymbolicTensor {
  return new Dot(axes, args).apply(inputs as Tensor[]);
}
