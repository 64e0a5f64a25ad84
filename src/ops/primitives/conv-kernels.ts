// Reference kernels of 2-D (grouped) convolution over NHWC inputs and [kh, kw, in/groups, out]
// filters: im2col without materialising the patch matrix. Each kernel is one explicit loop nest
// (no per-tap callbacks, which V8 would not inline once three kernels share them) whose innermost
// loop runs over contiguous channels.
import { allocArray, type DType, type TypedArray } from '../../tensor/dtype.js';
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
  /** Strides, dilations, and the padding above and left of the input, from `win`. */
  readonly sh: number;
  readonly sw: number;
  readonly dh: number;
  readonly dw: number;
  readonly top: number;
  readonly left: number;
  /** Input and output channels per group. */
  readonly cg: number;
  readonly og: number;
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
    sh: win.strides[0],
    sw: win.strides[1],
    dh: win.dilations[0],
    dw: win.dilations[1],
    top: win.pads[0],
    left: win.pads[2],
    cg: xShape[3]! / groups,
    og: yShape[3]! / groups,
  };
}

/** y[b, i, j, o] = sum over taps inside the input and the group's channels of x * f. */
export function conv2dKernel(x: TypedArray, f: TypedArray, g: ConvGeometry, dtype: DType): TypedArray {
  const { n, h, w, c, oh, ow, o, kh, kw, groups, sh, sw, dh, dw, top, left, cg, og } = g;
  const y = allocArray(dtype, n * oh * ow * o);
  const acc = new Float64Array(o);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        acc.fill(0);
        for (let p = 0; p < kh; p++) {
          const ih = i * sh - top + p * dh;
          if (ih < 0 || ih >= h) continue;
          for (let q = 0; q < kw; q++) {
            const iw = j * sw - left + q * dw;
            if (iw < 0 || iw >= w) continue;
            const xOff = ((b * h + ih) * w + iw) * c;
            const fOff = (p * kw + q) * cg * o;
            for (let gi = 0; gi < groups; gi++) {
              const a0 = gi * og;
              const x0 = xOff + gi * cg;
              let ci = 0;
              // Four input channels per pass: a quarter of the loads and stores of acc.
              for (; ci + 4 <= cg; ci += 4) {
                const v0 = x[x0 + ci]!;
                const v1 = x[x0 + ci + 1]!;
                const v2 = x[x0 + ci + 2]!;
                const v3 = x[x0 + ci + 3]!;
                const r0 = fOff + ci * o + a0;
                const r1 = r0 + o;
                const r2 = r1 + o;
                const r3 = r2 + o;
                for (let k = 0; k < og; k++) acc[a0 + k]! += v0 * f[r0 + k]! + v1 * f[r1 + k]! + v2 * f[r2 + k]! + v3 * f[r3 + k]!;
              }
              for (; ci < cg; ci++) {
                const xv = x[x0 + ci]!;
                const fRow = fOff + ci * o + a0;
                for (let k = 0; k < og; k++) acc[a0 + k]! += xv * f[fRow + k]!;
              }
            }
          }
        }
        y.set(acc, ((b * oh + i) * ow + j) * o);
      }
    }
  }
  return y;
}

/**
 * dx = the adjoint of conv2d in x, gathered per input pixel: dx[b, ih, iw, ci] sums dy at every
 * output pixel whose window put tap (p, q) on (ih, iw), dotted with that tap's filter row.
 */
export function conv2dInputGradKernel(dy: TypedArray, f: TypedArray, g: ConvGeometry, dtype: DType): TypedArray {
  const { n, h, w, c, oh, ow, o, kh, kw, groups, sh, sw, dh, dw, top, left, cg, og } = g;
  const dx = allocArray(dtype, n * h * w * c);
  const acc = new Float64Array(c);
  for (let b = 0; b < n; b++) {
    for (let ih = 0; ih < h; ih++) {
      for (let iw = 0; iw < w; iw++) {
        acc.fill(0);
        for (let p = 0; p < kh; p++) {
          const ti = ih + top - p * dh;
          if (ti < 0 || ti % sh !== 0 || ti / sh >= oh) continue;
          const i = ti / sh;
          for (let q = 0; q < kw; q++) {
            const tj = iw + left - q * dw;
            if (tj < 0 || tj % sw !== 0 || tj / sw >= ow) continue;
            const yOff = ((b * oh + i) * ow + tj / sw) * o;
            const fOff = (p * kw + q) * cg * o;
            for (let gi = 0; gi < groups; gi++) {
              const yg = yOff + gi * og;
              const a0 = gi * cg;
              let ci = 0;
              // Four input channels per pass share each load of dy.
              for (; ci + 4 <= cg; ci += 4) {
                const r0 = fOff + ci * o + gi * og;
                const r1 = r0 + o;
                const r2 = r1 + o;
                const r3 = r2 + o;
                let s0 = 0;
                let s1 = 0;
                let s2 = 0;
                let s3 = 0;
                for (let k = 0; k < og; k++) {
                  const d = dy[yg + k]!;
                  s0 += d * f[r0 + k]!;
                  s1 += d * f[r1 + k]!;
                  s2 += d * f[r2 + k]!;
                  s3 += d * f[r3 + k]!;
                }
                acc[a0 + ci]! += s0;
                acc[a0 + ci + 1]! += s1;
                acc[a0 + ci + 2]! += s2;
                acc[a0 + ci + 3]! += s3;
              }
              for (; ci < cg; ci++) {
                const fRow = fOff + ci * o + gi * og;
                let s = 0;
                for (let k = 0; k < og; k++) s += dy[yg + k]! * f[fRow + k]!;
                acc[a0 + ci]! += s;
              }
            }
          }
        }
        dx.set(acc, ((b * h + ih) * w + iw) * c);
      }
    }
  }
  return dx;
}

/** df = the adjoint of conv2d in f: every output pixel adds x (at each tap) times dy into the filter. */
export function conv2dFilterGradKernel(x: TypedArray, dy: TypedArray, g: ConvGeometry, dtype: DType): TypedArray {
  const { n, h, w, c, oh, ow, o, kh, kw, groups, sh, sw, dh, dw, top, left, cg, og } = g;
  const df = new Float64Array(kh * kw * cg * o);
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
            const xOff = ((b * h + ih) * w + iw) * c;
            const fOff = (p * kw + q) * cg * o;
            for (let gi = 0; gi < groups; gi++) {
              const yg = yOff + gi * og;
              const x0 = xOff + gi * cg;
              let ci = 0;
              // Four input channels per pass share each load of dy.
              for (; ci + 4 <= cg; ci += 4) {
                const v0 = x[x0 + ci]!;
                const v1 = x[x0 + ci + 1]!;
                const v2 = x[x0 + ci + 2]!;
                const v3 = x[x0 + ci + 3]!;
                const r0 = fOff + ci * o + gi * og;
                const r1 = r0 + o;
                const r2 = r1 + o;
                const r3 = r2 + o;
                for (let k = 0; k < og; k++) {
                  const d = dy[yg + k]!;
                  df[r0 + k]! += v0 * d;
                  df[r1 + k]! += v1 * d;
                  df[r2 + k]! += v2 * d;
                  df[r3 + k]! += v3 * d;
                }
              }
              for (; ci < cg; ci++) {
                const xv = x[x0 + ci]!;
                const fRow = fOff + ci * o + gi * og;
                for (let k = 0; k < og; k++) df[fRow + k]! += xv * dy[yg + k]!;
              }
            }
          }
        }
      }
    }
  }
  const out = allocArray(dtype, df.length);
  out.set(df);
  return out;
}
