// copy, pad, concat and random. Random numbers are drawn on the host with the same counter-based
// function as every other backend (so a seed gives identical values everywhere) and uploaded.
import type { ConcatAttrs } from '../../../ops/primitives/structure.js';
import type { PadAttrs } from '../../../ops/primitives/shape.js';
import { randomValue, type RandomAttrs } from '../../../ops/primitives/random.js';
import { sizeOf, stridesOf } from '../../../tensor/shape.js';
import { groupsFor, perElementKernel, wgslType, type WgslType } from '../wgsl.js';
import type { GpuKernel } from './kernel-types.js';

const copyKernel: GpuKernel<unknown> = (ctx, [x]) => [ctx.copy(x!.data, 0, sizeOf(x!.shape))];

function padSource(t: WgslType): string {
  const fill = t === 'f32' ? 'bitcast<f32>(M(2 + 3 * rank))' : 'M(2 + 3 * rank)';
  return perElementKernel(
    [
      { name: 'x', type: t, access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    `  let rank = M(1);
  var rem = i;
  var off = 0;
  var stride = 1;
  var inside = true;
  for (var d = rank - 1; d >= 0; d--) {
    let n = M(2 + d);
    let c = rem % n - M(2 + 2 * rank + d);
    rem = rem / n;
    let m = M(2 + rank + d);
    if (c < 0 || c >= m) { inside = false; }
    off += c * stride;
    stride *= m;
  }
  if (inside) { out[i] = x[off]; } else { out[i] = ${fill}; }`,
  );
}

/** A pad value as the i32 the kernel reads: float bits for f32, the number itself otherwise. */
function padBits(value: number, t: WgslType): number {
  if (t === 'i32') return value | 0;
  return new Int32Array(new Float32Array([value]).buffer)[0]!;
}

const padKernel: GpuKernel<PadAttrs> = (ctx, [x], { paddings, value }, [out]) => {
  const t = wgslType(out!.dtype, 'pad');
  const n = sizeOf(out!.shape);
  const fill = out!.dtype === 'bool' ? (value ? 1 : 0) : value;
  const meta = [n, out!.shape.length, ...out!.shape, ...x!.shape, ...paddings.map((p) => p[0]), padBits(fill, t)];
  const o = ctx.alloc(n);
  ctx.dispatch(padSource(t), [x!.data, o], meta, groupsFor(n));
  return [o];
};

function placeSource(t: WgslType): string {
  return perElementKernel(
    [
      { name: 'src', type: t, access: 'read' },
      { name: 'out', type: t, access: 'read_write' },
    ],
    '  out[M(2 + 2 * M(1)) + bcast(i, M(1), 2, 2 + M(1))] = src[i];',
  );
}

/** Each input copied into its block of the output (one dispatch per input). */
const concatKernel: GpuKernel<ConcatAttrs> = (ctx, xs, { axis }, [out]) => {
  const t = wgslType(out!.dtype, 'concat');
  const o = ctx.alloc(sizeOf(out!.shape));
  const outStrides = stridesOf(out!.shape);
  let start = 0;
  for (const x of xs) {
    const n = sizeOf(x.shape);
    if (n > 0) ctx.dispatch(placeSource(t), [x.data, o], [n, x.shape.length, ...x.shape, ...outStrides, start * outStrides[axis]!], groupsFor(n));
    start += x.shape[axis]!;
  }
  return [o];
};

const randomKernel: GpuKernel<RandomAttrs> = (ctx, _inputs, attrs) => {
  const n = sizeOf(attrs.shape);
  const host = attrs.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) host[i] = randomValue(attrs, i);
  return [ctx.upload(host)];
};

export function structureKernels() {
  return { copy: copyKernel, pad: padKernel, concat: concatKernel, random: randomKernel };
}
