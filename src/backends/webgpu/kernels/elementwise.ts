// Broadcasting elementwise kernels generated from the scalar table: unary, binary, compare, cast,
// where, and the jit's fused chains (one kernel for the whole chain, no intermediate buffers).
import type { KernelTensor, OutSpec } from '../../backend.js';
import { sizeOf, shapesEqual } from '../../../tensor/shape.js';
import { broadcastStrides } from '../../../ops/loops.js';
import type { CastAttrs } from '../../../ops/primitives/cast.js';
import type { FusedElementwiseAttrs } from '../../../jit/fused-ops.js';
import type { GpuContext, GpuHandle } from '../gpu-context.js';
import { ELEMENTWISE_OPS, scalarExpr, type ElementwiseOpName, type Val } from '../scalar-ops.js';
import { groupsFor, perElementKernel, wgslType, type Binding } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

type Input = KernelTensor<GpuHandle>;

/** How an operand is indexed from the flat output index. */
type Mode = 'same' | 'scalar' | 'bcast';

function modeOf(shape: readonly number[], outShape: readonly number[], flat: boolean): Mode {
  if (shapesEqual(shape, outShape) || (flat && sizeOf(shape) === sizeOf(outShape))) return 'same';
  if (sizeOf(shape) === 1) return 'scalar';
  return 'bcast';
}

/**
 * One kernel over `inputs` broadcast to `out`: `body(vals)` gets the loaded operands and returns
 * the statements before the result and the result expression.
 */
export function runElementwise(
  ctx: GpuContext,
  op: string,
  inputs: readonly Input[],
  out: OutSpec,
  body: (vals: Val[]) => { lines: string[]; result: string },
  /** Operands of the output's size are read flat whatever their shape (the jit's fused inputs). */
  flat = false,
): GpuHandle {
  const n = sizeOf(out.shape);
  const rank = out.shape.length;
  const modes = inputs.map((t) => modeOf(t.shape, out.shape, flat));
  const meta: number[] = [n, rank, ...out.shape];
  const loads: string[] = [];
  inputs.forEach((t, k) => {
    let index = 'i';
    if (modes[k] === 'scalar') index = '0';
    else if (modes[k] === 'bcast') {
      index = `bcast(i, ${rank}, 2, ${meta.length})`;
      meta.push(...broadcastStrides(t.shape, out.shape));
    }
    loads.push(`  let a${k} = in${k}[${index}];`);
  });
  const vals: Val[] = inputs.map((t, k) => ({ expr: `a${k}`, dtype: t.dtype }));
  const { lines, result } = body(vals);
  const bindings: Binding[] = inputs.map((t, k) => ({ name: `in${k}`, type: wgslType(t.dtype, op), access: 'read' }));
  bindings.push({ name: 'out', type: wgslType(out.dtype, op), access: 'read_write' });
  const source = perElementKernel(bindings, [...loads, ...lines.map((l) => `  ${l}`), `  out[i] = ${result};`].join('\n'));
  const o = ctx.alloc(n);
  ctx.dispatch(source, [...inputs.map((t) => t.data), o], meta, groupsFor(n));
  return o;
}

/** The kernel of one elementwise primitive. */
function elementwiseKernel(op: string): GpuKernel<unknown> {
  return (ctx, inputs, _attrs, [out]) => [runElementwise(ctx, op, inputs, out!, (vals) => ({ lines: [], result: scalarExpr(op, vals, out!.dtype) }))];
}

const castKernel: GpuKernel<CastAttrs> = (ctx, [x], { dtype }, [out]) => {
  // Same storage and same values (int32 <-> bool needs the 0/1 normalisation, so only equal dtypes copy).
  if (x!.dtype === dtype) return [ctx.copy(x!.data, 0, sizeOf(x!.shape))];
  return [runElementwise(ctx, 'cast', [x!], out!, (vals) => ({ lines: [], result: scalarExpr('cast', vals, dtype) }))];
};

/**
 * A fused chain: register r < nInputs is input r, then one `let` per instruction. Each
 * instruction's operands have the dtypes of the registers they name.
 */
const fusedKernel: GpuKernel<FusedElementwiseAttrs> = (ctx, inputs, attrs, [out]) => {
  if ((attrs.outputs?.length ?? 1) !== 1) throw new Error(`webgpu fusedElementwise: one output expected, the program names ${attrs.outputs!.length} (this backend sets no maxFusedOutputs)`);
  return [fusedChain(ctx, inputs, attrs, out!)];
};

const fusedChain = (ctx: GpuContext, inputs: readonly KernelTensor<GpuHandle>[], attrs: FusedElementwiseAttrs, out: OutSpec) =>
  runElementwise(ctx, 'fusedElementwise', inputs, out, (vals) => {
    const regs: Val[] = [...vals];
    const lines: string[] = [];
    attrs.program.forEach((ins, k) => {
      const name = `r${attrs.nInputs + k}`;
      const args = ins.args.map((r) => regs[r]!);
      lines.push(`let ${name} = ${scalarExpr(ins.op, args, ins.dtype)};`);
      regs.push({ expr: name, dtype: ins.dtype });
    });
    const last = regs[regs.length - 1]!;
    return { lines, result: last.dtype === attrs.dtype ? last.expr : scalarExpr('cast', [last], attrs.dtype) };
  }, true);

export function elementwiseKernels(): Record<ElementwiseOpName | 'fusedElementwise', GpuKernel<any>> {
  const table = {} as Record<ElementwiseOpName | 'fusedElementwise', GpuKernel<any>>;
  for (const op of ELEMENTWISE_OPS) table[op] = elementwiseKernel(op);
  table.cast = castKernel;
  table.fusedElementwise = fusedKernel;
  return table;
}
