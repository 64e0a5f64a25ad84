// The jit's fusedLinear: the matmul or conv2d kernel, then one elementwise pass for the bias (along
// the last axis) and the activation.
import type { FusedLinearAttrs } from '../../../jit/fused-ops.js';
import { scalarExpr, type Val } from '../scalar-ops.js';
import { runElementwise } from './elementwise.js';
import type { GpuKernel } from './kernel-types.js';

export function fusedLinearKernel(bases: Record<string, GpuKernel<any>>): GpuKernel<FusedLinearAttrs> {
  return (ctx, inputs, attrs, outs) => {
    const base = bases[attrs.base];
    if (!base) throw new Error(`webgpu: fusedLinear over '${attrs.base}' has no kernel`);
    const out = outs[0]!;
    const [y] = base(ctx, inputs.slice(0, 2), attrs.baseAttrs, outs);
    const operands = [{ data: y!, shape: out.shape, dtype: out.dtype }, ...(attrs.hasBias ? [inputs[2]!] : [])];
    const result = runElementwise(ctx, 'fusedLinear', operands, out, ([acc, bias]) => {
      const lines = [`let z = ${bias ? scalarExpr('add', [acc!, bias], out.dtype) : acc!.expr};`];
      const z: Val = { expr: 'z', dtype: out.dtype };
      return { lines, result: attrs.activation ? scalarExpr(attrs.activation, [z], out.dtype) : 'z' };
    });
    ctx.free(y!);
    return [result];
  };
}
