// nb.Model: a layer made of layers. Functional (`new Model({ inputs, outputs })`) or subclassed
// (`class M extends nb.Model { call(x) { ... } }`); training lives in src/training.
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { expandDims, squeeze } from '../ops/primitives/shape.js';
import { checkOptions, optionKeys } from '../check-options.js';
import { LAYER_KEYS, Layer, type CallArgs, type InputShapes, type InputSpec, type LayerArgs, type Shape } from '../nn/layers/layer.js';
import { deserializeLayer, serializeLayer } from '../nn/layers/registry.js';
import { SymbolicTensor } from '../nn/symbolic-tensor.js';
import { FunctionalGraph } from './graph.js';
import { InputLayer } from './input-layer.js';
import { SUMMARY_KEYS, formatSummary, type SummaryOptions } from './summary.js';
import { Trainer } from '../training/trainer.js';
import type { SaveOptions } from '../io/nabla-format.js';
import { loadWeights, saveModel, saveWeights, type LoadWeightsOptions } from '../io/model-io.js';
import { registerLayer } from '../nn/layers/registry.js';

export interface ModelArgs extends LayerArgs {
  inputs?: SymbolicTensor | SymbolicTensor[];
  outputs?: SymbolicTensor | SymbolicTensor[];
}

const MODEL_KEYS = optionKeys<ModelArgs>({ ...LAYER_KEYS, inputs: true, outputs: true });

/** Input spec that checks every known non-batch size of a symbolic input. */
export function specOf(shape: Shape): InputSpec {
  const axes: Record<number, number> = {};
  shape.forEach((d, i) => {
    if (i > 0 && d !== null) axes[i] = d;
  });
  return { ndim: shape.length, axes };
}

/** A Keras model: a functional graph from `inputs` to `outputs`, or a subclass overriding `call`; trained with compile/fit. */
export class Model extends Trainer {
  /** The option keys the constructor accepts (checked at run time). */
  static readonly optionKeys: readonly string[] = MODEL_KEYS;
  protected graph: FunctionalGraph | null = null;
  /** Outputs were given as an array (so results are arrays even with one output). */
  private outputsAsList = false;
  private inputsAsList = false;

  constructor(args: ModelArgs = {}) {
    // A subclass (a custom model) passes its own options on: only a Model made directly is checked.
    if (new.target === Model) checkOptions('Model', args, MODEL_KEYS);
    super(args);
    if ((args.inputs === undefined) !== (args.outputs === undefined)) {
      throw new ValueError('Model: give both inputs and outputs (functional model), or neither (subclassed model)');
    }
    if (args.inputs && args.outputs) this.initGraph(args.inputs, args.outputs);
  }

  /** Turn this model into a functional one over `inputs` -> `outputs`. */
  protected initGraph(inputs: SymbolicTensor | SymbolicTensor[], outputs: SymbolicTensor | SymbolicTensor[]): void {
    const ins = Array.isArray(inputs) ? inputs : [inputs];
    const outs = Array.isArray(outputs) ? outputs : [outputs];
    for (const t of [...ins, ...outs]) {
      if (!(t instanceof SymbolicTensor)) throw new ValueError('Model: inputs and outputs must be symbolic tensors (from nb.keras.Input and layer.apply)');
    }
    this.graph = new FunctionalGraph(ins, outs);
    this.inputsAsList = Array.isArray(inputs);
    this.outputsAsList = Array.isArray(outputs);
    const specs = ins.map((t) => specOf(t.shape));
    this.inputSpec = specs.length === 1 ? specs[0]! : specs;
    this.built = true;
    this.builtInputShape = ins.length === 1 && !this.inputsAsList ? ins[0]!.shape : ins.map((t) => t.shape);
    this.lastOutputShape = outs.length === 1 && !this.outputsAsList ? outs[0]!.shape : outs.map((t) => t.shape);
  }

  /** Like Layer.applyAll; tensors one axis short of a graph input whose last size is 1 get that axis first. */
  override applyAll(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor[];
  override applyAll(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor[];
  override applyAll(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs: CallArgs = {}): Tensor[] | SymbolicTensor[] {
    return super.applyAll(this.conformRanks(inputs) as Tensor | Tensor[], kwargs);
  }

  /**
   * Keras's rank adjustment of functional inputs: a [batch] column fed to an input of shape
   * [batch, 1] becomes [batch, 1], and a trailing axis of size 1 too many is dropped.
   */
  private conformRanks<T>(inputs: T): T {
    if (!this.graph) return inputs;
    const refs = this.graph.inputs;
    const fix = (x: unknown, i: number): unknown => {
      const ref = refs[i];
      if (!(x instanceof Tensor) || !ref || x.rank === ref.shape.length) return x;
      if (x.rank === ref.shape.length - 1 && ref.shape.at(-1) === 1) return expandDims(x, -1);
      if (x.rank === ref.shape.length + 1 && x.shape.at(-1) === 1) return squeeze(x, -1);
      return x;
    };
    return (Array.isArray(inputs) ? inputs.map(fix) : fix(inputs, 0)) as T;
  }

  get isFunctional(): boolean {
    return this.graph !== null;
  }

  /** The model's layers: the graph's in order (Input layers included, as in Keras), or the tracked sublayers. */
  get layers(): Layer[] {
    return this.graph ? [...this.graph.layers] : this.sublayers();
  }

  override sublayers(): Layer[] {
    return this.graph ? this.graph.layers.filter((l) => !(l instanceof InputLayer)) : super.sublayers();
  }

  /** Symbolic inputs and outputs of a functional model. */
  get inputs(): SymbolicTensor[] {
    return this.graph ? [...this.graph.inputs] : [];
  }

  get outputs(): SymbolicTensor[] {
    return this.graph ? [...this.graph.outputs] : [];
  }

  /** Names of the outputs (their layers' names), used to key losses and metrics. */
  override get outputNames(): string[] {
    return this.graph ? this.graph.outputs.map((t) => t.node.layer.name) : ['output'];
  }

  override call(inputs: Tensor | Tensor[], kwargs: CallArgs): Tensor | Tensor[] {
    if (!this.graph) {
      throw new ValueError(`Model '${this.name}': a subclassed model must implement call(inputs); or build a functional one with new Model({ inputs, outputs })`);
    }
    const outs = this.graph.run(Array.isArray(inputs) ? inputs : [inputs], kwargs);
    return outs.length === 1 && !this.outputsAsList ? outs[0]! : outs;
  }

  override computeOutputShape(inputShape: InputShapes): InputShapes {
    if (!this.graph) return super.computeOutputShape(inputShape);
    const outs = this.graph.outputs.map((t) => t.shape);
    return outs.length === 1 && !this.outputsAsList ? outs[0]! : outs;
  }

  /** A layer by name or index in `layers`. */
  getLayer(nameOrIndex: string | number): Layer {
    const ls = this.layers;
    const l = typeof nameOrIndex === 'number' ? ls[nameOrIndex] : ls.find((x) => x.name === nameOrIndex);
    if (!l) throw new ValueError(`Model '${this.name}': no layer ${typeof nameOrIndex === 'number' ? `at index ${nameOrIndex} (it has ${ls.length})` : `named '${nameOrIndex}'`}`);
    return l;
  }

  /** Print (and return) a Keras-style table of layers, output shapes and parameter counts. */
  summary(opts: SummaryOptions = {}): string {
    checkOptions('summary', opts, SUMMARY_KEYS);
    if (!this.built) {
      // As Keras: shapes and parameter counts are unknown until the layers have weights.
      throw new ValueError(
        `summary: model '${this.name}' has not been built yet; give the first layer an inputShape (or start with nb.keras.Input), ` +
          'call model.build([null, ...inputSizes]), or call the model on a batch of data first',
      );
    }
    const text = formatSummary(this, opts);
    (opts.printFn ?? console.log)(text);
    return text;
  }

  /**
   * Write the model to the folder `path`: model.json + a safetensors weights file (with the optimizer's
   * state unless `includeOptimizer: false`), or TensorFlow.js's layers-model with `format: 'tfjs'`.
   */
  async save(path: string, opts: SaveOptions = {}): Promise<void> {
    await saveModel(this, path, opts);
  }

  /** Write the weights alone to a safetensors file, keyed by weight path (`dense/kernel`). */
  async saveWeights(path: string): Promise<void> {
    await saveWeights(this, path);
  }

  /**
   * Set the weights from a safetensors file written by saveWeights: layer by layer in the model's
   * order, as Keras does (so a second build of the same architecture, with other auto-generated
   * names, loads them), or by weight path with `{ byName: true }`. Nothing changes on a mismatch.
   */
  async loadWeights(path: string, opts: LoadWeightsOptions = {}): Promise<void> {
    await loadWeights(this, path, opts);
  }

  override getConfig(): Record<string, unknown> {
    if (!this.graph) return super.getConfig();
    const graph = this.graph;
    const ref = (t: SymbolicTensor) => [t.node.layer.name, graph.nodeIndex(t.node), t.outputIndex];
    const layers = graph.layers.map((layer) => {
      const nodes = layer instanceof InputLayer ? [] : graph.nodes.filter((n) => n.layer === layer);
      return {
        ...serializeLayer(layer),
        name: layer.name,
        inboundNodes: nodes.map((n) => ({ args: n.inputs.map(ref), asList: n.inputsAsList, kwargs: plainKwargs(n.kwargs) })),
      };
    });
    return {
      name: this.name,
      trainable: this.trainable,
      layers,
      inputLayers: graph.inputs.map(ref),
      outputLayers: graph.outputs.map(ref),
      inputsAsList: this.inputsAsList,
      outputsAsList: this.outputsAsList,
    };
  }

  /** Rebuild a functional model from getConfig(): make each layer, then replay its calls in order. */
  static override fromConfig(config: Record<string, unknown>): Layer {
    const layersConf = config.layers as { className: string; config: Record<string, unknown>; name: string; inboundNodes: { args: [string, number, number][]; asList: boolean; kwargs: CallArgs }[] }[] | undefined;
    if (!Array.isArray(layersConf)) return new this(config as ModelArgs);
    const made = new Map<string, Layer>();
    const outputsOf = new Map<string, SymbolicTensor[][]>();
    for (const lc of layersConf) {
      const layer = deserializeLayer(lc);
      made.set(lc.name, layer);
      outputsOf.set(lc.name, layer instanceof InputLayer ? [[layer.output]] : []);
    }
    const lookup = ([name, nodeIndex, tensorIndex]: [string, number, number]) => {
      const t = outputsOf.get(name)?.[nodeIndex]?.[tensorIndex];
      if (!t) throw new ValueError(`Model.fromConfig: layer '${name}' node ${nodeIndex} output ${tensorIndex} is not available yet`);
      return t;
    };
    // Layers are listed in execution order, so each node's inputs exist when it is replayed.
    for (const lc of layersConf) {
      const layer = made.get(lc.name)!;
      for (const node of lc.inboundNodes) {
        const ins = node.args.map(lookup);
        outputsOf.get(lc.name)!.push(layer.applyAll(node.asList ? ins : ins[0]!, node.kwargs));
      }
    }
    const ins = (config.inputLayers as [string, number, number][]).map(lookup);
    const outs = (config.outputLayers as [string, number, number][]).map(lookup);
    return new this({
      name: config.name as string,
      inputs: config.inputsAsList ? ins : ins[0]!,
      outputs: config.outputsAsList || outs.length > 1 ? outs : outs[0]!,
    });
  }
}

function plainKwargs(k: CallArgs): CallArgs {
  const out: CallArgs = {};
  for (const [key, v] of Object.entries(k)) if (key !== 'training' && (v === null || typeof v !== 'object')) out[key] = v;
  return out;
}

// Models and inputs are layers too: a saved model names their classes.
registerLayer(Model);
