// After export: nabla's images are channels-last, so every Conv and pool is written between two
// Transposes (to NCHW and back) and every conv filter through one. Here the Transposes out of
// each conv sink through the elementwise ops after it (bias, activation, residual add) until they
// meet the Transpose into the next conv and cancel, filters are transposed at export, and a
// conv's bias becomes Conv's third input: the file is NCHW from the first conv to the last, the
// form onnxruntime's conv fusions and NCHWc layout expect (as in PyTorch's exports).
import { ATTR_TYPE, type NodeProto, type TensorProto } from '../proto.js';
import { hostTensorOf, tensorProtoOf } from '../tensor-proto.js';
import { NodeIndex } from './node-index.js';
import type { OnnxBuilder } from './onnx-builder.js';

const UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'Exp', 'Log', 'Neg', 'Abs', 'Sqrt', 'Reciprocal', 'Erf', 'Sin', 'Cos', 'Floor', 'Ceil', 'Round', 'Sign', 'Identity', 'Not', 'Cast']);
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or']);

const permOf = (n: NodeProto): number[] => (n.attribute?.find((a) => a.name === 'perm')?.ints ?? []).map(Number);
const isIdentity = (p: number[]) => p.every((d, i) => d === i);

/** Rewrite b's nodes in place; `keep` are names that must stay (the graph's outputs). Returns how many Transposes went. */
export function sinkTransposes(b: OnnxBuilder, keep: readonly string[]): number {
  const before = b.nodes.filter((n) => n.opType === 'Transpose').length;
  const rw: Rewriter = { b, ix: new NodeIndex(b, new Set(keep)), inits: new Map(b.initializers.map((t) => [t.name!, t])) };
  // A sweep in graph order carries a Transpose down a whole chain (each rewrite is seen by the
  // nodes after it); a conv's bias, read after the conv, is taken on the next sweep.
  for (let sweep = 0; sweep < 1000; sweep++) {
    let changed = false;
    for (const n of [...b.nodes]) if (rw.ix.isLive(n) && rewrite(rw, n)) changed = true;
    b.initializers.splice(0, b.initializers.length, ...b.initializers.map((t) => rw.inits.get(t.name!) ?? t));
    rw.ix.commit();
    if (!changed) break;
  }
  return before - b.nodes.filter((n) => n.opType === 'Transpose').length;
}

interface Rewriter {
  readonly b: OnnxBuilder;
  readonly ix: NodeIndex;
  /** Initializers by name, as rewritten so far. */
  readonly inits: Map<string, TensorProto>;
}

function transposeOf(rw: Rewriter, name: string | undefined): NodeProto | undefined {
  const p = rw.ix.producer(name);
  return p?.opType === 'Transpose' ? p : undefined;
}

/** One rewrite at node n, or false. */
function rewrite(rw: Rewriter, n: NodeProto): boolean {
  const { ix, inits } = rw;
  const ins = n.input ?? [];
  if (n.opType === 'Transpose') {
    const filter = inits.get(ins[0]!);
    if (filter) {
      ix.renameUses(n.output![0]!, replaceInitializer(rw, filter, transposed(filter, permOf(n))));
      return true;
    }
    const inner = transposeOf(rw, ins[0]);
    if (!inner) return false;
    const p = permOf(inner), q = permOf(n);
    const composed = q.map((d) => p[d]!);
    if (isIdentity(composed)) ix.renameUses(n.output![0]!, inner.input![0]!);
    else {
      n.attribute = [{ ...n.attribute!.find((a) => a.name === 'perm')!, ints: composed }];
      ix.setInputs(n, [inner.input![0]!]);
    }
    return true;
  }
  if (UNARY.has(n.opType!) && ins.length === 1) {
    const t = transposeOf(rw, ins[0]);
    if (!t) return false;
    sinkBelow(rw, n, [t.input![0]!], permOf(t));
    return true;
  }
  if (BINARY.has(n.opType!) && ins.length === 2) {
    const [tu, tv] = [transposeOf(rw, ins[0]), transposeOf(rw, ins[1])];
    const t = tu ?? tv;
    if (!t) return false;
    const p = permOf(t);
    // Each operand un-transposed: a Transpose by the same perm, or a constant with its dims permuted back.
    const plan = [ins[0]!, ins[1]!].map((name, k) => {
      const tr = k === 0 ? tu : tv;
      if (tr) return permOf(tr).join() === p.join() ? () => tr.input![0]! : null;
      const c = inits.get(name);
      const reshaped = c && permutedBroadcast(c, p);
      return reshaped ? () => replaceInitializer(rw, c, reshaped) : null;
    });
    if (plan[0] === null || plan[1] === null) return false;
    const [u, v] = [plan[0]!(), plan[1]!()];
    sinkBelow(rw, n, [u, v], p);
    return true;
  }
  if (n.opType === 'ReduceSum' && ins.length === 2) {
    const t = transposeOf(rw, ins[0]);
    const axes = inits.get(ins[1]!);
    const keepdims = n.attribute?.find((a) => a.name === 'keepdims')?.i ?? 1;
    if (!t || !axes || Number(keepdims) !== 0) return false;
    const p = permOf(t);
    const reduced = Array.from(hostTensorOf(axes, 'axes').data, (a) => (a < 0 ? a + p.length : a));
    // Without keepdims the kept axes come out in order: the same order through p, or no rewrite.
    const kept = p.filter((_, d) => !reduced.includes(d));
    if (kept.some((d, k) => k > 0 && d < kept[k - 1]!)) return false;
    ix.setInputs(n, [t.input![0]!, rw.b.int64s('axes', reduced.map((d) => p[d]!))]);
    return true;
  }
  if (n.opType === 'Conv' && ins.length === 2) return takeBias(rw, n);
  return false;
}

/** n computes from `inputs` (the un-transposed operands) and a Transpose by perm after it gives n's old output. */
function sinkBelow(rw: Rewriter, n: NodeProto, inputs: string[], perm: number[]): void {
  const out = n.output![0]!;
  const inner = rw.b.fresh(`${n.opType!.toLowerCase()}_out`);
  rw.ix.setInputs(n, inputs);
  rw.ix.setOutputs(n, [inner]);
  rw.ix.insertAfter(n, { opType: 'Transpose', name: rw.b.fresh('Transpose'), input: [inner], output: [out], attribute: [{ name: 'perm', type: ATTR_TYPE.INTS, ints: perm }] });
}

/** Conv(x, w) whose only use is + a per-output-channel constant: the constant as Conv's bias. */
function takeBias(rw: Rewriter, conv: NodeProto): boolean {
  const { ix, inits } = rw;
  const out = conv.output![0]!;
  const uses = ix.readersOf(out);
  const add = uses[0];
  if (uses.length !== 1 || add!.opType !== 'Add' || add!.input!.filter((s) => s === out).length !== 1) return false;
  const w = inits.get(conv.input![1]!);
  const bias = inits.get(add!.input!.find((s) => s !== out)!);
  const channels = Number(w?.dims?.[0]);
  const dims = (bias?.dims ?? []).map(Number);
  // [1, C, 1, 1] or [C, 1, 1] (after sinking) broadcast over NCHW.
  if (!w || !bias || dims.length < 3 || dims.at(-3) !== channels || dims.some((d, k) => k !== dims.length - 3 && d !== 1)) return false;
  const host = hostTensorOf(bias, 'bias');
  ix.setInputs(conv, [...conv.input!, replaceInitializer(rw, bias, tensorProtoOf(bias.name!, host.dtype, [channels], host.data))]);
  ix.setOutputs(conv, add!.output!);
  ix.remove(add!);
  return true;
}

/**
 * c (broadcast against a rank-p.length tensor in the transposed layout) as an operand of the
 * un-transposed tensor: its dims right-aligned and permuted back. The data is unchanged where its
 * dims above 1 keep their order (a per-channel vector, a scalar); otherwise null.
 */
function permutedBroadcast(c: TensorProto, p: number[]): TensorProto | null {
  const dims = (c.dims ?? []).map(Number);
  if (dims.length > p.length) return null;
  const full = [...Array<number>(p.length - dims.length).fill(1), ...dims];
  // Transposed axis k is axis p[k] of the original: original axis p[k] gets full[k].
  const back = new Array<number>(p.length);
  p.forEach((d, k) => (back[d] = full[k]!));
  const order = (ds: number[], axisOf: (k: number) => number) => ds.map((d, k) => [d, axisOf(k)] as const).filter(([d]) => d !== 1).map(([, a]) => a);
  const before = order(full, (k) => p[k]!);
  if (before.some((a, k) => k > 0 && a < before[k - 1]!)) return null;
  return { ...c, dims: back };
}

/** The initializer t with its axes permuted by perm (ONNX Transpose semantics). */
function transposed(t: TensorProto, perm: number[]): TensorProto {
  const host = hostTensorOf(t, 'initializer');
  const shape = perm.map((d) => host.shape[d]!);
  const strides = host.shape.map((_, d) => host.shape.slice(d + 1).reduce((a, s) => a * s, 1));
  const out = new (host.data.constructor as new (n: number) => typeof host.data)(host.data.length);
  const index = new Array<number>(shape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let k = 0; k < shape.length; k++) src += index[k]! * strides[perm[k]!]!;
    out[o] = host.data[src]!;
    for (let k = shape.length - 1; k >= 0 && ++index[k]! === shape[k]!; k--) index[k] = 0;
  }
  return tensorProtoOf(t.name!, host.dtype, shape, out);
}

/**
 * `next` in place of the initializer `old` where one node reads it (keeping the variable's name),
 * else as a new initializer beside it. Returns the name to read.
 */
function replaceInitializer(rw: Rewriter, old: TensorProto, next: TensorProto): string {
  const name = rw.ix.reads(old.name!) === 1 ? old.name! : rw.b.fresh(old.name!);
  const named = { ...next, name };
  if (name !== old.name) rw.b.initializers.push(named);
  rw.inits.set(name, named);
  return name;
}
