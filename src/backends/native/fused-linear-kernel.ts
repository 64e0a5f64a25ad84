// fusedLinear on the native backend: the native matmul or conv2d, then the bias and the
// activation applied in place by the addon's elementwise kernels (one pass each, no new arrays).
// An activation the addon lacks falls back to the reference epilogue.
import type { Kernel, KernelTensor, OutSpec } from '../backend.js';
import { applyEpilogue, type FusedLinearAttrs } from '../../jit/fused-ops.js';
import type { TypedArray } from '../../tensor/dtype.js';
import type { NativeAddon } from './load-addon.js';
import type { ArgWriter } from './kernel-table.js';
import type { AnyKernel } from './kernel-table.js';
import { hostArrays, type ArrayStore } from './array-store.js';
import { sizeOf } from '../../tensor/shape.js';
import type { PrepackedKernels } from './prepacked-kernels.js';


export function fusedLinearKernel(addon: NativeAddon, args: ArgWriter, base: { matmul: AnyKernel; conv2d: AnyKernel; prepacked?: PrepackedKernels['linear'] | undefined }, jsWork: () => void, store: ArrayStore = hostArrays): AnyKernel {
  const names = addon.opNames();
  const unaryCodes = new Map(names.unary.map((n, i) => [n, i]));
  const kernel = (inputs: readonly KernelTensor<TypedArray>[], attrs: FusedLinearAttrs, outs: readonly OutSpec[]): TypedArray[] => {
    const linear = attrs.base === 'conv2d' ? base.conv2d : base.matmul;
    if (attrs.base !== 'conv2d' && attrs.base !== 'matmul') throw new Error(`fusedLinear: unknown base op '${attrs.base}'`);
    const bias = attrs.hasBias ? inputs[2]! : null;
    const act = attrs.activation === null ? undefined : unaryCodes.get(attrs.activation);
    const last = outs[0]!.shape.length ? outs[0]!.shape[outs[0]!.shape.length - 1]! : 1;
    const floatType = attrs.dtype === 'float32' || attrs.dtype === 'float64';
    // A prepacked matmul or conv with a bias of the output's width: the GEMM (or the conv's Winograd
    // output transform) adds it (and activates) per block, instead of a pass over the whole output.
    if (attrs.prepacked && base.prepacked && bias && floatType && bias.dtype === attrs.dtype && sizeOf(bias.shape) === last && (attrs.activation === null || act !== undefined)) {
      return [base.prepacked(attrs.base, inputs, attrs.baseAttrs, outs[0]!, { bias: bias.data, act: act ?? -1 })];
    }
    // A prepacked weight (the last input) goes with the unpacked one to the addon's variant.
    const out =
      attrs.prepacked && base.prepacked
        ? base.prepacked(attrs.base, inputs, attrs.baseAttrs, outs[0]!)
        : (linear as unknown as Kernel<unknown, TypedArray>)(inputs.slice(0, 2), attrs.baseAttrs, outs)[0]!;
    const outType = store.dtypeOf(out);
    const floatOut = outType === 'float32' || outType === 'float64';
    if (!floatOut || (attrs.activation !== null && act === undefined) || (bias && bias.dtype !== attrs.dtype)) {
      jsWork();
      applyEpilogue(store.host(out), bias ? store.host(bias.data) : null, attrs.activation, attrs.dtype);
      return [out];
    }
    if (bias) {
      // One pass: the bias add and the activation per cache-sized block of rows, in place.
      args.begin().int(out.length / Math.max(1, last)).int(last);
      addon.biasActivation(act ?? -1, out, bias.data);
    } else if (act !== undefined) addon.unary(act, out, out);
    return [out];
  };
  return kernel as unknown as AnyKernel;
}
