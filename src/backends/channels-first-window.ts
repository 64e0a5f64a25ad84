// Channels-first conv and pool kernels on backends whose window kernels loop over channels-last
// images (native, wasm, webgpu): inside the kernel call, the image operands are permuted to NHWC
// scratch by the backend's own strided copy, the channels-last kernel runs, and an image result is
// permuted back. The graph never sees a transpose, and the jit records the copies with the kernel.
import type { DType } from '../tensor/dtype.js';
import type { KernelTensor, OutSpec } from './backend.js';
import { lastShape, permuteStrides } from '../ops/primitives/channels-first.js';

/** Which inputs of each window primitive are images (the rest are filters), and whether its output is one. */
export const WINDOW_IMAGES = {
  conv2d: { inputs: [0], output: true },
  conv2dBackpropInput: { inputs: [0], output: true },
  conv2dBackpropFilter: { inputs: [0, 1], output: false },
  maxPool: { inputs: [0], output: true },
  maxPoolGrad: { inputs: [0, 1], output: true },
  maxPoolGradGrad: { inputs: [0, 1], output: true },
  avgPool: { inputs: [0], output: true },
  avgPoolGrad: { inputs: [0], output: true },
} as const satisfies Record<string, { inputs: readonly number[]; output: boolean }>;

export type WindowOp = keyof typeof WINDOW_IMAGES;

/** A strided copy: `data` read with `strides` (elements) into a new contiguous array of `shape`. */
export type StridedCopy<H> = (data: H, dtype: DType, shape: readonly number[], strides: readonly number[]) => H;

type Call<H> = (inputs: readonly KernelTensor<H>[], attrs: Record<string, unknown>, outs: readonly OutSpec[]) => H[];

/**
 * Run `call` (a channels-last window kernel) for op `op`: as is unless `attrs.channelsFirst`,
 * otherwise on NHWC copies of the image operands, returning the result in NCHW.
 * `release` frees a scratch array the backend will not collect by itself.
 */
export function runWindowKernel<H>(
  op: WindowOp,
  inputs: readonly KernelTensor<H>[],
  attrs: Record<string, unknown>,
  outs: readonly OutSpec[],
  call: Call<H>,
  copy: StridedCopy<H>,
  release: (h: H) => void = () => {},
): H[] {
  if (!attrs.channelsFirst) return call(inputs, attrs, outs);
  const spec = WINDOW_IMAGES[op];
  const scratch: H[] = [];
  const toLast = (t: KernelTensor<H>): KernelTensor<H> => {
    const { outShape, strides } = permuteStrides(t.shape, true);
    const data = copy(t.data, t.dtype, outShape, strides);
    scratch.push(data);
    return { data, shape: outShape, dtype: t.dtype };
  };
  const ins = inputs.map((t, i) => ((spec.inputs as readonly number[]).includes(i) ? toLast(t) : t));
  const { channelsFirst: _cf, ...rest } = attrs;
  const lastAttrs = Array.isArray(rest.inputShape) ? { ...rest, inputShape: lastShape(rest.inputShape as number[], true) } : rest;
  const out = outs[0]!;
  const lastOut = spec.output ? { shape: lastShape(out.shape, true), dtype: out.dtype } : out;
  const [y] = call(ins, lastAttrs, [lastOut]);
  if (!spec.output) {
    for (const s of scratch) release(s);
    return [y!];
  }
  const { outShape, strides } = permuteStrides(lastOut.shape, false);
  const result = copy(y!, out.dtype, outShape, strides);
  for (const s of [...scratch, y!]) release(s);
  return [result];
}
