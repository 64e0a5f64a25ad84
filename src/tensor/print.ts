import type { DType, TypedArray } from './dtype.js';
import type { Shape } from './shape.js';

const EDGE = 3;
const MAX_FULL = 1000;

function fmtValue(v: number, dtype: DType): string {
  if (dtype === 'bool') return v ? 'true' : 'false';
  if (dtype === 'int32') return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return String(v);
  const rounded = Number(v.toPrecision(dtype === 'float32' ? 6 : 8));
  const a = Math.abs(rounded);
  if (a < 1e-4 || a >= 1e8) return rounded.toExponential();
  return String(rounded);
}

/** numpy/TensorFlow-style rendering: `tensor([[1, 2], [3, 4]], shape=[2, 2], dtype=float32)`. */
export function formatTensor(values: TypedArray, shape: Shape, dtype: DType): string {
  const elide = values.length > MAX_FULL;
  const multiLine = shape.length > 1 && values.length > 6;
  let width = 0;
  let pad = (i: number) => {
    const s = fmtValue(values[i]!, dtype);
    width = Math.max(width, s.length);
    return s;
  };
  const rec = (dim: number, start: number, indent: string): string => {
    if (shape.length === 0) return pad(0);
    const n = shape[dim]!;
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const idxs: (number | null)[] = [];
    if (elide && n > 2 * EDGE) {
      for (let i = 0; i < EDGE; i++) idxs.push(i);
      idxs.push(null);
      for (let i = n - EDGE; i < n; i++) idxs.push(i);
    } else for (let i = 0; i < n; i++) idxs.push(i);
    if (dim === shape.length - 1) {
      return `[${idxs.map((i) => (i === null ? '...' : pad(start + i))).join(', ')}]`;
    }
    const inner = indent + ' ';
    const sep = multiLine ? `,${'\n'.repeat(shape.length - dim - 1)}${inner}` : ', ';
    return `[${idxs.map((i) => (i === null ? '...' : rec(dim + 1, start + i * stride, inner))).join(sep)}]`;
  };
  let body = rec(0, 0, '       ');
  if (multiLine) {
    pad = (i: number) => fmtValue(values[i]!, dtype).padStart(width);
    body = rec(0, 0, '       ');
  }
  return `tensor(${body}, shape=[${shape.join(', ')}], dtype=${dtype})`;
}
