// Layer wrappers: TimeDistributed (a layer on every timestep) and Bidirectional (an RNN both ways).
import { ValueError } from '../../errors.js';
import { add, div, mul } from '../../ops/primitives/binary.js';
import { flip, reshape } from '../../ops/primitives/shape.js';
import { concat } from '../../ops/primitives/structure.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { SerializedObject } from '../serialization.js';
import { checkOptions, optionKeys } from '../../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type MaskArg, type InputShapes, type LayerArgs, type Shape } from './layer.js';
import { deserializeLayer, serializeLayer } from './registry.js';

const TIME_DISTRIBUTED_KEYS = optionKeys<LayerArgs>(LAYER_KEYS);

/** Applies `layer` to each step of [batch, steps, ...] inputs (the steps are folded into the batch). */
export class TimeDistributed extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = TIME_DISTRIBUTED_KEYS;
  override readonly supportsMasking = true;
  readonly layer: Layer;
  constructor(layer: Layer, args: LayerArgs = {}) {
    checkOptions('TimeDistributed', args, TIME_DISTRIBUTED_KEYS);
    super(args);
    if (!(layer instanceof Layer)) throw new ValueError('TimeDistributed: expected a layer to wrap');
    this.layer = layer;
  }
  override build(inputShape: InputShapes): void {
    const s = inputShape as Shape;
    if (s.length < 3) throw new ValueError(`TimeDistributed '${this.name}': expects inputs [batch, steps, ...], got shape [${s.join(', ')}]`);
    this.layer.maybeBuild([null, ...s.slice(2)]);
  }
  override call(x: Tensor, kwargs: CallArgs): Tensor {
    const [b, t] = x.shape as [number, number];
    const y = this.layer.apply(reshape(x, [b * t, ...x.shape.slice(2)]), { training: kwargs.training });
    return reshape(y, [b, t, ...y.shape.slice(1)]);
  }
  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = inputShape as Shape;
    const inner = this.layer.computeOutputShape([null, ...s.slice(2)]) as Shape;
    return [s[0] ?? null, s[1] ?? null, ...inner.slice(1)];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.layer) };
  }
  static override fromConfig(config: Record<string, unknown>): Layer {
    const { layer, ...rest } = config;
    return new TimeDistributed(deserializeLayer(layer), rest);
  }
}

/** How Bidirectional combines the forward and backward outputs. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

export interface BidirectionalArgs extends LayerArgs {
  mergeMode?: MergeMode;
  /** Config of the backward layer (default: the forward layer's, reading backwards). */
  backwardLayer?: SerializedObject;
}

const BIDIRECTIONAL_KEYS = optionKeys<BidirectionalArgs>({ ...LAYER_KEYS, mergeMode: true, backwardLayer: true });

interface RecurrentLike extends Layer {
  readonly goBackwards: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
}

/** Runs a recurrent layer forwards and a copy backwards, and merges their outputs (concatenated by default). */
export class Bidirectional extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = BIDIRECTIONAL_KEYS;
  readonly forwardLayer: RecurrentLike;
  readonly backwardLayer: RecurrentLike;
  readonly mergeMode: MergeMode;

  constructor(layer: Layer, args: BidirectionalArgs = {}) {
    checkOptions('Bidirectional', args, BIDIRECTIONAL_KEYS);
    super(args);
    const rnn = layer as RecurrentLike;
    if (!(layer instanceof Layer) || typeof rnn.goBackwards !== 'boolean') throw new ValueError('Bidirectional: expected a recurrent layer (SimpleRNN, LSTM, GRU)');
    if (rnn.returnState) throw new ValueError('Bidirectional: returnState is not supported; wrap a layer without it');
    this.mergeMode = args.mergeMode ?? 'concat';
    if (!['concat', 'sum', 'mul', 'ave'].includes(this.mergeMode)) throw new ValueError(`Bidirectional: mergeMode must be concat, sum, mul or ave, got '${this.mergeMode}'`);
    this.forwardLayer = rnn;
    const back = args.backwardLayer ?? { className: layer.className, config: { ...layer.getConfig(), name: `backward_${layer.name}`, goBackwards: !rnn.goBackwards } };
    this.backwardLayer = deserializeLayer(back) as RecurrentLike;
  }

  override build(inputShape: InputShapes): void {
    this.forwardLayer.maybeBuild(inputShape);
    this.backwardLayer.maybeBuild(inputShape);
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor {
    // An explicit mask (apply(x, { mask })) reaches both directions, as one riding on x does.
    const args: CallArgs = kwargs.mask !== undefined ? { training: kwargs.training, mask: kwargs.mask } : { training: kwargs.training };
    const f = this.forwardLayer.apply(x, args);
    let b = this.backwardLayer.apply(x, args);
    // The backward layer's sequence comes out reversed: put it back in time order.
    if (this.backwardLayer.returnSequences) b = flip(b, 1);
    if (this.mergeMode === 'concat') return concat([f, b], -1);
    if (this.mergeMode === 'sum') return add(f, b);
    if (this.mergeMode === 'mul') return mul(f, b);
    return div(add(f, b), 2);
  }

  override computeMask(_x: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return this.forwardLayer.returnSequences && !Array.isArray(mask) ? mask : null;
  }

  override computeOutputShape(inputShape: InputShapes): Shape {
    const s = this.forwardLayer.computeOutputShape(inputShape) as Shape;
    if (this.mergeMode !== 'concat') return s;
    const last = s.at(-1);
    return [...s.slice(0, -1), typeof last === 'number' ? 2 * last : null];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: serializeLayer(this.forwardLayer), backwardLayer: serializeLayer(this.backwardLayer), mergeMode: this.mergeMode };
  }

  static override fromConfig(config: Record<string, unknown>): Layer {
    const { layer, ...rest } = config;
    return new Bidirectional(deserializeLayer(layer), rest as BidirectionalArgs);
  }
}
