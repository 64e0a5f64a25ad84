// A TensorFlow GraphDef (as TF.js's converter writes it), checked at load and run node by node
// with nabla ops. Only the nodes the outputs need are kept, in dependency order; every one of them
// is checked against the op tables here, so an unsupported op fails at load, never at run time.
// Constants and everything computed only from them and input shapes are host constants (see
// ../onnx/host-eval.ts): they fold at load, or per input shape, inside nb.jit too.
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../errors.js';
import { cast } from '../../ops/primitives/cast.js';
import { tensor } from '../../ops/creation.js';
import { isFloat, type DType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { hostEval } from '../onnx/host-eval.js';
import { onCurrentBackend } from '../onnx/node-context.js';
import { inlineTensor } from './const-tensor.js';
import { TfNodeAttrs, type TfNodeJson } from './graph-def.js';
import { hostValue, TfNodeContext, type HostValue, type TfResources, type TfValue } from './node-context.js';
import type { TfOp } from './op-table.js';
import { HOST_OPS, TF_OPS } from './ops/index.js';
import { StringTensor } from '../../tensor/string-tensor.js';
import { Tensor as TensorClass } from '../../tensor/tensor.js';
import { controlFlowOp, TfFunctions } from './functions.js';
import { checkFrames, DEFAULT_MAX_LOOP_ITERATIONS, FRAME_OPS, isFrameOp, runFrames, type FrameNode } from './frames.js';

/** A graph input (a Placeholder): its name, dtype and declared dims (null where unknown; null dims: any rank). */
export interface GraphInputSpec {
  name: string;
  /** 'string' for a DT_STRING input (fed an nb.StringTensor). */
  dtype: DType | 'string';
  shape: (number | null)[] | null;
}

interface CompiledNode {
  attrs: TfNodeAttrs;
  op: TfOp;
  inputs: string[];
  /** Control inputs (node names); only TF1 frame graphs wait on them. */
  controls: string[];
}

/** The TF1 control-flow ops are run by ./frames.ts; in the table only for their output counts. */
const FRAME_OP: TfOp = {
  run: () => {
    throw new Error('TF1 control flow runs in the frame executor');
  },
};

/** "conv/Relu:0" and "conv/Relu" name output 0; "split:1" output 1. */
export function tensorName(ref: string): { node: string; index: number; key: string } {
  const m = /^(.*):(\d+)$/.exec(ref);
  const node = m ? m[1]! : ref;
  const index = m ? Number(m[2]) : 0;
  return { node, index, key: index === 0 ? node : `${node}:${index}` };
}

export class TfGraph {
  readonly inputs: GraphInputSpec[] = [];
  readonly outputNames: string[];
  private readonly constants = new Map<string, TfValue>();
  private readonly nodes: CompiledNode[] = [];
  private readonly byName = new Map<string, TfNodeJson>();
  /** The graph has TF1 control flow (Switch/Merge, Enter/Exit/NextIteration/LoopCond): it runs in ./frames.ts. */
  readonly hasFrames: boolean;
  /** The graph reads values on the host (TF1 control flow, strings, hash tables): it runs eagerly. */
  readonly runsOnHost: boolean;
  /** Iterations one TF1 loop frame may run before the run fails (a corrupt or endless loop). */
  maxLoopIterations = DEFAULT_MAX_LOOP_ITERATIONS;

  /** Functions the graph's If/While nodes call (modelTopology.library.function). */
  private readonly functions: TfFunctions | null;

  constructor(
    nodes: readonly TfNodeJson[],
    weights: Map<string, Tensor | StringTensor>,
    outputs: string[] | null,
    source: string,
    functions: TfFunctions | readonly unknown[] | null = null,
    /** The model's hash tables, shared with its initializer graph and functions. */
    private readonly resources: TfResources = new Map(),
  ) {
    this.functions = Array.isArray(functions)
      ? new TfFunctions(functions, (n, o, src, fns) => new TfGraph(n, weights, o, src, fns, resources), source)
      : (functions as TfFunctions | null);
    for (const [i, n] of nodes.entries()) {
      checkNodeShape(n, i, source);
      if (this.byName.has(n.name)) throw new ValueError(`loadGraphModel: ${source}: two nodes are named '${n.name}'`);
      this.byName.set(n.name, n);
    }
    this.hasFrames = [...this.byName.values()].some((n) => isFrameOp(n.op));
    const stringInput = (n: TfNodeJson) => n.op === 'Placeholder' && (n.attr?.dtype as { type?: unknown } | undefined)?.type === 'DT_STRING';
    this.runsOnHost = this.hasFrames || [...this.byName.values()].some((n) => HOST_OPS.has(n.op) || stringInput(n));
    this.outputNames = (outputs ?? this.leaves()).map((o) => tensorName(o).key);
    if (this.outputNames.length === 0) throw new ValueError(`loadGraphModel: ${source}: the graph has no outputs`);
    const order = this.dependencyOrder(this.outputNames.map((o) => tensorName(o).node), source);
    const produced = new Map<string, number>();
    for (const n of order) this.compile(n, weights, produced, source);
    for (const o of this.outputNames) this.checkProduced(o, produced, `graph output '${o}'`);
    if (this.hasFrames) {
      // Loop back edges (NextIteration -> Merge) were compiled after their Merge: checked now.
      for (const n of this.nodes) for (const i of n.inputs) this.checkProduced(i, produced, n.attrs.where);
      checkFrames(this.frameNodes(), tensorName, source);
    }
  }

  /** Nodes nothing reads (the outputs TF.js picks when model.json has no signature). */
  private leaves(): string[] {
    const read = new Set<string>();
    for (const n of this.byName.values()) for (const i of n.input ?? []) read.add(tensorName(i.replace(/^\^/, '')).node);
    return [...this.byName.values()].filter((n) => !read.has(n.name) && n.op !== 'NoOp' && n.op !== 'Const').map((n) => n.name);
  }

  /**
   * The nodes `roots` depend on, inputs before users: data inputs only (control inputs `^x` order
   * side effects nabla has none of) unless the graph has TF1 frames. Iterative, so that a deep
   * graph cannot overflow the stack.
   */
  private dependencyOrder(roots: string[], source: string): TfNodeJson[] {
    const order: TfNodeJson[] = [];
    // In TF1 frame graphs, control inputs decide what runs (a dead branch's nodes wait on them), and
    // a loop's NextIteration -> Merge edge closes a cycle: the NextIteration is visited as a root of its own.
    const targets = [...roots];
    const state = new Map<string, 'visiting' | 'done'>();
    const lookup = (name: string, from: string) => {
      const node = this.byName.get(name);
      if (!node) throw new ValueError(`loadGraphModel: ${source}: ${from} reads '${name}', which is no node of the graph`);
      return node;
    };
    for (let t = 0; t < targets.length; t++) {
      const target = targets[t]!;
      if (state.has(target)) continue;
      const stack: { node: TfNodeJson; next: number }[] = [{ node: lookup(target, 'the outputs'), next: 0 }];
      state.set(target, 'visiting');
      while (stack.length) {
        const top = stack[stack.length - 1]!;
        const inputs = top.node.input ?? [];
        if (top.next === inputs.length) {
          state.set(top.node.name, 'done');
          order.push(top.node);
          stack.pop();
          continue;
        }
        const ref = inputs[top.next++]!;
        if (ref.startsWith('^') && !this.hasFrames) continue;
        const name = tensorName(ref.replace(/^\^/, '')).node;
        if (this.hasFrames && top.node.op === 'Merge' && this.byName.get(name)?.op === 'NextIteration') {
          targets.push(name);
          continue;
        }
        const s = state.get(name);
        if (s === 'done') continue;
        if (s === 'visiting') throw new ValueError(`loadGraphModel: ${source}: the graph has a cycle through node '${name}' (only a TF1 loop's NextIteration -> Merge edge may close a cycle)`);
        stack.push({ node: lookup(name, `${top.node.op} node '${top.node.name}'`), next: 0 });
        state.set(name, 'visiting');
      }
    }
    return order;
  }

  private checkProduced(ref: string, produced: Map<string, number>, what: string): void {
    const { node, index } = tensorName(ref);
    const count = produced.get(node) ?? 0;
    if (index >= count) {
      const n = this.byName.get(node)!;
      throw new ValueError(`loadGraphModel: ${what} reads output ${index} of ${n.op} node '${node}', which nabla's implementation does not produce (it produces ${count})`);
    }
  }

  private compile(node: TfNodeJson, weights: Map<string, Tensor | StringTensor>, produced: Map<string, number>, source: string): void {
    const attrs = new TfNodeAttrs(node);
    const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const controls = this.hasFrames ? (node.input ?? []).filter((i) => i.startsWith('^')).map((i) => tensorName(i.slice(1)).node) : [];
    const backEdge = (i: string) => node.op === 'Merge' && this.byName.get(tensorName(i).node)?.op === 'NextIteration';
    for (const i of inputs) if (!(this.hasFrames && backEdge(i))) this.checkProduced(i, produced, `${attrs.where}`);
    if (node.op === 'Placeholder') {
      const dtype = (node.attr?.dtype as { type?: unknown } | undefined)?.type === 'DT_STRING' ? 'string' : (attrs.dtype('dtype') ?? 'float32');
      this.inputs.push({ name: node.name, dtype, shape: attrs.shape('shape') ?? null });
      produced.set(node.name, 1);
      return;
    }
    if (node.op === 'Const') {
      const c = this.constValue(node, attrs, weights, source);
      const value: TfValue = c instanceof StringTensor ? hostValue(c, true) : { tensor: c, folded: true };
      produced.set(node.name, 1);
      // In a frame graph, a Const under control inputs (a branch's or loop body's) exists only where they ran.
      if (controls.length) this.nodes.push({ attrs, op: { run: () => [value.host ?? value.tensor] }, inputs, controls });
      else this.constants.set(node.name, value);
      return;
    }
    if (node.op === 'NoOp') {
      produced.set(node.name, 0);
      return;
    }
    if (isFrameOp(node.op)) {
      produced.set(node.name, FRAME_OPS[node.op]!);
      this.nodes.push({ attrs, op: FRAME_OP, inputs, controls });
      return;
    }
    const op = controlFlowOp(this.functions, attrs, source) ?? (Object.hasOwn(TF_OPS, node.op) ? TF_OPS[node.op] : undefined);
    if (!op) throw new ValueError(`loadGraphModel: op '${node.op}' (${attrs.where}) is not supported by nabla's graph-model importer (${source})`);
    op.check?.(attrs);
    produced.set(node.name, typeof op.outputs === 'function' ? op.outputs(attrs) : (op.outputs ?? 1));
    const compiled = { attrs, op, inputs, controls };
    const values = inputs.map((n) => this.constants.get(tensorName(n).key));
    if (controls.length === 0 && values.every((v) => v?.folded)) {
      this.execute(compiled, values as TfValue[], true).forEach((v, i) => this.constants.set(i === 0 ? node.name : `${node.name}:${i}`, v));
      return;
    }
    this.nodes.push(compiled);
  }

  private constValue(node: TfNodeJson, attrs: TfNodeAttrs, weights: Map<string, Tensor | StringTensor>, source: string): Tensor | StringTensor {
    const w = weights.get(node.name);
    if (w) return w;
    const inline = attrs.tensor('value');
    if (!inline || (!inline.tensorContent && !inline.floatVal && !inline.intVal && !inline.int64Val && !inline.boolVal && (inline.tensorShape?.dim ?? []).some((d) => Number(d.size) !== 0))) {
      throw new ValueError(`loadGraphModel: ${attrs.where} has no value: its name is not in the weights manifest of ${source} and it holds no inline tensor`);
    }
    const c = inlineTensor(inline, `the value of ${attrs.where}`);
    return hostEval(() => [tensor(c.data, c.shape, c.dtype)])[0]!;
  }

  /** The node's outputs; folded ones computed on the host (hostEval), strings and tables as host values. */
  private execute(node: CompiledNode, values: TfValue[], folded: boolean): TfValue[] {
    const ctx = new TfNodeContext(node.attrs, values, this.resources);
    let outs: (Tensor | HostValue)[] = [];
    const wrap = (t: Tensor | HostValue): TfValue => (t instanceof TensorClass ? { tensor: t, folded } : hostValue(t, folded));
    if (!folded) return node.op.run(ctx).map(wrap);
    const kept = hostEval(() => (outs = node.op.run(ctx)).filter((t): t is Tensor => t instanceof TensorClass));
    let k = 0;
    return outs.map((t) => wrap(t instanceof TensorClass ? kept[k++]! : t));
  }

  /** The nodes as ./frames.ts runs them. */
  private frameNodes(): FrameNode[] {
    return this.nodes.map((node) => ({
      attrs: node.attrs,
      inputs: node.inputs,
      controls: node.controls,
      run: (ins) => this.runNode(node, ins),
    }));
  }

  private runNode(node: CompiledNode, ins: TfValue[]): TfValue[] {
    return this.execute(node, ins, !!node.op.shapeOnly || ins.every((v) => v.folded));
  }

  /** The tensors named `outputs` (default: the graph's outputs) for `feeds` (by input name). */
  run(feeds: Map<string, Tensor | StringTensor>, outputs: readonly string[] = this.outputNames): Tensor[] {
    const fed = new Map<string, TfValue>();
    for (const spec of this.inputs) {
      const t = feeds.get(spec.name);
      if (!t) throw new ValueError(`graph model: input '${spec.name}' is missing (inputs: ${this.inputs.map((i) => i.name).join(', ')})`);
      fed.set(spec.name, checkFeed(spec, t));
    }
    let values: Map<string, TfValue>;
    if (this.hasFrames) {
      values = runFrames(this.frameNodes(), this.constants, fed, tensorName, this.maxLoopIterations, outputs.map((o) => tensorName(o).node));
      for (const [k, v] of this.constants) if (!values.has(k)) values.set(k, v);
    } else {
      values = new Map([...this.constants, ...fed]);
      for (const node of this.nodes) {
        const outs = this.runNode(node, node.inputs.map((n) => values.get(tensorName(n).key)!));
        outs.forEach((v, i) => values.set(i === 0 ? node.attrs.node.name : `${node.attrs.node.name}:${i}`, v));
      }
    }
    return outputs.map((o) => {
      const key = tensorName(o).key;
      const v = values.get(key);
      if (!v) {
        if (this.hasFrames && this.nodes.some((n) => n.attrs.node.name === tensorName(o).node)) {
          throw new ValueError(`graph model: '${o}' was not computed by this run: it lies in a conditional branch not taken, inside a loop frame (read it through the loop's Exit), or behind a node whose inputs never all arrived`);
        }
        throw new ValueError(`graph model: '${o}' is no tensor this graph computes (outputs: ${this.outputNames.join(', ')})`);
      }
      // String outputs come back as nb.StringTensor (tables never reach an output: nothing returns one but HashTable).
      return v.host ? (v.host as unknown as Tensor) : onCurrentBackend(v);
    });
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A node's JSON has the fields' types the importer reads (name, op, input strings, attr objects). */
function checkNodeShape(n: unknown, i: number, source: string): asserts n is TfNodeJson {
  if (!isObject(n) || typeof n.name !== 'string' || typeof n.op !== 'string') throw new ValueError(`loadGraphModel: ${source}: node ${i} has no name or op`);
  const where = `${n.op} node '${n.name}'`;
  if (n.input !== undefined && !(Array.isArray(n.input) && n.input.every((x) => typeof x === 'string'))) {
    throw new ValueError(`loadGraphModel: ${source}: ${where} has input ${JSON.stringify(n.input).slice(0, 80)}; expected a list of tensor names`);
  }
  if (n.attr !== undefined && !(isObject(n.attr) && Object.values(n.attr).every(isObject))) {
    throw new ValueError(`loadGraphModel: ${source}: ${where} has attr ${JSON.stringify(n.attr).slice(0, 80)}; expected an object of AttrValues`);
  }
}

function checkFeed(spec: GraphInputSpec, t: Tensor | StringTensor): TfValue {
  if ((spec.dtype === 'string') !== t instanceof StringTensor) {
    throw new DTypeError(`graph model: input '${spec.name}' expects ${spec.dtype === 'string' ? 'strings (an nb.StringTensor)' : `a ${spec.dtype} tensor`}, got ${t instanceof StringTensor ? 'strings' : t.dtype}`);
  }
  if (spec.shape && (t.rank !== spec.shape.length || spec.shape.some((d, i) => d !== null && d !== t.shape[i]))) {
    throw new ShapeError(`graph model: input '${spec.name}' expects shape [${spec.shape.map((d) => d ?? '?').join(', ')}], got ${fmtShape(t.shape)}`);
  }
  if (t instanceof StringTensor) return hostValue(t, false);
  const dtype = spec.dtype as DType;
  if (t.dtype === dtype) return { tensor: t, folded: false };
  if (isFloat(dtype) && isFloat(t.dtype)) return { tensor: cast(t, dtype), folded: false };
  if (dtype === 'int32' && t.dtype !== 'bool' && !isFloat(t.dtype)) return { tensor: cast(t, 'int32'), folded: false };
  throw new DTypeError(`graph model: input '${spec.name}' expects ${spec.dtype}, got ${t.dtype}`);
}
