// The TypeScript side of the C++ kernels: allocate each output as a JS typed array, write
// shapes into the shared argument buffer and call the addon, which works on the arrays in place.
import type { ArgAttrs, ReduceAttrs } from '../../ops/primitives/reduce.js';
import type { CastAttrs } from '../../ops/primitives/cast.js';
import type { MatmulAttrs } from '../../ops/primitives/matmul.js';
import type { DType, TypedArray } from '../../tensor/dtype.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import { sizeOf } from '../../tensor/shape.js';
import type { NativeAddon } from './load-addon.js';
import type { NativeOpName } from './kernel-sources.js';
import { windowKernels } from './window-kernels.js';
import type { WinogradFilterCache } from './winograd-filter-cache.js';
import { channelsFirstWindowKernels } from './channels-first-kernels.js';
import { fusedLinearKernel } from './fused-linear-kernel.js';
import { fusedConvPoolKernel } from './conv-pool-kernel.js';
import { softmaxRowsKernel } from './softmax-rows-kernel.js';
import { prepackedKernels } from './prepacked-kernels.js';
import { fusedElementwiseKernel } from './fused-elementwise-kernel.js';
import { indexKernels } from './index-kernels.js';
import { randomKernel } from './random-kernel.js';
import { familyKernels, kernel, opCode, type AnyKernel, type ArgWriter } from './kernel-table.js';
import { unaryOps } from '../../ops/primitives/unary.js';
import { binaryOps } from '../../ops/primitives/binary.js';
import { compareOps } from '../../ops/primitives/compare.js';
import { reduceOps } from '../../ops/primitives/reduce.js';
import { scanKernels } from './scan-kernels.js';
import { linalgKernels } from './linalg-kernels.js';

type NoAttrs = Record<string, never>;


/**
 * Build every native kernel; throws if the addon lacks an op (a binary older than this code).
 * `jsWork` is called by a kernel before it computes anything in JS rather than in the addon;
 * `winograd`: eager conv2d's kept Winograd filters (winograd-filter-cache.ts).
 */
export function nativeKernels(addon: NativeAddon, args: ArgWriter, jsWork: () => void, store: ArrayStore = hostArrays, winograd?: WinogradFilterCache): Record<NativeOpName, AnyKernel> {
  const allocOutput = store.alloc;

  const castTo = (x: TypedArray, dtype: DType): TypedArray => {
    const out = allocOutput(dtype, x.length, true);
    addon.cast(x, out);
    return out;
  };

  const unary = (name: string): AnyKernel => {
    const c = opCode(addon, 'unary', name);
    return kernel<NoAttrs>(([x], _attrs, [o]) => {
      const out = allocOutput(o!.dtype, x!.data.length, true);
      addon.unary(c, x!.data, out);
      return [out];
    });
  };

  const binary = (name: string, compare: boolean): AnyKernel => {
    const c = opCode(addon, 'binary', name);
    return kernel<NoAttrs>(([a, b], _attrs, [o]) => {
      let ad = a!.data;
      let bd = b!.data;
      // The C++ kernels take inputs of one dtype. Mixed inputs are widened exactly to float64
      // (or int32 for int results) and the result rounded once, which is what JS computes.
      const same = a!.dtype === b!.dtype && (compare || a!.dtype === o!.dtype);
      if (!same) {
        const via: DType = o!.dtype === 'int32' ? 'int32' : 'float64';
        if (a!.dtype !== via) ad = castTo(ad, via);
        if (b!.dtype !== via) bd = castTo(bd, via);
      }
      const out = allocOutput(o!.dtype, sizeOf(o!.shape), true);
      args.begin().shape(name, a!.shape).shape(name, b!.shape).shape(name, o!.shape);
      addon.binary(c, ad, bd, out);
      // The widened copies die here: give them back now (on wasm the collector would be late).
      if (ad !== a!.data) store.free(ad);
      if (bd !== b!.data) store.free(bd);
      return [out];
    });
  };

  const reduce = (name: string): AnyKernel => {
    const c = opCode(addon, 'reduce', name);
    return kernel<ReduceAttrs>(([x], attrs, [o]) => {
      const out = allocOutput(o!.dtype, sizeOf(o!.shape));
      args.begin().shape(name, x!.shape).int(attrs.axes.length);
      for (const ax of attrs.axes) args.int(ax);
      addon.reduce(c, x!.data, out);
      return [out];
    });
  };

  const argReduce = (name: string): AnyKernel => {
    const c = opCode(addon, 'arg', name);
    return kernel<ArgAttrs>(([x], attrs, [o]) => {
      const out = allocOutput('int32', sizeOf(o!.shape));
      args.begin().shape(name, x!.shape).int(attrs.axis);
      addon.argReduce(c, x!.data, out);
      return [out];
    });
  };

  const matmul = kernel<MatmulAttrs>(([a, b], attrs, [o]) => {
    const out = allocOutput(o!.dtype, sizeOf(o!.shape), true);
    args.begin().shape('matmul', a!.shape).shape('matmul', b!.shape).int(attrs.transposeA ? 1 : 0).int(attrs.transposeB ? 1 : 0);
    addon.matmul(a!.data, b!.data, out);
    return [out];
  });

  const cast = kernel<CastAttrs>(([x], attrs) => [castTo(x!.data, attrs.dtype)]);

  const where = kernel<NoAttrs>(([c, a, b], _attrs, [o]) => {
    const out = allocOutput(o!.dtype, sizeOf(o!.shape));
    args.begin().shape('where', c!.shape).shape('where', a!.shape).shape('where', b!.shape).shape('where', o!.shape);
    addon.where(c!.data, a!.data, b!.data, out);
    return [out];
  });

  const prepacked = prepackedKernels(addon, args, store);
  const window = channelsFirstWindowKernels(windowKernels(addon, args, store, winograd), addon, args, store);

  const table = {
    ...familyKernels(unaryOps, unary),
    ...familyKernels(binaryOps, (name) => binary(name, false)),
    ...familyKernels(compareOps, (name) => binary(name, true)),
    cast,
    where,
    ...familyKernels(reduceOps, reduce),
    argmax: argReduce('argmax'),
    argmin: argReduce('argmin'),
    matmul,
    ...window,
    ...indexKernels(addon, args, jsWork, store),
    random: kernel(randomKernel(addon, args, store)),
    ...scanKernels(addon, args, store),
    ...linalgKernels(addon, args, store),
    fusedLinear: fusedLinearKernel(addon, args, { matmul, conv2d: window.conv2d, prepacked: prepacked?.linear }, jsWork, store),
    packGemmB:
      prepacked?.packGemmB ??
      kernel(() => {
        throw new Error("packGemmB: the addon has no 'prepacked' kernel (it is older than this nabla; run `npm rebuild`)");
      }),
  };
  return {
    ...table,
    fusedElementwise: fusedElementwiseKernel(addon, args, table, jsWork, store),
    fusedConvPool: fusedConvPoolKernel(addon, args, { fusedLinear: table.fusedLinear, maxPool: window.maxPool, avgPool: window.avgPool }, store),
    softmaxRows: softmaxRowsKernel(addon, args, store),
  };
}
