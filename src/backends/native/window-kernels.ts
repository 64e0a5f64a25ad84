// Native kernels of convolution and pooling (native/src/conv.cc, pool.cc): the window geometry
// goes into the shared argument buffer as integers, the tensors as typed arrays.
import type { KernelTensor, OutSpec } from '../backend.js';
import type { ConvAttrs } from '../../ops/primitives/conv.js';
import type { PoolAttrs } from '../../ops/primitives/pool.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';
import type { AnyKernel } from './kernel-table.js';
import type { WinogradFilterCache } from './winograd-filter-cache.js';

type Shape = readonly number[];

/** Op codes of the addon's conv2d and pool2d (native/src/window-kernels.h). */
const CONV_MODE = { conv2d: 0, conv2dBackpropInput: 1, conv2dBackpropFilter: 2 } as const;
const POOL_MODE = { maxPool: 0, maxPoolGrad: 1, maxPoolGradGrad: 2, avgPool: 3, avgPoolGrad: 4 } as const;

export type WindowOpName = keyof typeof CONV_MODE | keyof typeof POOL_MODE;

/** Run the addon's conv2d; x, f and y are the shapes of the convolution's input, filter and output. */
export function runNativeConv(
  addon: NativeAddon,
  args: ArgWriter,
  op: keyof typeof CONV_MODE,
  a: TypedArray,
  b: TypedArray,
  out: OutSpec,
  shapes: { x: Shape; f: Shape; y: Shape },
  attrs: ConvAttrs,
  store: ArrayStore = hostArrays,
): TypedArray {
  const result = store.alloc(out.dtype, sizeOf(out.shape));
  writeConvGeometry(args.begin(), shapes, attrs);
  addon.conv2d(CONV_MODE[op], a, b, result);
  return result;
}

/** The addon's 19 conv geometry integers (native/src/conv-geometry.h), appended to `args`. */
export function writeConvGeometry(args: ArgWriter, { x, f, y }: { x: Shape; f: Shape; y: Shape }, attrs: ConvAttrs): ArgWriter {
  for (const v of [x[0]!, x[1]!, x[2]!, x[3]!, f[0]!, f[1]!, f[2]!, f[3]!, y[1]!, y[2]!]) args.int(v);
  for (const v of [...attrs.strides, ...attrs.dilations, ...attrs.pads, attrs.groups]) args.int(v);
  return args;
}

function runPool(addon: NativeAddon, args: ArgWriter, store: ArrayStore, op: keyof typeof POOL_MODE, inputs: readonly KernelTensor<TypedArray>[], attrs: PoolAttrs, out: OutSpec, x: Shape, y: Shape): TypedArray {
  const result = store.alloc(out.dtype, sizeOf(out.shape));
  args.begin();
  for (const v of [x[0]!, x[1]!, x[2]!, x[3]!, y[1]!, y[2]!, ...attrs.poolSize, ...attrs.strides, ...attrs.pads]) args.int(v);
  const a = inputs[0]!.data;
  addon.pool2d(POOL_MODE[op], a, inputs[1]?.data ?? a, result);
  return result;
}

/** The conv and pool kernels; throws if the addon predates them. `winograd`: eager conv2d's kept Winograd filters. */
export function windowKernels(addon: NativeAddon, args: ArgWriter, store: ArrayStore = hostArrays, winograd?: WinogradFilterCache): Record<WindowOpName, AnyKernel> {
  if (typeof addon.conv2d !== 'function' || typeof addon.pool2d !== 'function') {
    throw new Error("the addon has no 'conv2d' kernel (it is older than this nabla; run `npm rebuild`)");
  }
  const conv = (op: keyof typeof CONV_MODE, shapesOf: (ins: readonly KernelTensor<TypedArray>[], out: OutSpec) => { x: Shape; f: Shape; y: Shape }): AnyKernel =>
    ((inputs: readonly KernelTensor<TypedArray>[], attrs: ConvAttrs, [o]: readonly OutSpec[]) => [
      runNativeConv(addon, args, op, inputs[0]!.data, inputs[1]!.data, o!, shapesOf(inputs, o!), attrs, store),
    ]) as unknown as AnyKernel;
  const pool = (op: keyof typeof POOL_MODE, shapesOf: (ins: readonly KernelTensor<TypedArray>[], out: OutSpec) => [Shape, Shape]): AnyKernel =>
    ((inputs: readonly KernelTensor<TypedArray>[], attrs: PoolAttrs, [o]: readonly OutSpec[]) => {
      const [x, y] = shapesOf(inputs, o!);
      return [runPool(addon, args, store, op, inputs, attrs, o!, x, y)];
    }) as unknown as AnyKernel;

  // The forward conv reads a kept Winograd transform of its filter where there is one (same bits).
  const conv2d = ((inputs: readonly KernelTensor<TypedArray>[], attrs: ConvAttrs, [o]: readonly OutSpec[]) => {
    const [x, f] = inputs as [KernelTensor<TypedArray>, KernelTensor<TypedArray>];
    const shapes = { x: x.shape, f: f.shape, y: o!.shape };
    return [winograd?.conv(x.data, f.data, shapes, attrs) ?? runNativeConv(addon, args, 'conv2d', x.data, f.data, o!, shapes, attrs, store)];
  }) as unknown as AnyKernel;
  return {
    conv2d,
    conv2dBackpropInput: conv('conv2dBackpropInput', ([dy, f], o) => ({ x: o.shape, f: f!.shape, y: dy!.shape })),
    conv2dBackpropFilter: conv('conv2dBackpropFilter', ([x, dy], o) => ({ x: x!.shape, f: o.shape, y: dy!.shape })),
    maxPool: pool('maxPool', ([x], o) => [x!.shape, o.shape]),
    maxPoolGrad: pool('maxPoolGrad', ([x, dy]) => [x!.shape, dy!.shape]),
    maxPoolGradGrad: pool('maxPoolGradGrad', ([x], o) => [x!.shape, o.shape]),
    avgPool: pool('avgPool', ([x], o) => [x!.shape, o.shape]),
    avgPoolGrad: pool('avgPoolGrad', ([dy], o) => [o.shape, dy!.shape]),
  };
}
