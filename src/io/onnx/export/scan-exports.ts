// Running sums and products. ONNX has CumSum but no cumulative product, so cumprod is written as
// a masked product: y_i = prod_j (j in i's window ? x_j : 1), an [n, n] table per row reduced by
// ReduceProd (exact, with n^2 multiplications per row).
import type { Emit } from './emit.js';
import { scalarOf } from './indexing-exports.js';

interface ScanAttrs {
  axis: number;
  exclusive: boolean;
  reverse: boolean;
}

/** mask[i][j]: whether x_j enters y_i. */
function windowMask({ exclusive, reverse }: ScanAttrs, n: number): Uint8Array {
  const mask = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const before = reverse ? j > i : j < i;
      mask[i * n + j] = before || (!exclusive && i === j) ? 1 : 0;
    }
  }
  return mask;
}

export const SCAN_EXPORTS: Readonly<Record<string, Emit>> = {
  cumsum: (b, n) => {
    const a = n.attrs as unknown as ScanAttrs;
    return [b.add1('CumSum', [n.ins[0]!, b.int64s('axis', [a.axis])], { exclusive: a.exclusive ? 1 : 0, reverse: a.reverse ? 1 : 0 })];
  },
  cumprod: (b, n) => {
    const a = n.attrs as unknown as ScanAttrs;
    const shape = n.inShapes[0]!;
    const rank = shape.length;
    const len = shape[a.axis]!;
    // The scanned axis last: [..., n] -> [..., 1, n], a [n, n] table per row, the product over j.
    const perm = shape.map((_, i) => (i === a.axis ? rank - 1 : i === rank - 1 ? a.axis : i));
    const moved = a.axis === rank - 1 ? n.ins[0]! : b.add1('Transpose', [n.ins[0]!], { perm });
    const rows = b.add1('Unsqueeze', [moved, b.int64s('axes', [-2])]);
    const mask = b.initializer('cumprod_mask', 'bool', [len, len], windowMask(a, len));
    const table = b.add1('Where', [mask, rows, scalarOf(b, 'one', n.outDTypes[0]!, 1)]);
    const y = b.add1('ReduceProd', [table], { axes: [-1], keepdims: 0 });
    return [a.axis === rank - 1 ? y : b.add1('Transpose', [y], { perm })];
  },
};
