// batch, paddedBatch and unbatch: combining elements along a new leading axis and splitting it.
import { ShapeError, ValueError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { StringTensor } from '../tensor/string-tensor.js';
import { hostData, padAndStackLeaves, rowOf, stackLeaves } from './host-tensors.js';
import {
  flattenStructure,
  isLeaf,
  isPlainObject,
  leafPaths,
  structureSignature,
  unflattenStructure,
  type Batched,
  type Leaf,
} from './structure.js';
import type { Source } from './transforms.js';

/** Check that all elements share the first one's structure, and return each one's leaves. */
function leavesOfAll(elements: readonly unknown[], op: string): Leaf[][] {
  const signature = structureSignature(elements[0]);
  return elements.map((el, i) => {
    const leaves = flattenStructure(el, op);
    if (i > 0 && structureSignature(el) !== signature) {
      throw new ValueError(`${op}: element ${i} of a batch has structure ${structureSignature(el)}, the first has ${signature}; every element must have one structure`);
    }
    return leaves;
  });
}

/** Stack whole elements leaf by leaf: n elements of structure S become one S of tensors [n, ...]. */
export function stackElements<T>(elements: readonly T[], op = 'batch'): Batched<T> {
  const all = leavesOfAll(elements, op);
  const paths = leafPaths(elements[0]);
  const stacked = paths.map((p, k) => stackLeaves(all.map((leaves) => leaves[k]!), op, p));
  return unflattenStructure<Batched<T>>(elements[0], stacked);
}

export function batchSource<T>(src: Source<T>, size: number, dropRemainder: boolean): Source<Batched<T>> {
  return async function* () {
    let group: T[] = [];
    for await (const el of src()) {
      group.push(el);
      if (group.length === size) {
        yield stackElements(group);
        group = [];
      }
    }
    if (group.length > 0 && !dropRemainder) yield stackElements(group);
  };
}

/** Shapes to pad to (with -1 for "the longest in the batch"), one per tensor leaf, like the element. */
export type PaddedShapes = readonly (number | undefined)[] | readonly PaddedShapes[] | { readonly [key: string]: PaddedShapes };
/** A padding value for every leaf, or one per leaf in the element's structure. */
export type PaddingValues = number | readonly PaddingValues[] | { readonly [key: string]: PaddingValues };

/** The entry of `spec` (shaped like `template`) for each of the template's leaves. */
function specPerLeaf<S>(template: unknown, spec: unknown, isSpecLeaf: (s: unknown) => boolean, what: string): (S | undefined)[] {
  const out: (S | undefined)[] = [];
  const rec = (t: unknown, s: unknown, path: string): void => {
    if (s === undefined || isSpecLeaf(s)) {
      const n = isLeaf(t) ? 1 : flattenStructure(t, 'paddedBatch').length;
      for (let i = 0; i < n; i++) out.push(s as S | undefined);
      return;
    }
    if (Array.isArray(t) && Array.isArray(s) && s.length === t.length) t.forEach((v, i) => rec(v, s[i], `${path}[${i}]`));
    else if (isPlainObject(t) && isPlainObject(s)) for (const [k, v] of Object.entries(t)) rec(v, s[k], `${path}.${k}`);
    else throw new ValueError(`paddedBatch: ${what} at ${path || '(element)'} does not match the element's structure ${structureSignature(template)}`);
  };
  rec(template, spec, '');
  return out;
}

const isShape = (s: unknown): boolean => Array.isArray(s) && s.every((d) => d === undefined || typeof d === 'number');

export function paddedBatchSource<T>(
  src: Source<T>,
  size: number,
  opts: { paddedShapes?: PaddedShapes; paddingValues?: PaddingValues; dropRemainder?: boolean },
): Source<Batched<T>> {
  const combine = async (elements: T[]): Promise<Batched<T>> => {
    const all = leavesOfAll(elements, 'paddedBatch');
    const template = elements[0];
    const paths = leafPaths(template);
    const shapes = specPerLeaf<readonly (number | undefined)[]>(template, opts.paddedShapes, isShape, 'paddedShapes');
    const values = specPerLeaf<number>(template, opts.paddingValues, (s) => typeof s === 'number', 'paddingValues');
    const stacked: (Tensor | StringTensor)[] = [];
    for (let k = 0; k < paths.length; k++) {
      stacked.push(await padAndStackLeaves(all.map((leaves) => leaves[k]!), shapes[k], values[k] ?? 0, 'paddedBatch', paths[k]!));
    }
    return unflattenStructure<Batched<T>>(template, stacked);
  };
  return async function* () {
    let group: T[] = [];
    for await (const el of src()) {
      group.push(el);
      if (group.length === size) {
        yield await combine(group);
        group = [];
      }
    }
    if (group.length > 0 && !opts.dropRemainder) yield await combine(group);
  };
}

/** Split every element along its leading axis into that many elements. */
export function unbatchSource<T>(src: Source<T>): Source<Batched<T>> {
  return async function* () {
    for await (const el of src()) {
      const leaves = flattenStructure(el, 'unbatch');
      const paths = leafPaths(el);
      const tensors = leaves.map((leaf, k) => {
        if (typeof leaf !== 'object' || leaf.rank === 0) {
          throw new ShapeError(`unbatch: ${paths[k]} is ${typeof leaf === 'object' ? 'a scalar tensor' : `a ${typeof leaf}`}; every leaf needs a leading (batch) axis`);
        }
        return leaf;
      });
      const n = tensors[0]?.shape[0] ?? 0;
      const bad = tensors.findIndex((t) => t.shape[0] !== n);
      if (bad >= 0) {
        throw new ShapeError(`unbatch: ${paths[0]} has shape ${fmtShape(tensors[0]!.shape)} but ${paths[bad]} has ${fmtShape(tensors[bad]!.shape)}; leading axes must agree`);
      }
      const hosts = await Promise.all(tensors.map((t) => (t instanceof StringTensor ? null : hostData(t))));
      for (let i = 0; i < n; i++) {
        yield unflattenStructure<Batched<T>>(el, tensors.map((t, k) => (t instanceof StringTensor ? t.row(i) : rowOf(hosts[k]!, t.shape.slice(1), t.dtype, i))));
      }
    }
  };
}
