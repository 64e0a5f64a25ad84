// ZeroPadding1D/2D/3D and Cropping1D/2D/3D: zeros added around, or rows cut from, the spatial axes
// of channels-last inputs [batch, ...spatial, channels].
import { ShapeError, ValueError } from '../../errors.js';
import { pad } from '../../ops/primitives/structure.js';
import { slice } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

/** Per spatial axis, the amounts [before, after]. */
export type SidePairs = [number, number][];

/** One amount for every side, one per axis (both sides), or a [before, after] pair per axis. */
export type SideSpec = number | number[] | [number, number][];

const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Keras's forms as one [before, after] pair per axis: `n`; for rank 1 `[before, after]`; for rank 2
 * and 3 one number per axis (both sides) or a pair per axis.
 */
export function sidePairs(layer: string, what: string, v: unknown, rank: number): SidePairs {
  const bad = () => new ValueError(`${layer}: ${what} must be a non-negative integer, ${rank === 1 ? '[before, after]' : `${rank} of them (one per axis) or ${rank} [before, after] pairs`}, got ${JSON.stringify(v)}`);
  if (isCount(v)) return Array.from({ length: rank }, () => [v as number, v as number]);
  if (!Array.isArray(v)) throw bad();
  if (rank === 1 && v.length === 2 && v.every(isCount)) return [[v[0] as number, v[1] as number]];
  if (v.length !== rank) throw bad();
  return v.map((p: unknown) => {
    if (isCount(p)) return [p as number, p as number];
    if (Array.isArray(p) && p.length === 2 && p.every(isCount)) return [p[0] as number, p[1] as number];
    throw bad();
  });
}

/** The shape as a rank-(rank + 2) channels-last shape, or a ShapeError naming the layer. */
function checkRank(layer: Layer, rank: number, s: readonly (number | null)[]): void {
  if (s.length !== rank + 2) {
    throw new ShapeError(`${layer.className} '${layer.name}': expects inputs of rank ${rank + 2} [batch, ...${rank} spatial axes, channels], got shape [${s.join(', ')}]`);
  }
}

export interface ZeroPaddingArgs extends LayerArgs {
  /** Zeros added per side: a number, one per axis, or [before, after] per axis (1D: [left, right]). Default 1. */
  padding?: SideSpec;
}

const ZERO_PADDING_KEYS = optionKeys<ZeroPaddingArgs>({ ...LAYER_KEYS, padding: true });

abstract class ZeroPadding extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = ZERO_PADDING_KEYS;
  readonly padding: SidePairs;
  constructor(
    readonly rank: number,
    given: unknown[],
  ) {
    const a = mergePositional<ZeroPaddingArgs>(new.target.name, ZERO_PADDING_KEYS, ['padding'], given);
    super(a);
    this.padding = sidePairs(this.className, 'padding', a.padding ?? 1, rank);
  }
  override build(inputShape: InputShapes): void {
    checkRank(this, this.rank, inputShape as Shape);
    this.inputSpec = { ndim: this.rank + 2 };
  }
  override call(x: Tensor): Tensor {
    checkRank(this, this.rank, x.shape);
    return pad(x, [[0, 0], ...this.padding, [0, 0]]);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    return s.map((d, i) => {
      const p = this.padding[i - 1];
      return d === null || !p ? d : d + p[0] + p[1];
    });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]) };
  }
}

/** Zeros before and after the steps of [batch, steps, channels]. */
export class ZeroPadding1D extends ZeroPadding {
  constructor(padding?: SideSpec | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(1, [padding, args]);
  }
}

/** Zero rows and columns around images [batch, height, width, channels]. */
export class ZeroPadding2D extends ZeroPadding {
  constructor(padding?: SideSpec | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(2, [padding, args]);
  }
}

/** Zeros around volumes [batch, depth, height, width, channels]. */
export class ZeroPadding3D extends ZeroPadding {
  constructor(padding?: SideSpec | ZeroPaddingArgs, args?: ZeroPaddingArgs) {
    super(3, [padding, args]);
  }
}

export interface CroppingArgs extends LayerArgs {
  /** Rows cut per side: a number, one per axis, or [before, after] per axis (1D: [left, right]). */
  cropping?: SideSpec;
}

const CROPPING_KEYS = optionKeys<CroppingArgs>({ ...LAYER_KEYS, cropping: true });

abstract class Cropping extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = CROPPING_KEYS;
  readonly cropping: SidePairs;
  constructor(
    readonly rank: number,
    given: unknown[],
    dflt: number,
  ) {
    const a = mergePositional<CroppingArgs>(new.target.name, CROPPING_KEYS, ['cropping'], given);
    super(a);
    this.cropping = sidePairs(this.className, 'cropping', a.cropping ?? dflt, rank);
  }
  override build(inputShape: InputShapes): void {
    this.computeOutputShape(inputShape);
    this.inputSpec = { ndim: this.rank + 2 };
  }
  override call(x: Tensor): Tensor {
    const out = this.computeOutputShape(x.shape as Shape) as number[];
    return slice(x, [0, ...this.cropping.map((c) => c[0]), 0], [-1, ...out.slice(1, -1), -1]);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    checkRank(this, this.rank, s);
    return s.map((d, i) => {
      const c = this.cropping[i - 1];
      if (d === null || !c) return d;
      if (c[0] + c[1] >= d) {
        throw new ShapeError(`${this.className} '${this.name}': cropping [${c.join(', ')}] leaves nothing of axis ${i} of size ${d} (input shape [${s.join(', ')}])`);
      }
      return d - c[0] - c[1];
    });
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((c) => [...c]) };
  }
}

/** Cuts steps from the start and end of [batch, steps, channels] (default one each). */
export class Cropping1D extends Cropping {
  constructor(cropping?: SideSpec | CroppingArgs, args?: CroppingArgs) {
    super(1, [cropping, args], 1);
  }
}

/** Cuts rows and columns from the edges of images [batch, height, width, channels] (default none). */
export class Cropping2D extends Cropping {
  constructor(cropping?: SideSpec | CroppingArgs, args?: CroppingArgs) {
    super(2, [cropping, args], 0);
  }
}

/** Cuts from the edges of volumes [batch, depth, height, width, channels] (default one per side). */
export class Cropping3D extends Cropping {
  constructor(cropping?: SideSpec | CroppingArgs, args?: CroppingArgs) {
    super(3, [cropping, args], 1);
  }
}
