// The model nb.models.loadGraphModel returns: TF.js's GraphModel API (predict, execute, inputs,
// outputs) over a TfGraph, inference only, jit-able (nb.jit(x => model.predict(x))) unless the graph
// has TF1 control flow (see frames.ts), which runs eagerly. predict is compiled by default, like a Keras model's: one trace per input signature, with the jit's inference
// rewrites (affine chains folded into the conv/matmul before them, bias + activation fused).
import { ValueError } from '../../errors.js';
import { toTensor, type TensorLike } from '../../ops/creation.js';
import { Tensor } from '../../tensor/tensor.js';
import { StringTensor, type NestedStrings } from '../../tensor/string-tensor.js';
import { jit, type Jitted } from '../../jit/jit.js';
import type { GraphInputSpec, TfGraph } from './tf-graph.js';

export type GraphFeeds = Record<string, TensorLike | StringTensor | NestedStrings>;

export class GraphModel {
  /** Whether predict compiles the graph (default true); execute always runs it eagerly. */
  jitCompile = true;

  private compiled?: Jitted<(...inputs: Tensor[]) => Tensor[]>;

  /** @internal */
  constructor(
    private readonly graph: TfGraph,
    /** Signature input keys -> Placeholder node names (a signature lets callers use either). */
    private readonly aliases: ReadonlyMap<string, string>,
    /** model.json's `userDefinedMetadata`, if any. */
    readonly metadata: unknown,
  ) {}

  /** Iterations a TF1 while loop (Enter/NextIteration frames) may run before predict fails; a guard against endless loops. */
  get maxLoopIterations(): number {
    return this.graph.maxLoopIterations;
  }

  set maxLoopIterations(n: number) {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`graph model: maxLoopIterations must be a positive integer, got ${n}`);
    this.graph.maxLoopIterations = n;
  }

  /** The Placeholders: name, dtype and declared shape (null dims where unknown). */
  get inputs(): readonly GraphInputSpec[] {
    return this.graph.inputs;
  }

  get inputNodes(): string[] {
    return this.graph.inputs.map((i) => i.name);
  }

  /** The output tensor names (node names; "node:k" for output k > 0). */
  get outputNodes(): string[] {
    return [...this.graph.outputNames];
  }

  get outputs(): { name: string }[] {
    return this.graph.outputNames.map((name) => ({ name }));
  }

  /**
   * Run the model. A tensor (or a list, one per input in order) gives the output tensor, or a list
   * when there are several; `{inputName: tensor}` gives `{outputName: tensor}`.
   */
  predict(feeds: GraphFeeds): Record<string, Tensor>;
  predict(x: TensorLike | StringTensor | readonly (TensorLike | StringTensor)[]): Tensor | Tensor[];
  predict(x: TensorLike | StringTensor | readonly (TensorLike | StringTensor)[] | GraphFeeds): Tensor | Tensor[] | Record<string, Tensor> {
    const outs = this.run(this.feedsOf(x));
    if (isFeeds(x)) return Object.fromEntries(this.graph.outputNames.map((n, i) => [n, outs[i]!]));
    return outs.length === 1 ? outs[0]! : outs;
  }

  /** TF.js's execute: the tensors named `outputs` (any node the graph's outputs depend on; default the outputs). */
  execute(x: TensorLike | StringTensor | readonly (TensorLike | StringTensor)[] | GraphFeeds, outputs?: string | readonly string[]): Tensor | Tensor[] {
    const names = typeof outputs === 'string' ? [outputs] : outputs;
    const outs = this.graph.run(this.feedsOf(x), names);
    return outs.length === 1 && (typeof outputs === 'string' || outputs === undefined) ? outs[0]! : outs;
  }

  private run(feeds: Map<string, Tensor | StringTensor>): Tensor[] {
    const names = this.inputNodes;
    // Eager where compiling is off, an input is missing (the eager run names it) or the graph reads values on the host
    // (TF1 control flow's predicates, strings, hash tables).
    if (!this.jitCompile || this.graph.runsOnHost || names.some((n) => !feeds.has(n))) return this.graph.run(feeds);
    this.compiled ??= jit((...inputs: Tensor[]) => this.graph.run(new Map(names.map((n, i) => [n, inputs[i]!]))), {
      name: 'graphModel.predict',
      inference: true,
    });
    return this.compiled(...names.map((n) => feeds.get(n) as Tensor));
  }

  /** @internal How many times predict was traced (tests). */
  get traceCount(): number {
    return this.compiled?.traceCount ?? 0;
  }

  private feedsOf(x: TensorLike | StringTensor | readonly (TensorLike | StringTensor)[] | GraphFeeds): Map<string, Tensor | StringTensor> {
    const names = this.inputNodes;
    const feeds = new Map<string, Tensor | StringTensor>();
    // A string input takes an nb.StringTensor, a string or nested arrays of strings.
    const feed = (name: string, v: TensorLike | StringTensor | NestedStrings) =>
      v instanceof StringTensor ? v : this.inputs.find((i) => i.name === name)?.dtype === 'string' && isStrings(v) ? StringTensor.from(v as NestedStrings) : toTensor(v as TensorLike, 'graph model');
    if (isFeeds(x)) {
      for (const key of Object.keys(x)) {
        const name = this.aliases.get(key) ?? key.replace(/:0$/, '');
        if (!names.includes(name)) throw new ValueError(`graph model: unknown input '${key}' (inputs: ${names.join(', ')})`);
        feeds.set(name, feed(name, x[key]!));
      }
      return feeds;
    }
    // A list of tensors is one per input; any other list is the data of the only input.
    const list = Array.isArray(x) && x.length > 0 && x.every((e) => e instanceof Tensor || e instanceof StringTensor) ? (x as readonly (Tensor | StringTensor)[]) : [x as TensorLike];
    if (list.length !== names.length) throw new ValueError(`graph model: expected ${names.length} inputs (${names.join(', ')}), got ${list.length}`);
    list.forEach((t, i) => feeds.set(names[i]!, feed(names[i]!, t)));
    return feeds;
  }
}

function isFeeds(x: unknown): x is GraphFeeds {
  return typeof x === 'object' && x !== null && !(x instanceof Tensor) && !(x instanceof StringTensor) && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** A string or (nested) arrays whose first leaf is a string. */
function isStrings(v: unknown): boolean {
  while (Array.isArray(v) && v.length) v = v[0];
  return typeof v === 'string';
}
