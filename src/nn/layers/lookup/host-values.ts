// The inputs of the host-side preprocessing layers: StringTensors or nested JS arrays of strings,
// nested arrays of numbers, or numeric Tensors read on the host, flattened with their shape.
import { ValueError } from '../../../errors.js';
import { Tensor } from '../../../tensor/tensor.js';
import { StringTensor } from '../../../tensor/string-tensor.js';
import { flattenNested } from '../../../tensor/nested.js';

/** A string, or nested arrays of strings: `'a'`, `['a', 'b']`, `[['a'], ['b']]`. */
export type NestedStrings = string | readonly NestedStrings[];
/** A number, or nested arrays of numbers. */
export type NestedNumbers = number | readonly NestedNumbers[];

export interface HostValues<T> {
  values: T[];
  shape: number[];
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';

export function hostStrings(where: string, x: unknown): HostValues<string> {
  if (x instanceof StringTensor) return { values: [...x.values], shape: [...x.shape] };
  if (x instanceof Tensor) throw new ValueError(`${where}: expected strings (nested arrays of strings); nabla tensors hold numbers only`);
  return flattenNested(where, x, isString, 'a string');
}

/** Numbers from a Tensor (read on the host) or nested arrays. */
export function hostNumbers(where: string, x: unknown): HostValues<number> {
  if (x instanceof Tensor) return { values: Array.from(x.dataSync() as ArrayLike<number>), shape: [...x.shape] };
  return flattenNested(where, x, isNumber, 'a number');
}

/** Counts of each item, in order of first appearance. */
export function countItems<T>(items: Iterable<T>, counts: Map<T, number> = new Map()): Map<T, number> {
  for (const t of items) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** Items by decreasing count, ties by decreasing value (as Keras orders an adapted vocabulary), at most `max` (null: all). */
export function byFrequency<T extends string | number>(counts: Map<T, number>, max: number | null): T[] {
  const order = [...counts.entries()];
  order.sort(([ta, na], [tb, nb]) => nb - na || (ta < tb ? 1 : ta > tb ? -1 : 0));
  return order.slice(0, max ?? order.length).map(([t]) => t);
}
