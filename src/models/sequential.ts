// nb.Sequential: a plain stack of single-input, single-output layers.
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { mergePositional, optionKeys } from '../check-options.js';
import { Layer, type CallArgs, type InputShapes, type LayerArgs, type Shape } from '../nn/layers/layer.js';
import { deserializeLayer, serializeLayer } from '../nn/layers/registry.js';
import type { SerializedObject } from '../nn/serialization.js';
import { SymbolicTensor } from '../nn/symbolic-tensor.js';
import { Input, InputLayer } from './input-layer.js';
import { Model, specOf } from './model.js';
import { registerLayer } from '../nn/layers/registry.js';

/** Options of a Sequential model (the input shape comes from its first layer or an `nb.keras.Input`). */
export interface SequentialArgs extends Pick<LayerArgs, 'name' | 'trainable'> {
  layers?: (Layer | SymbolicTensor)[];
}

const SEQUENTIAL_KEYS = optionKeys<SequentialArgs>({ name: true, trainable: true, layers: true });

/**
 * Layers applied one after another. Once the input shape is known (an `inputShape` on the first
 * layer, an `nb.keras.Input` first, or the first call) the stack is built as a functional graph,
 * so every layer has weights and output shapes for summary().
 */
export class Sequential extends Model {
  /** The option keys the constructor accepts (checked at run time). */
  static override readonly optionKeys: readonly string[] = SEQUENTIAL_KEYS;
  private stack: Layer[] = [];
  private input: SymbolicTensor | null = null;
  private output: SymbolicTensor | null = null;

  constructor(layers?: (Layer | SymbolicTensor)[] | SequentialArgs, args?: SequentialArgs) {
    const a = mergePositional<SequentialArgs>('Sequential', SEQUENTIAL_KEYS, ['layers'], [layers, args]);
    super({ name: a.name, trainable: a.trainable });
    for (const l of a.layers ?? []) this.add(l);
  }

  /** Append a layer (or, first, an nb.keras.Input). */
  add(layer: Layer | SymbolicTensor): void {
    if (layer instanceof SymbolicTensor) {
      if (this.stack.length || this.input) throw new ValueError('Sequential.add: an nb.keras.Input can only come first');
      if (!(layer.node.layer instanceof InputLayer)) throw new ValueError('Sequential.add: expected a layer or an nb.keras.Input');
      this.input = this.output = layer;
      return;
    }
    if (!(layer instanceof Layer)) throw new ValueError(`Sequential.add: expected a Layer, got ${layer === null ? 'null' : typeof layer}`);
    if (layer instanceof InputLayer) {
      this.add(layer.output);
      return;
    }
    if (this.stack.includes(layer)) throw new ValueError(`Sequential.add: layer '${layer.name}' is already in the model`);
    this.stack.push(layer);
    if (!this.input && this.stack.length === 1 && layer.batchInputShape) {
      this.input = this.output = Input(layer.batchInputShape.slice(1), { batchSize: layer.batchInputShape[0] ?? undefined });
    }
    if (this.output) {
      this.output = layer.apply(this.output);
      this.markBuilt();
    }
  }

  /** Remove the last layer. */
  pop(): Layer {
    const l = this.stack.pop();
    if (!l) throw new ValueError('Sequential.pop: the model has no layers');
    const input = this.input;
    if (input) {
      this.output = input;
      for (const x of this.stack) this.output = x.apply(this.output);
      this.markBuilt();
    }
    return l;
  }

  private markBuilt(): void {
    if (!this.input || !this.output) return;
    this.initGraph(this.input, this.output);
  }

  override get layers(): Layer[] {
    return [...this.stack];
  }

  override sublayers(): Layer[] {
    return [...this.stack];
  }

  /**
   * Build from the first input's shape, fixing only the sizes the layers need, as Keras builds with
   * None where it cannot know: first with every size past the batch axis unknown, then with only the
   * last axis known, then with the full shape. The first stack that builds is kept, so Embedding +
   * LSTM + Dense accepts other sequence lengths later, while Flatten + Dense fixes the whole shape.
   */
  override build(inputShape: InputShapes): void {
    if (this.input) return;
    const shape = inputShape as Shape;
    const candidates = [shape.map((d, i) => (i === 0 ? d : null)), shape.map((d, i) => (i === 0 || i === shape.length - 1 ? d : null)), shape];
    const tried = new Set<string>();
    for (const [k, candidate] of candidates.entries()) {
      const key = JSON.stringify(candidate);
      if (tried.has(key)) continue;
      tried.add(key);
      const nodes = this.stack.map((l) => l.inboundNodes.length);
      try {
        const input = Input(candidate.slice(1));
        let output = input;
        for (const l of this.stack) output = l.apply(output);
        this.input = input;
        this.output = output;
        this.markBuilt();
        return;
      } catch (e) {
        // Undo the partial graph; layers that built keep their weights (they did not depend on the unknown sizes).
        this.stack.forEach((l, i) => (l.inboundNodes.length = nodes[i]!));
        if (k === candidates.length - 1) throw e;
      }
    }
  }

  override call(x: Tensor, kwargs: CallArgs): Tensor {
    if (!this.stack.length) throw new ValueError(`Sequential '${this.name}' has no layers; add some before calling it`);
    let y = x;
    for (const l of this.stack) y = l.apply(y, { training: kwargs.training });
    return y;
  }

  override computeOutputShape(inputShape: InputShapes): InputShapes {
    let s = inputShape;
    for (const l of this.stack) s = l.computeOutputShape(s);
    return s;
  }

  override getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, layers: this.stack.map(serializeLayer) };
    if (this.input) c.batchInputShape = [...this.input.shape];
    return c;
  }

  static override fromConfig(config: Record<string, unknown>): Layer {
    const layers = (config.layers as SerializedObject[]).map(deserializeLayer);
    const first = config.batchInputShape as Shape | undefined;
    const items: (Layer | SymbolicTensor)[] = first ? [Input(first.slice(1)), ...layers] : layers;
    return new Sequential(items, { name: config.name as string, trainable: config.trainable as boolean | undefined });
  }
}

export { specOf };

// Models and inputs are layers too: a saved model names their classes.
registerLayer(Sequential);
