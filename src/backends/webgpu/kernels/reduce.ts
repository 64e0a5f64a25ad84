// Reductions over arbitrary axes: one workgroup per output element, its invocations striding over
// the reduced elements and combining in workgroup memory. argmax/argmin: one invocation per output,
// scanning the axis in order so ties and NaNs resolve as in the reference kernel.
import type { reduceOps } from '../../../ops/primitives/reduce.js';
import type { ArgAttrs, ReduceAttrs } from '../../../ops/primitives/reduce.js';
import { sizeOf, stridesOf } from '../../../tensor/shape.js';
import { WORKGROUP } from '../gpu-context.js';
import { groupsFor, header, perElementKernel, wgslType, type WgslType } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

interface Combiner {
  init: (t: WgslType) => string;
  /** Statement updating `a` with `v`. */
  step: (t: WgslType) => string;
}

const COMBINERS: Record<keyof typeof reduceOps, Combiner> = {
  sum: { init: (t) => (t === 'f32' ? '0.0' : '0'), step: () => 'a = a + v;' },
  prod: { init: (t) => (t === 'f32' ? '1.0' : '1'), step: () => 'a = a * v;' },
  max: {
    init: (t) => (t === 'f32' ? '-inf()' : '(-2147483647 - 1)'),
    step: (t) => (t === 'f32' ? 'if (v > a || is_nan(v)) { a = v; }' : 'a = max(a, v);'),
  },
  min: {
    init: (t) => (t === 'f32' ? 'inf()' : '2147483647'),
    step: (t) => (t === 'f32' ? 'if (v < a || is_nan(v)) { a = v; }' : 'a = min(a, v);'),
  },
  all: { init: () => '1', step: () => 'a = select(0, 1, a != 0 && v != 0);' },
  any: { init: () => '1 - 1', step: () => 'a = select(0, 1, a != 0 || v != 0);' },
};

/** Kept and reduced axes as (shapes, strides) into the input, for the meta block. */
function split(shape: readonly number[], axes: readonly number[]) {
  const strides = stridesOf(shape);
  const keptShape: number[] = [];
  const keptStrides: number[] = [];
  const redShape: number[] = [];
  const redStrides: number[] = [];
  shape.forEach((d, i) => {
    if (axes.includes(i)) {
      redShape.push(d);
      redStrides.push(strides[i]!);
    } else {
      keptShape.push(d);
      keptStrides.push(strides[i]!);
    }
  });
  return { keptShape, keptStrides, redShape, redStrides };
}

function reduceSource(op: string, inType: WgslType, outType: WgslType): string {
  const c = COMBINERS[op as keyof typeof COMBINERS];
  // all/any combine 0/1 flags of any input type; the others accumulate in the output's type.
  const accType: WgslType = op === 'all' || op === 'any' ? 'i32' : outType;
  const load = op === 'all' || op === 'any' ? (inType === 'f32' ? 'select(0, 1, nonzero(x[idx]))' : 'select(0, 1, x[idx] != 0)') : `${accType}(x[idx])`;
  return `${header([
    { name: 'x', type: inType, access: 'read' },
    { name: 'out', type: outType, access: 'read_write' },
  ])}
var<workgroup> part: array<${accType}, ${WORKGROUP}>;
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = i32(wid.x + wid.y * nwg.x);
  if (o >= M(0)) { return; }
  let l = i32(lid.x);
  let nk = M(2);
  let nr = M(3 + 2 * nk);
  let base = bcast(o, nk, 3, 3 + nk);
  var a: ${accType} = ${c.init(accType)};
  for (var r = l; r < M(1); r += ${WORKGROUP}) {
    let idx = base + bcast(r, nr, 4 + 2 * nk, 4 + 2 * nk + nr);
    let v = ${load};
    ${c.step(accType)}
  }
  part[l] = a;
  workgroupBarrier();
  for (var s = ${WORKGROUP / 2}; s > 0; s = s / 2) {
    if (l < s) {
      let v = part[l + s];
      a = part[l];
      ${c.step(accType)}
      part[l] = a;
    }
    workgroupBarrier();
  }
  if (l == 0) { out[o] = ${outType}(part[0]); }
}
`;
}

function reduceKernel(op: string): GpuKernel<ReduceAttrs> {
  return (ctx, [x], { axes }, [out]) => {
    const nOut = sizeOf(out!.shape);
    const { keptShape, keptStrides, redShape, redStrides } = split(x!.shape, axes);
    const meta = [nOut, sizeOf(redShape), keptShape.length, ...keptShape, ...keptStrides, redShape.length, ...redShape, ...redStrides];
    const o = ctx.alloc(nOut);
    ctx.dispatch(reduceSource(op, wgslType(x!.dtype, op), wgslType(out!.dtype, op)), [x!.data, o], meta, nOut);
    return [o];
  };
}

function argSource(op: 'argmax' | 'argmin', t: WgslType): string {
  const better = op === 'argmax' ? 'v > best' : 'v < best';
  const cond = t === 'f32' ? `!is_nan(best) && (${better} || is_nan(v))` : better;
  return perElementKernel(
    [
      { name: 'x', type: t, access: 'read' },
      { name: 'out', type: 'i32', access: 'read_write' },
    ],
    `  let nk = M(3);
  let base = bcast(i, nk, 4, 4 + nk);
  var best = x[base];
  var bi = 0;
  for (var r = 1; r < M(1); r++) {
    let v = x[base + r * M(2)];
    if (${cond}) { best = v; bi = r; }
  }
  out[i] = bi;`,
  );
}

function argKernel(op: 'argmax' | 'argmin'): GpuKernel<ArgAttrs> {
  return (ctx, [x], { axis }, [out]) => {
    const nOut = sizeOf(out!.shape);
    const { keptShape, keptStrides } = split(x!.shape, [axis]);
    const meta = [nOut, x!.shape[axis]!, stridesOf(x!.shape)[axis]!, keptShape.length, ...keptShape, ...keptStrides];
    const o = ctx.alloc(nOut);
    ctx.dispatch(argSource(op, wgslType(x!.dtype, op)), [x!.data, o], meta, groupsFor(nOut));
    return [o];
  };
}

export function reduceKernels(): Record<keyof typeof reduceOps | 'argmax' | 'argmin', GpuKernel<any>> {
  const table = {} as Record<keyof typeof reduceOps | 'argmax' | 'argmin', GpuKernel<any>>;
  for (const op of Object.keys(COMBINERS) as (keyof typeof reduceOps)[]) table[op] = reduceKernel(op);
  table.argmax = argKernel('argmax');
  table.argmin = argKernel('argmin');
  return table;
}
