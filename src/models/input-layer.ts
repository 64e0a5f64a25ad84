// nb.keras.Input: the entry of a functional graph.
import { ValueError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkOptions, mergePositional, optionKeys } from '../check-options.js';
import { LAYER_KEYS, Layer, type InputShapes, type LayerArgs, type Shape } from '../nn/layers/layer.js';
import { SymbolicTensor, type Node } from '../nn/symbolic-tensor.js';
import { registerLayer } from '../nn/layers/registry.js';

export interface InputLayerArgs extends LayerArgs {
  /** Shape of one sample, without the batch axis. */
  shape?: Shape;
}

const INPUT_LAYER_KEYS = optionKeys<InputLayerArgs>({ ...LAYER_KEYS, shape: true });

/** Holds the placeholder a functional model starts from; calling it passes its input through. */
export class InputLayer extends Layer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = INPUT_LAYER_KEYS;
  readonly output: SymbolicTensor;
  constructor(args: InputLayerArgs = {}) {
    checkOptions('InputLayer', args, INPUT_LAYER_KEYS);
    super(args);
    const batchShape = args.batchInputShape ?? (args.shape || args.inputShape ? [args.batchSize ?? null, ...(args.shape ?? args.inputShape)!] : null);
    if (!batchShape) throw new ValueError('Input: a shape is required, e.g. nb.keras.Input([784])');
    for (const d of batchShape) {
      if (d !== null && (!Number.isInteger(d) || d < 0)) throw new ValueError(`Input: sizes must be non-negative integers or null, got [${batchShape.join(', ')}]`);
    }
    this.batchInputShape = [...batchShape];
    this.built = true;
    const node: Node = { layer: this, inputs: [], outputs: [], kwargs: {}, inputsAsList: false };
    this.output = new SymbolicTensor([...batchShape], this.dtype, node, 0, this.name);
    node.outputs.push(this.output);
    this.inboundNodes.push(node);
    this.lastOutputShape = [...batchShape];
  }
  override call(x: Tensor): Tensor {
    return x;
  }
  override computeOutputShape(s: InputShapes): InputShapes {
    return s;
  }
}

/** Options of {@link Input}: shape without the batch axis, fixed batch size, name and dtype. */
export interface InputOptions {
  shape?: Shape;
  batchSize?: number;
  name?: string;
  dtype?: DType;
}

const INPUT_KEYS = optionKeys<InputOptions>({ shape: true, batchSize: true, name: true, dtype: true });

/** A symbolic input: `nb.keras.Input([2])` or `nb.keras.Input({ shape: [2], dtype: 'int32' })`. */
export function Input(shape: Shape | InputOptions, opts?: InputOptions): SymbolicTensor {
  const o = mergePositional<InputOptions>('Input', INPUT_KEYS, ['shape'], [shape, opts]);
  if (!Array.isArray(o.shape)) throw new ValueError('Input: a shape is required, e.g. nb.keras.Input([784])');
  return new InputLayer({ shape: o.shape, batchSize: o.batchSize, name: o.name, dtype: o.dtype }).output;
}

// Models and inputs are layers too: a saved model names their classes.
registerLayer(InputLayer);
