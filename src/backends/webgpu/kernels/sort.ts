// argsort by ranks: each element counts the elements of its lane that sort before it (ties by
// position, so the order is stable) and writes its own index at that rank. Quadratic in the lane
// length, which is fine for the short lanes of sorting and top-k here.
import type { ArgsortAttrs } from '../../../ops/primitives/sort.js';
import { sizeOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel, wgslType, type WgslType } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

/** -1, 0, 1 like the reference's compareAscending: NaN above +Infinity. */
function compareFn(t: WgslType): string {
  const nanOf = t === 'f32' ? 'is_nan' : 'no_nan';
  return `
fn no_nan(x: i32) -> bool { return false; }
fn cmp_asc(a: ${t}, b: ${t}) -> i32 {
  if (${nanOf}(a)) { return select(1, 0, ${nanOf}(b)); }
  if (${nanOf}(b)) { return -1; }
  return select(select(0, 1, a > b), -1, a < b);
}`;
}

function argsortSource(t: WgslType): string {
  return perElementKernel(
    [
      { name: 'x', type: t, access: 'read' },
      { name: 'out', type: 'i32', access: 'read_write' },
    ],
    `  let len = M(1); let inner = M(2); let sgn = M(3);
  let k = i % inner; let pos = (i / inner) % len; let base = i - pos * inner;
  let v = x[i];
  var rank = 0;
  for (var s = 0; s < len; s++) {
    let c = sgn * cmp_asc(x[base + s * inner], v);
    if (c < 0 || (c == 0 && s < pos)) { rank++; }
  }
  out[base + rank * inner] = pos;`,
  ).replace('\n@compute', `${compareFn(t)}\n@compute`);
}

const argsort: GpuKernel<ArgsortAttrs> = (ctx, [x], { axis, descending }, [out]) => {
  const total = sizeOf(out!.shape);
  const o = ctx.alloc(total);
  const meta = [total, x!.shape[axis]!, sizeOf(x!.shape.slice(axis + 1)), descending ? -1 : 1];
  ctx.dispatch(argsortSource(wgslType(x!.dtype, 'argsort')), [x!.data, o], meta, groupsFor(total));
  return [o];
};

export function sortKernels() {
  return { argsort };
}
