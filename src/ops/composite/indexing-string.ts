import { ShapeError, ValueError, fmtShape } from '../../errors.js';
import { toTensor, type TensorLike } from '../creation.js';
import type { Tensor } from '../../tensor/tensor.js';
import { reshape, stridedView } from '../primitives/shape.js';
import { declareOp } from '../surface.js';

type Part = { kind: 'int'; i: number } | { kind: 'range'; start?: number; stop?: number; step?: number } | { kind: 'ellipsis' } | { kind: 'newaxis' };

function parseNum(s: string, spec: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (!/^[+-]?\d+$/.test(t)) throw new ValueError(`index: cannot parse '${t}' in '${spec}'; expected integers like '1:3, :, ::2'`);
  return Number(t);
}

function parse(spec: string): Part[] {
  // An empty spec selects everything, like numpy's x[()].
  if (spec.trim() === '') return [];
  return spec.split(',').map((raw) => {
    const s = raw.trim();
    if (s === '...') return { kind: 'ellipsis' } as const;
    if (s === 'None' || s === 'newaxis') return { kind: 'newaxis' } as const;
    if (!s.includes(':')) {
      const i = parseNum(s, spec);
      if (i === undefined) throw new ValueError(`index: empty index in '${spec}'`);
      return { kind: 'int', i } as const;
    }
    const bits = s.split(':');
    if (bits.length > 3) throw new ValueError(`index: too many ':' in '${s}' of '${spec}'`);
    return { kind: 'range', start: parseNum(bits[0]!, spec), stop: parseNum(bits[1]!, spec), step: bits[2] === undefined ? undefined : parseNum(bits[2], spec) } as const;
  });
}

/**
 * numpy-style basic indexing: `x.index('1:3, :, ::2')`, `'-1'`, `'..., 0'`, `'None, :'`.
 * Integers drop their axis; ranges make strided views (no copy).
 */
export function index(x: TensorLike, spec: string | readonly (number | string)[]): Tensor {
  const t = toTensor(x, 'index');
  const specStr = typeof spec === 'string' ? spec : spec.map(String).join(',');
  let parts = parse(specStr);
  const ellipses = parts.filter((p) => p.kind === 'ellipsis').length;
  if (ellipses > 1) throw new ValueError(`index: more than one '...' in '${specStr}'`);
  const consuming = parts.filter((p) => p.kind === 'int' || p.kind === 'range').length;
  if (consuming > t.rank) throw new ShapeError(`index: '${specStr}' indexes ${consuming} axes but the tensor has shape ${fmtShape(t.shape)}`);
  const fill: Part[] = Array.from({ length: t.rank - consuming }, () => ({ kind: 'range' }) as const);
  const e = parts.findIndex((p) => p.kind === 'ellipsis');
  parts = e >= 0 ? [...parts.slice(0, e), ...fill, ...parts.slice(e + 1)] : [...parts, ...fill];
  const begin: number[] = [];
  const size: number[] = [];
  const step: number[] = [];
  const outShape: number[] = [];
  let ax = 0;
  for (const p of parts) {
    if (p.kind === 'newaxis') {
      outShape.push(1);
      continue;
    }
    const d = t.shape[ax]!;
    if (p.kind === 'int') {
      const i = p.i < 0 ? p.i + d : p.i;
      if (i < 0 || i >= d) throw new ShapeError(`index: index ${p.i} is out of range for axis ${ax} of size ${d} (shape ${fmtShape(t.shape)})`);
      begin.push(i);
      size.push(1);
      step.push(1);
    } else if (p.kind === 'range') {
      const st = p.step ?? 1;
      if (st === 0) throw new ValueError(`index: step cannot be zero in '${specStr}'`);
      const clampIdx = (v: number | undefined, dflt: number, lo: number, hi: number) => {
        if (v === undefined) return dflt;
        const r = v < 0 ? v + d : v;
        return Math.min(Math.max(r, lo), hi);
      };
      const start = st > 0 ? clampIdx(p.start, 0, 0, d) : clampIdx(p.start, d - 1, -1, d - 1);
      const stop = st > 0 ? clampIdx(p.stop, d, 0, d) : clampIdx(p.stop, -1, -1, d - 1);
      const n = st > 0 ? Math.max(0, Math.ceil((stop - start) / st)) : Math.max(0, Math.ceil((start - stop) / -st));
      begin.push(n > 0 ? start : 0);
      size.push(n);
      step.push(n > 0 ? st : 1);
      outShape.push(n);
    }
    ax++;
  }
  return reshape(stridedView(t, begin, size, step), outShape);
}

// The public surface of these ops (src/ops/surface.ts).
declareOp(index, { method: true });
