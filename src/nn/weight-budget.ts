// A cap on the weights that layers may create while a model is rebuilt from a file: the file holds
// so many values, so an architecture asking for more (a crafted `units: 1e9`) is refused before
// anything that large is allocated.
import { ValueError, fmtShape } from '../errors.js';

interface Budget {
  total: number;
  used: number;
  source: string;
}

let current: Budget | null = null;

/** Run `fn` (which builds layers) allowing at most `values` weight values in all. */
export function withWeightBudget<T>(values: number, source: string, fn: () => T): T {
  const outer = current;
  current = { total: values, used: 0, source };
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/** Called by `addWeight` before it allocates: counts the weight against the budget, if one is set. */
export function chargeWeight(layer: string, weight: string, shape: readonly number[]): void {
  if (!current) return;
  const n = shape.reduce((a, b) => a * b, 1);
  if (current.used + n > current.total) {
    throw new ValueError(
      `${current.source}: layer '${layer}' would create weight '${weight}' of shape ${fmtShape(shape)} (${n} values), but the weights file holds ${current.total} values in all, ${current.total - current.used} of them not yet used by earlier weights; the architecture and its weights do not match`,
    );
  }
  current.used += n;
}
