// fusedElementwise on the native backend: the jit's chain of elementwise ops, run instruction by
// instruction with the native kernels of those ops (SIMD, threaded) on whole arrays. Not fused in
// one loop, but each step costs a native pass instead of a JS closure call per element, and the
// results are those of eager native execution bit for bit. Programs with an op the addon lacks
// run on the reference kernel.
import type { Kernel, KernelTensor } from '../backend.js';
import { fusedElementwiseOp, type FusedElementwiseAttrs } from '../../ops/primitives/fused.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';

type AnyKernel = Kernel<never, TypedArray>;
type AttrKernel = Kernel<unknown, TypedArray>;

export function fusedElementwiseKernel(table: Readonly<Record<string, AnyKernel>>): AnyKernel {
  const reference = fusedElementwiseOp.ref as unknown as AttrKernel;
  const kernel = (inputs: readonly KernelTensor<TypedArray>[], attrs: FusedElementwiseAttrs): TypedArray[] => {
    const n = sizeOf(attrs.shape);
    if (!attrs.program.every((ins) => table[ins.op])) {
      return reference(inputs, attrs, [{ shape: attrs.shape, dtype: attrs.dtype }]);
    }
    // Registers: the inputs, then one per instruction. A length-1 input broadcasts (shape []).
    const regs: KernelTensor<TypedArray>[] = inputs.map((t) => ({ data: t.data, dtype: t.dtype, shape: t.data.length === 1 && n !== 1 ? [] : [n] }));
    for (const ins of attrs.program) {
      const args = ins.args.map((r) => regs[r]!);
      const shape = args.some((a) => a.shape.length === 1) ? [n] : [];
      const k = table[ins.op] as unknown as AttrKernel;
      const out = k(args, ins.op === 'cast' ? { dtype: ins.dtype } : {}, [{ shape, dtype: ins.dtype }])[0]!;
      regs.push({ data: out, dtype: ins.dtype, shape });
    }
    const last = regs[regs.length - 1]!;
    if (last.shape.length === 1 || n === 1) return [last.data];
    // Every operand was a scalar: spread the one value over the output.
    const full = new (last.data.constructor as new (len: number) => TypedArray)(n);
    full.fill(last.data[0]!);
    return [full];
  };
  return kernel as unknown as AnyKernel;
}
