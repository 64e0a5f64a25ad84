// Reference kernels of 2-D (grouped) convolution over NHWC inputs and [kh, kw, in/groups, out]
// filters. Each walks output pixels once and, per filter tap that lands inside the input, runs a
// tight loop over contiguous channels: im2col without materialising the patch matrix.
import type { TypedArray } from '../../tensor/dtype.js';
import type { Window2D } from './conv-geometry.js';

/** Every size a convolution kernel needs, derived once from the shapes and attributes. */
export interface ConvGeometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  /** Input channels. */
  readonly c: number;
  readonly oh: number;
  readonly ow: number;
  /** Output channels. */
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly groups: number;
  readonly win: Window2D;
}

/** Sizes from the input shape [n, h, w, c], filter shape [kh, kw, c/groups, o] and output shape [n, oh, ow, o]. */
export function convGeometry(
  xShape: readonly number[],
  fShape: readonly number[],
  yShape: readonly number[],
  groups: number,
  win: Window2D,
): ConvGeometry {
  return {
    n: xShape[0]!,
    h: xShape[1]!,
    w: xShape[2]!,
    c: xShape[3]!,
    oh: yShape[1]!,
    ow: yShape[2]!,
    o: yShape[3]!,
    kh: fShape[0]!,
    kw: fShape[1]!,
    groups,
    win,
  };
}

/**
 * Visit every (output pixel, filter tap) pair whose tap lands inside the input:
 * `visit(xOffset, yOffset, fOffset)` gets the element offsets of the input pixel's channel 0, the
 * output pixel's channel 0 and the tap's filter row block.
 */
function forEachTap(g: ConvGeometry, visit: (xOff: number, yOff: number, fOff: number) => void): void {
  const { n, h, w, c, oh, ow, o, kh, kw, groups } = g;
  const [sh, sw] = g.win.strides;
  const [dh, dw] = g.win.dilations;
  const top = g.win.pads[0];
  const left = g.win.pads[2];
  const tapBlock = (c / groups) * o;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const yOff = ((b * oh + i) * ow + j) * o;
        for (let p = 0; p < kh; p++) {
          const ih = i * sh - top + p * dh;
          if (ih < 0 || ih >= h) continue;
          for (let q = 0; q < kw; q++) {
            const iw = j * sw - left + q * dw;
            if (iw < 0 || iw >= w) continue;
            visit(((b * h + ih) * w + iw) * c, yOff, (p * kw + q) * tapBlock);
          }
        }
      }
    }
  }
}

/** y[n, i, j, o] = sum over taps and the group's input channels of x * f. `y` must be zero-filled. */
export function conv2dKernel(x: TypedArray, f: TypedArray, g: ConvGeometry, y: Float64Array): void {
  const { c, o, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  forEachTap(g, (xOff, yOff, fOff) => {
    for (let gi = 0; gi < groups; gi++) {
      const yg = yOff + gi * og;
      for (let ci = 0; ci < cg; ci++) {
        const xv = x[xOff + gi * cg + ci]!;
        const fRow = fOff + ci * o + gi * og;
        for (let k = 0; k < og; k++) y[yg + k]! += xv * f[fRow + k]!;
      }
    }
  });
}

/** dx = adjoint of conv2d in x: scatter dy back through every tap. `dx` must be zero-filled. */
export function conv2dInputGradKernel(dy: TypedArray, f: TypedArray, g: ConvGeometry, dx: Float64Array): void {
  const { c, o, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  forEachTap(g, (xOff, yOff, fOff) => {
    for (let gi = 0; gi < groups; gi++) {
      const yg = yOff + gi * og;
      for (let ci = 0; ci < cg; ci++) {
        const fRow = fOff + ci * o + gi * og;
        let s = 0;
        for (let k = 0; k < og; k++) s += dy[yg + k]! * f[fRow + k]!;
        dx[xOff + gi * cg + ci]! += s;
      }
    }
  });
}

/** df = adjoint of conv2d in f: correlate x with dy over every output pixel. `df` must be zero-filled. */
export function conv2dFilterGradKernel(x: TypedArray, dy: TypedArray, g: ConvGeometry, df: Float64Array): void {
  const { c, o, groups } = g;
  const cg = c / groups;
  const og = o / groups;
  forEachTap(g, (xOff, yOff, fOff) => {
    for (let gi = 0; gi < groups; gi++) {
      const yg = yOff + gi * og;
      for (let ci = 0; ci < cg; ci++) {
        const xv = x[xOff + gi * cg + ci]!;
        const fRow = fOff + ci * o + gi * og;
        for (let k = 0; k < og; k++) df[fRow + k]! += xv * dy[yg + k]!;
      }
    }
  });
}
