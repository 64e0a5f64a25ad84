import { Tensor } from '../tensor/tensor.js';

/** A template of a JS structure with its tensors replaced by slot numbers. */
export type Template =
  | { readonly t: 'tensor'; readonly i: number }
  | { readonly t: 'array'; readonly items: Template[] }
  | { readonly t: 'record'; readonly entries: [string, Template][] }
  | { readonly t: 'leaf'; readonly value: unknown };

const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;

function identity(o: object): number {
  let id = objectIds.get(o);
  if (id === undefined) objectIds.set(o, (id = nextObjectId++));
  return id;
}

/**
 * Flatten a structure: tensors (for which `isLeaf` says so) become slots, everything else is
 * kept and contributes to `key` (numbers and strings by value, other objects by identity).
 */
export function flatten(x: unknown, isSlot: (t: Tensor) => boolean): { template: Template; tensors: Tensor[]; key: string } {
  const tensors: Tensor[] = [];
  const keyParts: string[] = [];
  const walk = (v: unknown, depth: number): Template => {
    if (v instanceof Tensor) {
      if (isSlot(v)) {
        keyParts.push(`T${v.dtype}[${v.shape.join(',')}]`);
        tensors.push(v);
        return { t: 'tensor', i: tensors.length - 1 };
      }
      keyParts.push(`V#${identity(v)}`);
      return { t: 'leaf', value: v };
    }
    if (Array.isArray(v) && depth < 16) {
      keyParts.push('[');
      const items = v.map((e) => walk(e, depth + 1));
      keyParts.push(']');
      return { t: 'array', items };
    }
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && depth < 16) {
      keyParts.push('{');
      const entries = Object.entries(v).map(([k, e]) => {
        keyParts.push(`${k}:`);
        return [k, walk(e, depth + 1)] as [string, Template];
      });
      keyParts.push('}');
      return { t: 'record', entries };
    }
    if (v !== null && (typeof v === 'object' || typeof v === 'function')) keyParts.push(`O#${identity(v)}`);
    else keyParts.push(typeof v === 'string' ? JSON.stringify(v) : String(v));
    return { t: 'leaf', value: v };
  };
  const template = walk(x, 0);
  return { template, tensors, key: keyParts.join(' ') };
}

/** Rebuild a structure from its template with the given tensors in the slots. */
export function unflatten(tpl: Template, tensors: readonly Tensor[]): unknown {
  switch (tpl.t) {
    case 'tensor':
      return tensors[tpl.i];
    case 'array':
      return tpl.items.map((i) => unflatten(i, tensors));
    case 'record':
      return Object.fromEntries(tpl.entries.map(([k, e]) => [k, unflatten(e, tensors)]));
    default:
      return tpl.value;
  }
}
