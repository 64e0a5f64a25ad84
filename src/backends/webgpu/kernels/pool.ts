// Max and average pooling (NHWC) and their gradients, one invocation per output element. The
// gradients gather from the windows that cover each input cell (recomputing a window's argmax),
// so they need no atomics.
import type { PoolAttrs } from '../../../ops/primitives/pool.js';
import { sizeOf } from '../../../tensor/shape.js';
import { groupsFor, header, type Binding } from '../wgsl.js';
import { WORKGROUP } from '../gpu-context.js';
import type { GpuKernel } from './kernel-types.js';

// meta: [total, n, h, w, c, oh, ow, ph, pw, sh, sw, top, left]
const WINDOW_FNS = `
fn window_count(i: i32, j: i32) -> i32 {
  var count = 0;
  for (var p = 0; p < M(7); p++) {
    let ih = i * M(9) - M(11) + p;
    if (ih < 0 || ih >= M(2)) { continue; }
    for (var q = 0; q < M(8); q++) {
      let iw = j * M(10) - M(12) + q;
      if (iw >= 0 && iw < M(3)) { count++; }
    }
  }
  return count;
}
`;

/** The flat index in x of window (b, i, j)'s maximum in channel k: the first one, NaN winning. */
const ARGMAX_FN = `
fn window_argmax(b: i32, i: i32, j: i32, k: i32) -> i32 {
  var best = -inf();
  var arg = -1;
  var first = -1;
  for (var p = 0; p < M(7); p++) {
    let ih = i * M(9) - M(11) + p;
    if (ih < 0 || ih >= M(2)) { continue; }
    for (var q = 0; q < M(8); q++) {
      let iw = j * M(10) - M(12) + q;
      if (iw < 0 || iw >= M(3)) { continue; }
      let at = ((b * M(2) + ih) * M(3) + iw) * M(4) + k;
      if (first < 0) { first = at; }
      let v = x[at];
      if (v > best || (is_nan(v) && !is_nan(best))) { best = v; arg = at; }
    }
  }
  return select(arg, first, arg < 0);
}
`;

function kernel(bindings: Binding[], fns: string, body: string): string {
  return `${header(bindings)}${fns}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = i32(gid.x + gid.y * nwg.x * ${WORKGROUP}u);
  if (i >= M(0)) { return; }
${body}
}
`;
}

const ro = (name: string): Binding => ({ name, type: 'f32', access: 'read' });
const OUT: Binding = { name: 'out', type: 'f32', access: 'read_write' };

/** Decode output index i into (b, oi, oj, k) over [n, oh, ow, c]. */
const OUT_COORDS = '  let k = i % M(4); let oj = (i / M(4)) % M(6); let r = i / (M(4) * M(6)); let oi = r % M(5); let b = r / M(5);';
/** Decode input index i into (b, ih, iw, k) over [n, h, w, c]. */
const IN_COORDS = '  let k = i % M(4); let iw = (i / M(4)) % M(3); let r = i / (M(4) * M(3)); let ih = r % M(2); let b = r / M(2);';
/** Loop over the output windows that contain input cell (ih, iw), as (oi, oj). */
const COVERING = (inner: string) => `
  for (var p = 0; p < M(7); p++) {
    let ti = ih + M(11) - p;
    if (ti < 0 || ti % M(9) != 0 || ti / M(9) >= M(5)) { continue; }
    let oi = ti / M(9);
    for (var q = 0; q < M(8); q++) {
      let tj = iw + M(12) - q;
      if (tj < 0 || tj % M(10) != 0 || tj / M(10) >= M(6)) { continue; }
      let oj = tj / M(10);
${inner}
    }
  }`;

const MAX_POOL = kernel([ro('x'), OUT], ARGMAX_FN, `${OUT_COORDS}\n  out[i] = x[window_argmax(b, oi, oj, k)];`);
const MAX_POOL_GRAD_GRAD = kernel([ro('x'), ro('g'), OUT], ARGMAX_FN, `${OUT_COORDS}\n  out[i] = g[window_argmax(b, oi, oj, k)];`);
const MAX_POOL_GRAD = kernel(
  [ro('x'), ro('dy'), OUT],
  ARGMAX_FN,
  `${IN_COORDS}
  var acc = 0.0;${COVERING(`      if (window_argmax(b, oi, oj, k) == i) { acc += dy[((b * M(5) + oi) * M(6) + oj) * M(4) + k]; }`)}
  out[i] = acc;`,
);
const AVG_POOL = kernel(
  [ro('x'), OUT],
  WINDOW_FNS,
  `${OUT_COORDS}
  var acc = 0.0;
  for (var p = 0; p < M(7); p++) {
    let ih = oi * M(9) - M(11) + p;
    if (ih < 0 || ih >= M(2)) { continue; }
    for (var q = 0; q < M(8); q++) {
      let iw = oj * M(10) - M(12) + q;
      if (iw >= 0 && iw < M(3)) { acc += x[((b * M(2) + ih) * M(3) + iw) * M(4) + k]; }
    }
  }
  out[i] = acc / f32(window_count(oi, oj));`,
);
const AVG_POOL_GRAD = kernel(
  [ro('dy'), OUT],
  WINDOW_FNS,
  `${IN_COORDS}
  var acc = 0.0;${COVERING(`      acc += dy[((b * M(5) + oi) * M(6) + oj) * M(4) + k] / f32(window_count(oi, oj));`)}
  out[i] = acc;`,
);

function geometry(total: number, xShape: readonly number[], yShape: readonly number[], a: PoolAttrs): number[] {
  return [total, xShape[0]!, xShape[1]!, xShape[2]!, xShape[3]!, yShape[1]!, yShape[2]!, a.poolSize[0], a.poolSize[1], a.strides[0], a.strides[1], a.pads[0], a.pads[2]];
}

/** A pooling kernel: `xShape`/`yShape` pick the window geometry from the inputs and output. */
function poolKernel(source: string, shapes: (ins: readonly (readonly number[])[], out: readonly number[]) => [readonly number[], readonly number[]]): GpuKernel<PoolAttrs> {
  return (ctx, inputs, attrs, [out]) => {
    const total = sizeOf(out!.shape);
    const [xs, ys] = shapes(inputs.map((t) => t.shape), out!.shape);
    const o = ctx.alloc(total);
    ctx.dispatch(source, [...inputs.map((t) => t.data), o], geometry(total, xs, ys, attrs), groupsFor(total));
    return [o];
  };
}

export function poolKernels() {
  return {
    maxPool: poolKernel(MAX_POOL, ([x], y) => [x!, y]),
    maxPoolGrad: poolKernel(MAX_POOL_GRAD, ([x, dy]) => [x!, dy!]),
    maxPoolGradGrad: poolKernel(MAX_POOL_GRAD_GRAD, ([x], y) => [x!, y]),
    avgPool: poolKernel(AVG_POOL, ([x], y) => [x!, y]),
    avgPoolGrad: poolKernel(AVG_POOL_GRAD, ([dy], x) => [x, dy!]),
  };
}
