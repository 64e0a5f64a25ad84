// gather and its transpose unsortedSegmentSum over the [batch, outer, positions, inner] view of
// src/ops/primitives/indexing.ts. The segment sum gathers too (each output element scans the ids),
// which is deterministic and needs no float atomics. Indices cannot be checked on the host without
// a read back, so out-of-range ones give 0 here instead of the reference kernel's ValueError.
import type { GatherAttrs, SegmentSumAttrs } from '../../../ops/primitives/indexing.js';
import type { ScanAttrs } from '../../../ops/primitives/cumulative.js';
import { sizeOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel, wgslType, type WgslType } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

// meta: [total, n (rows along axis, or segments), outer, perBatch, inner]
function gatherSource(t: WgslType): string {
  return perElementKernel(
    [
      { name: 'x', type: t, access: 'read' },
      { name: 'idx', type: 'i32', access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    `  let n = M(1); let outer = M(2); let per = M(3); let inner = M(4);
  let k = i % inner; let t = i / inner; let p = t % per; let row = t / per; let b = row / outer;
  let v = idx[b * per + p];
  if (v < 0 || v >= n) { out[i] = ${t}(0); return; }
  out[i] = x[(row * n + v) * inner + k];`,
  );
}

function segmentSumSource(t: WgslType): string {
  return perElementKernel(
    [
      { name: 'data', type: t, access: 'read' },
      { name: 'ids', type: 'i32', access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    `  let segs = M(1); let outer = M(2); let per = M(3); let inner = M(4);
  let k = i % inner; let t = i / inner; let seg = t % segs; let row = t / segs; let b = row / outer;
  var acc = ${t}(0);
  for (var p = 0; p < per; p++) {
    if (ids[b * per + p] == seg) { acc += data[(row * per + p) * inner + k]; }
  }
  out[i] = acc;`,
  );
}

function plan(prefix: readonly number[], indicesShape: readonly number[], inner: readonly number[], batchDims: number): [number, number, number] {
  return [sizeOf(prefix.slice(batchDims)), sizeOf(indicesShape.slice(batchDims)), sizeOf(inner)];
}

const gather: GpuKernel<GatherAttrs> = (ctx, [x, indices], { axis, batchDims }, [out]) => {
  const total = sizeOf(out!.shape);
  const [outer, per, inner] = plan(x!.shape.slice(0, axis), indices!.shape, x!.shape.slice(axis + 1), batchDims);
  const o = ctx.alloc(total);
  ctx.dispatch(gatherSource(wgslType(out!.dtype, 'gather')), [x!.data, indices!.data, o], [total, x!.shape[axis]!, outer, per, inner], groupsFor(total));
  return [o];
};

const unsortedSegmentSum: GpuKernel<SegmentSumAttrs> = (ctx, [data, ids], { axis, batchDims, numSegments }, [out]) => {
  const total = sizeOf(out!.shape);
  const end = axis + ids!.shape.length - batchDims;
  const [outer, per, inner] = plan(data!.shape.slice(0, axis), ids!.shape, data!.shape.slice(end), batchDims);
  const o = ctx.alloc(total);
  const source = segmentSumSource(wgslType(out!.dtype, 'unsortedSegmentSum'));
  ctx.dispatch(source, [data!.data, ids!.data, o], [total, numSegments, outer, per, inner], groupsFor(total));
  return [o];
};

/** cumsum/cumprod: one invocation per element, summing its prefix (lanes are short here). */
function scanSource(t: WgslType, op: '+' | '*'): string {
  const identity = op === '+' ? `${t}(0)` : `${t}(1)`;
  return perElementKernel(
    [
      { name: 'x', type: t, access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    `  let len = M(1); let inner = M(2); let exclusive = M(3); let reverse = M(4);
  let k = i % inner; let pos = (i / inner) % len; let base = i - pos * inner;
  var acc = ${identity};
  for (var s = 0; s < len; s++) {
    let before = select((s < pos), (s > pos), reverse != 0);
    if (before || (s == pos && exclusive == 0)) { acc = acc ${op} x[base + s * inner]; }
  }
  out[i] = acc;`,
  );
}

function scanKernel(op: '+' | '*', name: string): GpuKernel<ScanAttrs> {
  return (ctx, [x], { axis, exclusive, reverse }, [out]) => {
    const total = sizeOf(out!.shape);
    const o = ctx.alloc(total);
    const meta = [total, x!.shape[axis]!, sizeOf(x!.shape.slice(axis + 1)), exclusive ? 1 : 0, reverse ? 1 : 0];
    ctx.dispatch(scanSource(wgslType(out!.dtype, name), op), [x!.data, o], meta, groupsFor(total));
    return [o];
  };
}

export function indexingKernels() {
  return { gather, unsortedSegmentSum, cumsum: scanKernel('+', 'cumsum'), cumprod: scanKernel('*', 'cumprod') };
}
