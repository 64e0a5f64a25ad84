// fusedConvPool on the native and wasm backends: one addon call runs the conv (from its prepacked
// filter where the prepack pass made one), its bias and activation and the pool over the batch in
// cache-sized pieces (native/src/conv-pool.h). Where the
// addon cannot (an older binary, an activation it lacks), the fused conv and the pool run one
// after the other, as the unfused graph would.
import type { KernelTensor, OutSpec } from '../backend.js';
import type { FusedConvPoolAttrs } from '../../jit/conv-pool-op.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import type { AnyKernel, ArgWriter } from './kernel-table.js';
import { writeConvGeometry } from './window-kernels.js';
import type { ConvAttrs } from '../../ops/primitives/conv.js';

/** The addon's pool modes (native/src/window-kernels.h). */
const POOL_MODE = { maxPool: 0, avgPool: 3 } as const;

type Run = (inputs: readonly KernelTensor<TypedArray>[], attrs: unknown, outs: readonly OutSpec[]) => TypedArray[];

export function fusedConvPoolKernel(addon: NativeAddon, args: ArgWriter, steps: { fusedLinear: AnyKernel; maxPool: AnyKernel; avgPool: AnyKernel }, store: ArrayStore = hostArrays): AnyKernel {
  const unaryCodes = new Map(addon.opNames().unary.map((n, i) => [n, i]));
  const kernel = (inputs: readonly KernelTensor<TypedArray>[], attrs: FusedConvPoolAttrs, outs: readonly OutSpec[]): TypedArray[] => {
    const { linear, poolAttrs } = attrs;
    const act = linear.activation === null ? -1 : unaryCodes.get(linear.activation);
    const floatOut = attrs.dtype === 'float32' || attrs.dtype === 'float64';
    if (addon.convPool && act !== undefined && floatOut) {
      const [x, f, bias] = inputs;
      const out = store.alloc(attrs.dtype, sizeOf(outs[0]!.shape), true);
      const y = linear.shape;
      const a = writeConvGeometry(args.begin(), { x: x!.shape, f: f!.shape, y }, linear.baseAttrs as ConvAttrs);
      for (const v of [y[0]!, y[1]!, y[2]!, y[3]!, attrs.shape[1]!, attrs.shape[2]!, ...poolAttrs.poolSize, ...poolAttrs.strides, ...poolAttrs.pads]) a.int(v);
      a.int(POOL_MODE[attrs.pool]).int(linear.hasBias ? 1 : 0);
      const packed = linear.prepacked ? [inputs[inputs.length - 1]!.data] : [];
      addon.convPool(act, x!.data, f!.data, linear.hasBias ? bias!.data : x!.data, ...packed, out);
      return [out];
    }
    const conv = (steps.fusedLinear as unknown as Run)(inputs, linear, [{ shape: linear.shape, dtype: attrs.dtype }])[0]!;
    const pooled = (steps[attrs.pool] as unknown as Run)([{ data: conv, shape: linear.shape, dtype: attrs.dtype }], poolAttrs, outs);
    store.free(conv);
    return pooled;
  };
  return kernel as unknown as AnyKernel;
}
