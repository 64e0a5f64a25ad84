// fusedElementwise on the native backend: the jit's chain of elementwise ops runs in the addon
// tile by tile (native/src/fused.cc), each instruction applying the op's own native kernel to a
// cache-sized tile, so results equal eager native execution bit for bit. Programs the addon
// cannot take as they are (an op without a native kernel, mixed-dtype arithmetic, which eager
// widens first) run op by op on the native kernels; the reference loop is the last resort.
import type { Kernel, KernelTensor } from '../backend.js';
import { fusedElementwiseOp, outputRegisters, type FusedElementwiseAttrs, type FusedInstr } from '../../jit/fused-ops.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { hostArrays, onStore, type ArrayStore } from './array-store.js';
import { DTYPE_CODE, type NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';
import type { AnyKernel } from './kernel-table.js';

type AttrKernel = Kernel<unknown, TypedArray>;

const KIND = { unary: 0, binary: 1, where: 2, cast: 3 } as const;
/** The argument buffer holds 1024 numbers; a program must fit with its header. */
const MAX_WORDS = 1000;

/** The addon program for `attrs`, or null when some instruction must run the eager way. */
function encode(attrs: FusedElementwiseAttrs, inputDTypes: readonly DType[], unaryCodes: Map<string, number>, binaryCodes: Map<string, number>, firstCompare: number): number[] | null {
  const outputs = outputRegisters(attrs);
  const words = [outputs.length, ...outputs, sizeOf(attrs.shape), attrs.program.length];
  const dtypes = [...inputDTypes];
  for (const ins of attrs.program as readonly FusedInstr[]) {
    const argTypes = ins.args.map((r) => dtypes[r]!);
    let kind: number;
    let op = 0;
    if (ins.op === 'cast') kind = KIND.cast;
    else if (ins.op === 'where') {
      if (argTypes[0] !== 'bool' || argTypes[1] !== ins.dtype || argTypes[2] !== ins.dtype) return null;
      kind = KIND.where;
    } else if (unaryCodes.has(ins.op) && ins.args.length === 1) {
      kind = KIND.unary;
      op = unaryCodes.get(ins.op)!;
    } else if (binaryCodes.has(ins.op) && ins.args.length === 2) {
      kind = KIND.binary;
      op = binaryCodes.get(ins.op)!;
      const compare = op >= firstCompare;
      if (argTypes[0] !== argTypes[1] || (!compare && argTypes[0] !== ins.dtype)) return null;
    } else return null;
    words.push(kind, op, DTYPE_CODE[ins.dtype], ...ins.args);
    dtypes.push(ins.dtype);
  }
  return words.length <= MAX_WORDS ? words : null;
}

export function fusedElementwiseKernel(addon: NativeAddon, args: ArgWriter, table: Readonly<Record<string, AnyKernel>>, jsWork: () => void, store: ArrayStore = hostArrays): AnyKernel {
  const reference = onStore(store, fusedElementwiseOp.ref as unknown as AttrKernel);
  const allocOutput = store.alloc;
  const names = addon.opNames();
  const unaryCodes = new Map(names.unary.map((n, i) => [n, i]));
  const binaryCodes = new Map(names.binary.map((n, i) => [n, i]));
  const firstCompare = names.binary.indexOf('equal');

  /** One native kernel per instruction over whole arrays. */
  const opByOp = (inputs: readonly KernelTensor<TypedArray>[], attrs: FusedElementwiseAttrs, n: number): TypedArray[] => {
    const regs: KernelTensor<TypedArray>[] = inputs.map((t) => ({ data: t.data, dtype: t.dtype, shape: t.data.length === 1 && n !== 1 ? [] : [n] }));
    for (const ins of attrs.program) {
      const operands = ins.args.map((r) => regs[r]!);
      const shape = operands.some((a) => a.shape.length === 1) ? [n] : [];
      const k = table[ins.op] as unknown as AttrKernel;
      const out = k(operands, ins.op === 'cast' ? { dtype: ins.dtype } : {}, [{ shape, dtype: ins.dtype }])[0]!;
      regs.push({ data: out, dtype: ins.dtype, shape });
    }
    const results = outputRegisters(attrs).map((r) => regs[r]!);
    // The intermediates die here: give them back now (on wasm the collector would be late).
    const given = new Set(inputs.map((t) => t.data));
    const kept = new Set(results.map((r) => r.data));
    const dead = new Set(regs.slice(inputs.length).map((r) => r.data).filter((d) => !given.has(d) && !kept.has(d)));
    dead.forEach((d) => store.free(d));
    return results.map((result) => {
      if (result.shape.length === 1 || n === 1) return result.data;
      jsWork();
      const full = allocOutput(result.dtype, n);
      store.host(full).fill(store.host(result.data)[0]!);
      if (!given.has(result.data)) store.free(result.data);
      return full;
    });
  };

  const kernel = (inputs: readonly KernelTensor<TypedArray>[], attrs: FusedElementwiseAttrs): TypedArray[] => {
    const n = sizeOf(attrs.shape);
    const words = encode(attrs, inputs.map((t) => t.dtype), unaryCodes, binaryCodes, firstCompare);
    if (words) {
      // The executor may hand over an input that dies here: each tile reads its inputs before the
      // last instruction writes that tile, so the output can overwrite it (no new array, no GC).
      const donor = attrs.inPlace >= 0 ? inputs[attrs.inPlace] : undefined;
      const outs = fusedElementwiseOp.infer(inputs, attrs).map(({ dtype }, j) =>
        j === 0 && donor && donor.dtype === dtype && donor.data.length === n ? donor.data : allocOutput(dtype, n, true),
      );
      args.begin().int(words.length);
      for (const w of words) args.int(w);
      addon.fusedElementwise(...outs, ...inputs.map((t) => t.data));
      return outs;
    }
    if (attrs.program.every((ins) => table[ins.op])) return opByOp(inputs, attrs, n);
    jsWork();
    return reference(inputs, attrs, fusedElementwiseOp.infer(inputs, attrs));
  };
  return kernel as unknown as AnyKernel;
}
