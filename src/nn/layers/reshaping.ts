// Layers that only move elements: Flatten, Reshape, Permute, RepeatVector.
import { ShapeError, ValueError } from '../../errors.js';
import { broadcastTo, expandDims, reshape, transpose } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { positiveInt } from './core.js';
import { checkOptions, mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

function knownProduct(dims: Shape): number | null {
  return dims.every((d) => d !== null) ? (dims as number[]).reduce((a, b) => a * b, 1) : null;
}

const FLATTEN_KEYS = optionKeys<LayerArgs>(LAYER_KEYS);

/** [batch, ...] -> [batch, product of the rest]. */
export class Flatten extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = FLATTEN_KEYS;
  constructor(args: LayerArgs = {}) {
    checkOptions('Flatten', args, FLATTEN_KEYS);
    super(args);
  }
  override call(x: Tensor): Tensor {
    if (x.rank < 1) throw new ShapeError(`Flatten '${this.name}': expected an input with a batch axis, got a scalar`);
    return reshape(x, [x.shape[0]!, -1]);
  }
  override computeOutputShape(s: InputShapes): Shape {
    const shape = s as Shape;
    return [shape[0] ?? null, knownProduct(shape.slice(1))];
  }
}

export interface ReshapeArgs extends LayerArgs {
  targetShape?: number[];
}

const RESHAPE_KEYS = optionKeys<ReshapeArgs>({ ...LAYER_KEYS, targetShape: true });

/** Reshape each sample to `targetShape` (one entry may be -1). */
export class Reshape extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = RESHAPE_KEYS;
  readonly targetShape: number[];
  constructor(targetShape: number[] | ReshapeArgs, args?: ReshapeArgs) {
    const a = mergePositional<ReshapeArgs>('Reshape', RESHAPE_KEYS, ['targetShape'], [targetShape, args]);
    super(a);
    if (!Array.isArray(a.targetShape)) throw new ValueError('Reshape: targetShape (an array of sizes, one may be -1) is required');
    if (a.targetShape.filter((d) => d === -1).length > 1) throw new ValueError(`Reshape: at most one -1 in targetShape, got [${a.targetShape.join(', ')}]`);
    this.targetShape = [...a.targetShape];
  }
  override call(x: Tensor): Tensor {
    const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const out = this.resolve(per);
    if (out.reduce((a, b) => a * b, 1) !== per) {
      throw new ShapeError(`Reshape '${this.name}': cannot reshape samples of shape [${x.shape.slice(1).join(', ')}] (${per} values) to [${this.targetShape.join(', ')}]`);
    }
    return reshape(x, [x.shape[0]!, ...out]);
  }
  private resolve(per: number): number[] {
    const known = this.targetShape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    return this.targetShape.map((d) => (d === -1 ? (known ? per / known : 0) : d));
  }
  override computeOutputShape(s: InputShapes): Shape {
    const shape = s as Shape;
    const per = knownProduct(shape.slice(1));
    if (per === null) return [shape[0] ?? null, ...this.targetShape.map((d) => (d === -1 ? null : d))];
    return [shape[0] ?? null, ...this.resolve(per)];
  }
  override getConfig() {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }
}

export interface PermuteArgs extends LayerArgs {
  dims?: number[];
}

const PERMUTE_KEYS = optionKeys<PermuteArgs>({ ...LAYER_KEYS, dims: true });

/** Permute the non-batch axes; `dims` counts from 1 like Keras ([2, 1] swaps the two axes after the batch). */
export class Permute extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = PERMUTE_KEYS;
  readonly dims: number[];
  constructor(dims: number[] | PermuteArgs, args?: PermuteArgs) {
    const a = mergePositional<PermuteArgs>('Permute', PERMUTE_KEYS, ['dims'], [dims, args]);
    super(a);
    const d = a.dims;
    if (!Array.isArray(d) || [...d].sort((p, q) => p - q).some((v, i) => v !== i + 1)) {
      throw new ValueError(`Permute: dims must be a permutation of 1..n, got ${JSON.stringify(d)}`);
    }
    this.dims = [...d];
  }
  override call(x: Tensor): Tensor {
    if (x.rank !== this.dims.length + 1) {
      throw new ShapeError(`Permute '${this.name}': dims [${this.dims.join(', ')}] need inputs of rank ${this.dims.length + 1}, got shape [${x.shape.join(', ')}]`);
    }
    return transpose(x, [0, ...this.dims]);
  }
  override computeOutputShape(s: InputShapes): Shape {
    const shape = s as Shape;
    return [shape[0] ?? null, ...this.dims.map((d) => shape[d] ?? null)];
  }
  override getConfig() {
    return { ...super.getConfig(), dims: this.dims };
  }
}

export interface RepeatVectorArgs extends LayerArgs {
  n?: number;
}

const REPEAT_VECTOR_KEYS = optionKeys<RepeatVectorArgs>({ ...LAYER_KEYS, n: true });

/** [batch, features] -> [batch, n, features]. */
export class RepeatVector extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = REPEAT_VECTOR_KEYS;
  readonly n: number;
  constructor(n: number | RepeatVectorArgs, args?: RepeatVectorArgs) {
    const a = mergePositional<RepeatVectorArgs>('RepeatVector', REPEAT_VECTOR_KEYS, ['n'], [n, args]);
    super(a);
    this.n = positiveInt('RepeatVector', 'n', a.n);
  }
  override build(): void {
    this.inputSpec = { ndim: 2 };
  }
  override call(x: Tensor): Tensor {
    return broadcastTo(expandDims(x, 1), [x.shape[0]!, this.n, x.shape[1]!]);
  }
  override computeOutputShape(s: InputShapes): Shape {
    const shape = s as Shape;
    return [shape[0] ?? null, this.n, shape[1] ?? null];
  }
  override getConfig() {
    return { ...super.getConfig(), n: this.n };
  }
}
