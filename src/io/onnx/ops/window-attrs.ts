// Spatial attributes shared by ONNX's Conv, ConvTranspose and pooling (kernel_shape, strides,
// dilations, pads, auto_pad) resolved for 1-D or 2-D inputs. ONNX is channels-first (NCHW), and so
// are the nabla ops the importer maps onto (dataFormat 'channelsFirst'): a 1-D input only gains a
// unit height.
import { ShapeError, fmtShape } from '../../../errors.js';
import { expandDims, squeeze } from '../../../ops/primitives/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { NodeAttributes } from '../node-context.js';
import { assertSize } from '../op-table.js';

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** top, bottom, left, right */
  pads: [number, number, number, number];
}

/** Reject windows of more than `maxRank` axes at load (Conv, ConvTranspose and pooling: 3, handled in volume-ops.ts). */
export function checkSpatialRank(attrs: NodeAttributes, maxRank = 2): void {
  const k = attrs.ints('kernel_shape');
  if (k && k.length > maxRank) attrs.unsupported(`a ${k.length}-D window (kernel_shape ${JSON.stringify(k)}); only 1-D to ${maxRank}-D are`);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (!['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'].includes(autoPad)) attrs.unsupported(`auto_pad '${autoPad}'`);
}

/** A per-axis attribute widened to [h, w] (1-D: height 1). */
function pairOf(v: number[] | undefined, spatial: number, dflt: number, name: string, where: string): [number, number] {
  if (v === undefined || v.length === 0) return [dflt, dflt];
  if (v.length !== spatial) throw new ShapeError(`onnx: ${where}: ${name} ${JSON.stringify(v)} should have ${spatial} entries`);
  return spatial === 1 ? [1, v[0]!] : [v[0]!, v[1]!];
}

/** The window of a node over an input with spatial dims `inHW` (already widened to 2-D). */
export function windowOf(attrs: NodeAttributes, kernel: [number, number], inHW: [number, number], spatial: number, defaultStride = 1): Window {
  const where = attrs.where;
  const strides = pairOf(attrs.ints('strides'), spatial, defaultStride, 'strides', where);
  const dilations = pairOf(attrs.ints('dilations'), spatial, 1, 'dilations', where);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  if (autoPad === 'NOTSET') {
    const p = attrs.ints('pads') ?? [];
    if (p.length === 0) pads = [0, 0, 0, 0];
    else if (p.length !== 2 * spatial) throw new ShapeError(`onnx: ${where}: pads ${JSON.stringify(p)} should have ${2 * spatial} entries`);
    else pads = spatial === 1 ? [0, 0, p[0]!, p[1]!] : [p[0]!, p[2]!, p[1]!, p[3]!];
    if (pads.some((v) => v < 0)) throw new ShapeError(`onnx: ${where}: negative pads ${JSON.stringify(p)}`);
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else {
    const axis = (i: 0 | 1): [number, number] => {
      const out = Math.ceil(inHW[i] / strides[i]);
      const total = Math.max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inHW[i], 0);
      const small = Math.floor(total / 2);
      return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
    };
    pads = [...axis(0), ...axis(1)];
  }
  assertSize(where, [inHW[0] + pads[0] + pads[1], inHW[1] + pads[2] + pads[3]]);
  return { kernel, strides, dilations, pads };
}

/** NCHW input as is, NCW with a unit height ([N, C, 1, W]); `spatial` is 1 or 2. */
export function asNCHW(x: Tensor, where: string): { t: Tensor; spatial: number } {
  if (x.rank === 3) return { t: expandDims(x, 2), spatial: 1 };
  if (x.rank === 4) return { t: x, spatial: 2 };
  throw new ShapeError(`onnx: ${where}: input must be [N, C, W] or [N, C, H, W], got shape ${fmtShape(x.shape)}`);
}

/** An NCHW result back to the input's rank (NCW when `spatial` is 1). */
export function fromNCHW(y: Tensor, spatial: number): Tensor {
  return spatial === 1 ? squeeze(y, 2) : y;
}
