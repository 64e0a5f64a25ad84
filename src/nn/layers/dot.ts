// The Dot merge layer (keras.layers.Dot): per-sample dot products of two inputs along given axes.
import { ShapeError, ValueError } from '../../errors.js';
import { mergePositional, optionKeys } from '../../check-options.js';
import { l2Normalize } from '../../ops/composite/normalization.js';
import { matmul } from '../../ops/primitives/matmul.js';
import { reshape, transpose } from '../../ops/primitives/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from './layer.js';

export interface DotArgs extends LayerArgs {
  /** The axis of both inputs to contract, or one per input (not the batch axis 0; negative counts from the end). */
  axes?: number | [number, number];
  /** L2-normalize both inputs along their axis first, giving cosine similarities (default false). */
  normalize?: boolean;
}

const DOT_KEYS = optionKeys<DotArgs>({ ...LAYER_KEYS, axes: true, normalize: true });

/**
 * Per-sample dot product of two inputs along `axes`: [b, n] and [b, n] give [b, 1]; [b, t, d] and
 * [b, s, d] with axes 2 give [b, t, s]. The output holds the first input's other axes, then the second's.
 */
export class Dot extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = DOT_KEYS;
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(axes: number | [number, number] | DotArgs, args?: DotArgs) {
    const a = mergePositional<DotArgs>('Dot', DOT_KEYS, ['axes'], [axes, args]);
    super(a);
    if (a.axes === undefined) throw new ValueError('Dot: axes is required, e.g. new Dot(1) or new Dot({ axes: [2, 2] })');
    const list = typeof a.axes === 'number' ? [a.axes] : a.axes;
    if (!Array.isArray(list) || list.length < 1 || list.length > 2 || list.some((x) => !Number.isInteger(x))) {
      throw new ValueError(`Dot: axes must be an integer or a pair of integers, got ${JSON.stringify(a.axes)}`);
    }
    this.axes = a.axes;
    this.normalize = a.normalize ?? false;
  }

  /** Both contracted axes as non-negative positions, checked against the ranks and sizes. */
  private axesFor(s1: Shape, s2: Shape): [number, number] {
    const [a1, a2] = typeof this.axes === 'number' ? [this.axes, this.axes] : this.axes;
    const p1 = a1 < 0 ? a1 + s1.length : a1;
    const p2 = a2 < 0 ? a2 + s2.length : a2;
    const shapes = `[${s1.join(', ')}] and [${s2.join(', ')}]`;
    if (p1 < 1 || p1 >= s1.length || p2 < 1 || p2 >= s2.length) {
      throw new ValueError(`Dot '${this.name}': axes ${JSON.stringify(this.axes)} are out of range (or the batch axis) for inputs ${shapes}`);
    }
    const n1 = s1[p1];
    const n2 = s2[p2];
    if (n1 !== null && n2 !== null && n1 !== n2) throw new ShapeError(`Dot '${this.name}': inputs ${shapes} differ along the contracted axes (${n1} vs ${n2})`);
    return [p1, p2];
  }

  private pair(s: InputShapes): [Shape, Shape] {
    const list = s as Shape[];
    if (!(list.length === 2 && Array.isArray(list[0]))) throw new ValueError(`Dot '${this.name}': expects a list of exactly 2 inputs`);
    return [list[0]!, list[1]!];
  }

  override build(inputShape: InputShapes): void {
    const [s1, s2] = this.pair(inputShape);
    this.axesFor(s1, s2);
  }

  override call(inputs: Tensor[]): Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new ValueError(`Dot '${this.name}': expects a list of exactly 2 inputs`);
    let [x, y] = inputs as [Tensor, Tensor];
    const [p1, p2] = this.axesFor([...x.shape], [...y.shape]);
    if (this.normalize) {
      x = l2Normalize(x, { axis: p1 });
      y = l2Normalize(y, { axis: p2 });
    }
    const b = x.shape[0]!;
    const k = x.shape[p1]!;
    const xRest = x.shape.filter((_, i) => i !== 0 && i !== p1);
    const yRest = y.shape.filter((_, i) => i !== 0 && i !== p2);
    const size = (dims: number[]) => dims.reduce((m, d) => m * d, 1);
    // [b, X, k] @ [b, k, Y] -> [b, X, Y]
    const xm = reshape(transpose(x, [0, ...x.shape.map((_, i) => i).filter((i) => i !== 0 && i !== p1), p1]), [b, size(xRest), k]);
    const ym = reshape(transpose(y, [0, p2, ...y.shape.map((_, i) => i).filter((i) => i !== 0 && i !== p2)]), [b, k, size(yRest)]);
    const out = matmul(xm, ym);
    const rest = [...xRest, ...yRest];
    return reshape(out, [b, ...(rest.length ? rest : [1])]);
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    const [s1, s2] = this.pair(inputShape);
    const [p1, p2] = this.axesFor(s1, s2);
    const rest = [...s1.filter((_, i) => i !== 0 && i !== p1), ...s2.filter((_, i) => i !== 0 && i !== p2)];
    return [s1[0] ?? null, ...(rest.length ? rest : [1])];
  }

  override getConfig() {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}
