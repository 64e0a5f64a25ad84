// gatherND, scatterND and tensorScatterUpdate: the last axis of `indices` holds K coordinates into
// the first K dims. Every kernel gathers per output element (scatters scan all index tuples, summing
// or keeping the last match), so results are deterministic without atomics. Out-of-range
// coordinates cannot be checked without a read back: gatherND gives 0 and scatters drop them.
import { sizeOf, stridesOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel, wgslType, type WgslType } from '../wgsl.js';
import type { GpuContext, GpuHandle } from '../gpu-context.js';
import type { KernelTensor } from '../../backend.js';
import type { GpuKernel } from './kernel-types.js';

// meta: [total, k, tuples, inner, dims(k)..., strides(k)...]
const OFFSET_FN = `
fn slice_offset(j: i32) -> i32 {
  let k = M(1);
  var off = 0;
  for (var d = 0; d < k; d++) {
    let v = idx[j * k + d];
    if (v < 0 || v >= M(4 + d)) { return -1; }
    off += v * M(4 + k + d);
  }
  return off;
}`;

function source(t: WgslType, bindings: string[], body: string): string {
  const decl = bindings.map((name) => ({ name, type: name === 'idx' ? ('i32' as const) : t, access: 'read' as const }));
  return perElementKernel([...decl, { name: 'out', type: t, access: 'read_write' }], body).replace('\n@compute', `${OFFSET_FN}\n@compute`);
}

const GATHER = (t: WgslType) =>
  source(t, ['x', 'idx'], `  let inner = M(3);
  let off = slice_offset(i / inner);
  if (off < 0) { out[i] = ${t}(0); return; }
  out[i] = x[off + i % inner];`);

const SCATTER_ADD = (t: WgslType) =>
  source(t, ['idx', 'upd'], `  let inner = M(3); let r = i % inner;
  var acc = ${t}(0);
  for (var j = 0; j < M(2); j++) {
    if (slice_offset(j) == i - r) { acc += upd[j * inner + r]; }
  }
  out[i] = acc;`);

const SCATTER_UPDATE = (t: WgslType) =>
  source(t, ['base', 'idx', 'upd'], `  let inner = M(3); let r = i % inner;
  var v = base[i];
  for (var j = 0; j < M(2); j++) {
    if (slice_offset(j) == i - r) { v = upd[j * inner + r]; }
  }
  out[i] = v;`);

function run(ctx: GpuContext, src: string, inputs: readonly KernelTensor<GpuHandle>[], indices: KernelTensor<GpuHandle>, shape: readonly number[], total: number): GpuHandle {
  const k = indices.shape[indices.shape.length - 1]!;
  const tuples = sizeOf(indices.shape.slice(0, -1));
  const meta = [total, k, tuples, sizeOf(shape.slice(k)), ...shape.slice(0, k), ...stridesOf(shape).slice(0, k)];
  const o = ctx.alloc(total);
  ctx.dispatch(src, [...inputs.map((t) => t.data), o], meta, groupsFor(total));
  return o;
}

const gatherND: GpuKernel<unknown> = (ctx, [x, indices], _attrs, [out]) => [
  run(ctx, GATHER(wgslType(out!.dtype, 'gatherND')), [x!, indices!], indices!, x!.shape, sizeOf(out!.shape)),
];

const scatterND: GpuKernel<unknown> = (ctx, [indices, updates], _attrs, [out]) => [
  run(ctx, SCATTER_ADD(wgslType(out!.dtype, 'scatterND')), [indices!, updates!], indices!, out!.shape, sizeOf(out!.shape)),
];

const tensorScatterUpdate: GpuKernel<unknown> = (ctx, [base, indices, updates], _attrs, [out]) => [
  run(ctx, SCATTER_UPDATE(wgslType(out!.dtype, 'tensorScatterUpdate')), [base!, indices!, updates!], indices!, out!.shape, sizeOf(out!.shape)),
];

export function gatherNDKernels() {
  return { gatherND, scatterND, tensorScatterUpdate };
}
