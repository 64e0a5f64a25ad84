import { allocArray, type DType, type TypedArray } from '../tensor/dtype.js';
import { sizeOf, stridesOf, type Shape } from '../tensor/shape.js';

/** Strides of `shape` when broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const s = stridesOf(shape);
  const lead = outShape.length - shape.length;
  return outShape.map((_, i) => (i < lead || shape[i - lead] === 1 ? 0 : s[i - lead]!));
}

type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;
type Arr = ArrayLike<number> & { [i: number]: number };

/**
 * Elementwise loops compiled separately for each op. V8 optimises a call `f(x)` inside a loop
 * only while the loop sees one `f`; sharing one loop between all ops made every op slow.
 */
export interface ElementwiseLoops {
  unary(f: Fn1, a: Arr, out: Arr, n: number): void;
  same(f: Fn2, a: Arr, b: Arr, out: Arr, n: number): void;
  scalarB(f: Fn2, a: Arr, y: number, out: Arr, n: number): void;
  scalarA(f: Fn2, x: number, b: Arr, out: Arr, n: number): void;
  strided(f: Fn2, a: Arr, oa: number, ia: number, b: Arr, ob: number, ib: number, out: Arr, o: number, len: number): void;
}

export function makeElementwiseLoops(): ElementwiseLoops {
  const make = (args: string, body: string) => new Function(...args.split(','), body) as never;
  return {
    unary: make('f,a,out,n', 'for (let i = 0; i < n; i++) out[i] = f(a[i]);'),
    same: make('f,a,b,out,n', 'for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);'),
    scalarB: make('f,a,y,out,n', 'for (let i = 0; i < n; i++) out[i] = f(a[i], y);'),
    scalarA: make('f,x,b,out,n', 'for (let i = 0; i < n; i++) out[i] = f(x, b[i]);'),
    strided: make('f,a,oa,ia,b,ob,ib,out,o,len', 'for (let j = 0; j < len; j++) out[o + j] = f(a[oa + j * ia], b[ob + j * ib]);'),
  };
}

const sharedLoops = makeElementwiseLoops();

/** out[i] = f(a[ia], b[ib]) over the broadcast of a and b. */
export function binaryBroadcast(
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
  outDtype: DType,
  f: (x: number, y: number) => number,
  loops: ElementwiseLoops = sharedLoops,
): TypedArray {
  const n = sizeOf(outShape);
  const out = allocArray(outDtype, n);
  if (a.length === n && b.length === n) {
    loops.same(f, a, b, out, n);
    return out;
  }
  if (b.length === 1 && a.length === n) {
    loops.scalarB(f, a, b[0]!, out, n);
    return out;
  }
  if (a.length === 1 && b.length === n) {
    loops.scalarA(f, a[0]!, b, out, n);
    return out;
  }
  if (n === 0) return out;
  const rank = outShape.length;
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  // Innermost dimension runs as a tight loop; outer dims advance an index counter.
  const inner = outShape[rank - 1]!;
  const ia = sa[rank - 1]!;
  const ib = sb[rank - 1]!;
  const idx = new Array<number>(rank).fill(0);
  let oa = 0;
  let ob = 0;
  for (let o = 0; o < n; o += inner) {
    loops.strided(f, a, oa, ia, b, ob, ib, out, o, inner);
    for (let ax = rank - 2; ax >= 0; ax--) {
      idx[ax]!++;
      oa += sa[ax]!;
      ob += sb[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      oa -= sa[ax]! * outShape[ax]!;
      ob -= sb[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

/** Element offsets: an Int32Array while they fit (half the memory), else a Float64Array (exact to 2^53). */
export type Offsets = Int32Array | Float64Array;

/** An array for `n` offsets none of which exceeds `maxOffset`. */
export function offsetArray(n: number, maxOffset: number): Offsets {
  return maxOffset <= 0x7fffffff ? new Int32Array(n) : new Float64Array(n);
}

/** The largest offset reached by walking `dims` of a buffer with these strides. */
function maxOffsetOf(dims: readonly number[], strides: readonly number[]): number {
  return dims.reduce((m, d, k) => m + Math.max(0, d - 1) * strides[k]!, 0);
}

/** Offsets into `shape`'s buffer for each element of the broadcast `outShape`, in row-major order. */
export function broadcastIndex(shape: Shape, outShape: Shape): Offsets {
  const n = sizeOf(outShape);
  const st = broadcastStrides(shape, outShape);
  const out = offsetArray(n, maxOffsetOf(outShape, st));
  const rank = outShape.length;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = off;
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]!++;
      off += st[ax]!;
      if (idx[ax]! < outShape[ax]!) break;
      off -= st[ax]! * outShape[ax]!;
      idx[ax] = 0;
    }
  }
  return out;
}

/**
 * Split `shape` around the reduced `axes` after moving them last: for each output element
 * `o` (outer), the input offsets of its reduced elements are `base[o] + red[r]`.
 */
export function reductionPlan(shape: Shape, axes: readonly number[]): { base: Offsets; red: Offsets } {
  const strides = stridesOf(shape);
  const keep = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const offsets = (dims: number[]): Offsets => {
    const n = dims.reduce((p, d) => p * shape[d]!, 1);
    const out = offsetArray(n, maxOffsetOf(dims.map((d) => shape[d]!), dims.map((d) => strides[d]!)));
    const idx = new Array<number>(dims.length).fill(0);
    let off = 0;
    for (let i = 0; i < n; i++) {
      out[i] = off;
      for (let k = dims.length - 1; k >= 0; k--) {
        const d = dims[k]!;
        idx[k]!++;
        off += strides[d]!;
        if (idx[k]! < shape[d]!) break;
        off -= strides[d]! * shape[d]!;
        idx[k] = 0;
      }
    }
    return out;
  };
  return { base: offsets(keep), red: offsets([...axes]) };
}
