// Kernels the jit's fusion pass produces; they never appear in eager code, so they have no gradient.
import { allocArray, castScalar, type DType, type TypedArray } from '../tensor/dtype.js';
import { sizeOf } from '../tensor/shape.js';
import type { Kernel, KernelTensor } from '../backends/backend.js';
import { defineOp, type BatchAxis, type BatchContext, type Batched, type OpDef } from '../ops/define-op.js';
import { PRIMITIVES } from '../ops/primitives/index.js';
import { run } from '../ops/run.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchSizeOf, batchedFront, broadcastTo, padRankAfterBatch } from '../ops/primitives/shape.js';

/** One step of a fused elementwise program: registers 0..nInputs-1 are the inputs, then one per step. */
export interface FusedInstr {
  readonly op: string;
  readonly args: readonly number[];
  readonly dtype: DType;
}

export interface FusedElementwiseAttrs {
  readonly program: readonly FusedInstr[];
  readonly nInputs: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Index of an input whose buffer dies here and receives the (first) output (-1: allocate). */
  readonly inPlace: number;
  /**
   * The registers the kernel writes, in the node's output order, the last register first (absent:
   * that one only). More than one where a member's value is also a result of the graph: an
   * optimizer's new moments, which the weight's update reads as well.
   */
  readonly outputs?: readonly number[];
}

/** The registers a fused program writes, in output order. */
export function outputRegisters(attrs: FusedElementwiseAttrs): readonly number[] {
  return attrs.outputs ?? [attrs.nInputs + attrs.program.length - 1];
}

/** The dtype of an instruction's register (r >= nInputs). */
const registerDType = (attrs: FusedElementwiseAttrs, r: number): DType => attrs.program[r - attrs.nInputs]!.dtype;

type Scalar = (...xs: number[]) => number;

/** The scalar function of one instruction, as the eager kernel would apply it. */
export function scalarFunction(instr: FusedInstr): Scalar {
  if (instr.op === 'cast') return (x: number) => castScalar(x, instr.dtype);
  if (instr.op === 'where') return (c: number, a: number, b: number) => (c ? a : b);
  const def = (PRIMITIVES as Record<string, OpDef<any>>)[instr.op];
  const pw = def?.pointwise;
  if (!pw) throw new Error(`fusedElementwise: '${instr.op}' is not an elementwise op`);
  return instr.dtype === 'int32' && pw.fInt ? pw.fInt : pw.f;
}

type Compiled = (ins: ArrayLike<number>[], scalars: boolean[], outs: TypedArray[], n: number, fs: Scalar[]) => void;
const compiled = new Map<string, Compiled>();

/**
 * Generate one loop for the whole chain: no intermediate arrays. float32 intermediates are
 * rounded with Math.fround so results match eager execution bit for bit.
 */
function compile(attrs: FusedElementwiseAttrs, scalars: boolean[]): Compiled {
  const outputs = outputRegisters(attrs);
  const key = `${JSON.stringify(attrs.program)}|${attrs.nInputs}|${outputs.join(',')}|${scalars.join('')}`;
  let fn = compiled.get(key);
  if (fn) return fn;
  const lines: string[] = ['const fround = Math.fround;'];
  for (let i = 0; i < attrs.nInputs; i++) {
    lines.push(scalars[i] ? `const s${i} = ins[${i}][0];` : `const a${i} = ins[${i}];`);
  }
  attrs.program.forEach((_, k) => lines.push(`const f${k} = fs[${k}];`));
  outputs.forEach((_, j) => lines.push(`const out${j} = outs[${j}];`));
  lines.push('for (let i = 0; i < n; i++) {');
  const reg = (r: number) => (r < attrs.nInputs ? (scalars[r] ? `s${r}` : `a${r}[i]`) : `r${r}`);
  attrs.program.forEach((ins, k) => {
    const call = `f${k}(${ins.args.map(reg).join(', ')})`;
    const wrapped = ins.dtype === 'float32' ? `fround(${call})` : ins.dtype === 'int32' ? `(${call}) | 0` : call;
    lines.push(`  const r${attrs.nInputs + k} = ${wrapped};`);
  });
  // Written after every register of the element is computed: an output may be a dying input's array.
  outputs.forEach((r, j) => lines.push(`  out${j}[i] = r${r};`));
  lines.push('}');
  fn = new Function('ins', 'scalars', 'outs', 'n', 'fs', lines.join('\n')) as Compiled;
  compiled.set(key, fn);
  return fn;
}

const fusedRef: Kernel<FusedElementwiseAttrs, TypedArray> = (inputs, attrs) => {
  const n = sizeOf(attrs.shape);
  const scalars = inputs.map((t) => t.data.length === 1 && n !== 1);
  const outs = outputRegisters(attrs).map((r, j) => (j === 0 && attrs.inPlace >= 0 ? inputs[attrs.inPlace]!.data : allocArray(registerDType(attrs, r), n)));
  compile(attrs, scalars)(inputs.map((t) => t.data), scalars, outs, n, attrs.program.map(scalarFunction));
  return outs;
};

export const fusedElementwiseOp: OpDef<FusedElementwiseAttrs> = defineOp<FusedElementwiseAttrs>({
  name: 'fusedElementwise',
  infer: (_inputs, attrs) => outputRegisters(attrs).map((r) => ({ shape: attrs.shape, dtype: registerDType(attrs, r) })),
  ref: fusedRef,
  // The kernels take inputs of the output's size or single scalars: every other input is
  // broadcast to the batched output's shape (a shared scalar stays one).
  batch: (inputs, axes, attrs) => {
    const size = batchSizeOf(inputs, axes);
    const shape = [size, ...attrs.shape];
    const ins = inputs.map((x, i) => (axes[i] === null && x.size === 1 ? x : broadcastTo(padRankAfterBatch(batchedFront(x, axes[i], size), attrs.shape.length), shape)));
    const outputs = run(fusedElementwiseOp, ins, { ...attrs, shape, inPlace: -1 });
    return { outputs, axes: outputs.map(() => 0) };
  },
});

export interface FusedLinearAttrs {
  /** The linear op: 'matmul' or 'conv2d'. */
  readonly base: string;
  readonly baseAttrs: unknown;
  readonly hasBias: boolean;
  /** A unary elementwise op applied last, or null. */
  readonly activation: string | null;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /**
   * The last input is the weight packed once by packGemmB (inference graphs on native/wasm only):
   * the backend's kernel may read it instead of packing the weight; the reference ignores it.
   */
  readonly prepacked?: boolean;
}

/** matmul/conv2d, then `+ bias` over the last axis, then an activation, in one kernel. */
export const fusedLinearOp: OpDef<FusedLinearAttrs> = defineOp<FusedLinearAttrs>({
  name: 'fusedLinear',
  infer: (_inputs, { shape, dtype }) => [{ shape, dtype }],
  ref: (inputs, attrs, outs): TypedArray[] => {
    const base: OpDef<any> = (PRIMITIVES as Record<string, OpDef<any>>)[attrs.base]!;
    const out: TypedArray = base.ref!(inputs.slice(0, 2) as KernelTensor<TypedArray>[], attrs.baseAttrs as never, outs)[0]!;
    applyEpilogue(out, attrs.hasBias ? inputs[2]!.data : null, attrs.activation, attrs.dtype);
    return [out];
  },
  // The unfused steps' own rules, one after the other.
  batch: (inputs, axes, attrs, ctx) => {
    const ops = PRIMITIVES as Record<string, OpDef<any>>;
    let y = applyRule(ops[attrs.base]!, inputs.slice(0, 2), axes.slice(0, 2), attrs.baseAttrs, ctx);
    if (attrs.hasBias) y = applyRule(ops.add!, [y.outputs[0]!, inputs[2]!], [y.axes[0]!, axes[2]!], {}, ctx);
    if (attrs.activation) y = applyRule(ops[attrs.activation]!, y.outputs, y.axes, {}, ctx);
    return y;
  },
});

/** `op` on inputs batched on `axes`: its batching rule, or the op itself when none is batched. */
function applyRule(op: OpDef<any>, inputs: readonly Tensor[], axes: readonly BatchAxis[], attrs: unknown, ctx: BatchContext): Batched {
  if (axes.every((a) => a === null)) return { outputs: run(op, inputs, attrs), axes: [null] };
  return op.batch!(inputs, axes, attrs, ctx);
}

/** In place: out += bias (broadcast along the last axis), then out = activation(out). */
export function applyEpilogue(out: TypedArray, bias: TypedArray | null, activation: string | null, dtype: DType): void {
  const act = activation ? scalarFunction({ op: activation, args: [0], dtype }) : null;
  const m = bias ? bias.length : 1;
  if (bias && act) for (let i = 0; i < out.length; i++) out[i] = act(out[i]! + bias[i % m]!);
  else if (bias) for (let i = 0; i < out.length; i++) out[i] = out[i]! + bias[i % m]!;
  else if (act) for (let i = 0; i < out.length; i++) out[i] = act(out[i]!);
}

/** The jit's fused ops: backends run them like primitives, but only a compiled graph makes them. */
export const FUSED_OPS = { fusedElementwise: fusedElementwiseOp, fusedLinear: fusedLinearOp };
