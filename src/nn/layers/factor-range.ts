import { ValueError } from '../../errors.js';

/**
 * A random layer's factor as [lower, upper]: a number f >= 0 stands for [-f, f] (or [f, f] with
 * `single: 'same'`, RandomContrast's reading), a pair is taken as given; Keras rejects negative
 * single factors and pairs out of order, and so does this.
 */
export function factorRange(layer: string, key: string, f: unknown, opts: { single?: 'symmetric' | 'same'; lowest?: number } = {}): [number, number] {
  const lowest = opts.lowest ?? -Infinity;
  const single = opts.single ?? 'symmetric';
  const pair: [number, number] | null =
    typeof f === 'number' && f >= 0 ? (single === 'symmetric' ? [-f, f] : [f, f]) : Array.isArray(f) && f.length === 2 ? [f[0], f[1]] : null;
  if (!pair || !pair.every((v) => typeof v === 'number' && Number.isFinite(v)) || pair[0] > pair[1] || pair[0] < lowest) {
    const bound = lowest === -Infinity ? '' : `${lowest} <= `;
    const reading = single === 'symmetric' ? '[-f, f]' : '[f, f]';
    throw new ValueError(`${layer}: ${key} must be a number f >= 0 (for ${reading}) or [lower, upper] with ${bound}lower <= upper, got ${JSON.stringify(f)}`);
  }
  return pair;
}
