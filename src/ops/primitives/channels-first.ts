// Channels-first (NCHW) images for the conv and pool primitives. A primitive with
// `channelsFirst: true` takes and returns images as [n, c, h, w]; filters keep nabla's
// [kh, kw, in, out] layout. The kernels run their channels-last loops on a channels-last copy made
// inside the kernel, so a graph never holds a transpose around the op.
import { ValueError } from '../../errors.js';
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';

/** Where an image's channel axis sits: last ([n, h, w, c], the default) or first after the batch ([n, c, h, w]). */
export type DataFormat = 'channelsLast' | 'channelsFirst';

/** Whether `dataFormat` (an op or layer option) is channels-first; throws on anything but the two names. */
export function isChannelsFirst(op: string, dataFormat: unknown): boolean {
  if (dataFormat === undefined || dataFormat === 'channelsLast') return false;
  if (dataFormat === 'channelsFirst') return true;
  throw new ValueError(`${op}: dataFormat must be 'channelsLast' or 'channelsFirst', got ${JSON.stringify(dataFormat)}`);
}

/** A rank-4 image shape as channels-last: [n, c, h, w] -> [n, h, w, c] when `channelsFirst`. */
export function lastShape(shape: readonly number[], channelsFirst: boolean | undefined): number[] {
  return channelsFirst ? [shape[0]!, shape[2]!, shape[3]!, shape[1]!] : [...shape];
}

/** A channels-last shape [n, h, w, c] in the op's layout ([n, c, h, w] when `channelsFirst`). */
export function layoutShape(nhwc: readonly number[], channelsFirst: boolean | undefined): number[] {
  return channelsFirst ? [nhwc[0]!, nhwc[3]!, nhwc[1]!, nhwc[2]!] : [...nhwc];
}

/** Source strides, per axis of the permuted result, that read an NCHW array as NHWC (or back). */
export function permuteStrides(shape: readonly number[], toLast: boolean): { outShape: number[]; strides: number[] } {
  if (toLast) {
    const [, c, h, w] = shape as [number, number, number, number];
    return { outShape: [shape[0]!, h, w, c], strides: [c * h * w, w, 1, h * w] };
  }
  const [, h, w, c] = shape as [number, number, number, number];
  return { outShape: [shape[0]!, c, h, w], strides: [h * w * c, 1, w * c, c] };
}

function permute(data: TypedArray, shape: readonly number[], toLast: boolean, dtype: DType): TypedArray {
  const { outShape, strides } = permuteStrides(shape, toLast);
  const [d0, d1, d2, d3] = outShape as [number, number, number, number];
  const [s0, s1, s2, s3] = strides as [number, number, number, number];
  const out = allocArray(dtype, data.length);
  let k = 0;
  for (let a = 0; a < d0; a++) {
    for (let b = 0; b < d1; b++) {
      for (let c = 0; c < d2; c++) {
        const base = a * s0 + b * s1 + c * s2;
        for (let d = 0; d < d3; d++) out[k++] = data[base + d * s3]!;
      }
    }
  }
  return out;
}

/** NCHW data of `shape` as NHWC (the reference kernels' layout). */
export function toLastData(data: TypedArray, nchw: readonly number[], dtype: DType): TypedArray {
  return permute(data, nchw, true, dtype);
}

/** NHWC data of `shape` as NCHW. */
export function toFirstData(data: TypedArray, nhwc: readonly number[], dtype: DType): TypedArray {
  return permute(data, nhwc, false, dtype);
}
