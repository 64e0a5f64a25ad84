// Window geometry shared by convolution and pooling: option parsing, TensorFlow's 'valid'/'same'
// padding rules, and output sizes. Primitives carry the resolved explicit padding in their
// attributes, so kernels and gradients never need to know which rule produced it.
import { ShapeError, ValueError, fmtShape } from '../../errors.js';

/** A per-axis option given once for both spatial axes or as [height, width]. */
export type Pair = number | readonly [number, number];

/**
 * 'valid' (no padding), 'same' (output size ceil(in / stride), padding split with the extra cell
 * after, like TensorFlow), or explicit [[top, bottom], [left, right]] (the NHWC form
 * [[0, 0], [top, bottom], [left, right], [0, 0]] is accepted too).
 */
export type Padding = 'valid' | 'same' | readonly (readonly [number, number])[];

/** Resolved sliding-window geometry over the two spatial axes of an NHWC tensor. */
export interface Window2D {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** Explicit padding: top, bottom, left, right. */
  readonly pads: readonly [number, number, number, number];
}

/** `v` as [h, w] of positive integers; `name` is the option's name for the error. */
export function pairOf(op: string, name: string, v: Pair | undefined, dflt: number): [number, number] {
  const p: readonly unknown[] | null = v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : Array.isArray(v) ? v : null;
  if (!p || p.length !== 2 || !p.every((d) => Number.isInteger(d) && (d as number) > 0)) {
    throw new ValueError(`${op}: ${name} must be a positive integer or a pair [height, width] of them, got ${JSON.stringify(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

/** Padding of one axis for TensorFlow's 'same' rule: output ceil(in / stride), extra cell at the end. */
function samePads(inSize: number, effectiveWindow: number, stride: number): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + effectiveWindow - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * Explicit [top, bottom, left, right] padding for an input of spatial size `inHW` and a window of
 * `windowHW` cells spaced by `dilations`.
 */
export function resolvePads(
  op: string,
  padding: Padding | undefined,
  inHW: readonly [number, number],
  windowHW: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
): [number, number, number, number] {
  const p = padding ?? 'valid';
  if (p === 'valid') return [0, 0, 0, 0];
  if (p === 'same') {
    const [t, b] = samePads(inHW[0], effectiveSize(windowHW[0], dilations[0]), strides[0]);
    const [l, r] = samePads(inHW[1], effectiveSize(windowHW[1], dilations[1]), strides[1]);
    return [t, b, l, r];
  }
  if (Array.isArray(p)) {
    const spatial = p.length === 4 ? p.slice(1, 3) : p;
    const outerZero = p.length !== 4 || [p[0], p[3]].every((q) => Array.isArray(q) && q[0] === 0 && q[1] === 0);
    const ok =
      outerZero &&
      spatial.length === 2 &&
      spatial.every((q) => Array.isArray(q) && q.length === 2 && q.every((v) => Number.isInteger(v) && v >= 0));
    if (ok) return [spatial[0]![0], spatial[0]![1], spatial[1]![0], spatial[1]![1]];
  }
  throw new ValueError(
    `${op}: padding must be 'valid', 'same' or [[top, bottom], [left, right]] of non-negative integers, got ${JSON.stringify(padding)}`,
  );
}

/** Cells spanned by a window of `k` taps spaced `dilation` apart. */
export function effectiveSize(k: number, dilation: number): number {
  return (k - 1) * dilation + 1;
}

/** Output length of one axis; throws when the (padded) input is smaller than the window. */
export function outSize(op: string, inSize: number, k: number, stride: number, dilation: number, padBefore: number, padAfter: number): number {
  const span = inSize + padBefore + padAfter - effectiveSize(k, dilation);
  if (span < 0) {
    throw new ShapeError(
      `${op}: the window (${k} taps, dilation ${dilation}) spans ${effectiveSize(k, dilation)} cells, more than the padded input size ${inSize + padBefore + padAfter}`,
    );
  }
  return Math.floor(span / stride) + 1;
}

/** Output [oh, ow] of a window over an NHWC input shape. */
export function outHW(op: string, inShape: readonly number[], windowHW: readonly [number, number], w: Window2D): [number, number] {
  return [
    outSize(op, inShape[1]!, windowHW[0], w.strides[0], w.dilations[0], w.pads[0], w.pads[1]),
    outSize(op, inShape[2]!, windowHW[1], w.strides[1], w.dilations[1], w.pads[2], w.pads[3]),
  ];
}

/** Throw unless `shape` is an image batch of rank 4: NHWC, or NCHW when `channelsFirst`. */
export function assertNHWC(op: string, what: string, shape: readonly number[], channelsFirst = false): void {
  if (shape.length !== 4) {
    const layout = channelsFirst ? '[batch, channels, height, width]' : '[batch, height, width, channels]';
    throw new ShapeError(`${op}: ${what} must have rank 4 ${layout}, got shape ${fmtShape(shape)}`);
  }
}
