// Weights packed once for the GEMM (native/src/prepacked.h): the packGemmB kernel, the matmul and
// conv2d variants fusedLinear runs when its last input is such a pack, and the query the jit's
// prepacking pass asks before adding one. The C++ variants fall back to the unpacked weight
// wherever the plain kernel would not pack it, so results never depend on the pack.
import type { KernelTensor, OutSpec, WeightPrepack } from '../backend.js';
import type { ConvAttrs } from '../../ops/primitives/conv.js';
import type { MatmulAttrs } from '../../ops/primitives/matmul.js';
import type { PackGemmBAttrs } from '../../jit/prepacked-ops.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import type { ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import { kernel, type AnyKernel, type ArgWriter } from './kernel-table.js';
import { writeConvGeometry } from './window-kernels.js';

/** Op codes of the addon's `prepacked` entry (native/src/prepacked.h's PrepackedOp). */
export const PREPACKED_OP = { matmulQuery: 0, convQuery: 1, pack: 2, matmul: 3, conv: 4, winogradQuery: 5, winogradPack: 6, matmulEpilogue: 7, convWinogradCached: 8, convEpilogue: 9 } as const;
const OP = PREPACKED_OP;

/** A bias (n elements, the output's dtype) and an activation's unary op code (-1: none) for the GEMM to apply. */
export interface LinearEpilogue {
  readonly bias: TypedArray;
  readonly act: number;
}

export interface PrepackedKernels {
  readonly packGemmB: AnyKernel;
  /**
   * fusedLinear's linear step with inputs [x, w, ...,  packed]; the epilogue (bias and activation)
   * is applied by the GEMM (or a conv's Winograd output transform) as it finishes each block of the output.
   */
  linear(base: 'matmul' | 'conv2d', inputs: readonly KernelTensor<TypedArray>[], baseAttrs: unknown, out: OutSpec, epilogue?: LinearEpilogue): TypedArray;
  readonly prepack: WeightPrepack;
}

/** The kernels, or undefined where the addon predates its `prepacked` entry. */
export function prepackedKernels(addon: NativeAddon, args: ArgWriter, store: ArrayStore): PrepackedKernels | undefined {
  if (typeof addon.prepacked !== 'function') return undefined;
  // The addon function is looked up on every call: the call recorder swaps it while recording.
  const call = (op: number, ...arrays: TypedArray[]) => addon.prepacked!(op, ...arrays);
  const ask = (op: number): boolean => {
    const answer = store.alloc('int32', 1);
    call(op, answer);
    const yes = store.host(answer)[0] === 1;
    store.free(answer);
    return yes;
  };
  const floatCode = (dtype: string) => (dtype === 'float64' ? 1 : 0);
  const convShapes = (x: readonly number[], f: readonly number[], y: readonly number[]) => ({ x, f, y });

  const prepack: WeightPrepack = {
    uses(op, a, b, out, dtype, attrs) {
      if (dtype !== 'float32' && dtype !== 'float64') return false;
      if (op === 'conv2d') {
        if ((attrs as ConvAttrs).channelsFirst) return false;
        writeConvGeometry(args.begin().int(floatCode(dtype)), convShapes(a, b, out), attrs as ConvAttrs);
        return ask(OP.convQuery);
      }
      const { transposeA, transposeB } = attrs as MatmulAttrs;
      if (b.length !== 2) return false;
      const m = sizeOf(a) / a[a.length - 1]!;
      if (transposeA && a.length !== 2) return false;
      const rows = transposeA ? a[1]! : m;
      args.begin().int(rows).int(transposeB ? b[0]! : b[1]!).int(transposeB ? b[1]! : b[0]!).int(transposeB ? 1 : 0).int(floatCode(dtype));
      return ask(OP.matmulQuery);
    },
    winograd(a, b, out, dtype, attrs) {
      if (dtype !== 'float32' || (attrs as ConvAttrs).channelsFirst) return false;
      writeConvGeometry(args.begin().int(floatCode(dtype)), convShapes(a, b, out), attrs as ConvAttrs);
      return ask(OP.winogradQuery);
    },
  };

  const packGemmB = kernel<PackGemmBAttrs>(([w], attrs, [o]) => {
    const out = store.alloc(o!.dtype, sizeOf(o!.shape), true);
    if (attrs.winograd) {
      args.begin().int(attrs.k).int(attrs.n);
      call(OP.winogradPack, w!.data, out);
      return [out];
    }
    args.begin().int(attrs.k).int(attrs.n).int(attrs.groups).int(attrs.rowStride).int(attrs.colStride);
    call(OP.pack, w!.data, out);
    return [out];
  });

  const linear: PrepackedKernels['linear'] = (base, inputs, baseAttrs, o, epilogue) => {
    const [a, b] = inputs as [KernelTensor<TypedArray>, KernelTensor<TypedArray>];
    const packed = inputs[inputs.length - 1]!.data;
    const out = store.alloc(o.dtype, sizeOf(o.shape), true);
    if (base === 'conv2d') {
      const w = writeConvGeometry(args.begin(), convShapes(a.shape, b.shape, o.shape), baseAttrs as ConvAttrs);
      if (epilogue) {
        w.int(epilogue.act);
        call(OP.convEpilogue, a.data, b.data, packed, epilogue.bias, out);
      } else call(OP.conv, a.data, b.data, packed, out);
    } else {
      const { transposeA, transposeB } = baseAttrs as MatmulAttrs;
      const w = args.begin().shape('matmul', a.shape).shape('matmul', b.shape).int(transposeA ? 1 : 0).int(transposeB ? 1 : 0);
      if (epilogue) {
        w.int(epilogue.act);
        call(OP.matmulEpilogue, a.data, b.data, packed, epilogue.bias, out);
      } else call(OP.matmul, a.data, b.data, packed, out);
    }
    return out;
  };

  return { packGemmB, linear, prepack };
}
