// The model nb.onnx.load returns: predict on tensors (positional or by input name), compiled by
// default like a Keras model's predict (one trace per input signature, with the jit's inference
// rewrites: BatchNormalization folded into the conv before it, conv + bias + activation fused),
// with the initializers as Variables for fine-tuning.
import { ValueError } from '../../errors.js';
import { toTensor, type TensorLike } from '../../ops/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Variable } from '../../autograd/variable.js';
import { jit, type Jitted } from '../../jit/jit.js';
import type { LayerArgs } from '../../nn/layers/layer.js';
import type { OnnxGraph, OnnxInputSpec } from './onnx-graph.js';
import { OnnxLayer } from './onnx-layer.js';

export type OnnxFeeds = Record<string, TensorLike>;

export class OnnxModel {
  /**
   * Whether predict/run compile the graph (default true): traced once per input signature with
   * nb.jit's inference rewrites. The rewrites read the weights on every call, so changes to
   * `weights` (training, assign) are always seen. Under a GradientTape the graph runs eagerly.
   */
  jitCompile = true;

  private compiled?: Jitted<(...inputs: Tensor[]) => Tensor[]>;

  /** @internal */
  constructor(
    private readonly graph: OnnxGraph,
    /** The exporter that wrote the file ("pytorch 1.13.0"), for messages. */
    readonly producer: string,
  ) {}

  /** The graph inputs (initializers excluded): name, dtype and declared dims (null where dynamic). */
  get inputs(): readonly OnnxInputSpec[] {
    return this.graph.inputs;
  }

  get inputNames(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  get outputNames(): string[] {
    return [...this.graph.outputNames];
  }

  /** The default-domain opset the file was exported with. */
  get opset(): number {
    return this.graph.opset;
  }

  /** The float initializers as Variables, by ONNX name. */
  get weights(): Record<string, Variable> {
    return Object.fromEntries(this.graph.weights);
  }

  /** The Variables a GradientTape or optimizer trains. */
  get trainableWeights(): Variable[] {
    return [...this.graph.weights.values()].filter((v) => v.trainable);
  }

  /**
   * Run the model. With a tensor (or an array of tensors, in input order) it returns the output
   * tensor, or an array of them when the model has several; with `{inputName: tensor}` it returns
   * `{outputName: tensor}`.
   */
  predict(feeds: OnnxFeeds): Record<string, Tensor>;
  predict(x: TensorLike | readonly TensorLike[]): Tensor | Tensor[];
  predict(x: TensorLike | readonly TensorLike[] | OnnxFeeds): Tensor | Tensor[] | Record<string, Tensor> {
    if (isFeeds(x)) {
      const outs = this.run(x);
      return Object.fromEntries(this.outputNames.map((n, i) => [n, outs[i]!]));
    }
    const outs = this.run(x);
    return outs.length === 1 ? outs[0]! : outs;
  }

  /** This model as a Keras layer (its weights are this model's Variables), for use inside nb.Sequential or nb.Model. */
  asLayer(args: LayerArgs = {}): OnnxLayer {
    return new OnnxLayer(this, args);
  }

  /** The outputs in graph order, for positional or named inputs. */
  run(x: TensorLike | readonly TensorLike[] | OnnxFeeds): Tensor[] {
    const names = this.inputNames;
    const feeds = new Map<string, Tensor>();
    if (isFeeds(x)) {
      for (const key of Object.keys(x)) {
        if (!names.includes(key)) throw new ValueError(`onnx model: unknown input '${key}' (inputs: ${names.join(', ')})`);
        feeds.set(key, toTensor(x[key]!, 'onnx model'));
      }
    } else {
      // An array of tensors is one per input; any other array is the data of the only input.
      const list = Array.isArray(x) && x.length > 0 && x.every((e) => e instanceof Tensor) ? (x as readonly Tensor[]) : [x as TensorLike];
      if (list.length !== names.length) throw new ValueError(`onnx model: expected ${names.length} inputs (${names.join(', ')}), got ${list.length}`);
      list.forEach((t, i) => feeds.set(names[i]!, toTensor(t, 'onnx model')));
    }
    return this.jitCompile ? this.runCompiled(feeds) : this.graph.run(feeds);
  }

  private runCompiled(feeds: Map<string, Tensor>): Tensor[] {
    const names = this.inputNames;
    // A missing input: the eager run names it.
    if (names.some((n) => !feeds.has(n))) return this.graph.run(feeds);
    this.compiled ??= jit((...inputs: Tensor[]) => this.graph.run(new Map(names.map((n, i) => [n, inputs[i]!]))), {
      name: `onnx:${this.producer || 'model'}`,
      inference: true,
    });
    return this.compiled(...names.map((n) => feeds.get(n)!));
  }

  /** @internal The optimised graph predict compiles for these inputs (tests, debugging). */
  compiledGraph(...inputs: Tensor[]): string {
    this.runCompiled(new Map(this.inputNames.map((n, i) => [n, inputs[i]!])));
    return this.compiled!.graph(...inputs);
  }
}

function isFeeds(x: unknown): x is OnnxFeeds {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}
