// TF.js passes window and distribution settings positionally (`tf.conv2d(x, f, 2, 'same')`,
// `tf.randomUniform([3], 5, 10)`) where nabla takes an options object. Code ported from TF.js used
// to run with the defaults, silently: these helpers turn the TF.js form into nabla's options where
// it is unambiguous, and reject what nabla cannot honour (or extra arguments) with an error that
// shows nabla's form.
import { ValueError } from '../errors.js';
import type { Pair, Padding } from './primitives/conv-geometry.js';

/** TF.js's `pad` argument of a convolution. */
export type TfPad = 'valid' | 'same' | number | readonly (readonly [number, number])[];

/** An options object as nabla takes it (or nothing). */
function isOptions(v: unknown): boolean {
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
}

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v) ?? String(v);
}

/** Throws unless every argument in `rest` is absent. */
export function noMoreArguments(op: string, rest: readonly unknown[], nablaForm: string): void {
  const extra = rest.findIndex((v) => v !== undefined);
  if (extra >= 0) {
    throw new ValueError(`${op}: unexpected argument ${show(rest[extra])} after the options; nabla's form is ${nablaForm}`);
  }
}

/** The options object of a call whose options come last: `args` are the arguments from there on. */
export function optionsOnly<T>(op: string, args: readonly unknown[], nablaForm: string): T {
  const [opts, ...rest] = args;
  if (!isOptions(opts)) throw new ValueError(`${op}: expected an options object, got ${show(opts)}; nabla's form is ${nablaForm}`);
  noMoreArguments(op, rest, nablaForm);
  return (opts ?? {}) as T;
}

/** TF.js's `pad` (a string, a number for every side, or NHWC [[0, 0], [t, b], [l, r], [0, 0]]) as nabla's padding. */
function padding(op: string, pad: unknown, spatial: 1 | 2): Padding | readonly [number, number] | undefined {
  if (pad === undefined || pad === 'valid' || pad === 'same') return pad;
  if (typeof pad === 'number') return spatial === 2 ? [[pad, pad], [pad, pad]] : [pad, pad];
  if (Array.isArray(pad) && pad.length === spatial + 2) {
    const [first, ...inner] = pad as [number, number][];
    const last = inner.pop()!;
    if ([first, last].every((p) => Array.isArray(p) && p[0] === 0 && p[1] === 0)) return spatial === 2 ? inner : inner[0];
  }
  throw new ValueError(`${op}: TF.js padding ${show(pad)} is not supported; use 'valid', 'same', a number, or explicit padding of the spatial axes`);
}

/** TF.js's dataFormat ('NHWC'/'NWC' or 'NCHW'/'NCW') as nabla's: true for channels first. */
function channelsFirst(op: string, dataFormat: unknown, accepted: string): boolean {
  const first = accepted === 'NWC' ? 'NCW' : 'NCHW';
  if (dataFormat === undefined || dataFormat === accepted) return false;
  if (dataFormat === first) return true;
  throw new ValueError(`${op}: dataFormat ${show(dataFormat)} is not supported: expected '${accepted}' or '${first}'`);
}

function noRoundingMode(op: string, mode: unknown): void {
  if (mode !== undefined) throw new ValueError(`${op}: dimRoundingMode is not supported (explicit padding gives the same control)`);
}

export interface TfConvOrder {
  /** Where dilations sit among the arguments after pad: TF.js's separableConv2d has them before dataFormat. */
  dilationsFirst?: boolean;
  /** The channels-last dataFormat ('NHWC', or 'NWC' for conv1d; 'NCHW'/'NCW' are accepted too). */
  dataFormat: string;
  spatial: 1 | 2;
  /** TF.js's conv2dTranspose takes no dataFormat or dilations. */
  onlyRounding?: boolean;
}

/**
 * Options of a convolution called either nabla's way (`options` last) or TF.js's way (`strides,
 * pad, dataFormat, dilations, dimRoundingMode`; order per `order`).
 */
export function convOptions<T>(op: string, args: readonly unknown[], nablaForm: string, order: TfConvOrder): T {
  const [first, ...rest] = args;
  if (isOptions(first)) return optionsOnly<T>(op, args, nablaForm);
  if (typeof first !== 'number' && !Array.isArray(first)) {
    throw new ValueError(`${op}: expected an options object (or TF.js's strides), got ${show(first)}; nabla's form is ${nablaForm}`);
  }
  const [pad, a, b, c, ...extra] = rest;
  let dataFormat: unknown;
  let dilations: unknown;
  let rounding: unknown;
  if (order.onlyRounding) {
    rounding = a;
    noMoreArguments(op, [b, c, ...extra], nablaForm);
  } else {
    [dataFormat, dilations] = order.dilationsFirst ? [b, a] : [a, b];
    rounding = c;
    noMoreArguments(op, extra, nablaForm);
  }
  const cf = channelsFirst(op, dataFormat, order.dataFormat);
  noRoundingMode(op, rounding);
  const opts: Record<string, unknown> = { strides: first as Pair, padding: padding(op, pad, order.spatial) };
  if (cf) opts.dataFormat = 'channelsFirst';
  if (dilations !== undefined) opts.dilations = dilations;
  return opts as T;
}

/** Options of a 2-D pool called nabla's way or TF.js's (`filterSize, strides, pad, dimRoundingMode`). */
export function poolOptions<T>(op: string, args: readonly unknown[], nablaForm: string): T {
  const [first, strides, pad, rounding, ...extra] = args;
  if (isOptions(first)) return optionsOnly<T>(op, args, nablaForm);
  if (typeof first !== 'number' && !Array.isArray(first)) {
    throw new ValueError(`${op}: expected an options object (or TF.js's filterSize), got ${show(first)}; nabla's form is ${nablaForm}`);
  }
  noMoreArguments(op, extra, nablaForm);
  noRoundingMode(op, rounding);
  if (pad !== undefined && pad !== 'valid' && pad !== 'same') {
    throw new ValueError(`${op}: padding must be 'valid' or 'same', got ${show(pad)}`);
  }
  return { poolSize: first, strides: strides ?? first, padding: pad } as T;
}

/**
 * Options of a random op called nabla's way (`shape, options`) or TF.js's (`shape, a, b, dtype,
 * seed`, where a and b are named by `names`: min/max or mean/stddev).
 */
export function randomOptions<T>(op: string, args: readonly unknown[], names: readonly [string, string], nablaForm: string): T {
  const [first] = args;
  if (isOptions(first)) return optionsOnly<T>(op, args, nablaForm);
  const [a, b, dtype, seed, ...extra] = args;
  if (typeof a !== 'number' || (b !== undefined && typeof b !== 'number')) {
    throw new ValueError(`${op}: expected an options object (or TF.js's numbers ${names.join(', ')}), got ${show(a)}; nabla's form is ${nablaForm}`);
  }
  noMoreArguments(op, extra, nablaForm);
  const opts: Record<string, unknown> = { [names[0]]: a };
  if (b !== undefined) opts[names[1]] = b;
  if (dtype !== undefined) opts.dtype = dtype;
  if (seed !== undefined) opts.seed = seed;
  return opts as T;
}

/** TF.js's trailing positional arguments as the named options of nabla's form; more than `names` is an error. */
export function positional<T>(args: readonly unknown[], names: readonly string[], op: string, nablaForm: string): T {
  noMoreArguments(op, args.slice(names.length), nablaForm);
  const opts: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (args[i] !== undefined) opts[name] = args[i];
  });
  return opts as T;
}
