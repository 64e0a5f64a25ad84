// Native kernels of the index and structure primitives (native/src/index-kernels.h): shapes and
// attributes go into the shared argument buffer as numbers, the tensors as typed arrays.
import type { KernelTensor, OutSpec } from '../backend.js';
import type { OpDef } from '../../ops/define-op.js';
import { gatherOp, unsortedSegmentSumOp, type GatherAttrs, type SegmentSumAttrs } from '../../ops/primitives/indexing.js';
import { gatherNDOp, scatterNDOp, tensorScatterUpdateOp, type ScatterNDAttrs } from '../../ops/primitives/gather-nd.js';
import { concatOp, type ConcatAttrs } from '../../ops/primitives/structure.js';
import { padOp, type PadAttrs } from '../../ops/primitives/shape.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { sizeOf } from '../../tensor/shape.js';
import { hostArrays, onStore, type ArrayStore } from './array-store.js';
import type { NativeAddon } from './load-addon.js';
import { kernel, opCode, requireEntries, type AnyKernel, type ArgWriter } from './kernel-table.js';

type Inputs = readonly KernelTensor<TypedArray>[];
type NoAttrs = Record<string, never>;

export type IndexOpName = 'gather' | 'unsortedSegmentSum' | 'gatherND' | 'scatterND' | 'tensorScatterUpdate' | 'concat' | 'pad' | 'copy';


/** concat writes two numbers and one per input into the argument buffer (1024 numbers). */
const MAX_CONCAT_INPUTS = 1000;

/**
 * Run `call` (one addon call). The addon checks every index and rejects a bad one with the
 * reference's wording, but as a plain Error; the reference kernel then runs on the same inputs
 * so eager code gets the reference's own ValueError. Any other failure is rethrown as it was.
 */
function withReferenceErrors<A>(store: ArrayStore, op: OpDef<A>, inputs: Inputs, attrs: A, outs: readonly OutSpec[], call: () => void): void {
  try {
    call();
  } catch (e) {
    onStore(store, op.ref!)(inputs, attrs, outs);
    throw e;
  }
}

/** The index and structure kernels; throws if the addon predates them. */
export function indexKernels(addon: NativeAddon, args: ArgWriter, jsWork: () => void, store: ArrayStore = hostArrays): Record<IndexOpName, AnyKernel> {
  const allocOutput = store.alloc;
  requireEntries(addon, ['gather', 'indexND', 'concat', 'pad']);

  const gatherLike = <A extends GatherAttrs>(name: 'gather' | 'unsortedSegmentSum', op: OpDef<A>, extra: (attrs: A) => number[]): AnyKernel =>
    kernel<A>((inputs, attrs, outs) => {
      const [x, indices] = inputs;
      const out = allocOutput(outs[0]!.dtype, sizeOf(outs[0]!.shape));
      args.begin().shape(name, x!.shape).shape(name, indices!.shape).int(attrs.axis).int(attrs.batchDims);
      for (const v of extra(attrs)) args.int(v);
      withReferenceErrors(store, op, inputs, attrs, outs, () => addon.gather(opCode(addon, 'gather', name), x!.data, indices!.data, out));
      return [out];
    });

  /** `indexed`: the shape the indices address; `arrays`: the addon's buffers before the output. */
  const indexND = <A>(name: 'gatherND' | 'scatterND' | 'tensorScatterUpdate', op: OpDef<A>, indexed: (inputs: Inputs, attrs: A) => readonly number[], indicesAt: number): AnyKernel =>
    kernel<A>((inputs, attrs, outs) => {
      const out = allocOutput(outs[0]!.dtype, sizeOf(outs[0]!.shape));
      args.begin().shape(name, indexed(inputs, attrs)).shape(name, inputs[indicesAt]!.shape);
      const arrays = inputs.map((t) => t.data);
      withReferenceErrors(store, op, inputs, attrs, outs, () => addon.indexND(opCode(addon, 'indexND', name), ...arrays, out));
      return [out];
    });

  const concat = kernel<ConcatAttrs>((inputs, attrs, outs) => {
    if (inputs.length > MAX_CONCAT_INPUTS) {
      jsWork();
      return onStore(store, concatOp.ref!)(inputs, attrs, outs);
    }
    const o = outs[0]!;
    const out = allocOutput(o.dtype, sizeOf(o.shape));
    args.begin().int(sizeOf(o.shape.slice(0, attrs.axis))).int(inputs.length);
    for (const x of inputs) args.int(sizeOf(x.shape.slice(attrs.axis)));
    addon.concat(...inputs.map((x) => x.data), out);
    return [out];
  });

  const pad = kernel<PadAttrs>(([x], attrs, outs) => {
    const out = allocOutput(outs[0]!.dtype, sizeOf(outs[0]!.shape));
    args.begin().int(attrs.value).shape('pad', x!.shape);
    for (const [before, after] of attrs.paddings) args.int(before).int(after);
    addon.pad(x!.data, out);
    return [out];
  });

  // A contiguous copy: the materialize entry over a one-dimensional view (a parallel memcpy).
  const copy = kernel<NoAttrs>(([x]) => {
    const out = allocOutput(x!.dtype, x!.data.length);
    args.begin().shape('copy', [x!.data.length]).int(1).int(0);
    addon.materialize(x!.data, out);
    return [out];
  });

  return {
    gather: gatherLike('gather', gatherOp, () => []),
    unsortedSegmentSum: gatherLike<SegmentSumAttrs>('unsortedSegmentSum', unsortedSegmentSumOp, (attrs) => [attrs.numSegments]),
    gatherND: indexND('gatherND', gatherNDOp, ([x]) => x!.shape, 1),
    scatterND: indexND<ScatterNDAttrs>('scatterND', scatterNDOp, (_inputs, attrs) => attrs.shape, 0),
    tensorScatterUpdate: indexND('tensorScatterUpdate', tensorScatterUpdateOp, ([t]) => t!.shape, 1),
    concat,
    pad,
    copy,
  };
}
