// An imported ONNX model as a Keras layer: its Variables are the layer's weights, so it trains
// inside a Sequential or functional model like any other layer (fine-tuning a PyTorch backbone).
import { ValueError } from '../../errors.js';
import { Layer, type CallArgs, type LayerArgs } from '../../nn/layers/layer.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import type { OnnxModel } from './onnx-model.js';

export class OnnxLayer extends Layer {
  static readonly className = 'OnnxLayer';

  constructor(
    private readonly onnx: OnnxModel,
    args: LayerArgs = {},
  ) {
    super(args);
  }

  override get weights(): Variable[] {
    return [...super.weights, ...Object.values(this.onnx.weights)];
  }

  override get trainableWeights(): Variable[] {
    return this.trainable ? [...super.trainableWeights, ...this.onnx.trainableWeights] : [];
  }

  override call(inputs: Tensor | Tensor[], _kwargs: CallArgs): Tensor | Tensor[] {
    const outs = this.onnx.run(inputs);
    return outs.length === 1 ? outs[0]! : outs;
  }

  override getConfig(): Record<string, unknown> {
    throw new ValueError(`OnnxLayer '${this.name}' cannot be saved in nabla's model format; save the surrounding model with nb.onnx.save, or keep the .onnx file beside it`);
  }
}
