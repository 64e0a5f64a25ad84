import type { HistogramProto } from './event-proto.js';

/**
 * A histogram of `values` in `buckets` equal-width buckets between their min and max (TensorBoard
 * draws any bucket edges; equal widths keep each bucket's count readable).
 */
export function histogramOf(values: ArrayLike<number>, buckets = 30): HistogramProto {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSquares = 0;
  let num = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    num++;
    sum += v;
    sumSquares += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [0], bucket: [0] };
  const width = max > min ? (max - min) / buckets : 1;
  const count = max > min ? buckets : 1;
  const bucket = new Array<number>(count).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    bucket[Math.min(count - 1, Math.floor((v - min) / width))]!++;
  }
  const bucketLimit = bucket.map((_, i) => (i === count - 1 ? max : min + (i + 1) * width));
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}
