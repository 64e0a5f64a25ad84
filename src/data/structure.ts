// Dataset elements are nested structures: a tensor, a tuple (JS array) or a record (plain object)
// of them, to any depth. `fit` reads elements shaped `[x, y]` (or `[x, y, sampleWeight]`).
import { ValueError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { StringTensor } from '../tensor/string-tensor.js';

/** What a structure holds at its leaves. Numbers and booleans batch into 1-D tensors, strings into StringTensors. */
export type Leaf = Tensor | number | boolean | string | StringTensor;

/** A dataset element: a leaf, a tuple or a record of structures. */
export type Structure = Leaf | readonly Structure[] | { readonly [key: string]: Structure };

/** The element type after `batch`: every leaf becomes a tensor with a leading batch axis. */
export type Batched<T> = T extends string | StringTensor
  ? StringTensor
  : T extends Leaf
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: Batched<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: Batched<T[K]> }
      : never;

/** The element type after `unbatch`: every tensor leaf loses its leading axis. */
export type Unbatched<T> = Batched<T>;

export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

export function isLeaf(x: unknown): x is Leaf {
  return x instanceof Tensor || x instanceof StringTensor || typeof x === 'number' || typeof x === 'boolean' || typeof x === 'string';
}

/** The leaves of `el` in a fixed order (tuple order, then record keys in insertion order). */
export function flattenStructure(el: unknown, op: string): Leaf[] {
  const out: Leaf[] = [];
  const rec = (x: unknown, path: string): void => {
    if (isLeaf(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach((v, i) => rec(v, `${path}[${i}]`));
    else if (isPlainObject(x)) for (const [k, v] of Object.entries(x)) rec(v, `${path}.${k}`);
    else throw new ValueError(`${op}: element${path} is ${describeValue(x)}; expected a tensor, number, boolean, string, array or plain object`);
  };
  rec(el, '');
  return out;
}

/** A string that identifies a structure's shape (keys and nesting), for checking elements agree. */
export function structureSignature(el: unknown): string {
  if (isLeaf(el)) return '*';
  if (Array.isArray(el)) return `[${el.map(structureSignature).join(',')}]`;
  if (isPlainObject(el)) return `{${Object.entries(el).map(([k, v]) => `${k}:${structureSignature(v)}`).join(',')}}`;
  return '?';
}

/** Rebuild a structure like `template` with its leaves replaced, in `flattenStructure` order. */
export function unflattenStructure<T>(template: unknown, leaves: readonly unknown[]): T {
  let i = 0;
  const rec = (x: unknown): unknown => {
    if (isLeaf(x)) return leaves[i++];
    if (Array.isArray(x)) return x.map(rec);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) out[k] = rec(v);
    return out;
  };
  return rec(template) as T;
}

/** Paths of the leaves (`[0]`, `.x`, `[1].mask`), parallel to `flattenStructure`, for error messages. */
export function leafPaths(el: unknown): string[] {
  const out: string[] = [];
  const rec = (x: unknown, path: string): void => {
    if (Array.isArray(x)) x.forEach((v, i) => rec(v, `${path}[${i}]`));
    else if (isPlainObject(x)) for (const [k, v] of Object.entries(x)) rec(v, `${path}.${k}`);
    else out.push(path === '' ? '(element)' : path);
  };
  rec(el, '');
  return out;
}

export function describeValue(x: unknown): string {
  if (x === null) return 'null';
  if (x instanceof Tensor) return `a tensor of shape [${x.shape.join(', ')}]`;
  if (typeof x === 'object') return `an object of type ${x.constructor?.name ?? 'unknown'}`;
  return `a ${typeof x}`;
}
