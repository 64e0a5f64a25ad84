// The Keras layer lifecycle: lazy `build(inputShape)` creating weights with `addWeight`, `call`,
// `computeOutputShape`, `getConfig`/`fromConfig`, and `apply` on tensors or symbolic inputs.
import { engine } from '../../engine/engine.js';
import { ShapeError, ValueError } from '../../errors.js';
import { add } from '../../ops/primitives/binary.js';
import { zeros } from '../../ops/creation.js';
import { traceSpecs } from '../../jit/trace.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { Variable } from '../../autograd/variable.js';
import { getInitializer, type InitializerIdentifier } from '../initializers.js';
import { getRegularizer, type Regularizer, type RegularizerIdentifier } from '../regularizers.js';
import { toSnakeCase } from '../serialization.js';
import { chargeWeight } from '../weight-budget.js';
import { SymbolicTensor, fmtSymbolicShape, isSymbolic, type Node, type Shape } from '../symbolic-tensor.js';
import type { KeyList } from '../../check-options.js';
import { currentTraining, withTraining } from './call-context.js';
import { getMask, setMask } from './mask-store.js';
import { uniqueName } from './names.js';

export type { Shape } from '../symbolic-tensor.js';

/** Keyword arguments of `call`: `training` switches dropout/batch-norm behaviour. */
export interface CallArgs {
  /** Whether the call is for training (dropout active, batch statistics used). */
  training?: boolean;
  /** Per-timestep mask: true where a step is real, false where it is padding (one per input for multi-input layers). */
  mask?: MaskArg;
  [key: string]: unknown;
}

/** A layer's incoming mask: one for a single input, one (or null) per input for a list of inputs. */
export type MaskArg = Tensor | (Tensor | null)[] | null;

/** Options every layer takes. */
export interface LayerArgs {
  /** Unique name (default: snake_case class name with a counter). */
  name?: string;
  /** Whether the weights are updated by training (default true). */
  trainable?: boolean;
  /** dtype of the weights and the computation (default float32). */
  dtype?: DType;
  /** Shape of one sample (no batch axis), for the first layer of a Sequential model. */
  inputShape?: Shape;
  /** Full input shape including the batch axis (usually null). */
  batchInputShape?: Shape;
  /** Fixed batch size combined with `inputShape`. */
  batchSize?: number;
  /** Keras 2 shorthand for `inputShape: [inputDim]`. */
  inputDim?: number;
}

/** The keys of LayerArgs, spread into each layer's own key list. */
export const LAYER_KEYS: KeyList<LayerArgs> = { name: true, trainable: true, dtype: true, inputShape: true, batchInputShape: true, batchSize: true, inputDim: true };

/** Options of `addWeight` beyond the name, shape and initializer. */
export interface WeightOptions {
  trainable?: boolean;
  regularizer?: RegularizerIdentifier | null;
  dtype?: DType;
}

/** What a layer checks of its inputs once built (keras.layers.InputSpec). */
export interface InputSpec {
  /** Exact rank required. */
  ndim?: number;
  /** Smallest rank allowed. */
  minNdim?: number;
  /** Required sizes by axis (negative counts from the end). */
  axes?: Record<number, number>;
}

/** A layer constructor that can rebuild a layer from its config. */
export type LayerClass = { fromConfig(config: Record<string, unknown>): Layer; name: string; optionKeys?: readonly string[] };

/** Input shapes as a layer sees them: one shape, or one per input for multi-input layers. */
export type InputShapes = Shape | Shape[];

export function isShapeList(s: InputShapes): s is Shape[] {
  return s.length > 0 && Array.isArray(s[0]);
}

/** Base class of layers: lazy build, weights, call, masks, losses and config. */
export class Layer {
  /** Unique name, used in summaries and saved weights. */
  name: string;
  /** Whether `build` has run (weights exist). */
  built = false;
  /** dtype of the weights and the computation. */
  readonly dtype: DType;
  /** Declared input shape with batch axis, if the layer was given one. */
  batchInputShape: Shape | null = null;
  /** The shape(s) the layer was built for. */
  builtInputShape: InputShapes | null = null;
  /** Checked against inputs on every call after build. */
  inputSpec: InputSpec | InputSpec[] | null = null;
  /** Calls on symbolic inputs (edges of functional graphs). */
  readonly inboundNodes: Node[] = [];
  /** The output shape(s) of the latest call, batch as null (for summary()). */
  lastOutputShape: InputShapes | null = null;
  private trainableFlag: boolean;
  private readonly ownWeights: Variable[] = [];
  private readonly regularizers = new Map<Variable, Regularizer>();
  private readonly callLosses: Tensor[] = [];

  constructor(args: LayerArgs = {}) {
    this.name = args.name ?? uniqueName(toSnakeCase(this.className));
    this.trainableFlag = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [args.batchSize ?? null, ...args.inputShape];
    else if (args.inputDim !== undefined) this.batchInputShape = [args.batchSize ?? null, args.inputDim];
  }

  /** The registered class name (the JS class name unless a static `className` says otherwise). */
  get className(): string {
    const ctor = this.constructor as { className?: string; name: string };
    return ctor.className ?? ctor.name;
  }

  /** Whether training updates this layer's weights. */
  get trainable(): boolean {
    return this.trainableFlag;
  }

  /** Freezing a layer freezes its sublayers, as in Keras. */
  set trainable(v: boolean) {
    this.trainableFlag = v;
    for (const l of this.sublayers()) l.trainable = v;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Whether the layer passes an incoming mask on unchanged (elementwise and per-step layers). */
  readonly supportsMasking: boolean = false;

  /** The mask of the output: the input's when supportsMasking, otherwise none. Embedding, Masking and RNNs override. */
  computeMask(_inputs: Tensor | Tensor[], mask: MaskArg): Tensor | null {
    return this.supportsMasking && !Array.isArray(mask) ? mask : null;
  }

  /** Create weights from the input shape (batch axis null). Called once, before the first call. */
  build(_inputShape: InputShapes): void {}

  /** The computation; `inputs` is an array for multi-input layers. */
  call(_inputs: Tensor | Tensor[], _kwargs: CallArgs): Tensor | Tensor[] {
    throw new ValueError(`Layer '${this.name}' (${this.className}) does not implement call()`);
  }

  /**
   * Output shape(s) for input shape(s), batch axis null. The default traces `call` symbolically
   * (shape rules only, no kernels), so layers rarely need to override it.
   */
  computeOutputShape(inputShape: InputShapes): InputShapes {
    const { specs, multi } = this.dryRun(inputShape, isShapeList(inputShape) ? inputShape.map(() => this.dtype) : [this.dtype]);
    return multi ? specs.map((o) => o.shape) : specs[0]!.shape;
  }

  /** Build now if not built yet. */
  maybeBuild(inputShape: InputShapes): void {
    if (this.built) return;
    this.build(inputShape);
    this.built = true;
    this.builtInputShape = inputShape;
  }

  // ------------------------------------------------------------------ calling

  /** Call the layer: on tensors it computes, on symbolic inputs (nb.keras.Input) it adds to a graph. */
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor;
  apply(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor;
  apply(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs: CallArgs = {}): Tensor | SymbolicTensor {
    const outs = this.applyAll(inputs as never, kwargs) as (Tensor | SymbolicTensor)[];
    if (outs.length !== 1) throw new ValueError(`Layer '${this.name}' (${this.className}) returns ${outs.length} outputs; use applyAll() to get them all`);
    return outs[0]!;
  }

  /** Like apply, returning every output (for layers with several). */
  applyAll(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: CallArgs): SymbolicTensor[];
  applyAll(inputs: Tensor | Tensor[], kwargs?: CallArgs): Tensor[];
  applyAll(inputs: Tensor | Tensor[] | SymbolicTensor | SymbolicTensor[], kwargs: CallArgs = {}): Tensor[] | SymbolicTensor[] {
    if (isSymbolic(inputs)) return this.applySymbolic(inputs, kwargs);
    const list = Array.isArray(inputs) ? inputs : [inputs];
    for (const [i, t] of list.entries()) {
      if (!(t instanceof Tensor)) {
        throw new ValueError(`Layer '${this.name}' (${this.className}): input ${i} must be a Tensor or a SymbolicTensor (nb.keras.Input), got ${t === null ? 'null' : typeof t}`);
      }
    }
    const shapes = list.map((t) => withNullBatch(t.shape));
    const shape: InputShapes = Array.isArray(inputs) ? shapes : shapes[0]!;
    this.checkDeclaredShape(shape);
    this.maybeBuild(shape);
    this.assertCompatible(list.map((t) => t.shape));
    const training = kwargs.training ?? currentTraining();
    this.callLosses.length = 0;
    const mask = kwargs.mask !== undefined ? kwargs.mask : Array.isArray(inputs) ? masksOf(list) : getMask(list[0]!);
    const callArgs: CallArgs = mask ? { ...kwargs, training, mask } : { ...kwargs, training };
    const out = withTraining(training, () => engine.withNameScope(this.name, () => this.call(inputs as Tensor | Tensor[], callArgs)));
    const outs = Array.isArray(out) ? out : [out];
    setMask(outs[0]!, this.computeMask(inputs as Tensor | Tensor[], mask ?? null));
    this.lastOutputShape = Array.isArray(out) ? outs.map((t) => withNullBatch(t.shape)) : withNullBatch(out.shape);
    return outs;
  }

  private applySymbolic(inputs: SymbolicTensor | SymbolicTensor[], kwargs: CallArgs): SymbolicTensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const shape: InputShapes = Array.isArray(inputs) ? list.map((t) => t.shape) : list[0]!.shape;
    this.checkDeclaredShape(shape);
    this.maybeBuild(shape);
    this.assertCompatible(list.map((t) => t.shape));
    const { specs, multi } = this.outputSpecs(shape, list.map((t) => t.dtype));
    const node: Node = { layer: this, inputs: list, outputs: [], kwargs, inputsAsList: Array.isArray(inputs) };
    specs.forEach((s, i) => node.outputs.push(new SymbolicTensor(s.shape, s.dtype, node, i, multi ? `${this.name}/${i}` : this.name)));
    this.inboundNodes.push(node);
    this.lastOutputShape = multi ? specs.map((s) => s.shape) : specs[0]!.shape;
    return node.outputs;
  }

  /** Shapes and dtypes of the outputs for symbolic inputs; `multi` when the layer returns an array. */
  protected outputSpecs(shape: InputShapes, dtypes: DType[]): { specs: { shape: Shape; dtype: DType }[]; multi: boolean } {
    if (this.computeOutputShape === Layer.prototype.computeOutputShape) return this.dryRun(shape, dtypes);
    const out = this.computeOutputShape(shape);
    const multi = isShapeList(out);
    return { specs: (multi ? out : [out]).map((s) => ({ shape: s, dtype: this.outputDType(dtypes) })), multi };
  }

  /** Dtype of outputs computed by computeOutputShape: floats pass through, other inputs give the layer's dtype. */
  protected outputDType(inputDtypes: DType[]): DType {
    const d = inputDtypes[0];
    return d && isFloat(d) ? d : this.dtype;
  }

  /**
   * Output shapes and dtypes from tracing `call` symbolically (shape rules only, no kernels);
   * unknown sizes are taken as 1. A layer whose call reads values (which a trace cannot) runs on
   * zeros instead.
   */
  private dryRun(shape: InputShapes, dtypes: DType[]): { specs: { shape: Shape; dtype: DType }[]; multi: boolean } {
    const shapes = isShapeList(shape) ? shape : [shape];
    const unknownBatch = shapes.some((s) => s[0] === null);
    const callOn = (xs: Tensor[]) => withTraining(false, () => this.call(isShapeList(shape) ? xs : xs[0]!, { training: false }));
    const specsOf = (out: Tensor | Tensor[]) => ({
      specs: (Array.isArray(out) ? out : [out]).map((t) => ({ shape: unknownBatch ? withNullBatch(t.shape) : ([...t.shape] as Shape), dtype: t.dtype })),
      multi: Array.isArray(out),
    });
    const run = (unknownAs: number) => {
      const inputs = shapes.map((s, i) => ({ shape: s.map((d) => d ?? unknownAs), dtype: dtypes[i] ?? this.dtype }));
      return engine.pauseRecording(() => {
        try {
          return specsOf(traceSpecs(inputs, callOn));
        } catch {
          return engine.tidy(() => specsOf(callOn(inputs.map((x) => zeros(x.shape, x.dtype)))));
        }
      });
    };
    const first = run(1);
    // Unknown sizes past the batch axis (a sequence length): a second run with another size shows
    // which output sizes follow them, and those are unknown (null) too.
    if (!shapes.some((s) => s.slice(1).some((d) => d === null))) return first;
    let second: ReturnType<typeof run>;
    try {
      second = run(2);
    } catch {
      return first; // the layer only works with size 1 there: keep what that run gave
    }
    first.specs.forEach((spec, i) => {
      const other = second.specs[i]?.shape;
      if (other) spec.shape = spec.shape.map((d, j) => (d === other[j] ? d : null));
    });
    return first;
  }

  /** A layer given an inputShape refuses inputs of another shape before building. */
  private checkDeclaredShape(shape: InputShapes): void {
    if (this.built || !this.batchInputShape || isShapeList(shape)) return;
    if (!shapeCompatible(this.batchInputShape, shape)) {
      throw new ShapeError(
        `Layer '${this.name}' (${this.className}) expects input shape ${fmtSymbolicShape(this.batchInputShape)}, got ${fmtSymbolicShape(shape)}`,
      );
    }
  }

  private assertCompatible(shapes: readonly (readonly (number | null)[])[]): void {
    if (!this.inputSpec) return;
    const specs = Array.isArray(this.inputSpec) ? this.inputSpec : [this.inputSpec];
    specs.forEach((spec, i) => {
      const s = shapes[i];
      if (!s) return;
      const where = `Input ${i} of layer '${this.name}' (${this.className})`;
      if (spec.ndim !== undefined && s.length !== spec.ndim) {
        throw new ShapeError(`${where} is incompatible: expected rank ${spec.ndim}, got shape ${fmtSymbolicShape([...s])}`);
      }
      if (spec.minNdim !== undefined && s.length < spec.minNdim) {
        throw new ShapeError(`${where} is incompatible: expected rank >= ${spec.minNdim}, got shape ${fmtSymbolicShape([...s])}`);
      }
      for (const [k, size] of Object.entries(spec.axes ?? {})) {
        const axis = Number(k) < 0 ? s.length + Number(k) : Number(k);
        const got = s[axis];
        if (got !== null && got !== undefined && got !== size) {
          throw new ShapeError(`${where} is incompatible: expected axis ${k} to have size ${size}, got shape ${fmtSymbolicShape([...s])}`);
        }
      }
    });
  }

  // ------------------------------------------------------------------ weights

  /** Create a weight (a Variable) tracked by this layer. */
  addWeight(name: string, shape: readonly number[], initializer: InitializerIdentifier = 'glorotUniform', opts: WeightOptions = {}): Variable {
    if (shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
      // A weight sized by an input size that is not known yet (null): the layer needs that size fixed.
      throw new ShapeError(`Layer '${this.name}' (${this.className}): weight '${name}' needs known sizes, got [${shape.map(String).join(', ')}]; give the input's full shape`);
    }
    const init = getInitializer(initializer);
    const dtype = opts.dtype ?? this.dtype;
    chargeWeight(this.name, name, shape);
    const value = engine.pauseRecording(() => init.call(shape, dtype));
    const v = new Variable(value, { trainable: opts.trainable ?? true, name: `${this.name}/${name}`, dtype });
    this.ownWeights.push(v);
    if (opts.regularizer) this.regularizers.set(v, getRegularizer(opts.regularizer));
    return v;
  }

  /** Layers held in this layer's properties (directly or in arrays), found by scanning: Keras's attribute tracking. */
  sublayers(): Layer[] {
    const out: Layer[] = [];
    const seen = new Set<Layer>([this]);
    for (const v of Object.values(this)) {
      const items = Array.isArray(v) ? v : [v];
      for (const x of items) {
        if (x instanceof Layer && !seen.has(x)) {
          seen.add(x);
          out.push(x);
        }
      }
    }
    return out;
  }

  /** Every weight: this layer's, then its sublayers' (each once). */
  get weights(): Variable[] {
    const out = new Set<Variable>(this.ownWeights);
    for (const l of this.sublayers()) for (const w of l.weights) out.add(w);
    return [...out];
  }

  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    const out = new Set<Variable>(this.ownWeights.filter((w) => w.trainable));
    for (const l of this.sublayers()) for (const w of l.trainableWeights) out.add(w);
    return [...out];
  }

  get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((w) => !trainable.has(w));
  }

  /** Values of the weights (copies), in `weights` order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.value());
  }

  /** Set the weights from values in `weights` order. */
  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length) {
      throw new ValueError(`setWeights on '${this.name}': expected ${ws.length} values, got ${values.length}`);
    }
    ws.forEach((w, i) => w.assign(values[i]!));
  }

  /** Total number of scalars in the weights. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  // ------------------------------------------------------------------ losses

  /** Add a loss computed during call (activity regularization); kept until the next call. */
  addLoss(loss: Tensor): void {
    this.callLosses.push(loss);
  }

  /** Regularization penalties of the weights (computed now, so a tape sees them) and losses added during the last call. */
  get losses(): Tensor[] {
    const out: Tensor[] = [...this.callLosses];
    for (const [v, r] of this.regularizers) if (this.trainable) out.push(r.call(v));
    for (const l of this.sublayers()) out.push(...l.losses);
    return out;
  }

  /** The sum of `losses`, or null when there are none. */
  totalLoss(): Tensor | null {
    const ls = this.losses;
    return ls.length ? ls.reduce((a, b) => add(a, b)) : null;
  }

  // ------------------------------------------------------------------ config

  /** Constructor arguments as JSON, enough for fromConfig to make an equal (unbuilt) layer. */
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { name: this.name, trainable: this.trainable, dtype: this.dtype };
    if (this.batchInputShape) c.batchInputShape = [...this.batchInputShape];
    return c;
  }

  /** A layer from its config; layers with positional constructor arguments override this. */
  static fromConfig(this: new (args: never) => Layer, config: Record<string, unknown>): Layer {
    return new this(config as never);
  }

  /** Release the weights' memory now. */
  dispose(): void {
    for (const w of this.weights) w.dispose();
  }

  /** Class name, name and whether built, for logs. */
  toString(): string {
    return `${this.className}(name=${this.name}, built=${this.built})`;
  }
}

/** The masks riding on a list of inputs, or null when none has one. */
function masksOf(list: Tensor[]): (Tensor | null)[] | null {
  const masks = list.map(getMask);
  return masks.some((m) => m !== null) ? masks : null;
}

/** Shape with the batch axis replaced by null. */
export function withNullBatch(shape: readonly number[]): Shape {
  return shape.length ? [null, ...shape.slice(1)] : [];
}

/** Same rank, and equal wherever both sizes are known. */
export function shapeCompatible(expected: Shape, actual: Shape): boolean {
  return expected.length === actual.length && expected.every((d, i) => d === null || actual[i] === null || d === actual[i]);
}
