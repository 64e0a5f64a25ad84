// Batched matrix product as a tiled kernel: each workgroup computes a TILE x TILE block of C,
// staging TILE-wide strips of A and B in workgroup memory so each value is read from the buffer
// once per workgroup rather than once per product. Transposes are strides; batch axes broadcast.
import type { MatmulAttrs } from '../../../ops/primitives/matmul.js';
import { sizeOf } from '../../../tensor/shape.js';
import { broadcastStrides } from '../../../ops/loops.js';
import type { GpuContext } from '../gpu-context.js';
import { header, wgslType, type WgslType } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

/** 16 x 16 invocations where the device allows 256 per workgroup, else 8 x 8. */
function tileFor(ctx: GpuContext): number {
  return ctx.device.limits.maxComputeInvocationsPerWorkgroup >= 256 ? 16 : 8;
}

function matmulSource(t: WgslType, tile: number): string {
  const zero = t === 'f32' ? '0.0' : '0';
  return `${header([
    { name: 'A', type: t, access: 'read' },
    { name: 'B', type: t, access: 'read' },
    { name: 'C', type: t, access: 'read_write' },
  ])}
var<workgroup> As: array<array<${t}, ${tile}>, ${tile}>;
var<workgroup> Bs: array<array<${t}, ${tile}>, ${tile}>;
@compute @workgroup_size(${tile}, ${tile})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = M(1);
  let k = M(2);
  let n = M(3);
  let bt = i32(wid.z);
  let br = M(8);
  let offA = bcast(bt, br, 9, 9 + br);
  let offB = bcast(bt, br, 9, 9 + 2 * br);
  let ly = i32(lid.y);
  let lx = i32(lid.x);
  let row = i32(wid.y) * ${tile} + ly;
  let col = i32(wid.x) * ${tile} + lx;
  var acc: ${t} = ${zero};
  for (var t0 = 0; t0 < k; t0 += ${tile}) {
    let ak = t0 + lx;
    if (row < m && ak < k) { As[ly][lx] = A[offA + row * M(4) + ak * M(5)]; } else { As[ly][lx] = ${zero}; }
    let bk = t0 + ly;
    if (bk < k && col < n) { Bs[ly][lx] = B[offB + bk * M(6) + col * M(7)]; } else { Bs[ly][lx] = ${zero}; }
    workgroupBarrier();
    for (var p = 0; p < ${tile}; p++) { acc += As[ly][p] * Bs[p][lx]; }
    workgroupBarrier();
  }
  if (row < m && col < n) { C[bt * m * n + row * n + col] = acc; }
}
`;
}

const matmulKernel: GpuKernel<MatmulAttrs> = (ctx, [a, b], { transposeA, transposeB }, [out]) => {
  const shape = out!.shape;
  const batch = shape.slice(0, -2);
  const m = shape[shape.length - 2]!;
  const n = shape[shape.length - 1]!;
  const k = transposeA ? a!.shape[a!.shape.length - 2]! : a!.shape[a!.shape.length - 1]!;
  const [ai, ap] = transposeA ? [1, m] : [k, 1];
  const [bp, bj] = transposeB ? [1, k] : [n, 1];
  const sa = broadcastStrides(a!.shape.slice(0, -2), batch).map((s) => s * m * k);
  const sb = broadcastStrides(b!.shape.slice(0, -2), batch).map((s) => s * k * n);
  const meta = [0, m, k, n, ai, ap, bp, bj, batch.length, ...batch, ...sa, ...sb];
  const tile = tileFor(ctx);
  const c = ctx.alloc(sizeOf(shape));
  const t = wgslType(out!.dtype, 'matmul');
  ctx.dispatch(matmulSource(t, tile), [a!.data, b!.data, c], meta, [Math.ceil(n / tile), Math.ceil(m / tile), sizeOf(batch)]);
  return [c];
};

export function matmulKernels() {
  return { matmul: matmulKernel };
}
