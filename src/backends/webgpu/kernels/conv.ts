// 2-D grouped convolution (NHWC, filters [kh, kw, c/groups, o]) and its two gradients, each as one
// invocation per output element gathering its sum, so no two invocations write one element.
import type { ConvAttrs } from '../../../ops/primitives/conv.js';
import { sizeOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel, type Binding } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

// meta: [total, n, h, w, c, oh, ow, o, kh, kw, groups, sh, sw, dh, dw, top, left]
const GEOMETRY = `  let n = M(1); let h = M(2); let w = M(3); let c = M(4);
  let oh = M(5); let ow = M(6); let o = M(7); let kh = M(8); let kw = M(9);
  let groups = M(10); let sh = M(11); let sw = M(12); let dh = M(13); let dw = M(14);
  let top = M(15); let left = M(16);
  let cg = c / groups; let og = o / groups;`;

function bindings(a: string, b: string): Binding[] {
  return [
    { name: a, type: 'f32', access: 'read' },
    { name: b, type: 'f32', access: 'read' },
    { name: 'out', type: 'f32', access: 'read_write' },
  ];
}

const FORWARD = perElementKernel(
  bindings('x', 'f'),
  `${GEOMETRY}
  let oc = i % o; let j = (i / o) % ow; let r = i / (o * ow); let oi = r % oh; let b = r / oh;
  let g = oc / og;
  var acc = 0.0;
  for (var p = 0; p < kh; p++) {
    let ih = oi * sh - top + p * dh;
    if (ih < 0 || ih >= h) { continue; }
    for (var q = 0; q < kw; q++) {
      let iw = j * sw - left + q * dw;
      if (iw < 0 || iw >= w) { continue; }
      let xo = ((b * h + ih) * w + iw) * c + g * cg;
      let fo = (p * kw + q) * cg * o + oc;
      for (var ci = 0; ci < cg; ci++) { acc += x[xo + ci] * f[fo + ci * o]; }
    }
  }
  out[i] = acc;`,
);

const INPUT_GRAD = perElementKernel(
  bindings('dy', 'f'),
  `${GEOMETRY}
  let cf = i % c; let iw = (i / c) % w; let r = i / (c * w); let ih = r % h; let b = r / h;
  let g = cf / cg; let ci = cf % cg;
  var acc = 0.0;
  for (var p = 0; p < kh; p++) {
    let ti = ih + top - p * dh;
    if (ti < 0 || ti % sh != 0 || ti / sh >= oh) { continue; }
    for (var q = 0; q < kw; q++) {
      let tj = iw + left - q * dw;
      if (tj < 0 || tj % sw != 0 || tj / sw >= ow) { continue; }
      let yo = ((b * oh + ti / sh) * ow + tj / sw) * o + g * og;
      let fo = ((p * kw + q) * cg + ci) * o + g * og;
      for (var k = 0; k < og; k++) { acc += dy[yo + k] * f[fo + k]; }
    }
  }
  out[i] = acc;`,
);

const FILTER_GRAD = perElementKernel(
  bindings('x', 'dy'),
  `${GEOMETRY}
  let oc = i % o; let ci = (i / o) % cg; let pq = i / (o * cg); let q = pq % kw; let p = pq / kw;
  let g = oc / og;
  var acc = 0.0;
  for (var b = 0; b < n; b++) {
    for (var oi = 0; oi < oh; oi++) {
      let ih = oi * sh - top + p * dh;
      if (ih < 0 || ih >= h) { continue; }
      for (var j = 0; j < ow; j++) {
        let iw = j * sw - left + q * dw;
        if (iw < 0 || iw >= w) { continue; }
        acc += x[((b * h + ih) * w + iw) * c + g * cg + ci] * dy[((b * oh + oi) * ow + j) * o + oc];
      }
    }
  }
  out[i] = acc;`,
);

function geometry(total: number, xShape: readonly number[], fShape: readonly number[], yShape: readonly number[], a: ConvAttrs): number[] {
  return [
    total,
    xShape[0]!, xShape[1]!, xShape[2]!, xShape[3]!,
    yShape[1]!, yShape[2]!, yShape[3]!,
    fShape[0]!, fShape[1]!,
    a.groups, a.strides[0], a.strides[1], a.dilations[0], a.dilations[1], a.pads[0], a.pads[2],
  ];
}

const conv2d: GpuKernel<ConvAttrs> = (ctx, [x, f], attrs, [out]) => {
  const total = sizeOf(out!.shape);
  const y = ctx.alloc(total);
  ctx.dispatch(FORWARD, [x!.data, f!.data, y], geometry(total, x!.shape, f!.shape, out!.shape, attrs), groupsFor(total));
  return [y];
};

const conv2dBackpropInput: GpuKernel<ConvAttrs> = (ctx, [dy, f], attrs, [out]) => {
  const total = sizeOf(out!.shape);
  const dx = ctx.alloc(total);
  ctx.dispatch(INPUT_GRAD, [dy!.data, f!.data, dx], geometry(total, out!.shape, f!.shape, dy!.shape, attrs), groupsFor(total));
  return [dx];
};

const conv2dBackpropFilter: GpuKernel<ConvAttrs> = (ctx, [x, dy], attrs, [out]) => {
  const total = sizeOf(out!.shape);
  const df = ctx.alloc(total);
  ctx.dispatch(FILTER_GRAD, [x!.data, dy!.data, df], geometry(total, x!.shape, out!.shape, dy!.shape, attrs), groupsFor(total));
  return [df];
};

export function convKernels() {
  return { conv2d, conv2dBackpropInput, conv2dBackpropFilter };
}
